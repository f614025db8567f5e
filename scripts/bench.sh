#!/usr/bin/env bash
# The benchmark matrix, ours beside etcd and DotNext in one sitting (these machines are shared and noisy:
# compare only figures taken together). For fsync on and off, a 5-node silo with file storage runs
# `client bench` for clients 1, 16, 64 x mix put, mixed; then a 5-member etcd (always fsyncing) runs the etcd
# loader for the same cells, and a 5-member DotNext cluster (../shared/dotnext-compare; put only, its writers
# run inside the leader) the put cells. Every cell is run N times and its median by ops/s is shown; a
# Markdown table compares them.
#
#   scripts/bench.sh [--runs N] [--seconds S] [--warmup W] [--prime P] [--quick] [--rev REV] [--reuse-cluster] [--cluster] [--out DIR]
#                    [--clients "1 16 64"] [--mixes "put mixed"] [--fsync "true false"] [--no-etcd] [--no-dotnext]
#                    [--groups N [--group-replicas R]] [--no-tls]
#
#   --runs N          runs per cell (default 3); the median by ops/s is shown
#   --seconds S       measured seconds per run, after the warm-up (default 10)
#   --warmup W        seconds of each run's warm-up, for every system alike (default 1). Each run is a fresh loader
#                     process: ours and DotNext's are .NET, so their first seconds run code the JIT has not finished
#                     (on these 2 busy cores, ours took about 10 s to reach its rate in cluster mode)
#   --prime P         seconds of the unmeasured run on each fresh silo or cluster before it is measured (default 2:
#                     the hot paths compiled; the JIT's tiered PGO keeps improving them for about a minute, so
#                     --prime 60 measures a steady state, which in cluster mode is 20-30 % above the first half minute)
#   --quick           smoke test: 1 run of 3 s per cell
#   --rev REV         build the silo from git commit REV (the client, with its bench command, always comes
#                     from the working tree, unless --client-from-rev); default: the working tree as it is now
#   --client-from-rev with --rev: build the client from REV too (when today's client no longer builds against it)
#   --reuse-cluster   one silo per fsync setting and one etcd cluster for all cells, instead of a fresh
#                     cluster with an empty store for every run (see "Fresh clusters" below)
#   --cluster         ours in cluster mode: Redis and 5 silo processes, one Raft node each (scripts/cluster.sh of
#                     the measured sources, on ports of its own); --silo-pid CPU is then node 1's silo only
#   --no-tls          with --cluster: without TLS (cluster.sh turns it on by default), to measure what TLS costs
#   --out DIR         where results go (default /tmp/raft-bench-<time>): results.jsonl (one JSON object per
#                     run, every system), table.md, and the logs
#   --clients, --mixes, --fsync   a part of the matrix only (space-separated lists)
#   --no-etcd, --no-dotnext   leave etcd or DotNext out (e.g. for a second run of ours at another --rev)
#   --groups N        ours with N Raft groups (raft.toml [groups] g01..gNN) of R replicas each (--group-replicas,
#                     default 3) over the 5 nodes; the bench's keys spread over them by hash (with --cluster too)
#
# Fresh clusters: by default every run gets a new silo on an empty data directory (and a new etcd cluster),
# plus one short unmeasured run first so the silo's JIT has compiled its hot paths. Put runs add tens of
# thousands of keys each, and a store's size changes its speed (a snapshot copies the whole map), so runs
# sharing a cluster would depend on their order.
#
# Builds go to a temporary folder from a copy of the sources, never into the working tree, so that other
# people's half-written files cannot break a run in the middle; a failed build is retried after a minute.
# The comparison tools are found beside the repository (../shared/etcd-compare, ../shared/dotnext-compare).
# Whatever it started (silo, etcd members, DotNext members) is stopped on exit, also on Ctrl+C. Needs dotnet, jq, python3;
# installs etcd with apt-get when it is missing. Exit status 0 when the matrix ran (runs with errors included).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
etcd_compare="$root/../shared/etcd-compare"
dotnext_compare="$root/../shared/dotnext-compare"
[[ -d "$etcd_compare" ]] || { echo "bench: $etcd_compare not found (the etcd comparison lives beside the repository)" >&2; exit 2; }
dotnext=true
etcd=true
fsyncs=(true false)
client_counts=(1 16 64)
mixes=(put mixed)
runs=3
seconds=10
warmup=1
prime=2
rev=""
client_from_rev=false
reuse=false
cluster_mode=false
cluster_tls=()
groups=0
group_replicas=3
out="/tmp/raft-bench-$(date +%Y%m%d-%H%M%S)"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
        --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
        --prime) prime="${2:?--prime needs a number of seconds}"; shift 2 ;;
        --warmup) warmup="${2:?--warmup needs a number of seconds}"; shift 2 ;;
        --quick) runs=1; seconds=3; shift ;;
        --rev) rev="${2:?--rev needs a commit}"; shift 2 ;;
        --client-from-rev) client_from_rev=true; shift ;;
        --reuse-cluster) reuse=true; shift ;;
        --cluster) cluster_mode=true; shift ;;
        --no-tls) cluster_tls=(--no-tls); shift ;;
        --out) out="${2:?--out needs a directory}"; shift 2 ;;
        --clients) read -r -a client_counts <<<"${2:?--clients needs a list}"; shift 2 ;;
        --mixes) read -r -a mixes <<<"${2:?--mixes needs a list}"; shift 2 ;;
        --fsync) read -r -a fsyncs <<<"${2:?--fsync needs a list}"; shift 2 ;;
        --no-dotnext) dotnext=false; shift ;;
        --no-etcd) etcd=false; shift ;;
        --groups) groups="${2:?--groups needs a number}"; shift 2 ;;
        --group-replicas) group_replicas="${2:?--group-replicas needs a number}"; shift 2 ;;
        -h|--help) sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ && "$seconds" =~ ^[1-9][0-9]*$ && "$prime" =~ ^[1-9][0-9]*$ && "$warmup" =~ ^[1-9][0-9]*$ ]] ||
    { echo "bench: --runs, --seconds, --warmup and --prime take whole numbers >= 1" >&2; exit 2; }
