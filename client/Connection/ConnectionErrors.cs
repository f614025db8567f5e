using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace RaftOrleans.Client.Connection;

/// <summary>
/// Tells a lost silo apart from everything else. A lost connection is not worth retrying (there is one silo),
/// so it ends the command with exit code 3; a timeout, by contrast, is a request to resend.
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
