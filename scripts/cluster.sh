#!/usr/bin/env bash
# A real cluster on this machine: Redis and one silo process per Raft node, each with its own data directory
# and log, on fixed local ports (127.0.0.1 only). Stops only what it started, by the process ids it recorded.
#
#   scripts/cluster.sh start [N] [--faults] [--no-tls]
#                                     Redis (installed from Debian's packages if missing) and N silos (default 5),
#                                     with TLS on every connection (certificates made by scripts/make-certs.sh in
#                                     certs/ of the cluster's directory, once); --no-tls without it; --faults writes
#                                     [faults] enabled = true (for `client check --nemesis ...`, crash, restart)
#   scripts/cluster.sh stop           stop every silo, then Redis (SIGTERM, SIGKILL after 10 s)
#   scripts/cluster.sh status         each process (running, paused or gone), then `client status`
#   scripts/cluster.sh kill NODE      kill -9 the silo of NODE
#   scripts/cluster.sh pause NODE     SIGSTOP the silo of NODE (it keeps its sockets but answers nothing)
#   scripts/cluster.sh resume NODE    SIGCONT it
#   scripts/cluster.sh restart NODE   stop the silo of NODE if it runs (SIGTERM), start it again
#   scripts/cluster.sh pid NODE       the process id of NODE's silo (or of Redis, for NODE = redis)
#   scripts/cluster.sh config         the path of the cluster's raft.toml, for `client --config`
#   scripts/cluster.sh running        exit 0 if a process this script started still runs, 1 if none does
#
# Everything lives in $RAFT_CLUSTER_DIR (default .cluster/ at the repository root): raft.toml (written at
# start: cluster.mode = "cluster", the ports below), redis.pid, node-N.pid, logs/, data/. `stop` keeps the
# data; delete the directory (stopped) to wipe it. Ports: Redis $RAFT_CLUSTER_REDIS_PORT (6391), node N's silo
# $RAFT_CLUSTER_SILO_BASE+N (11410+N), gateway $RAFT_CLUSTER_GATEWAY_BASE+N (30410+N) and HTTP (status page,
# /metrics) $RAFT_CLUSTER_HTTP_BASE+N (18410+N). A silo started here
# is built once (Release) and run as `dotnet <dll>`; $RAFT_CLUSTER_SILO_DLL runs another build instead, and
# $RAFT_CLUSTER_FSYNC=false writes storage.fsync = false (scripts/bench.sh --cluster uses both), and
# $RAFT_CLUSTER_GROUPS="name=replicas ..." (e.g. "critical=5 background=3") writes those Raft groups.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"
dir="${RAFT_CLUSTER_DIR:-$root/.cluster}"
redis_port="${RAFT_CLUSTER_REDIS_PORT:-6391}"
silo_base="${RAFT_CLUSTER_SILO_BASE:-11410}"
gateway_base="${RAFT_CLUSTER_GATEWAY_BASE:-30410}"
http_base="${RAFT_CLUSTER_HTTP_BASE:-18410}"
fsync="${RAFT_CLUSTER_FSYNC:-true}"
groups="${RAFT_CLUSTER_GROUPS:-}"
silo_dll="${RAFT_CLUSTER_SILO_DLL:-$root/silo/bin/Release/net10.0/RaftOrleans.Silo.dll}"
client_dll="$root/client/bin/Release/net10.0/RaftOrleans.Client.dll"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "cluster: $*" >&2; exit 2; }

