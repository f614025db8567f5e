using RaftOrleans.Raft;
using RaftOrleans.Replica;
using RaftOrleans.State;

namespace RaftOrleans.Kv;

/// <summary>
/// The replicated state: a key-value map with put-if-absent, get and delete-if-present semantics, plus one session
/// record per client (expired after the session lifetime without a request; see <see cref="KvCommand"/>), kept in an embedded engine (<see cref="IKvEngine"/>; the layout is <see cref="KvRecords"/>),
/// so memory holds the engine's cache, not the store. Every node feeds it the same committed entries in the same
/// order, so every node ends in the same state. Deterministic: no clock, no randomness; its only I/O is its engine.
/// <para>
/// The entries of one batch are applied in one atomic engine write together with the new meta record (applied
/// index, key count, digest). Within the batch, reads see the batch's own earlier changes first.
/// </para>
/// </summary>
public sealed class KvStateMachine(IKvEngine engine) : IStateMachine<string, KvResult>
{
    // The batch being applied: its changes so far, read before the engine (a null value is a deleted key).
    private readonly Dictionary<string, string?> _pendingData = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, ClientSession?> _pendingSessions = new(); // null: the session expired in this batch
    // Sessions read or written so far, as the engine holds them: every request looks its client's session up, and
    // there are few clients next to keys. Expired sessions leave it with their records. Cleared when the engine's
    // contents change under it (Open, an installed snapshot).
    private readonly Dictionary<Guid, ClientSession> _sessions = new();
    private KvMeta _meta = KvMeta.Empty;
    private ClusterConfig? _config;

    public AppliedPoint Applied => new(_meta.Index, _meta.Term);

    public long Count => _meta.Count;

    /// <summary>A fingerprint of the map (see <see cref="KvStateDigest"/>): equal maps, equal digests.</summary>
    public ulong Digest => _meta.Digest;

    /// <summary>The session clock: the latest leader stamp applied (ms since the Unix epoch). A leader stamps no earlier.</summary>
    public long ClockMs => _meta.ClockMs;

    public string Fingerprint => Digest.ToString("X16");

    public ClusterConfig? Configuration => _config;

    /// <summary>How many requests were answered from a session record instead of being applied again (this process only).</summary>
    public long DuplicatesSuppressed { get; private set; }

    /// <summary>Sessions this node expired, and requests it refused for want of a session (this process only).</summary>
    public long SessionsExpired { get; private set; }
    public long SessionsRefused { get; private set; }

    public AppliedPoint Open()
    {
        _sessions.Clear();
        _meta = KvRecords.DecodeMeta(engine.Get(KvRecords.MetaKey));
        _config = engine.Get(KvRecords.ConfigKey) is { } config ? ClusterConfig.Decode(config) : null;
        return Applied;
    }

