using RaftOrleans.Kv;

namespace RaftOrleans.Tests.Simulation;

/// <summary>
/// The specification clients are promised: ONE sequential map, the committed commands applied in log order,
/// each (client, sequence) taking effect at most once and a repeat answered with the first answer. Written
/// independently of <see cref="KvStateMachine"/> so that each checks the other.
/// </summary>
internal sealed class KvModel
{
    private readonly Dictionary<string, string> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, (long Sequence, KvResult Answer)> _latest = new();
    private readonly Dictionary<(Guid Client, long Sequence), int> _executions = new();

    public IReadOnlyDictionary<string, string> Data => _data;

    /// <summary>How many times (client, sequence) took effect: 0 (never committed) or 1.</summary>
    public int Executions(Guid client, long sequence) => _executions.GetValueOrDefault((client, sequence));

    public KvResult Apply(KvRequest request)
    {
        if (_latest.TryGetValue(request.ClientId, out var latest) && request.Sequence <= latest.Sequence)
        {
            // A retry of the latest request gets the answer its first copy got; anything older is void.
            return request.Sequence == latest.Sequence ? latest.Answer : KvResult.Invalid("stale sequence");
        }

        KvResult answer;
        switch (request.Operation)
        {
            case KvOperation.Put:
                answer = _data.ContainsKey(request.Key) ? KvResult.KeyExists : KvResult.Ok;
                if (answer == KvResult.Ok) _data[request.Key] = request.Value ?? string.Empty;
                break;
            case KvOperation.Get:
                answer = _data.TryGetValue(request.Key, out var value) ? KvResult.Found(value) : KvResult.NotFound;
                break;
            case KvOperation.Delete:
                answer = _data.Remove(request.Key) ? KvResult.Ok : KvResult.NotFound;
                break;
            default:
                throw new InvariantViolation($"committed log holds unknown operation {request.Operation}");
        }
        _latest[request.ClientId] = (request.Sequence, answer);
        _executions[(request.ClientId, request.Sequence)] = Executions(request.ClientId, request.Sequence) + 1;
        return answer;
    }

    /// <summary>Answers compare by outcome and value; the wording of an Invalid reason is not part of the contract.</summary>
    public static bool SameAnswer(KvResult a, KvResult b) => a.Status == b.Status && a.Value == b.Value;
}