[[ "$groups" =~ ^[0-9]+$ && "$group_replicas" =~ ^[1-9][0-9]*$ ]] || { echo "bench: --groups and --group-replicas take whole numbers" >&2; exit 2; }

$dotnext && [[ ! -d "$dotnext_compare" ]] && { echo "bench: $dotnext_compare not found (use --no-dotnext to leave it out)" >&2; exit 2; }
# Ports of our silo, away from the defaults, so that a demo silo someone left running is not measured instead.
silo_port=11611
gateway_port=30611
http_port=18611 # the silo's status page and /metrics: on, as a user runs it (sources older than it have no such line)
leader_deadline_seconds=60

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Our client turns off the thread pool's spin-before-sleep (client/RaftOrleans.Client.csproj: on a 2-core machine
# the spinning took CPU from the server). The etcd loader is .NET too; it gets the same setting, so neither
# server competes with a spinning load generator.
loader_env=(env DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0)

# Two benchmarks at once on a 2-core machine would measure each other.
exec 9>/tmp/raft-bench.lock
flock -n 9 || { echo "bench: another scripts/bench.sh is running (lock /tmp/raft-bench.lock)" >&2; exit 1; }

mkdir -p "$out/logs"
results="$out/results.jsonl"
: >"$results"
work="$(mktemp -d /tmp/raft-bench-work.XXXXXX)"
etcd_dir="$work/etcd"
silo_pid=""
etcd_started=false

# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"
die() { echo "bench: $*" >&2; exit 1; }

# --groups N: "g01=R g02=R ..." (none without it).
group_list() {
    local g
    for ((g = 1; g <= groups; g++)); do printf 'g%02d=%d ' "$g" "$group_replicas"; done
}

# Cluster mode (--cluster): the measured sources' own scripts/cluster.sh, in a directory and on ports of its own.
cluster() {
    RAFT_CLUSTER_DIR="$work/cluster" RAFT_CLUSTER_SILO_DLL="$work/silo/RaftOrleans.Silo.dll" RAFT_CLUSTER_NO_BUILD=1 \
        RAFT_CLUSTER_GROUPS="$(group_list)" \
        RAFT_CLUSTER_REDIS_PORT=6611 RAFT_CLUSTER_SILO_BASE=11620 RAFT_CLUSTER_GATEWAY_BASE=30620 \
        bash "$work/src/scripts/cluster.sh" "$@" 9>&-
}

