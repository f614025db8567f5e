#!/usr/bin/env bash
# How the store behaves as it fills, after kill -9, and while a follower catches up (issue 10's targets).
# A 5-node silo with file storage, fsync on, on a fresh data directory; C clients put fresh keys with B-byte
# values in back-to-back `client bench --mix put` runs of S seconds until N keys are stored. After each run it
# prints and records: puts/s, p99, errors, the silo's memory (RSS), the highest term (an election shows as a
# rise) and the keys stored so far. Then, if asked:
#   --kill        kill -9 the silo, start it again on the same data, and time until it serves again (a leader,
#                 and a get of a key written before the load answers); then check that every node holds at
#                 least every acknowledged key and that all nodes hold the same state (key count and digest).
#   --catch-up M  crash one follower (the fault injection: its data stays), load M more keys without it,
#                 restart it and keep loading until it has caught up: the time it took, and the runs meanwhile
#                 show the leader's throughput while it sends the snapshot and the log's tail.
#
#   scripts/load-test.sh [--keys N] [--clients C] [--seconds S] [--value-size B] [--kill] [--catch-up M] [--out DIR]
#
#   defaults: --keys 5000000 --clients 64 --seconds 10 --value-size 16; results go to --out (default
#   /tmp/raft-load-<time>): runs.jsonl (one JSON object per bench run, with rss_mb, max_term, keys_acknowledged
#   and phase), summary.txt, and the logs. Builds from a copy of the working tree. Stops only the silo it
#   started, by process id, also on Ctrl+C. Needs dotnet; installs jq with apt-get when it is missing.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"
keys=5000000
clients=64
seconds=10
value_size=16
kill_test=false
catch_up=0
out="/tmp/raft-load-$(date +%Y%m%d-%H%M%S)"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --keys) keys="${2:?--keys needs a number}"; shift 2 ;;
        --clients) clients="${2:?--clients needs a number}"; shift 2 ;;
        --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
        --value-size) value_size="${2:?--value-size needs a number}"; shift 2 ;;
        --kill) kill_test=true; shift ;;
        --catch-up) catch_up="${2:?--catch-up needs a number of keys}"; shift 2 ;;
        --out) out="${2:?--out needs a directory}"; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "load-test: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
for n in "$keys" "$clients" "$seconds" "$value_size" "$catch_up"; do
    [[ "$n" =~ ^[0-9]+$ ]] || { echo "load-test: '$n' is not a whole number" >&2; exit 2; }
done
if ! command -v jq >/dev/null; then
    echo "load-test: installing jq (apt-get)" >&2
    { apt-get update && apt-get install -y jq; } >/dev/null 2>&1 || { echo "load-test: needs jq and could not install it (apt-get install -y jq)" >&2; exit 2; }
fi

silo_port=11711
gateway_port=30711
http_port=18711
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec 9>/tmp/raft-bench.lock # shared with scripts/bench.sh: two benchmarks at once would measure each other
flock -n 9 || { echo "load-test: another benchmark is running (lock /tmp/raft-bench.lock)" >&2; exit 1; }

mkdir -p "$out/logs"
runs="$out/runs.jsonl"
summary="$out/summary.txt"
: >"$runs"
: >"$summary"
work="$(mktemp -d /tmp/raft-load-work.XXXXXX)"
silo_pid=""
die() { echo "load-test: $*" >&2; exit 1; }
since() { awk -v from="$1" -v to="${2:-$(date +%s.%N)}" 'BEGIN { printf "%.1f\n", to - from }'; } # seconds from $1 to $2 (default: now)
say() { log "$*" | tee -a "$summary"; }

