using RaftOrleans.KeyValue;
using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Kv;

namespace RaftOrleans.Client.Commands;

/// <summary>
/// put KEY VALUE, get KEY, delete KEY: one operation through the client library (<see cref="IKeyValueStore"/>, as an
/// application sends it: a fresh session, resends under the same id). The exit code says how it ended, so scripts can
/// branch on it: a get prints only the value, everything else goes to stderr.
/// </summary>
internal sealed class SingleOperationCommand(KvOperation operation, string key, string? value) : IClientCommand
{
    public async Task<int> RunAsync(CommandContext context)
    {
        var store = context.Store(KvSession.InteractiveAttempts);
        try
        {
            switch (operation)
            {
                case KvOperation.Get:
                    var read = await store.GetAsync(key);
                    if (!read.IsFound) return Refused(context, $"key '{key}' not found");
                    context.Out.WriteLine(read.Value);
                    return ExitCodes.Ok;
                case KvOperation.Put:
                    if (await store.PutAsync(key, value ?? "") == PutResult.KeyExists)
                    {
                        return Refused(context, $"key '{key}' already exists (put never overwrites; delete it first)");
                    }
                    context.Out.WriteLine($"ok: put {key}");
                    return ExitCodes.Ok;
                default:
                    if (await store.DeleteAsync(key) == DeleteResult.NotFound) return Refused(context, $"key '{key}' not found");
                    context.Out.WriteLine($"ok: deleted {key}");
                    return ExitCodes.Ok;
            }
        }
        catch (KeyValueRequestRejectedException error)
        {
            context.Error.WriteLine($"invalid request: {error.Reason}");
            return ExitCodes.Usage;
        }
        catch (KeyValueUnavailableException error)
        {
            var sends = error.Sends;
            context.Error.WriteLine($"cluster unavailable: {error.Reason} " +
                                    $"(sent {sends} {(sends == 1 ? "time" : "times")} with the same id, so applied at most once)");
            return ExitCodes.Unavailable;
        }
    }

    private static int Refused(CommandContext context, string why)
    {
        context.Error.WriteLine($"refused: {why}");
        return ExitCodes.Refused;
    }
}
