using Microsoft.Extensions.Logging;

namespace RaftOrleans;

/// <summary>
/// A replica's logger: every line it, its transport and its grain write starts with its group ("[main] node 3 ..."),
/// so the logs of a silo hosting many groups say which group each line is about, without every message template
/// carrying the group.
/// </summary>
internal sealed class GroupLogger(ILogger inner, string group) : ILogger
{
    private readonly string _prefix = $"[{group}] ";

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        inner.Log(logLevel, eventId, state, exception, (s, e) => _prefix + formatter(s, e));
}