stop_silo() {
    [[ -n "$silo_pid" ]] || return 0
    kill -TERM "$silo_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$silo_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$silo_pid" 2>/dev/null || true
    wait "$silo_pid" 2>/dev/null || true
    silo_pid=""
}
cleanup() {
    local status=$?
    stop_silo
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building into $work"
copy_tree "$root" "$work/src"
dotnet build "$work/src/silo" -c Release -o "$work/silo" -nologo -v quiet >"$out/logs/build.log" 2>&1 &&
    dotnet build "$work/src/client" -c Release -o "$work/client" -nologo -v quiet >>"$out/logs/build.log" 2>&1 ||
    die "the build failed; see $out/logs/build.log"

config="$work/raft.toml"
sed -e 's/^nodes = .*/nodes = 5/' -e 's/^kind = .*/kind = "file"/' -e 's/^fsync = .*/fsync = true/' \
    -e "s|^data_dir = .*|data_dir = \"$work/data\"|" \
    -e "s/^silo_port = .*/silo_port = $silo_port/" -e "s/^gateway_port = .*/gateway_port = $gateway_port/" \
    -e "s/^http_port = .*/http_port = $http_port/" \
    "$work/src/raft.toml" >"$work/raft-base.toml"
with_faults "$work/raft-base.toml" "$config" # --catch-up crashes and restarts a follower
client() { dotnet "$work/client/RaftOrleans.Client.dll" --config "$config" "$@"; }

start_silo() {
    for port in "$silo_port" "$gateway_port"; do port_in_use "$port" && die "port $port is already in use"; done
    silo_log="$out/logs/silo-$(date +%H%M%S).log"
    dotnet "$work/silo/RaftOrleans.Silo.dll" --config "$config" >"$silo_log" 2>&1 9>&- &
    silo_pid=$!
    silo_started=$(date +%s.%N)
}

# Waits (up to 5 minutes) until a get of the sentinel key answers its value; prints the seconds since the silo started.
wait_serving() {
    local deadline=$((SECONDS + 300))
    until [[ "$(client get load-sentinel 2>/dev/null)" == "written before the load" ]]; do
        kill -0 "$silo_pid" 2>/dev/null || { tail -n 20 "$silo_log" >&2; die "the silo exited; log $silo_log"; }
        ((SECONDS < deadline)) || die "not serving within 5 minutes; log $silo_log"
        sleep 0.2
    done
    since "$silo_started"
}

status_json() { client status --json 2>/dev/null || true; }
acknowledged=0

# bench_run PHASE: one run; appends it to runs.jsonl with the silo's memory, the highest term and the keys so far.
bench_run() {
    local line rc=0 status
    line=$(client bench --clients "$clients" --mix put --seconds "$seconds" --warmup 0 --value-size "$value_size" \
        --json --silo-pid "$silo_pid" 2>>"$out/logs/progress.log") || rc=$?
    [[ -n "$line" ]] || die "a bench run printed nothing (exit $rc); see $out/logs/progress.log"
    acknowledged=$((acknowledged + $(jq '.ok' <<<"$line")))
    status=$(status_json)
    jq -c --arg phase "$1" --argjson rss "$(rss_mb "$silo_pid")" --argjson acked "$acknowledged" \
        --argjson term "$(jq '[.nodes[] | .term // 0] | max' <<<"$status")" --argjson exit "$rc" \
        '{phase: $phase, exit_code: $exit, rss_mb: $rss, max_term: $term, keys_acknowledged: $acked} + .' <<<"$line" |
        tee -a "$runs" |
        jq -r '"\(.phase): \(.ops_per_s|floor) puts/s, p99 \(.p99_ms) ms, errors \(.errors), RSS \(.rss_mb) MB, term \(.max_term), keys \(.keys_acknowledged)"' |
        tee -a "$summary"
}

log "starting the silo (5 nodes, file storage, fsync on)"
start_silo
wait_serving_first() {
    local deadline=$((SECONDS + 120))
    until client put load-sentinel "written before the load" >/dev/null 2>&1; do
        kill -0 "$silo_pid" 2>/dev/null || { tail -n 20 "$silo_log" >&2; die "the silo exited; log $silo_log"; }
        ((SECONDS < deadline)) || die "no leader within 2 minutes; log $silo_log"
        sleep 0.5
    done
}
wait_serving_first
acknowledged=1

say "load: $keys keys, $clients clients, ${value_size}-byte values, runs of $seconds s"
while ((acknowledged < keys)); do bench_run load; done

check_state() { # every node up, same key count and digest, at least every acknowledged key
    local status deadline=$((SECONDS + 120))
    while true; do
        status=$(status_json)
        if jq -e --argjson acked "$acknowledged" \
            '(.nodes | all(.crashed == false and .reachable)) and ([.nodes[].keyCount] | unique | length == 1)
             and ([.nodes[].stateDigest] | unique | length == 1) and (.nodes[0].keyCount >= $acked)' <<<"$status" >/dev/null; then
            say "state check: every node holds $(jq '.nodes[0].keyCount' <<<"$status") keys (acknowledged $acknowledged), digest $(jq -r '.nodes[0].stateDigest' <<<"$status")"
            return 0
        fi
        ((SECONDS < deadline)) || { echo "$status" >"$out/status-failed.json"; die "the nodes do not agree or keys are missing; see $out/status-failed.json"; }
        sleep 1
    done
}

if $kill_test; then
    check_state
    say "kill -9 of the silo (pid $silo_pid) at $acknowledged keys"
    kill -KILL "$silo_pid"
    wait "$silo_pid" 2>/dev/null || true
    silo_pid=""
    start_silo
    say "serving again $(wait_serving) s after the new silo process started"
    check_state
fi

if ((catch_up > 0)); then
    follower=$(status_json | jq -r '[.nodes[] | select(.role | startswith("Follower")) | .id] | last')
    [[ "$follower" =~ ^[0-9]+$ ]] || die "no follower to crash"
    say "catch-up: crash node $follower, load $catch_up keys without it"
    client crash "$follower" >/dev/null
    target=$((acknowledged + catch_up))
    while ((acknowledged < target)); do bench_run follower-down; done
    say "restart node $follower"
    client restart "$follower" >/dev/null
    restarted=$(date +%s.%N)
    # Caught up: it has applied what the leader had committed when it restarted.
    goal=$(status_json | jq '[.nodes[] | select(.role | startswith("Leader")) | .commitIndex] | max')
    caught=""
    for _ in $(seq 1 30); do
        bench_run catching-up
        applied=$(status_json | jq --argjson id "$follower" '.nodes[] | select(.id == $id) | .lastApplied // 0')
        if ((applied >= goal)); then caught=$(since "$restarted"); break; fi
    done
    [[ -n "$caught" ]] || die "node $follower did not catch up within 30 runs"
    installed=$(grep -h "node $follower installed a snapshot" "$silo_log" | tail -n 1 | cut -d' ' -f1 || true)
    [[ -n "$installed" ]] &&
        say "node $follower installed the leader's snapshot $(since "$restarted" "$(date -d "$(date +%F) $installed" +%s.%N)") s after its restart"
    say "node $follower applied the leader's commit index at its restart ($goal) within $caught s (checked after each run)"
    bench_run after-catch-up
    say "node $follower installed $(grep -c "node $follower installed a snapshot" "$silo_log" || true) snapshot(s) since its restart"
    # The leader's throughput while the follower caught up, against the runs without it (their median).
    jq -rs '([.[] | select(.phase == "follower-down") | .ops_per_s] | sort | .[length / 2 | floor]) as $before
        | [.[] | select(.phase == "catching-up") | .ops_per_s] as $during
        | "leader while catching up: \($during | map(floor) | join(", ")) puts/s against \($before | floor) without the follower (median): " +
          "a dip of \((100 - ($during | min) * 100 / $before) | floor) % at worst"' "$runs" | tee -a "$summary"
    check_state
fi
say "done; results in $out"
