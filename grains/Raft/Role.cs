namespace RaftOrleans.Raft;

public enum Role
{
    Follower,
    Candidate,
    Leader,
}
