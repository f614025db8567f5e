using RaftOrleans.Kv;
using RaftOrleans.Raft;
using RaftOrleans.Status;

namespace RaftOrleans;

/// <summary>
/// One replica of one Raft group; the grain key is (node id, group name): use <see cref="GrainReferences.RaftNode"/>.
/// Node N of every group lives on node N's silo. The grain is reentrant: two candidates asking each
/// other for votes at the same moment must never wait on each other, and a leader waiting for a commit must
/// keep answering its peers. The protocol core is synchronous, so no state is ever held across an await.
/// </summary>
public interface IRaftNodeGrain : IGrainWithIntegerCompoundKey
{
    /// <summary>Activates the node (idempotent): from then on its timers drive elections and heartbeats.</summary>
    Task Start();

    Task<RequestVoteReply> RequestVote(RequestVote request);

    Task<AppendEntriesReply> AppendEntries(AppendEntries request);

    /// <summary>One chunk of a leader's snapshot, for a follower whose missing entries were compacted away.</summary>
    Task<InstallSnapshotReply> InstallSnapshot(InstallSnapshot chunk);

    /// <summary>Leadership transfer's last step: the leader tells this node to campaign now. No reply.</summary>
    Task TimeoutNow(TimeoutNow message);

    /// <summary>
    /// Asks this node, which must lead, to hand leadership to <paramref name="target"/> (null: the follower with the
    /// most of the log). Answers whether the transfer started, or why not; it completes within an election timeout
    /// or is abandoned.
    /// </summary>
    Task<TransferResult> TransferLeadership(int? target);

    /// <summary>
    /// Asks this node, which must lead, to change the cluster's membership by one node (add a learner, promote a
    /// learner, remove a member). Answers once the change is committed, or at once with the reason it is refused
    /// (nothing changed), or NotLeader; Unknown if the leader lost its leadership before the commit.
    /// </summary>
    Task<MembershipResult> ChangeMembership(MembershipChange change);

    /// <summary>
    /// Proposes client requests, each as if it came alone, and answers once every one of them is committed and applied
    /// here (or NotLeader at once when this node does not lead), in order. The requests of one call go out together:
    /// one grain turn here, one append, one read round, however many they are. Fails whole if the node is down.
    /// Clients go through <see cref="IKvGatewayGrain"/>, which adds the deadline and sends a batch's share of a group here in one call.
    /// </summary>
    Task<KvResult[]> Submit(KvRequest[] requests);

    Task<NodeStatus> GetStatus();

    /// <summary>Fault injection: the node stops answering and forgets everything it did not persist.</summary>
    Task Crash();

    /// <summary>Brings a crashed node back from its storage (no-op if it is running).</summary>
    Task Restart();

    /// <summary>
    /// Fault injection, refused unless the silo's raft.toml sets [faults] enabled = true: from now on this node's Raft
    /// messages to and from <paramref name="peers"/> are lost, both ways (a network partition, made inside the silo;
    /// other Orleans traffic still flows). Each call replaces the last; an empty list heals. A restarted silo forgets it.
    /// </summary>
    Task CutOff(int[] peers);
}
