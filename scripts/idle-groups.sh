#!/usr/bin/env bash
# What idle Raft groups cost: one embedded silo (5 nodes, file storage, fsync on) hosting G groups of R replicas
# (default 64 of 3, raft.toml [groups] g01..gNN), no client load. Once every group has a leader and a settling pause
# has passed, the silo's CPU time (user + system, /proc/PID/stat) is read over S seconds and printed as a percentage
# of one core, with the silo's memory. Run it alone: on two shared cores anything else running is measured too.
#
#   scripts/idle-groups.sh [--groups G] [--replicas R] [--seconds S] [--runs N] [--out DIR]
#
# Builds silo and client from the working tree into a temporary folder; stops the silo it started (by process id)
# on exit, also on Ctrl+C. Prints one line per run, then the median.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
groups=64
replicas=3
seconds=30
runs=3
out="/tmp/raft-idle-$(date +%Y%m%d-%H%M%S)"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --groups) groups="${2:?--groups needs a number}"; shift 2 ;;
        --replicas) replicas="${2:?--replicas needs a number}"; shift 2 ;;
        --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
        --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
        --out) out="${2:?--out needs a directory}"; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "idle-groups: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
for n in "$groups" "$replicas" "$seconds" "$runs"; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "idle-groups: --groups, --replicas, --seconds and --runs take whole numbers >= 1" >&2; exit 2; }
done
die() { echo "idle-groups: $*" >&2; exit 1; }
mkdir -p "$out"
work="$(mktemp -d)"
silo_pid=""
cleanup() {
    [[ -n "$silo_pid" ]] && kill "$silo_pid" 2>/dev/null && wait "$silo_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "idle-groups: building into $work" >&2
dotnet build "$root/silo/RaftOrleans.Silo.csproj" -c Release -o "$work/silo" >"$out/build.log" 2>&1 || die "the silo did not build (log $out/build.log)"
dotnet build "$root/client/RaftOrleans.Client.csproj" -c Release -o "$work/client" >>"$out/build.log" 2>&1 || die "the client did not build (log $out/build.log)"

config="$work/raft.toml"
sed -e 's/^nodes = .*/nodes = 5/' -e 's/^kind = .*/kind = "file"/' -e 's/^fsync = .*/fsync = true/' \
    -e "s|^data_dir = .*|data_dir = \"$work/data\"|" \
    -e 's/^silo_port = .*/silo_port = 11711/' -e 's/^gateway_port = .*/gateway_port = 30711/' -e 's/^http_port = .*/http_port = 0/' \
    "$root/raft.toml" >"$config"
printf '\n[groups]\n' >>"$config"
for ((g = 1; g <= groups; g++)); do printf 'g%02d = %d\n' "$g" "$replicas" >>"$config"; done

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
results=()
for ((run = 1; run <= runs; run++)); do
    rm -rf "$work/data"
    dotnet "$work/silo/RaftOrleans.Silo.dll" --config "$config" >"$out/silo-$run.log" 2>&1 &
    silo_pid=$!
    deadline=$((SECONDS + 120))
    until dotnet "$work/client/RaftOrleans.Client.dll" --config "$config" status >/dev/null 2>&1; do
        kill -0 "$silo_pid" 2>/dev/null || { tail -n 20 "$out/silo-$run.log" >&2; die "the silo exited (log $out/silo-$run.log)"; }
        ((SECONDS < deadline)) || die "not every group had a leader within 120 s (log $out/silo-$run.log)"
        sleep 1
    done
    sleep 10 # settle: start-up work (JIT, first snapshots of nothing) is not idle cost
    before=$(cpu_ticks "$silo_pid")
    sleep "$seconds"
    after=$(cpu_ticks "$silo_pid")
    rss_kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$silo_pid/status")
    percent=$(awk -v t=$((after - before)) -v hz="$ticks" -v s="$seconds" 'BEGIN { printf "%.1f", 100 * t / hz / s }')
    echo "run $run: $groups groups of $replicas replicas, idle: ${percent} % of one core, RSS $((rss_kb / 1024)) MB"
    results+=("$percent")
    kill "$silo_pid" && wait "$silo_pid" 2>/dev/null || true
    silo_pid=""
done
median=$(printf '%s\n' "${results[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "median: ${median} % of one core ($groups groups of $replicas replicas, $runs runs of $seconds s)"
