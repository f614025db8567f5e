using System.Collections.Immutable;
using RaftOrleans.Kv;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// The specification clients are promised: ONE sequential map, the committed commands applied in log order,
/// each (client, sequence) taking effect at most once and a repeat answered with the first answer, sessions
/// expiring by the clock the leaders' stamps in the log make (a tenth of the lifetime between sweeps), and refused as
/// SessionExpired without a session: a write after the first (#1), or a first stamped more than a lifetime ago. Written
/// independently of <see cref="KvStateMachine"/> so that each checks the other. Its state is immutable and
/// shared between versions, so the state after every committed index is kept (cheaply) in the committed log:
/// that is what a node's state machine must hold after applying up to that index, or after restoring a
/// snapshot taken there.
/// </summary>
internal sealed class KvModel
{
    private readonly Dictionary<(Guid Client, long Sequence), int> _executions = new();

    public KvModelState State { get; private set; } = KvModelState.Empty;

    public IReadOnlyDictionary<string, string> Data => State.Data;

    /// <summary>How many times (client, sequence) took effect: 0 (never committed) or 1.</summary>
    public int Executions(Guid client, long sequence) => _executions.GetValueOrDefault((client, sequence));

    /// <summary>Sessions the model expired (the sweeps pass only if some did, when the run expires sessions).</summary>
    public int SessionsExpired { get; private set; }

    public KvResult Apply(KvCommand command)
    {
        var request = command.Request;
        var state = State = Tick(State, command.StampMs, command.SessionLifetimeMs);
        var hasSession = state.Latest.TryGetValue(request.ClientId, out var latest);
        if (hasSession && request.Sequence <= latest.Sequence)
        {
            // A retry of the latest request gets the answer its first copy got; anything older is void.
            return request.Sequence == latest.Sequence ? latest.Answer : KvResult.Invalid("stale sequence");
        }
        var stamped = command.SessionLifetimeMs > 0; // an unstamped (format 1) entry is held to no session rule
        if (stamped && !hasSession && request.Sequence > 1) return KvResult.SessionExpired("no session");
        if (stamped && !hasSession && command.StampMs < state.ClockMs - command.SessionLifetimeMs)
            return KvResult.SessionExpired("older than a session lifetime");

        KvResult answer;
        var data = state.Data;
        switch (request.Operation)
        {
            case KvOperation.Put:
                answer = data.ContainsKey(request.Key) ? KvResult.KeyExists : KvResult.Ok;
                if (answer == KvResult.Ok) data = data.SetItem(request.Key, request.Value ?? string.Empty);
                break;
            case KvOperation.Get:
                answer = data.TryGetValue(request.Key, out var value) ? KvResult.Found(value) : KvResult.NotFound;
                break;
            case KvOperation.Delete:
                answer = data.ContainsKey(request.Key) ? KvResult.Ok : KvResult.NotFound;
                data = data.Remove(request.Key);
                break;
            default:
                throw new InvariantViolation($"committed log holds unknown operation {request.Operation}");
        }
        State = state with { Data = data, Latest = state.Latest.SetItem(request.ClientId, (request.Sequence, answer, state.ClockMs)) };
        _executions[(request.ClientId, request.Sequence)] = Executions(request.ClientId, request.Sequence) + 1;
        return answer;
    }

    private KvModelState Tick(KvModelState state, long stampMs, long lifetimeMs)
    {
        var clock = Math.Max(state.ClockMs, stampMs);
        state = state with { ClockMs = clock };
        if (lifetimeMs <= 0 || clock < state.NextSweepMs) return state;
        var idle = state.Latest.Where(session => session.Value.LastActiveMs < clock - lifetimeMs).Select(session => session.Key).ToArray();
        SessionsExpired += idle.Length;
        return state with { Latest = state.Latest.RemoveRange(idle), NextSweepMs = clock + Math.Max(lifetimeMs / 10, 1) };
    }

    /// <summary>Answers compare by outcome and value; the wording of an Invalid reason is not part of the contract.</summary>
    public static bool SameAnswer(KvResult a, KvResult b) => a.Status == b.Status && a.Value == b.Value;
}

/// <summary>The model's whole state at one index: the map, each client's latest (sequence, answer, when), and the session clock.</summary>
internal sealed record KvModelState(
    ImmutableDictionary<string, string> Data,
    ImmutableDictionary<Guid, (long Sequence, KvResult Answer, long LastActiveMs)> Latest,
    long ClockMs = 0,
    long NextSweepMs = 0)
{
    public static readonly KvModelState Empty = new(
        ImmutableDictionary.Create<string, string>(StringComparer.Ordinal),
        ImmutableDictionary<Guid, (long, KvResult, long)>.Empty);

    /// <summary>
    /// Null if a state machine holding <paramref name="data"/> and <paramref name="sessions"/> is in exactly
    /// this state (same map; same session per client, so it suppresses the same duplicates with the same
    /// answers), else what differs.
    /// </summary>
    public string? Mismatch(IReadOnlyDictionary<string, string> data, IReadOnlyDictionary<Guid, ClientSession> sessions)
    {
        var sameData = data.Count == Data.Count;
        foreach (var (key, value) in Data)
        {
            if (!sameData) break;
            sameData = data.TryGetValue(key, out var held) && held == value;
        }
        if (!sameData) return $"data {{{Show(data)}}} where the model has {{{Show(Data)}}}";
        if (sessions.Count != Latest.Count)
            return $"{sessions.Count} client sessions where the model has {Latest.Count}";
        foreach (var (client, latest) in Latest)
        {
            if (!sessions.TryGetValue(client, out var session))
                return $"no session for client {client:N}, whose latest request in the model is #{latest.Sequence}";
            if (session.LastSequence != latest.Sequence || !KvModel.SameAnswer(session.LastResult, latest.Answer)
                || session.LastActiveMs != latest.LastActiveMs)
                return $"client {client:N}'s session at #{session.LastSequence} = {session.LastResult} (active at {session.LastActiveMs} ms) " +
                       $"where the model has #{latest.Sequence} = {latest.Answer} (active at {latest.LastActiveMs} ms)";
        }
        return null;
    }

    public static string Show(IReadOnlyDictionary<string, string> data) =>
        string.Join(", ", data.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
}
