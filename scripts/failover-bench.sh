#!/usr/bin/env bash
# Failover beside etcd, in one sitting: kill -9 of the leader's process -> the next committed write, N tries each.
#   ours: cluster mode (Redis + 5 silo processes, scripts/cluster.sh), `client failover --tries N --kill-silo`:
#         a write sent right after the kill, timed until committed; the silo is restarted between tries.
#   etcd: 5 members with 50 ms heartbeats and a 300 ms election timeout (ours: 50 ms, 150-300 ms), a fresh
#         cluster per try; the etcd loader kills the leader and sends a put every 10 ms to the survivors.
#
#   scripts/failover-bench.sh [--tries N] [--no-etcd] [--no-ours] [--out DIR]
#
# Builds from the working tree (Release), takes /tmp/raft-bench.lock (never beside another benchmark), stops
# what it started. Prints both series and their medians; the raw lines go to DIR (default /tmp/raft-failover-<time>).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"
etcd_compare="$root/../shared/etcd-compare"
tries=10
etcd=true
ours=true
out="/tmp/raft-failover-$(date +%Y%m%d-%H%M%S)"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --tries) tries="${2:?--tries needs a number}"; shift 2 ;;
        --no-etcd) etcd=false; shift ;;
        --no-ours) ours=false; shift ;;
        --out) out="${2:?--out needs a directory}"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "failover-bench: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
[[ "$tries" =~ ^[1-9][0-9]*$ ]] || { echo "failover-bench: --tries takes a whole number >= 1" >&2; exit 2; }
$etcd && [[ ! -d "$etcd_compare" ]] && { echo "failover-bench: $etcd_compare not found (use --no-etcd)" >&2; exit 2; }

exec 9>/tmp/raft-bench.lock
flock -n 9 || { echo "failover-bench: another benchmark is running (lock /tmp/raft-bench.lock)" >&2; exit 1; }
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export RAFT_CLUSTER_DIR="$out/cluster" RAFT_CLUSTER_REDIS_PORT=6612 RAFT_CLUSTER_SILO_BASE=11640 RAFT_CLUSTER_GATEWAY_BASE=30640
etcd_dir="$out/etcd"
cluster_started=false
etcd_started=false

cleanup() {
    local status=$?
    $cluster_started && { "$root/scripts/cluster.sh" stop >>"$out/cluster.log" 2>&1 9>&- || true; }
    $etcd_started && { ETCD_DIR="$etcd_dir" "$etcd_compare/cluster.sh" stop >>"$out/etcd.log" 2>&1 || true; }
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ours_ms=""
if $ours; then
    log "ours: building, then Redis and 5 silos (logs in $RAFT_CLUSTER_DIR/logs)"
    cluster_started=true
    "$root/scripts/cluster.sh" start 5 >>"$out/cluster.log" 2>&1 9>&- || { tail -n 20 "$out/cluster.log" >&2; exit 1; }
    client=(dotnet "$root/client/bin/Release/net10.0/RaftOrleans.Client.dll" --config "$RAFT_CLUSTER_DIR/raft.toml")
    "${client[@]}" failover --tries "$tries" --kill-silo "$root/scripts/cluster.sh restart {node}" 9>&- | tee "$out/ours.txt"
    "$root/scripts/cluster.sh" stop >>"$out/cluster.log" 2>&1 9>&-
    cluster_started=false
    ours_ms=$(grep -oE 'first write committed after +[0-9]+ ms' "$out/ours.txt" | grep -oE '[0-9]+' | tr '\n' ' ')
fi

if $etcd; then
    command -v etcd >/dev/null || { log "installing etcd (apt-get)"; { apt-get update && apt-get install -y etcd-server etcd-client; } >"$out/apt.log" 2>&1; }
    copy_tree "$etcd_compare/loader" "$out/loader-src"
    dotnet build "$out/loader-src" -c Release -o "$out/loader" -nologo -v quiet >"$out/loader-build.log" 2>&1
    etcd_ms=""
    for try in $(seq 1 "$tries"); do
        etcd_started=true
        ETCD_DIR="$etcd_dir" "$etcd_compare/cluster.sh" start 5 --heartbeat-interval=50 --election-timeout=300 >>"$out/etcd.log" 2>&1 9>&-
        leader=""
        for _ in $(seq 1 300); do leader=$(ETCD_DIR="$etcd_dir" "$etcd_compare/cluster.sh" leader 2>/dev/null || true); [[ -n "$leader" ]] && break; sleep 0.1; done
        read -r index pid _ <<<"$leader"
        if [[ -z "${pid:-}" ]]; then
            echo "try $try: no etcd leader within 30 s; try skipped" | tee -a "$out/etcd.txt"
            ETCD_DIR="$etcd_dir" "$etcd_compare/cluster.sh" stop >>"$out/etcd.log" 2>&1
            etcd_started=false
            continue
        fi
        # (`[[ == ]] ||`, not `[[ != ]] &&`: with pipefail, a loop whose last test is false fails, and set -e then
        # ended the whole script silently whenever the leader was member 5.)
        survivors=$(for i in 1 2 3 4 5; do [[ "$i" == "$index" ]] || ETCD_DIR="$etcd_dir" "$etcd_compare/cluster.sh" url "$i"; done | paste -sd,)
        line=$("$out/loader/etcd-loader" failover --endpoints "$survivors" --kill-pid "$pid" 9>&- | tail -n 1) || true
        echo "try $try: killed member $index (pid $pid): $line" | tee -a "$out/etcd.txt"
        etcd_ms+="$(grep -oE 'failover_ms=[0-9]+' <<<"$line" | cut -d= -f2) "
        ETCD_DIR="$etcd_dir" "$etcd_compare/cluster.sh" stop >>"$out/etcd.log" 2>&1
        etcd_started=false
    done
fi

echo
echo "kill -9 of the leader -> next committed write, ms ($tries tries each)"
$ours && echo "  ours (cluster mode, 5 silo processes): $ours_ms -> median $(tr ' ' '\n' <<<"$ours_ms" | grep . | median)"
$etcd && echo "  etcd 3.4 (5 members, 50/300 ms):      $etcd_ms -> median $(tr ' ' '\n' <<<"$etcd_ms" | grep . | median)"
echo "raw output: $out"
