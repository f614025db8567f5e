namespace RaftOrleans.State;

/// <summary>
/// A node's state directory cannot be used: it was written by another engine or format, its layout is broken, or
/// the storage engine reports it damaged. The node refuses to start rather than run on state it cannot trust; the
/// message is one line naming the path, the problem and the way out.
/// </summary>
public sealed class StateEngineException : Exception
{
    public StateEngineException(string path, string problem)
        : this(path, problem, innerException: null)
    {
    }

    public StateEngineException(string path, string problem, Exception? innerException)
        : base($"{path}: {OneLine(problem)}. The node will not start on it; restore the directory from a replica " +
               "or wipe it (the node then rejoins empty and receives a snapshot).", innerException)
    {
        Path = path;
    }

    /// <summary>The directory or file at fault.</summary>
    public string Path { get; }

    // RocksDB's messages may span lines or end in a full stop; the message is to read as one sentence in a log line.
    private static string OneLine(string problem) => problem.ReplaceLineEndings(" ").Trim().TrimEnd('.');
}
