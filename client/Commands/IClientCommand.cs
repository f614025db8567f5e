namespace RaftOrleans.Client.Commands;

/// <summary>One command of the console, its arguments already checked; it runs against a connected cluster.</summary>
internal interface IClientCommand
{
    /// <summary>Runs the command and returns the process exit code (<see cref="ExitCodes"/>).</summary>
    Task<int> RunAsync(CommandContext context);
}
