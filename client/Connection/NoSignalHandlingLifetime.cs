using Microsoft.Extensions.Hosting;

namespace RaftOrleans.Client.Connection;

/// <summary>
/// Replaces the host's console lifetime. That one catches Ctrl+C and only asks the host to stop, but nothing
/// here waits on the host, so the console would ignore Ctrl+C; without it Ctrl+C ends the process as usual.
/// </summary>
internal sealed class NoSignalHandlingLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
