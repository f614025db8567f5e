namespace RaftOrleans.Raft;

public enum Role
{
    Follower,

    /// <summary>Asking whether it could win an election (pre-vote, thesis 9.6) before raising its term and disturbing anyone.</summary>
    PreCandidate,

    Candidate,
    Leader,
}
