namespace RaftOrleans.Client.CommandLine;

/// <summary>The help text: every command, its options and its exit codes, in one place.</summary>
internal static class UsageText
{
    public const string Full = """
        usage: client [COMMAND] [ARGS] [--config PATH]

        commands:
          (none) | workload [--seed N]     the workload from raft.toml [client]: num_clients concurrent clients,
                                           each sending requests_per_client random get/put/delete over key_space keys
          put KEY VALUE                    store VALUE under KEY if KEY is absent
          get KEY                          print the value of KEY
          delete KEY                       remove KEY if present
          status [--json]                  every node's role, term, vote, log and commit; the leader's followers;
                                           the recent elections
          crash NODE                       fault injection: NODE stops answering and forgets what it did not persist
          restart NODE                     bring a crashed NODE back from its storage
          member list | add NODE | promote NODE | remove NODE
                                           the cluster's voters and learners and how far each is behind; add NODE
                                           as a learner (it catches up without a vote), promote a learner close
                                           to the leader's log to voter, remove a member (the leader too): one
                                           node at a time, answered once committed
          crash-leader                     crash the current leader and wait for the next one to be elected
          transfer-leader [--to NODE]      hand leadership to NODE (default: the most up-to-date follower) before
                                           maintenance: the leader stops taking writes, brings NODE up to date
                                           and tells it to campaign; abandoned after an election timeout
          tasks [--count N] [--crash-leader-after M]
                                           N unique puts (default 1000) by num_clients clients, optionally crashing
                                           the leader after M completed; then read every key back and check
          failover [--tries N] [--kill-silo RESTART-COMMAND]
                                           crash the leader N times (default 10) and measure the time from the
                                           crash to the next committed write; --kill-silo kills the leader's
                                           silo process instead (kill -9; cluster mode, on this machine) and
                                           restarts it with the shell command, {node} standing for its node id,
                                           e.g. --kill-silo "scripts/cluster.sh restart {node}"
          check [--clients C] [--keys K] [--seconds S]
                [--nemesis none|kill|pause|partition|crash-node|transfer|membership|all]
                [--history FILE] [--cluster-script PATH]
                                           the fault suite: C clients (default 5) run random put/get/delete over
                                           K keys (default 5) for S s (default 60) while the nemesis injects
                                           faults (kill -9 / SIGSTOP a silo through scripts/cluster.sh, cut a
                                           minority off: needs [faults] enabled, crash a node, move the
                                           leadership); then heal, read
                                           every key back, check the history for linearizability, lost writes
                                           and equal replicas. --history saves every operation as JSON lines
          bench [--clients C] [--seconds S] [--mix put|mixed|get] [--keys K] [--value-size B] [--warmup W]
                [--json] [--silo-pid PID]
                                           throughput and latency: C closed-loop clients (default 64), W s warm-up
                                           (default 1) then S s measured (default 10). put: fresh keys; mixed:
                                           50% get / 25% put / 25% delete over K keys (default 1000); get: gets
                                           over K keys; B-byte values (default 16). Prints ops/s, p50/p90/p99/max
                                           latency and errors; --json prints one JSON object (progress to stderr);
                                           --silo-pid also reports that process's CPU. Exit 0 when it ran, even
                                           with errors counted

        options:
          --config PATH                    configuration file (default: raft.toml in the current directory)
          -h, --help                       this text

        exit codes: 0 ok, 1 refused by the KV semantics (key exists / not found), 2 bad usage or configuration,
                    3 silo unreachable or cluster unavailable (status: no leader), 4 tasks not all exactly once,
                    5 check found a violation (not linearizable, a lost write, replicas differ), 6 check undecided
        """;
}
