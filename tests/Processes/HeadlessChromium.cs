namespace RaftOrleans.Tests.Processes;

/// <summary>
/// Debian's Chromium, headless, as a real browser for the status page: it loads a page, runs its scripts (their
/// timers and fetches included) for a while of virtual time, and prints the DOM they left. Installed with apt-get
/// when missing. Started with the flags this machine's closed network needs (no background connections) and an
/// empty profile of its own.
/// </summary>
internal static class HeadlessChromium
{
    public static async Task<string> DumpDomAsync(string url, TimeSpan scriptTime)
    {
        var chromium = DebianPackage.EnsureInstalled("chromium", "chromium");
        var profile = Directory.CreateTempSubdirectory("raft-chromium-").FullName;
        try
        {
            var (exit, output) = await ConsoleRun.RunAsync(chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                $"--user-data-dir={profile}", $"--virtual-time-budget={(int)scriptTime.TotalMilliseconds}", "--dump-dom", url,
            ], new Dictionary<string, string>(), TimeSpan.FromSeconds(60));
            if (exit != 0) throw new InvalidOperationException($"chromium exited with {exit}: {output}");
            return output;
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
