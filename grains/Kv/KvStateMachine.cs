using RaftOrleans.Replica;

namespace RaftOrleans.Kv;

/// <summary>
/// The replicated state: a key-value map with put-if-absent, get and delete-if-present semantics, plus
/// one session record per client. Every node feeds it the same committed commands in the same order, so
/// every node ends in the same state. Deterministic: no clock, no randomness, no I/O.
/// </summary>
public sealed class KvStateMachine : IStateMachine<string, KvResult>
{
    private readonly Dictionary<string, string> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, ClientSession> _sessions = new();

    public int Count => _data.Count;

    /// <summary>A fingerprint of the map (see <see cref="KvStateDigest"/>): equal maps, equal digests.</summary>
    public ulong Digest { get; private set; }

    /// <summary>How many requests were answered from a session record instead of being applied again.</summary>
    public long DuplicatesSuppressed { get; private set; }

    public IReadOnlyDictionary<string, string> Data => _data;

    public IReadOnlyDictionary<Guid, ClientSession> Sessions => _sessions;

    /// <summary>The whole state (map and sessions) as snapshot bytes.</summary>
    public byte[] TakeSnapshot() => KvSnapshotCodec.Encode(_data, _sessions);

    /// <summary>A state machine holding exactly what <paramref name="snapshot"/> captured.</summary>
    public static KvStateMachine FromSnapshot(byte[] snapshot)
    {
        var machine = new KvStateMachine();
        machine.Restore(snapshot);
        return machine;
    }

    /// <summary>Replaces the whole state by what <paramref name="snapshot"/> captured (empty when null).</summary>
    public void Restore(byte[]? snapshot)
    {
        _data.Clear();
        _sessions.Clear();
        Digest = 0;
        if (snapshot is null) return;
        var (data, sessions) = KvSnapshotCodec.Decode(snapshot);
        foreach (var (key, value) in data)
        {
            _data.Add(key, value);
            Digest += KvStateDigest.Of(key, value);
        }
        foreach (var (client, session) in sessions) _sessions.Add(client, session);
    }

    /// <summary>Applies one committed command as the log carries it (<see cref="KvCommandCodec"/>).</summary>
    public KvResult Apply(byte[] command) => Apply(KvCommandCodec.Decode(command));

    public KvResult Query(string key) => Read(key);

    public string Fingerprint => Digest.ToString("X16");

    /// <summary>Applies one committed command and returns its result.</summary>
    public KvResult Apply(KvRequest request)
    {
        if (_sessions.TryGetValue(request.ClientId, out var session))
        {
            if (request.Sequence == session.LastSequence)
            {
                DuplicatesSuppressed++;
                return session.LastResult;
            }
            if (request.Sequence < session.LastSequence)
            {
                // The client has already moved past this request, so nobody waits on its answer; a delayed
                // duplicate must still not take effect.
                DuplicatesSuppressed++;
                return KvResult.Invalid($"sequence {request.Sequence} is older than the client's latest ({session.LastSequence})");
            }
        }

        var result = Execute(request);
        _sessions[request.ClientId] = new ClientSession(request.Sequence, result);
        return result;
    }

    /// <summary>Reads without going through a command: for ReadIndex-style reads and for tests.</summary>
    public KvResult Read(string key) => _data.TryGetValue(key, out var value) ? KvResult.Found(value) : KvResult.NotFound;

    private KvResult Execute(KvRequest request)
    {
        switch (request.Operation)
        {
            case KvOperation.Put:
                var value = request.Value ?? string.Empty;
                if (!_data.TryAdd(request.Key, value)) return KvResult.KeyExists;
                Digest += KvStateDigest.Of(request.Key, value);
                return KvResult.Ok;
            case KvOperation.Get:
                return Read(request.Key);
            case KvOperation.Delete:
                if (!_data.Remove(request.Key, out var removed)) return KvResult.NotFound;
                Digest -= KvStateDigest.Of(request.Key, removed);
                return KvResult.Ok;
            default:
                throw new ArgumentOutOfRangeException(nameof(request), request.Operation, "unknown operation");
        }
    }
}