    public IReadOnlyList<KvResult?> Apply(IReadOnlyList<LogEntry> entries)
    {
        if (entries.Count == 0) return Array.Empty<KvResult?>();
        var results = new KvResult?[entries.Count];
        var meta = _meta;
        LogEntry? lastConfig = null;
        try
        {
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                if (entry.Index != meta.Index + 1)
                    throw new InvalidOperationException($"entry {entry.Index} (the {i + 1}th of a batch of {entries.Count}, " +
                                                        $"{entries[0].Index}..{entries[^1].Index}) applied to a state that has applied up to {meta.Index}");
                if (entry.IsConfig) lastConfig = entry;
                else if (!entry.IsNoOp)
                {
                    var command = KvCommandCodec.Decode(entry.Data);
                    AdvanceSessionClock(command, ref meta);
                    results[i] = Apply(command, ref meta);
                }
                meta = meta with { Index = entry.Index, Term = entry.Term };
            }
            var changes = new List<KvChange>(_pendingData.Count + _pendingSessions.Count + 1);
            foreach (var (key, value) in _pendingData)
                changes.Add(new KvChange(KvRecords.DataKey(key), value is null ? null : KvRecords.EncodeValue(value)));
            foreach (var (client, session) in _pendingSessions)
                changes.Add(new KvChange(KvRecords.SessionKey(client), session is { } kept ? KvRecords.EncodeSession(kept) : null));
            if (lastConfig is not null) changes.Add(new KvChange(KvRecords.ConfigKey, lastConfig.Data));
            changes.Add(new KvChange(KvRecords.MetaKey, KvRecords.EncodeMeta(meta)));
            engine.Write(changes);
            foreach (var (client, session) in _pendingSessions)
            {
                if (session is { } kept) _sessions[client] = kept;
                else _sessions.Remove(client);
            }
        }
        catch
        {
            _sessions.Clear(); // a failure (disk full) leaves _meta as it was: the node stops, and nothing is half applied
            throw;
        }
        finally
        {
            _pendingData.Clear(); // reads between batches (and after an installed snapshot) go to the engine alone
            _pendingSessions.Clear();
        }
        _meta = meta;
        if (lastConfig is not null) _config = ClusterConfig.Decode(lastConfig.Data);
        return results;
    }

    public KvResult Query(string key) => Read(key);

    /// <summary>Reads without going through a command: for ReadIndex-style reads and for tests.</summary>
    public KvResult Read(string key) => Value(key) is { } value ? KvResult.Found(value) : KvResult.NotFound;

    public void MakeDurable() => engine.Sync();

    public IStateSnapshot TakeSnapshot() => new EngineSnapshot(engine.View(), Applied);

    public IStateInstall BeginInstall(long index, long term)
    {
        var announced = new AppliedPoint(index, term);
        KvMeta? received = null;
        return new EngineInstall(engine.BeginReplace(), announced,
            onPair: (key, value) =>
            {
                if (key.AsSpan().SequenceEqual(KvRecords.MetaKey)) received = KvRecords.DecodeMeta(value);
            },
            complete: () =>
            {
                // The stream's header is checked against the announced point; the state inside must be of it too.
                if (received is not { } meta || meta.Index != index || meta.Term != term)
                    throw new FormatException($"the snapshot announced as {announced} holds a state of " +
                                              $"{(received is { } m ? new AppliedPoint(m.Index, m.Term).ToString() : "no applied index")}");
            },
            committed: () => Open());
    }

    /// <summary>The whole state, decoded (reads everything: for checks and tests).</summary>
    public KvContents ReadAll()
    {
        using var view = engine.View();
        return KvRecords.Decode(view.Scan());
    }

    /// <summary>
    /// The session clock moves to the leader's stamp (never back: leaders' clocks differ a little), and when a sweep
    /// is due, sessions idle for longer than the lifetime the leader ran with expire. Only what the log says decides,
    /// so every replica expires the same sessions at the same entry.
    /// </summary>
    private void AdvanceSessionClock(KvCommand command, ref KvMeta meta)
    {
        if (command.StampMs > meta.ClockMs) meta = meta with { ClockMs = command.StampMs };
        if (command.SessionLifetimeMs <= 0 || meta.ClockMs < meta.NextSweepMs) return;
        ExpireSessionsIdleBefore(meta.ClockMs - command.SessionLifetimeMs);
        // A tenth of the lifetime between sweeps: a session lives at most 10 % past its lifetime, and a sweep (which
        // reads every session record) stays rare.
        meta = meta with { NextSweepMs = meta.ClockMs + Math.Max(command.SessionLifetimeMs / 10, 1) };
    }

    private void ExpireSessionsIdleBefore(long idleBeforeMs)
    {
        foreach (var (key, value) in engine.ScanPrefix(KvRecords.SessionPrefix))
        {
            var client = new Guid(key.AsSpan(1));
            if (_pendingSessions.ContainsKey(client)) continue; // this batch's version of it is checked below
            if (KvRecords.DecodeSession(value).LastActiveMs < idleBeforeMs) Expire(client);
        }
        foreach (var (client, session) in _pendingSessions.ToArray())
        {
            if (session is { } pending && pending.LastActiveMs < idleBeforeMs) Expire(client);
        }
    }

    private void Expire(Guid client)
    {
        _pendingSessions[client] = null;
        SessionsExpired++;
    }

    private KvResult Apply(KvCommand command, ref KvMeta meta)
    {
        var request = command.Request;
        var session = Session(request.ClientId);
        // Only stamped entries (format 2) are held to sessions' lifetimes: a log written before sessions expired
        // replays as it was first applied (its clients took sequence numbers for gets, so a first write could be #2).
        var expiring = command.SessionLifetimeMs > 0;
        if (expiring && session is null && request.Sequence > 1)
        {
            // A client's first write is #1, so a later one without a session comes from a session that expired (or
            // whose first write never arrived): applying it could apply a repeat of a request applied before.
            SessionsRefused++;
            return KvResult.SessionExpired($"client {request.ClientId:N} has no session (idle past the session lifetime, " +
                                           $"or its first write never arrived): request #{request.Sequence} was not applied; start a new session");
        }
        if (expiring && session is null && command.StampMs < meta.ClockMs - command.SessionLifetimeMs)
        {
            // A first write older than a session lifetime (it lay in a log that long): its session may have come and
            // gone already, so it may be a repeat too.
            SessionsRefused++;
            return KvResult.SessionExpired($"request #{request.Sequence} of client {request.ClientId:N} was taken in " +
                                           $"{meta.ClockMs - command.StampMs} ms ago, longer than the session lifetime: it was not applied; start a new session");
        }
        if (session is { } existing)
        {
            if (request.Sequence == existing.LastSequence)
            {
                DuplicatesSuppressed++;
                return existing.LastResult;
            }
            if (request.Sequence < existing.LastSequence)
            {
                // The client has already moved past this request, so nobody waits on its answer; a delayed
                // duplicate must still not take effect.
                DuplicatesSuppressed++;
                return KvResult.Invalid($"sequence {request.Sequence} is older than the client's latest ({existing.LastSequence})");
            }
        }

        var result = Execute(request, ref meta);
        _pendingSessions[request.ClientId] = new ClientSession(request.Sequence, result, meta.ClockMs);
        return result;
    }

    private KvResult Execute(KvRequest request, ref KvMeta meta)
    {
        switch (request.Operation)
        {
            case KvOperation.Put:
                if (Value(request.Key) is not null) return KvResult.KeyExists;
                var value = request.Value ?? string.Empty;
                _pendingData[request.Key] = value;
                meta = meta with { Count = meta.Count + 1, Digest = meta.Digest + KvStateDigest.Of(request.Key, value) };
                return KvResult.Ok;
            case KvOperation.Get:
                return Read(request.Key);
            case KvOperation.Delete:
                if (Value(request.Key) is not { } removed) return KvResult.NotFound;
                _pendingData[request.Key] = null;
                meta = meta with { Count = meta.Count - 1, Digest = meta.Digest - KvStateDigest.Of(request.Key, removed) };
                return KvResult.Ok;
            default:
                throw new ArgumentOutOfRangeException(nameof(request), request.Operation, "unknown operation");
        }
    }

    private string? Value(string key)
    {
        if (_pendingData.TryGetValue(key, out var pending)) return pending;
        return engine.Get(KvRecords.DataKey(key)) is { } bytes ? KvRecords.DecodeValue(bytes) : null;
    }

    private ClientSession? Session(Guid client)
    {
        if (_pendingSessions.TryGetValue(client, out var pending)) return pending;
        if (_sessions.TryGetValue(client, out var cached)) return cached;
        if (engine.Get(KvRecords.SessionKey(client)) is not { } bytes) return null;
        var stored = KvRecords.DecodeSession(bytes);
        _sessions[client] = stored;
        return stored;
    }
}
