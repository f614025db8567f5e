#!/usr/bin/env bash
# The whole demo in one command: build once, start the silo in the background, wait until a leader is
# elected, run the client workload (and, if asked, the 1,000-task exactly-once run with a leader crash,
# and the failover measurement), then stop the silo, whatever happened.
#
#   scripts/demo.sh [--config PATH | --cluster] [--tasks] [--failover] [--groups]
#
#   --config PATH   configuration for silo and client (default: raft.toml at the repository root); the demo runs a
#                   copy of it with fault injection on ([faults] enabled = true), since it crashes leaders on purpose
#   --cluster       cluster mode instead: Redis and 5 silo processes, one Raft node each, started (and
#                   stopped at the end) by scripts/cluster.sh; --failover then kills the leader's silo
#   --tasks         also run `client tasks --count 1000 --crash-leader-after 300`
#   --failover      also run `client failover --tries 10` (crash the leader 10 times, time each failover)
#   --groups        two Raft groups (the configuration plus [groups] critical = 5, background = 3), and the seed's
#                   scenario: 1,000 tasks to each group at once (`client --group NAME tasks`), each group's leader
#                   crashed after 500; every task must be applied exactly once in its group
#
# Exit status: 0 if every step succeeded, otherwise the exit code of the first step that failed.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
config="$root/raft.toml"
run_tasks=false
run_failover=false
run_groups=false
cluster_mode=false
while [[ $# -gt 0 ]]; do
    case "$1" in
        --config) config="$(realpath "${2:?--config needs a path}")"; shift 2 ;;
        --tasks) run_tasks=true; shift ;;
        --failover) run_failover=true; shift ;;
        --cluster) cluster_mode=true; shift ;;
        --groups) run_groups=true; shift ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "demo: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done

# Long enough for a cold start of the silo plus a few split votes; a healthy cluster needs a second or two.
leader_deadline_seconds=60

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
cd "$root"
# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"

step() { printf '\n== %s\n' "$*"; }

step "building silo and client (Release)"
dotnet build silo/RaftOrleans.Silo.csproj -c Release -nologo -v quiet
dotnet build client/RaftOrleans.Client.csproj -c Release -nologo -v quiet

# The built programs, run directly: no second build, and $! is the silo itself, not a `dotnet run` wrapper.
silo_dll="$root/silo/bin/Release/net10.0/RaftOrleans.Silo.dll"
client_dll="$root/client/bin/Release/net10.0/RaftOrleans.Client.dll"
client() { dotnet "$client_dll" --config "$config" "$@"; }

silo_log=""
silo_pid=""
cluster_started=false

stop_silo() {
    local status=$?
    if $cluster_started; then
        step "stopping the cluster"
        "$root/scripts/cluster.sh" stop || true
    fi
    if [[ -n "$silo_pid" ]] && kill -0 "$silo_pid" 2>/dev/null; then
        step "stopping the silo (pid $silo_pid)"
        kill -TERM "$silo_pid" 2>/dev/null || true
        # A graceful stop takes a few seconds; past ten, stop waiting for it.
        for _ in $(seq 1 100); do
            kill -0 "$silo_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$silo_pid" 2>/dev/null || true
        wait "$silo_pid" 2>/dev/null || true
    fi
    [[ -z "${demo_dir:-}" ]] || rm -rf "$demo_dir"
    [[ -z "$silo_log" ]] || echo "silo log: $silo_log"
    exit "$status"
}
trap stop_silo EXIT
trap 'exit 130' INT TERM

fail_with_log() {
    echo "demo: $1" >&2
    echo "--- last lines of the silo log ($silo_log) ---" >&2
    tail -n 20 "$silo_log" >&2 || true
    exit 1
}

# The demo crashes leaders on purpose: its silo runs a copy of the configuration with fault injection on.
if ! $cluster_mode; then
    demo_dir="$(mktemp -d "${TMPDIR:-/tmp}/raft-demo.XXXXXX")"
    with_faults "$config" "$demo_dir/raft.toml"
    config="$demo_dir/raft.toml"
fi

if $run_groups; then
    $cluster_mode && { echo "demo: --groups runs the embedded silo (a group of 5 needs 5 silos: start them with scripts/cluster.sh)" >&2; exit 2; }
    groups_dir="$(mktemp -d "${TMPDIR:-/tmp}/raft-groups.XXXXXX")"
    # A data directory of its own: the groups of a store cannot change once it holds data.
    sed -e "s|^data_dir = .*|data_dir = \"$groups_dir/data\"|" -e 's/^nodes = .*/nodes = 5/' "$config" >"$groups_dir/raft.toml"
    grep -q '^\[groups\]' "$groups_dir/raft.toml" && { echo "demo: --groups adds [groups] itself; $config already has one" >&2; exit 2; }
    printf '\n[groups]\ncritical = 5\nbackground = 3\n' >>"$groups_dir/raft.toml"
    config="$groups_dir/raft.toml"
fi

if $cluster_mode; then
    step "starting Redis and 5 silos, one Raft node each (scripts/cluster.sh; logs in $("$root/scripts/cluster.sh" config | xargs dirname)/logs)"
    if "$root/scripts/cluster.sh" running; then
        echo "demo: a cluster started by scripts/cluster.sh already runs; stop it first (scripts/cluster.sh stop)" >&2
        exit 1
    fi
    cluster_started=true
    RAFT_CLUSTER_NO_BUILD=1 "$root/scripts/cluster.sh" start 5 --faults
    config="$("$root/scripts/cluster.sh" config)"
    silo_log="$(dirname "$config")/logs/node-1.log"
else
    # A silo left running from before would answer in place of ours (and ours could not bind its ports).
    if client status --json 2>/dev/null | grep -q '"nodes"\|"groups"'; then
        echo "demo: a silo is already answering on the gateway port of $config; stop it first" >&2
        exit 1
    fi

    silo_log="$(mktemp "${TMPDIR:-/tmp}/raft-silo.XXXXXX.log")"
    step "starting the silo (log: $silo_log)"
    dotnet "$silo_dll" --config "$config" >"$silo_log" 2>&1 &
    silo_pid=$!
fi

step "waiting up to ${leader_deadline_seconds} s for a leader"
deadline=$((SECONDS + leader_deadline_seconds))
until client status >/dev/null 2>&1; do # exit 0: a leader (of every group)
    $cluster_mode || kill -0 "$silo_pid" 2>/dev/null || fail_with_log "the silo exited during start-up"
    ((SECONDS < deadline)) || fail_with_log "no leader elected within ${leader_deadline_seconds} s"
    sleep 1
done
client status

step "client workload (raft.toml [client])"
client

if $run_tasks; then
    step "1,000 tasks, the leader crashed after 300"
    client tasks --count 1000 --crash-leader-after 300
fi

if $run_failover; then
    step "failover: crash the leader 10 times, time the first write after each crash"
    if $cluster_mode; then
        client failover --tries 10 --kill-silo "$root/scripts/cluster.sh restart {node}"
    else
        client failover --tries 10
    fi
fi

if $run_groups; then
    step "the seed's scenario: 1,000 tasks to each group at once, each group's leader crashed after 500"
    client --group critical tasks --count 1000 --crash-leader-after 500 &
    critical=$!
    client --group background tasks --count 1000 --crash-leader-after 500 &
    background=$!
    status=0
    wait "$critical" || status=$?
    wait "$background" || status=$?
    ((status == 0)) || exit "$status"
fi

step "final status"
client status
