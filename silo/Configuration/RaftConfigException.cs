namespace RaftOrleans.Configuration;

/// <summary>
/// The configuration could not be loaded. <see cref="Exception.Message"/> holds one line per problem, each of
/// the form <c>FILE: KEY: REASON</c> (or <c>FILE: unknown key 'KEY'</c>, <c>FILE: syntax error: ...</c>),
/// ready to print before the process exits.
/// </summary>
public sealed class RaftConfigException : Exception
{
    public RaftConfigException(string sourceName, IReadOnlyList<string> errors)
        : base(errors.Count == 0 ? $"{sourceName}: invalid configuration" : string.Join('\n', errors))
    {
        SourceName = sourceName;
        Errors = errors.Count == 0 ? [Message] : errors;
    }

    public RaftConfigException(string sourceName, string error, Exception innerException)
        : base(error, innerException)
    {
        SourceName = sourceName;
        Errors = [error];
    }

    /// <summary>The file path (or the name given to <see cref="RaftConfigLoader.Parse"/>) the errors are about.</summary>
    public string SourceName { get; }

    /// <summary>The problems, one full line each, in file order.</summary>
    public IReadOnlyList<string> Errors { get; }
}
