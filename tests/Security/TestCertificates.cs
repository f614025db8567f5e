using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using RaftOrleans.Configuration;
using RaftOrleans.Tests.Configuration;

namespace RaftOrleans.Tests.Security;

/// <summary>
/// Certificates made once per test run by scripts/make-certs.sh (the script users run): the cluster's, and a second
/// authority's ("foreign"), for the refusals.
/// </summary>
internal static class TestCertificates
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var root = Directory.CreateTempSubdirectory("raft-certs-").FullName;
        Make(Path.Combine(root, "cluster"));
        Make(Path.Combine(root, "foreign"));
        return root;
    });

    /// <summary>The cluster's certificates: ca, silo, client.</summary>
    public static string Cluster => Path.Combine(Root.Value, "cluster");

    /// <summary>Another authority's certificates, same names.</summary>
    public static string Foreign => Path.Combine(Root.Value, "foreign");

    /// <summary>The certificate <paramref name="name"/>.crt of <paramref name="directory"/>, with its key.</summary>
    public static X509Certificate2 Load(string directory, string name) =>
        X509Certificate2.CreateFromPemFile(Path.Combine(directory, $"{name}.crt"), Path.Combine(directory, $"{name}.key"));

    /// <summary>raft.toml's [tls] for the files in <paramref name="directory"/>, with the client's certificate taken from <paramref name="clientFrom"/>.</summary>
    public static TlsSettings Settings(string directory, string? clientFrom = null) => new()
    {
        Enabled = true,
        Ca = Path.Combine(directory, "ca.crt"),
        Certificate = Path.Combine(directory, "silo.crt"),
        Key = Path.Combine(directory, "silo.key"),
        ClientCertificate = Path.Combine(clientFrom ?? directory, "client.crt"),
        ClientKey = Path.Combine(clientFrom ?? directory, "client.key"),
    };

    private static void Make(string directory)
    {
        var script = Path.Combine(RepositoryRoot.Path, "scripts", "make-certs.sh");
        using var process = Process.Start(new ProcessStartInfo("bash", [script, "--out", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)) || process.ExitCode != 0)
            throw new InvalidOperationException($"scripts/make-certs.sh --out {directory} failed: {output.Result}{error}");
    }
}
