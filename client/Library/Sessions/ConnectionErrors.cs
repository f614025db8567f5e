using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace RaftOrleans.KeyValue.Sessions;

/// <summary>
/// Tells a lost silo apart from everything else: a lost connection, unlike a timeout, says the silo (or the way to
/// it) is gone, not that it is slow.
/// </summary>
internal static class ConnectionErrors
{
    public static bool IsLostConnection(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is SiloUnavailableException or ConnectionFailedException or OrleansMessageRejectionException)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>An exception's message without what Orleans appends to it (an inner exception's stack trace).</summary>
    public static string FirstLine(Exception error) => error.Message.Split('\n')[0].Trim();
}