stop_silo() {
    if $cluster_mode && [[ -n "$silo_pid" ]]; then
        cluster stop >>"$out/logs/cluster.log" 2>&1 || true
        silo_pid=""
        rm -rf "$work/cluster"
        return 0
    fi
    [[ -n "$silo_pid" ]] || return 0
    if kill -0 "$silo_pid" 2>/dev/null; then
        kill -TERM "$silo_pid" 2>/dev/null || true
        # A graceful stop takes a few seconds; past ten, stop waiting for it.
        for _ in $(seq 1 100); do kill -0 "$silo_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$silo_pid" 2>/dev/null || true
    fi
    wait "$silo_pid" 2>/dev/null || true
    silo_pid=""
    rm -rf "$work/data"
}

stop_etcd() {
    $etcd_started || return 0
    ETCD_DIR="$etcd_dir" "$etcd_compare/cluster.sh" stop >>"$out/logs/etcd-cluster.log" 2>&1 || true
    etcd_started=false
}

cleanup() {
    local status=$?
    stop_silo
    stop_etcd
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------------------------------------ build

snapshot_sources() {
    rm -rf "$work/src"
    mkdir -p "$work/src"
    if [[ -n "$rev" ]]; then
        git -C "$root" archive "$rev" | tar -C "$work/src" -xf -
        if ! $client_from_rev; then
            rm -rf "$work/src/client"
            copy_tree "$root/client" "$work/src/client"
        fi
    else
        copy_tree "$root" "$work/src"
    fi
}

build() {
    for attempt in 1 2 3 4 5; do
        snapshot_sources
        if dotnet build "$work/src/silo" -c Release -o "$work/silo" -nologo -v quiet >"$out/logs/build.log" 2>&1 &&
           dotnet build "$work/src/client" -c Release -o "$work/client" -nologo -v quiet >>"$out/logs/build.log" 2>&1; then
            return 0
        fi
        log "build failed (attempt $attempt; someone may be mid-edit), retrying in 60 s; see $out/logs/build.log"
        grep -E 'error' "$out/logs/build.log" | sort -u | head -5 >&2 || true
        sleep 60
    done
    die "the build kept failing; see $out/logs/build.log"
}

build_loader() {
    # The loader's folder is shared and read-only by intent: build from a copy.
    copy_tree "$etcd_compare/loader" "$work/loader-src"
    dotnet build "$work/loader-src" -c Release -o "$work/loader" -nologo -v quiet >"$out/logs/loader-build.log" 2>&1 ||
        die "the etcd loader did not build; see $out/logs/loader-build.log"
}

ensure_etcd() {
    command -v etcd >/dev/null && command -v etcdctl >/dev/null && return 0
    log "installing etcd (apt-get)"
    { apt-get update && apt-get install -y etcd-server etcd-client; } >"$out/logs/apt.log" 2>&1 ||
        die "could not install etcd; see $out/logs/apt.log"
}

# ------------------------------------------------------------------------------------------------ ours

client() { dotnet "$work/client/RaftOrleans.Client.dll" --config "$config" "$@"; }

write_config() { # FSYNC: a copy of raft.toml with 5 nodes, file storage, that fsync and a fresh data dir
    config="$work/raft-fsync-$1.toml"
    sed -e 's/^nodes = .*/nodes = 5/' -e 's/^kind = .*/kind = "file"/' -e "s/^fsync = .*/fsync = $1/" \
        -e "s|^data_dir = .*|data_dir = \"$work/data\"|" \
        -e "s/^silo_port = .*/silo_port = $silo_port/" -e "s/^gateway_port = .*/gateway_port = $gateway_port/" \
        -e "s/^http_port = .*/http_port = $http_port/" \
        "$work/src/raft.toml" >"$config"
    for line in 'nodes = 5' 'kind = "file"' "fsync = $1" "data_dir = \"$work/data\"" "silo_port = $silo_port" "gateway_port = $gateway_port"; do
        grep -qxF "$line" "$config" || die "raft.toml has no line to set '$line'"
    done
    if ((groups > 0)); then
        printf '\n[groups]\n' >>"$config"
        for group in $(group_list); do printf '%s = %s\n' "${group%=*}" "${group#*=}" >>"$config"; done
    fi
}

wait_for_leader() {
    local deadline=$((SECONDS + leader_deadline_seconds))
    until client status --json >/dev/null 2>&1; do
        kill -0 "$silo_pid" 2>/dev/null || { tail -n 20 "$silo_log" >&2; die "the silo exited; log $silo_log"; }
        ((SECONDS < deadline)) || die "no leader within ${leader_deadline_seconds} s; log $silo_log"
        sleep 0.5
    done
}

start_silo() { # FSYNC
    if $cluster_mode; then
        rm -rf "$work/cluster"
        RAFT_CLUSTER_FSYNC="$1" cluster start 5 "${cluster_tls[@]}" >>"$out/logs/cluster.log" 2>&1 || { tail -n 20 "$out/logs/cluster.log" >&2; die "the cluster did not start"; }
        config="$work/cluster/raft.toml"
        silo_pid=$(cluster pid 1)
        silo_log="$work/cluster/logs/node-1.log"
        wait_for_leader
        client bench --clients 16 --mix mixed --seconds "$prime" --warmup 0 --json >/dev/null 2>>"$out/logs/progress.log" ||
            die "the priming run failed; logs in $work/cluster/logs"
        return 0
    fi
    for port in "$silo_port" "$gateway_port"; do port_in_use "$port" && die "port $port is already in use"; done
    write_config "$1"
    rm -rf "$work/data"
    silo_log="$out/logs/silo-fsync-$1-$(date +%H%M%S).log"
    # 9>&-: the silo must not inherit (and hold) the script's lock.
    dotnet "$work/silo/RaftOrleans.Silo.dll" --config "$config" >"$silo_log" 2>&1 9>&- &
    silo_pid=$!
    wait_for_leader
    # Unmeasured: gets the silo's hot paths (put, get, delete) compiled before a run is timed.
    client bench --clients 16 --mix mixed --seconds "$prime" --warmup 0 --json >/dev/null 2>>"$out/logs/progress.log" ||
        die "the priming run failed; log $silo_log"
}

max_term() { jq '[.nodes[] | .term // 0] | max' 2>/dev/null || echo null; }

ours_run() { # FSYNC CLIENTS MIX RUN
    local fsync=$1 clients=$2 mix=$3 run=$4 before after line rc=0
    if $reuse; then wait_for_leader; else start_silo "$fsync"; fi
    # status exits 3 without a leader but still prints the terms.
    before=$(client status --json 2>/dev/null | max_term || true)
    line=$(client bench --clients "$clients" --mix "$mix" --seconds "$seconds" --warmup "$warmup" --json --silo-pid "$silo_pid" \
        2>>"$out/logs/progress.log") || rc=$?
    after=$(client status --json 2>/dev/null | max_term || true)
    $reuse || stop_silo
    [[ -n "$line" ]] || line='{}'
    jq -c --argjson fsync "$fsync" --argjson run "$run" --argjson clients "$clients" --arg mix "$mix" \
        --argjson exit "$rc" --argjson term_before "${before:-null}" --argjson term_after "${after:-null}" \
        --arg mode "$($cluster_mode && echo "-cluster" || true)" \
        '{system: ((if $fsync then "ours-fsync-on" else "ours-fsync-off" end) + $mode), fsync: $fsync, cell_run: $run,
          clients: $clients, mix: $mix, exit_code: $exit, term_before: $term_before, term_after: $term_after} + .' \
        <<<"$line" | tee -a "$results" | summarize
}

