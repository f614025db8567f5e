namespace RaftOrleans.Replica;

/// <summary>
/// What the replica replicates, seen from the replica: commands in, results out, a snapshot to save and to
/// restore. The replica knows nothing else of it (the KV map implements it). Deterministic: every replica feeds
/// it the same commands in the same order and must end in the same state.
/// </summary>
public interface IStateMachine<in TQuery, out TResult>
{
    /// <summary>Applies one committed command and returns the answer for the client that proposed it.</summary>
    TResult Apply(byte[] command);

    /// <summary>Answers a read from the current state, without changing it.</summary>
    TResult Query(TQuery query);

    /// <summary>The whole state, as bytes that <see cref="Restore"/> turns back into it.</summary>
    byte[] TakeSnapshot();

    /// <summary>Replaces the whole state by a snapshot's, or by the empty state when <paramref name="snapshot"/> is null.</summary>
    void Restore(byte[]? snapshot);

    /// <summary>A fingerprint of the state (equal states, equal fingerprints), to compare replicas without shipping it.</summary>
    string Fingerprint { get; }

    /// <summary>How many items the state holds (keys, for the KV map).</summary>
    int Count { get; }
}
