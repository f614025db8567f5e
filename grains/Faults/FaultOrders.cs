namespace RaftOrleans.Faults;

/// <summary>
/// Fault injection is off unless raft.toml turns it on: a node then refuses every fault order (crash, restart, cut
/// off), whoever gives it, with how to turn it on.
/// </summary>
internal static class FaultOrders
{
    public static void Check(RaftClusterOptions cluster, string order, int node)
    {
        if (cluster.FaultInjection) return;
        throw new CallRefusedException(
            $"fault injection is off on node {node}'s silo, so it takes no '{order}' order: set [faults] enabled = true in the " +
            "raft.toml of every silo and restart them (scripts/demo.sh and scripts/cluster.sh start --faults do); keep it off in a real deployment");
    }
}