# ------------------------------------------------------------------------------------------------ etcd

start_etcd() {
    for i in 1 2 3 4 5; do
        for port in "2${i}379" "2${i}380"; do port_in_use "$port" && die "port $port (etcd member $i) is already in use"; done
    done
    ETCD_DIR="$etcd_dir" "$etcd_compare/cluster.sh" start 5 >>"$out/logs/etcd-cluster.log" 2>&1 9>&- ||
        die "etcd did not start; see $out/logs/etcd-cluster.log"
    etcd_started=true
    endpoints=$(ETCD_DIR="$etcd_dir" "$etcd_compare/cluster.sh" endpoints)
}

etcd_run() { # CLIENTS MIX RUN
    local clients=$1 mix=$2 run=$3 line rc=0
    $reuse || start_etcd
    line=$("${loader_env[@]}" "$work/loader/etcd-loader" bench --endpoints "$endpoints" --concurrency "$clients" --duration "$seconds" \
        --warmup "$warmup" --mix "$mix" 2>>"$out/logs/progress.log") || rc=$?
    $reuse || stop_etcd
    # The loader prints one line of key=value pairs; numbers become JSON numbers, the rest strings.
    jq -R 'split(" ") | map(select(contains("=")) | split("=") | {(.[0]): (.[1:] | join("=") | (tonumber? // .))}) | add' <<<"$line" |
        jq -c --argjson run "$run" --argjson clients "$clients" --arg mix "$mix" --argjson exit "$rc" \
            '{system: "etcd", fsync: true, cell_run: $run, clients: $clients, mix: $mix, exit_code: $exit} + (. // {})' |
        tee -a "$results" | summarize
}