# alive PID: the recorded process still runs (and is not a zombie).
alive() { [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null && [[ "$(state_of "$1")" != Z ]]; }
state_of() { awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null; }
pid_of() { cat "$dir/$1.pid" 2>/dev/null || true; }
nodes_started() { ls "$dir"/node-*.pid 2>/dev/null | sed -E 's/.*node-([0-9]+)\.pid/\1/' | sort -n; }

check_node() {
    [[ "${1:-}" =~ ^[0-9]+$ ]] || die "expected a node id (1, 2, ...), got '${1:-}'"
    [[ -f "$dir/node-$1.pid" ]] || die "node $1 was never started here (see: scripts/cluster.sh status)"
}

ensure_redis_installed() {
    command -v redis-server >/dev/null && return
    log "installing redis-server (Debian package)"
    if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null; then sudo=sudo; else sudo=""; fi
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
    command -v redis-server >/dev/null || die "redis-server did not install; install it by hand (apt-get install redis-server)"
}

start_redis() {
    if alive "$(pid_of redis)"; then return; fi
    port_in_use "$redis_port" && die "port $redis_port is taken by a process this script did not start; set RAFT_CLUSTER_REDIS_PORT"
    ensure_redis_installed
    # Membership only: no persistence (a restarted Redis is refilled by the silos within seconds).
    redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --daemonize no \
        >"$dir/logs/redis.log" 2>&1 &
    echo $! >"$dir/redis.pid"
    for _ in $(seq 1 100); do
        redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && { log "redis on 127.0.0.1:$redis_port (pid $(pid_of redis))"; return; }
        sleep 0.1
    done
    die "redis did not answer on 127.0.0.1:$redis_port (see $dir/logs/redis.log)"
}

write_config() {
    cat >"$dir/raft.toml" <<EOF
# Written by scripts/cluster.sh start: one silo per node, Redis membership, local ports.
[cluster]
nodes = $1
mode = "cluster"
redis = "127.0.0.1:$redis_port"

[silo]
silo_port = $((silo_base + 1))
gateway_port = $((gateway_base + 1))
http_port = $((http_base + 1))

[storage]
fsync = $fsync

[faults]
enabled = $2

[tls]
enabled = $3
ca = "$dir/certs/ca.crt"
certificate = "$dir/certs/silo.crt"
key = "$dir/certs/silo.key"
client_certificate = "$dir/certs/client.crt"
client_key = "$dir/certs/client.key"
EOF
    [[ -n "$groups" ]] || return 0
    printf '\n[groups]\n' >>"$dir/raft.toml"
    local group
    for group in $groups; do
        [[ "$group" =~ ^([A-Za-z0-9_.-]+)=([0-9]+)$ ]] || die "RAFT_CLUSTER_GROUPS: expected name=replicas, got '$group'"
        printf '%s = %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" >>"$dir/raft.toml"
    done
}

start_node() {
    local node=$1
    if alive "$(pid_of "node-$node")"; then log "node $node already runs (pid $(pid_of "node-$node"))"; return; fi
    port_in_use $((silo_base + node)) && die "port $((silo_base + node)) (node $node's silo) is taken by a process this script did not start"
    (cd "$dir" && exec dotnet "$silo_dll" --config "$dir/raft.toml" --node "$node" >>"$dir/logs/node-$node.log" 2>&1) &
    echo $! >"$dir/node-$node.pid"
}

# wait_started NODE...: each silo printed its start line (or died: show why).
wait_started() {
    local node pid
    for node in "$@"; do
        pid=$(pid_of "node-$node")
        for _ in $(seq 1 600); do
            grep -q "RaftOrleans silo raft-node-$node:.*Process id $pid\." "$dir/logs/node-$node.log" 2>/dev/null && break
            alive "$pid" || { tail -n 5 "$dir/logs/node-$node.log" >&2; die "node $node's silo exited (log: $dir/logs/node-$node.log)"; }
            sleep 0.1
        done
        alive "$pid" || die "node $node's silo is gone (log: $dir/logs/node-$node.log)"
        log "node $node: silo pid $pid, gateway 127.0.0.1:$((gateway_base + node))"
    done
}

stop_pid() {
    local pid=$1
    alive "$pid" || return 0
    kill -CONT "$pid" 2>/dev/null || true # a paused process cannot act on SIGTERM
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do alive "$pid" || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

build() {
    [[ -n "${RAFT_CLUSTER_NO_BUILD:-}" && -f "$silo_dll" ]] && return
    [[ -n "${RAFT_CLUSTER_SILO_DLL:-}" ]] && { [[ -f "$silo_dll" ]] || die "RAFT_CLUSTER_SILO_DLL: $silo_dll not found"; return; }
    log "building silo and client (Release)"
    dotnet build "$root/silo/RaftOrleans.Silo.csproj" -c Release -nologo -v quiet >/dev/null
    dotnet build "$root/client/RaftOrleans.Client.csproj" -c Release -nologo -v quiet >/dev/null
}

command="${1:-}"
[[ -n "$command" ]] || { usage; exit 2; }
shift
case "$command" in
    start)
        count=5 faults=false tls=true
        for arg in "$@"; do
            case "$arg" in
                --faults) faults=true ;;
                --no-tls) tls=false ;;
                *) count="$arg" ;;
            esac
        done
        [[ "$count" =~ ^[1-9]$ ]] || die "start: expected a node count 1..9, got '$count'"
        mkdir -p "$dir/logs"
        for node in $(nodes_started); do
            alive "$(pid_of "node-$node")" && die "a cluster already runs here (node $node, pid $(pid_of "node-$node")); stop it first"
        done
        rm -f "$dir"/node-*.pid # a cluster started before, perhaps of another size, is stopped
        build
        start_redis
        if $tls && [[ ! -f "$dir/certs/silo.crt" ]]; then
            "$root/scripts/make-certs.sh" --out "$dir/certs" >/dev/null || die "could not make the certificates (scripts/make-certs.sh)"
            log "certificates for TLS in $dir/certs (scripts/make-certs.sh)"
        fi
        write_config "$count" "$faults" "$tls"
        for node in $(seq 1 "$count"); do start_node "$node"; done
        wait_started $(seq 1 "$count")
        log "cluster of $count up; client: dotnet $client_dll --config $dir/raft.toml status"
        ;;
    stop)
        for node in $(nodes_started); do
            pid=$(pid_of "node-$node")
            if alive "$pid"; then log "stopping node $node (pid $pid)"; stop_pid "$pid"; fi
        done
        if alive "$(pid_of redis)"; then log "stopping redis (pid $(pid_of redis))"; stop_pid "$(pid_of redis)"; fi
        ;;
    status)
        for name in redis $(nodes_started | sed 's/^/node-/'); do
            pid=$(pid_of "$name")
            if ! alive "$pid"; then echo "$name: not running"
            elif [[ "$(state_of "$pid")" == T ]]; then echo "$name: paused (pid $pid)"
            else echo "$name: running (pid $pid)"; fi
        done
        [[ -f "$dir/raft.toml" ]] && dotnet "$client_dll" --config "$dir/raft.toml" status
        ;;
    kill)
        check_node "${1:-}"; pid=$(pid_of "node-$1")
        alive "$pid" || die "node $1 is not running"
        kill -KILL "$pid"; log "killed node $1 (kill -9 $pid)"
        ;;
    pause)
        check_node "${1:-}"; pid=$(pid_of "node-$1")
        alive "$pid" || die "node $1 is not running"
        kill -STOP "$pid"; log "paused node $1 (SIGSTOP $pid)"
        ;;
    resume)
        check_node "${1:-}"; pid=$(pid_of "node-$1")
        alive "$pid" || die "node $1 is not running"
        kill -CONT "$pid"; log "resumed node $1 (SIGCONT $pid)"
        ;;
    restart)
        check_node "${1:-}"
        stop_pid "$(pid_of "node-$1")"
        start_node "$1"
        wait_started "$1"
        ;;
    pid)
        [[ "${1:-}" == redis ]] && { pid_of redis; exit 0; }
        check_node "${1:-}"; pid_of "node-$1"
        ;;
    config) echo "$dir/raft.toml" ;;
    running)
        for name in redis $(nodes_started | sed 's/^/node-/'); do alive "$(pid_of "$name")" && exit 0; done
        exit 1
        ;;
    -h|--help|help) usage ;;
    *) die "unknown command '$command' (try --help)" ;;
esac
