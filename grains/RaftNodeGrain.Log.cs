using Microsoft.Extensions.Logging;
using RaftOrleans.Raft;

namespace RaftOrleans;

/// <summary>
/// Log lines of a node. Elections and leader changes at Information; per-message and per-commit traces at
/// Debug (source-generated, so they cost nothing when Debug is off).
/// </summary>
public sealed partial class RaftNodeGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "node {NodeId} started at term {Term} with {Entries} log entries after snapshot index {SnapshotIndex}")]
    private partial void LogStarted(int nodeId, long term, int entries, long snapshotIndex);

    [LoggerMessage(Level = LogLevel.Critical, Message = "node {NodeId} could not carry out a batch and stops; restart it once the cause is fixed")]
    private partial void LogBatchFailed(int nodeId, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "node {NodeId} storage recovery: {Repair}")]
    private partial void LogRepaired(int nodeId, string repair);

    [LoggerMessage(Level = LogLevel.Information, Message = "node {NodeId} took a snapshot at index {Index} ({Bytes} bytes) and compacted its log")]
    private partial void LogSnapshotTaken(int nodeId, long index, int bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "node {NodeId} installed a snapshot from its leader up to index {Index} ({Bytes} bytes)")]
    private partial void LogSnapshotInstalled(int nodeId, long index, int bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "node {NodeId} sends its snapshot up to index {Index} ({Bytes} bytes) to node {Peer}")]
    private partial void LogSnapshotSending(int nodeId, long index, int bytes, int peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "node {NodeId} elected leader of term {Term} by votes of {Voters} in {DurationMs:F0} ms")]
    private partial void LogElected(int nodeId, long term, string voters, double durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "node {NodeId}: its timer ran {LateMs:F0} ms late (the process was starved: a long GC pause or an overloaded machine); elections may follow")]
    private partial void LogTimerLate(int nodeId, double lateMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "node {NodeId} campaigns for term {Term} (it last followed {Leader})")]
    private partial void LogCampaigning(int nodeId, long term, int? leader);

    [LoggerMessage(Level = LogLevel.Information, Message = "node {NodeId} stepped down, now in term {Term}")]
    private partial void LogSteppedDown(int nodeId, long term);

    [LoggerMessage(Level = LogLevel.Information, Message = "node {NodeId} follows leader {Leader} in term {Term}")]
    private partial void LogFollowing(int nodeId, int leader, long term);

    [LoggerMessage(Level = LogLevel.Warning, Message = "node {NodeId} crashed (fault injection): unpersisted state dropped")]
    private partial void LogCrashed(int nodeId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "node {NodeId} sends {Message}")]
    private partial void LogSending(int nodeId, RaftMessage message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "node {NodeId} could not reach node {Peer}: {Error}")]
    private partial void LogPeerUnreachable(int nodeId, int peer, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "node {NodeId} applied entry {Index} of term {Term}")]
    private partial void LogApplied(int nodeId, long index, long term);
}