summarize() { # one line per run on stdout, from its JSON
    jq -r '"  \(.system) clients=\(.clients) mix=\(.mix) run \(.cell_run): \(.ops_per_s // "-") ops/s, p50 \(.p50_ms // "-") ms, " +
           "p99 \(.p99_ms // "-") ms, errors \(.errors // "-")" +
           (if .term_before then ", term \(.term_before)->\(.term_after)" else "" end) +
           (if .exit_code != 0 then ", exit \(.exit_code)" else "" end)'
}

# ------------------------------------------------------------------------------------------------ DotNext

build_dotnext() {
    # The anchor's folder is shared and read-only by intent: build from a copy.
    copy_tree "$dotnext_compare" "$work/dotnext-src"
    dotnet build "$work/dotnext-src" -c Release -o "$work/dotnext" -nologo -v quiet -nodeReuse:false >"$out/logs/dotnext-build.log" 2>&1 ||
        die "the DotNext anchor did not build; see $out/logs/dotnext-build.log"
}

dotnext_run() { # CLIENTS RUN: put only (its writers run inside the leader; it has no client protocol)
    local clients=$1 run=$2 line rc=0
    rm -rf "$work/dotnext-data"
    for i in 1 2 3 4 5; do port_in_use "470$i" && die "port 470$i (DotNext member $i) is already in use"; done
    # It starts its members as child processes and stops them before it exits.
    # Run as its README says (no thread-pool setting: its load runs inside its own leader, not beside it).
    line=$("$work/dotnext/dotnext-anchor" bench --label bench --members 5 --concurrency "$clients" \
        --duration "$seconds" --warmup "$warmup" --wal shared --request-timeout-ms 0 --data "$work/dotnext-data/bench" \
        2>>"$out/logs/dotnext.log" 9>&- | tail -n 1) || rc=$?
    rm -rf "$work/dotnext-data"
    jq -R 'split(" ") | map(select(contains("=")) | split("=") | {(.[0]): (.[1:] | join("=") | (tonumber? // .))}) | add' <<<"$line" |
        jq -c --argjson run "$run" --argjson clients "$clients" --argjson exit "$rc" \
            '{system: "dotnext", fsync: true, cell_run: $run, clients: $clients, mix: "put", exit_code: $exit} + (. // {})' |
        tee -a "$results" | summarize
}

# ------------------------------------------------------------------------------------------------ table

