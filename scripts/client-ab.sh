#!/usr/bin/env bash
# A/B of the console's `client bench` built from two sources against one silo, alternating run by run, so both sides
# meet the same machine and the same store (these machines are noisy: figures from separate sittings do not compare).
# Used to check that the client library (issue 17) is no slower than the session code it replaced.
#
#   scripts/client-ab.sh --rev REV [--runs N] [--clients C] [--mixes "mixed put"] [--seconds S]
#
# Side "old" is the client of commit REV, side "new" the client of the working tree; the silo is the working tree's
# (5 nodes, file storage, fsync on, the shipped raft.toml on ports of its own). Builds go to a temporary folder. One
# line of JSON per run; then the median ops/s of each side per mix. Stops the silo it started (by process id).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rev="" runs=4 clients=64 mixes="mixed put" seconds=10
while (($#)); do
    case $1 in
        --rev) rev=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --clients) clients=$2; shift 2 ;;
        --mixes) mixes=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        *) echo "client-ab: unknown argument $1 (see the comment at the top of $0)" >&2; exit 2 ;;
    esac
done
[[ -n $rev ]] || { echo "client-ab: --rev REV is required (the commit whose client is side old)" >&2; exit 2; }
command -v jq >/dev/null || { apt-get update >/dev/null && apt-get install -y jq >/dev/null; } || { echo "client-ab: jq is missing" >&2; exit 1; }

work="$(mktemp -d)"
silo_pid=""
cleanup() {
    [[ -n $silo_pid ]] && kill "$silo_pid" 2>/dev/null && wait "$silo_pid" 2>/dev/null
    git -C "$root" worktree remove --force "$work/old-src" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

git -C "$root" worktree add -q --detach "$work/old-src" "$rev"
dotnet build "$work/old-src/client/RaftOrleans.Client.csproj" -c Release -o "$work/old" >"$work/build-old.log" 2>&1 || { echo "client-ab: the client of $rev did not build ($work/build-old.log)" >&2; exit 1; }
dotnet build "$root/client/RaftOrleans.Client.csproj" -c Release -o "$work/new" >"$work/build-new.log" 2>&1 || { echo "client-ab: the working tree's client did not build" >&2; exit 1; }
dotnet build "$root/silo/RaftOrleans.Silo.csproj" -c Release -o "$work/silo" >"$work/build-silo.log" 2>&1 || { echo "client-ab: the silo did not build" >&2; exit 1; }

sed -e 's/^silo_port = .*/silo_port = 12611/' -e 's/^gateway_port = .*/gateway_port = 31611/' -e 's/^http_port = .*/http_port = 0/' \
    -e "s|^data_dir = .*|data_dir = \"$work/data\"|" "$root/raft.toml" > "$work/raft.toml"
dotnet "$work/silo/RaftOrleans.Silo.dll" --config "$work/raft.toml" > "$work/silo.log" 2>&1 &
silo_pid=$!
deadline=$((SECONDS + 60))
until dotnet "$work/new/RaftOrleans.Client.dll" --config "$work/raft.toml" status >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { echo "client-ab: no leader within 60 s" >&2; exit 1; }
    sleep 1
done

for mix in $mixes; do
    for run in $(seq 1 "$runs"); do
        for side in old new; do
            result=$(dotnet "$work/$side/RaftOrleans.Client.dll" --config "$work/raft.toml" bench --clients "$clients" --mix "$mix" --seconds "$seconds" --json 2>/dev/null | tail -1)
            echo "$result" | jq -c --arg side "$side" --arg run "$run" '{side: $side, run: ($run | tonumber), mix, ops: .ops_per_s, p50: .p50_ms, p99: .p99_ms, errors, client_cpu: .client_cpu_pct}' | tee -a "$work/results.jsonl"
        done
    done
done
echo "median ops/s ($runs runs of $seconds s, $clients clients):"
jq -s -r 'group_by(.mix, .side)[] | (map(.ops) | sort) as $o | "\(.[0].mix) \(.[0].side): \(if ($o | length) % 2 == 1 then $o[($o | length) / 2 | floor] else ($o[($o | length) / 2 - 1] + $o[($o | length) / 2]) / 2 end | round)"' "$work/results.jsonl"
