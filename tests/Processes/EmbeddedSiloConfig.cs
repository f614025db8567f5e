namespace RaftOrleans.Tests.Processes;

/// <summary>
/// The raft.toml of one embedded silo process on free ports (its [silo] section: silo, gateway and HTTP port), with
/// whatever else a test adds after that section's ports.
/// </summary>
internal sealed record EmbeddedSiloConfig(string Path, int HttpPort)
{
    /// <param name="more">TOML appended after [silo]'s ports: more [silo] keys first, then other sections.</param>
    public static async Task<EmbeddedSiloConfig> WriteAsync(string directory, string more = "")
    {
        var ports = FreePorts.Ranges(1, 3);
        var path = System.IO.Path.Combine(directory, "raft.toml");
        await File.WriteAllTextAsync(path, $"""
            [silo]
            silo_port = {ports[0]}
            gateway_port = {ports[1]}
            http_port = {ports[2]}

            """ + more + "\n");
        return new(path, ports[2]);
    }
}
