namespace RaftOrleans.Client.CommandLine;

/// <summary>The command line is wrong; the message says what, and the program exits with <see cref="ExitCodes.Usage"/>.</summary>
internal sealed class UsageException(string message) : Exception(message);