write_table() {
    python3 - "$results" "$runs" "$seconds" "$($cluster_mode && echo "-cluster" || true)" "$warmup" <<'PY'
import json, sys
results, runs, seconds, mode, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
rows = [json.loads(line) for line in open(results) if line.strip()]
systems = ["ours-fsync-on" + mode, "ours-fsync-off" + mode, "etcd", "dotnext"]

def median(system, clients, mix):
    cell = [r for r in rows if r["system"] == system and r["clients"] == clients and r["mix"] == mix and "ops_per_s" in r]
    if not cell:
        return None
    cell.sort(key=lambda r: r["ops_per_s"])
    return cell[(len(cell) - 1) // 2]

def fmt(r):
    if r is None:
        return "n/a", "n/a"
    if r.get("p50_ms") is None:
        return f'{r["ops_per_s"]:,.0f}', "-"
    return f'{r["ops_per_s"]:,.0f}', f'{r["p50_ms"]:.1f} / {r["p99_ms"]:.1f}'

def ratio(a, b):
    return f'{a["ops_per_s"] / b["ops_per_s"]:.2f}' if a and b and b["ops_per_s"] else "n/a"

cells = sorted({(r["clients"], r["mix"]) for r in rows}, key=lambda cm: (cm[0], cm[1] != "put"))
print(f"Throughput (ops/s) and latency (p50 / p99 ms), median by ops/s of {runs} run(s) of {seconds} s after a {warmup} s warm-up.")
print("5 nodes / 5 members on one machine; ours with file storage; etcd always fsyncs; DotNext (put only) with its")
print("followers acknowledging before their flush and its writers inside the leader (see ../shared/dotnext-compare).\n")
print("| clients | mix | ours fsync on | p50 / p99 | ours fsync off | p50 / p99 | etcd | p50 / p99 | DotNext | p50 / p99 | on / etcd | on / DotNext |")
print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for c, m in cells:
    on, off, etcd, dotnext = (median(s, c, m) for s in systems)
    print(f"| {c} | {m} | {' | '.join(' | '.join(fmt(r)) for r in (on, off, etcd, dotnext))} | {ratio(on, etcd)} | {ratio(on, dotnext)} |")

print("\nCPU over the measured phase of those median runs, % of all cores (client or loader / server / other processes):\n")
print("| clients | mix | ours fsync on | ours fsync off | etcd |")
print("| ---: | --- | --- | --- | --- |")
def cpu(r):
    if r is None:
        return "n/a"
    if r["system"] == "dotnext":
        return "-"
    if r["system"] == "etcd":
        return f'{r.get("loader_cpu_pct", "?")} / {r.get("etcd_cpu_pct", "?")} / {r.get("other_user_cpu_pct", "?")}'
    return f'{r.get("client_cpu_pct", "?"):.0f} / {r.get("silo_cpu_pct") or 0:.0f} / {r.get("other_cpu_pct") or 0:.0f}'
for c, m in cells:
    print(f"| {c} | {m} | {' | '.join(cpu(median(s, c, m)) for s in systems[:3])} |")

single = [median(s, 1, "put") for s in systems]
print("\nSingle-client sequential put p50: " + ", ".join(
    f'{s} {r["p50_ms"]:.2f} ms' if r else f"{s} n/a" for s, r in zip(systems, single)))

troubled = [r for r in rows if r.get("errors") or r.get("exit_code") or "ops_per_s" not in r
            or (r.get("term_before") is not None and r.get("term_after") != r.get("term_before"))]
if troubled:
    print("\nRuns with errors, a non-zero exit or an election during the run:")
    for r in troubled:
        print(f'- {r["system"]} clients={r["clients"]} mix={r["mix"]} run {r["cell_run"]}: errors {r.get("errors", "n/a")}, '
              f'exit {r.get("exit_code")}, term {r.get("term_before", "-")} -> {r.get("term_after", "-")}')
PY
}

# ------------------------------------------------------------------------------------------------ main

log "results in $out"
log "building silo and client ($([[ -n "$rev" ]] && echo "silo from $rev, client from $($client_from_rev && echo "$rev too" || echo "the working tree")" || echo "working tree")) into $work"
build
if $etcd; then
    ensure_etcd
    build_loader
fi
# Everything runs from an empty directory: a .NET host with default settings watches its working directory
# and all below it for configuration changes, and the repository is busy with other people's builds.
mkdir -p "$work/run"
cd "$work/run"
{
    echo "date: $(date -Is)"
    if [[ -n "$rev" ]]; then
        echo "source: silo at $rev = $(git -C "$root" rev-parse --short "$rev"), client from $($client_from_rev && echo "$rev too" || echo "the working tree")"
    else
        echo "source: working tree (HEAD $(git -C "$root" rev-parse --short HEAD) plus uncommitted changes)"
    fi
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "memory: $(free -h | awk '/^Mem:/ {print $2}')"
    echo "dotnet: $(dotnet --version)"
    echo "etcd: $(etcd --version 2>/dev/null | head -1)"
    echo "runs: $runs x $seconds s, fresh cluster per run: $(! $reuse && echo yes || echo no)"
} | tee "$out/machine.txt"

for fsync in "${fsyncs[@]}"; do
    log "ours, fsync $fsync"
    $reuse && start_silo "$fsync"
    for clients in "${client_counts[@]}"; do
        for mix in "${mixes[@]}"; do
            for run in $(seq 1 "$runs"); do ours_run "$fsync" "$clients" "$mix" "$run"; done
        done
    done
    stop_silo
done

if $etcd; then
    log "etcd"
    $reuse && start_etcd
    for clients in "${client_counts[@]}"; do
        for mix in "${mixes[@]}"; do
            for run in $(seq 1 "$runs"); do etcd_run "$clients" "$mix" "$run"; done
        done
    done
    stop_etcd
fi

if $dotnext && printf '%s\n' "${mixes[@]}" | grep -qx put; then
    log "DotNext"
    build_dotnext
    for clients in "${client_counts[@]}"; do
        for run in $(seq 1 "$runs"); do dotnext_run "$clients" "$run"; done
    done
fi

write_table | tee "$out/table.md"
log "raw results: $results; table: $out/table.md"
