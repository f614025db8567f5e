using RaftOrleans.Raft;

namespace RaftOrleans.Replica;

/// <summary>
/// One incoming snapshot: its chunks, taken in order straight into the state machine's install (nothing of it is
/// kept in memory). A chunk out of order, from another transfer, or one the install cannot decode is refused; a
/// refused chunk leaves the assembly as it was (an undecodable one breaks it: it then takes nothing more).
/// </summary>
internal sealed class SnapshotAssembly : IDisposable
{
    private readonly IStateInstall _install;
    private long _received;
    private bool _broken;

    private SnapshotAssembly(InstallSnapshot first, IStateInstall install)
    {
        From = first.From;
        Term = first.Term;
        Index = first.LastIncludedIndex;
        IncludedTerm = first.LastIncludedTerm;
        _install = install;
    }

    /// <summary>The sender and its term: chunks of another leader's transfer do not belong here.</summary>
    public int From { get; }
    public long Term { get; }

    /// <summary>The snapshot's last included index and term.</summary>
    public long Index { get; }
    public long IncludedTerm { get; }

    public bool Complete { get; private set; }

    /// <summary>The received snapshot, whole: commit it to replace the state.</summary>
    public IStateInstall Install => Complete ? _install : throw new InvalidOperationException("the snapshot is not complete");

    public static SnapshotAssembly Start<TQuery, TResult>(InstallSnapshot first, IStateMachine<TQuery, TResult> stateMachine) =>
        new(first, stateMachine.BeginInstall(first.LastIncludedIndex, first.LastIncludedTerm));

    /// <summary>True if <paramref name="chunk"/> is the next piece of this snapshot (and then it has taken it).</summary>
    public bool TryAdd(InstallSnapshot chunk)
    {
        if (_broken || Complete || chunk.From != From || chunk.Term != Term || chunk.LastIncludedIndex != Index
            || chunk.LastIncludedTerm != IncludedTerm || chunk.Offset != _received)
            return false;
        try
        {
            _install.Write(chunk.Data);
        }
        catch (FormatException)
        {
            _broken = true; // a damaged transfer: the leader starts a new one when the core asks again
            return false;
        }
        _received += chunk.Data.Length;
        Complete = chunk.Done;
        return true;
    }

    public void Dispose() => _install.Dispose();
}
