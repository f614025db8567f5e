namespace RaftOrleans.KeyValue;

/// <summary>
/// The store, as an application sees it: put-if-absent, get, delete, each linearizable and each applied at most once
/// however often the library resends it. Safe for any number of concurrent operations (each borrows a session of its
/// own; no lock is shared). Get one from dependency injection (<see cref="KeyValueClientExtensions.AddRaftKeyValueClient"/>)
/// or from an Orleans client (<see cref="KeyValueClientExtensions.AsKeyValueStore"/>).
/// <para>
/// What the store answered comes back as a value (<see cref="PutResult"/>, <see cref="GetResult"/>,
/// <see cref="DeleteResult"/>). What it could not answer is thrown: <see cref="KeyValueUnavailableException"/> when no
/// leader committed the operation by its deadline (resent until then under the same request id, so a write may still
/// take effect once, never twice), <see cref="KeyValueRequestRejectedException"/> when the request is malformed (a key
/// too long, an unknown group), <see cref="OperationCanceledException"/> when the caller cancelled (a write cancelled
/// after it was sent may still take effect once, never twice).
/// </para>
/// <para>
/// The cluster's groups and timings are asked of a gateway at the first operation and kept: a store's groups cannot
/// change while it runs (the silos refuse a raft.toml that changes them), so they stay right.
/// </para>
/// </summary>
public interface IKeyValueStore
{
    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> unless the key already holds one (it never overwrites).</summary>
    /// <param name="deadline">How long to try, resends included; null: <see cref="KeyValueClientOptions.Deadline"/>.</param>
    Task<PutResult> PutAsync(string key, string value, TimeSpan? deadline = null, CancellationToken cancellationToken = default);

    /// <summary>The value under <paramref name="key"/>, read linearizably (it reflects every write acknowledged before the call).</summary>
    /// <param name="deadline">How long to try, resends included; null: <see cref="KeyValueClientOptions.Deadline"/>.</param>
    Task<GetResult> GetAsync(string key, TimeSpan? deadline = null, CancellationToken cancellationToken = default);

    /// <summary>Removes <paramref name="key"/> if it holds a value.</summary>
    /// <param name="deadline">How long to try, resends included; null: <see cref="KeyValueClientOptions.Deadline"/>.</param>
    Task<DeleteResult> DeleteAsync(string key, TimeSpan? deadline = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The same store addressing the named Raft group (raft.toml's [groups]) rather than the group each key's hash picks.
    /// The same key in two groups is two keys. An unknown group is refused at its first operation
    /// (<see cref="KeyValueRequestRejectedException"/>, naming the groups there are).
    /// </summary>
    IKeyValueStore InGroup(string group);
}
