namespace RaftOrleans.Raft;

/// <summary>
/// Leadership transfer (thesis 3.10): the leader stops taking proposals (so the target can catch up), brings the
/// target's log up to its own, then sends it <see cref="TimeoutNow"/>; the target campaigns at once in the next
/// term, and its higher term makes this node step down. A transfer that has not completed within an election
/// timeout is abandoned, and proposals are taken again.
/// </summary>
public sealed partial class RaftNode
{
    private int? _transferTarget;
    private TimeSpan _transferElapsed;

    /// <summary>The node leadership is being handed to, while a transfer is under way (leader only).</summary>
    public int? TransferTarget => _transferTarget;

    /// <summary>
    /// Hands leadership to <paramref name="target"/>, or, when null, to the follower with the most of the log among
    /// those heard from within the last election timeout.
    /// </summary>
    public TransferResult TransferLeadership(int? target)
    {
        if (Role != Role.Leader) return TransferResult.NotLeader(LeaderId);
        WakeUp(); // (its check of the target's liveness counts the quiet time as heard from)
        var chosen = target ?? MostUpToDateLiveFollower();
        if (chosen is not { } to) return TransferResult.Refused($"no follower of node {Id} answered within the last election timeout");
        if (to == Id) return TransferResult.Refused($"node {Id} already leads");
        if (!IsVoter(to)) return TransferResult.Refused($"node {to} is not a voter ({_configs.Latest}); only a voter can lead");
        if (_transferTarget is { } underWay)
        {
            return underWay == to ? TransferResult.Begun(to) : TransferResult.Refused($"a transfer to node {underWay} is under way");
        }
        if (!IsLive(_progress[to])) return TransferResult.Refused($"node {to} has not answered node {Id} for {(Now - _progress[to].LastContact).TotalMilliseconds:F0} ms");

        _transferTarget = to;
        _transferElapsed = TimeSpan.Zero;
        if (_progress[to].MatchIndex == _log.LastIndex) SendTimeoutNow(to);
        else SendAppends(to, heartbeat: true);
        return TransferResult.Begun(to);
    }

    /// <summary>Leader: after an acknowledgement, the target may now hold the whole log.</summary>
    private void MaybeFinishTransfer(int follower)
    {
        if (_transferTarget == follower && _progress[follower].MatchIndex == _log.LastIndex) SendTimeoutNow(follower);
    }

    /// <summary>Leader's tick: a transfer that took an election timeout failed (the target is slow, down, or lost its campaign).</summary>
    private void TickTransfer(TimeSpan elapsed)
    {
        if (_transferTarget is null) return;
        _transferElapsed += elapsed;
        if (_transferElapsed >= _options.ElectionTimeoutMax) _transferTarget = null;
    }

    private void SendTimeoutNow(int to) => Send(new TimeoutNow { From = Id, To = to, Term = Term });

    /// <summary>The leader of this term says: campaign now. Skips pre-vote; the leader stepped aside for this.</summary>
    private void HandleTimeoutNow(TimeoutNow message)
    {
        if (Role == Role.Leader || message.From != LeaderId || !IsVoter(Id)) return;
        Campaign();
    }

    private bool IsLive(Progress progress) => Now - progress.LastContact < _options.ElectionTimeoutMax;

    private int? MostUpToDateLiveFollower() => OtherVoters
        .Where(p => IsLive(_progress[p]))
        .OrderByDescending(p => _progress[p].MatchIndex)
        .ThenBy(p => p)
        .Select(p => (int?)p)
        .FirstOrDefault();
}
