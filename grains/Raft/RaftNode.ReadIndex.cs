namespace RaftOrleans.Raft;

/// <summary>
/// Linearizable reads without writing to the log (ReadIndex, section 6.4 of Ongaro's thesis): the leader
/// notes its commit index when a read arrives, proves it is still leader with one round of heartbeats
/// shared by every read waiting at that moment, and lets the read be answered once it has applied up to
/// the noted index.
/// </summary>
public sealed partial class RaftNode
{
    private readonly List<PendingRead> _reads = new();
    private long _readRound;

    /// <summary>
    /// Asks to serve read <paramref name="requestId"/>. False when this node is not the leader (ask
    /// <see cref="LeaderId"/>). Once true, the read comes out in <see cref="Ready.ReadStates"/>, or in
    /// <see cref="Ready.FailedReads"/> if this node loses its leadership first.
    /// </summary>
    public bool ReadIndex(long requestId)
    {
        if (Role != Role.Leader) return false;
        WakeUp();
        _reads.Add(new PendingRead(requestId, ReadIndex: 0, Round: 0));
        return true;
    }

    /// <summary>Starts one confirmation round for every read that has none, and releases the confirmed ones.</summary>
    private void AdvanceReads()
    {
        if (_reads.Count == 0) return;

        // A new leader does not know which of its entries are committed until one of its own term is: only
        // then is its commit index at least that of every earlier leader (the reason for the no-op).
        if (_reads.Exists(r => r.Round == 0) && _log.TermAt(CommitIndex) == Term)
        {
            _readRound++;
            for (var i = 0; i < _reads.Count; i++)
            {
                if (_reads[i].Round == 0) _reads[i] = _reads[i] with { ReadIndex = CommitIndex, Round = _readRound };
            }
            foreach (var peer in _peers) SendHeartbeat(peer);
        }

        var confirmed = ConfirmedReadRound();
        _reads.RemoveAll(read =>
        {
            // Released with the batch whose committed entries reach its read index: the shell applies them first.
            if (read.Round == 0 || read.Round > confirmed || read.ReadIndex > _handedOut) return false;
            _ready.ReadStates.Add(new ReadState(read.RequestId, read.ReadIndex));
            return true;
        });
    }

    /// <summary>The newest round that a majority (this leader included) has echoed.</summary>
    private long ConfirmedReadRound() => VotersReached(_readRound, static p => p.ReadRoundAcked);

    /// <summary>An empty AppendEntries carrying the current read round, whatever the follower's window.</summary>
    private void SendHeartbeat(int peer)
    {
        var progress = _progress[peer];
        if (progress.Mode == ReplicationMode.Snapshot)
        {
            SendEmptyAppend(peer, _log.PrefixIndex, _log.PrefixTerm);
            return;
        }
        var prev = progress.NextIndex - 1;
        if (_log.TermAt(prev) is { } prevTerm) SendEmptyAppend(peer, prev, prevTerm);
    }

    /// <summary>On losing leadership: no waiting read can be confirmed any more.</summary>
    private void FailReads()
    {
        foreach (var read in _reads) _ready.FailedReads.Add(read.RequestId);
        _reads.Clear();
    }
}
