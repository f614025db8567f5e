using RaftOrleans.Client.Kv;
using RaftOrleans.Kv;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// put KEY VALUE, get KEY, delete KEY: one request from a new client (fresh id, sequence 1). The exit code
/// says how it ended, so scripts can branch on it: a get prints only the value, everything else goes to stderr.
/// </summary>
internal sealed class SingleOperationCommand(KvOperation operation, string key, string? value) : IClientCommand
{
    public async Task<int> RunAsync(CommandContext context)
    {
        var session = new KvSession(context.Route, KvSession.InteractiveAttempts);
        var outcome = operation switch
        {
            KvOperation.Put => await session.PutAsync(key, value ?? ""),
            KvOperation.Get => await session.GetAsync(key),
            _ => await session.DeleteAsync(key),
        };

        var result = outcome.Result;
        switch (result.Status)
        {
            case KvStatus.Ok when operation == KvOperation.Get:
                context.Out.WriteLine(result.Value);
                return ExitCodes.Ok;
            case KvStatus.Ok:
                context.Out.WriteLine(operation == KvOperation.Put ? $"ok: put {key}" : $"ok: deleted {key}");
                return ExitCodes.Ok;
            case KvStatus.KeyExists:
                context.Error.WriteLine($"refused: key '{key}' already exists (put never overwrites; delete it first)");
                return ExitCodes.Refused;
            case KvStatus.NotFound:
                context.Error.WriteLine($"refused: key '{key}' not found");
                return ExitCodes.Refused;
            case KvStatus.Invalid:
                context.Error.WriteLine($"invalid request: {result.Reason}");
                return ExitCodes.Usage;
            default:
                var sends = outcome.Resends + 1;
                context.Error.WriteLine($"cluster unavailable: {result.Reason ?? result.ToString()} " +
                                        $"(sent {sends} {(sends == 1 ? "time" : "times")} with the same id, so applied at most once)");
                return ExitCodes.Unavailable;
        }
    }
}
