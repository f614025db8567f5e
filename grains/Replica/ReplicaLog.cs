using Microsoft.Extensions.Logging;
using RaftOrleans.Raft;

namespace RaftOrleans.Replica;

/// <summary>
/// Log lines of a replica. Elections and leader changes at Information; per-message and per-commit traces at
/// Debug (source-generated, so they cost nothing when Debug is off). Every message has its own event id, for
/// filtering: 1000s the replica, 1100s the node grain, 1200s its transport, 1300s the gateway (LogEventIdTests
/// checks they are all set and distinct).
/// </summary>
internal static partial class ReplicaLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "node {NodeId} started at term {Term}: its state has applied up to {Applied}, and {Entries} log entries follow")]
    public static partial void Started(ILogger logger, int nodeId, long term, AppliedPoint applied, long entries);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Critical, Message = "node {NodeId} could not restart from its storage and stays down")]
    public static partial void StartFailed(ILogger logger, int nodeId, Exception error);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Critical, Message = "node {NodeId} could not carry out a batch and stops; restart it once the cause is fixed")]
    public static partial void BatchFailed(ILogger logger, int nodeId, Exception error);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "node {NodeId} made its state durable at index {Index} and compacted its log there")]
    public static partial void SnapshotTaken(ILogger logger, int nodeId, long index);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "node {NodeId} installed a snapshot from its leader up to index {Index}")]
    public static partial void SnapshotInstalled(ILogger logger, int nodeId, long index);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "node {NodeId} sends its state as of index {Index} to node {Peer}")]
    public static partial void SnapshotSending(ILogger logger, int nodeId, long index, int peer);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Critical, Message = "node {NodeId}: a call from outside its turn")]
    public static partial void TurnViolated(ILogger logger, int nodeId, Exception error);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "node {NodeId} could not read its state to send it to node {Peer}; the transfer is dropped and will be retried")]
    public static partial void SnapshotReadFailed(ILogger logger, int nodeId, int peer, Exception error);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "node {NodeId} could not stage the snapshot its leader is sending; it keeps its state and the leader will send it again")]
    public static partial void SnapshotReceiveFailed(ILogger logger, int nodeId, Exception error);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Information, Message = "node {NodeId} elected leader of term {Term} by votes of {Voters} in {DurationMs:F0} ms")]
    public static partial void Elected(ILogger logger, int nodeId, long term, string voters, double durationMs);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "node {NodeId} campaigns for term {Term} (it last followed {Leader})")]
    public static partial void Campaigning(ILogger logger, int nodeId, long term, int? leader);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Debug, Message = "node {NodeId} asks whether it could win term {Term} (pre-vote; it last followed {Leader})")]
    public static partial void PreCampaigning(ILogger logger, int nodeId, long term, int? leader);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "node {NodeId} stepped down, now in term {Term}")]
    public static partial void SteppedDown(ILogger logger, int nodeId, long term);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Information, Message = "node {NodeId} follows leader {Leader} in term {Term}")]
    public static partial void Following(ILogger logger, int nodeId, int leader, long term);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Warning, Message = "node {NodeId} crashed (fault injection): unpersisted state dropped")]
    public static partial void Crashed(ILogger logger, int nodeId);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Debug, Message = "node {NodeId} sends {Message}")]
    public static partial void Sending(ILogger logger, int nodeId, RaftMessage message);

    [LoggerMessage(EventId = 1016, Level = LogLevel.Debug, Message = "node {NodeId} applied entry {Index} of term {Term}")]
    public static partial void Applied(ILogger logger, int nodeId, long index, long term);

    [LoggerMessage(EventId = 1017, Level = LogLevel.Warning, Message = "node {NodeId}: membership change \"{Change}\" appended at index {Index}; now {Config}")]
    public static partial void MembershipChangeAppended(ILogger logger, int nodeId, string change, long index, string config);

    [LoggerMessage(EventId = 1018, Level = LogLevel.Information, Message = "node {NodeId}: configuration of index {Index} committed: {Config}")]
    public static partial void ConfigurationCommitted(ILogger logger, int nodeId, long index, string config);

    [LoggerMessage(EventId = 1019, Level = LogLevel.Warning, Message = "node {NodeId}: {Step} held its turn for {Milliseconds} ms")]
    public static partial void SlowStep(ILogger logger, int nodeId, string step, long milliseconds);
}
