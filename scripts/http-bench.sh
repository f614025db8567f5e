#!/usr/bin/env bash
# Linearizable reads over HTTP: ApacheBench (ab, apache2-utils) against an embedded silo's GET /kv/{key} and against a
# 5-member etcd's HTTP gateway (POST /v3/kv/range, linearizable by default), beside `client bench --mix get` (the
# Orleans client), for 1 and 64 concurrent clients, 3 runs of 10 s each. Builds nothing: run it after
# `dotnet build -c Release` of silo and client. Stops what it started (the silo by process id, etcd by its script).
#
#   scripts/http-bench.sh
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"
command -v ab >/dev/null || { apt-get update >/dev/null && apt-get install -y apache2-utils >/dev/null; } || { echo "http-bench: ab (apache2-utils) is missing" >&2; exit 1; }
W="$(mktemp -d)"; cd "$W"
sed -e 's/^silo_port = .*/silo_port = 12411/' -e 's/^gateway_port = .*/gateway_port = 31411/' -e 's/^http_port = .*/http_port = 18611/' -e "s|^data_dir = .*|data_dir = \"$W/data\"|" $root/raft.toml > raft.toml
dotnet $root/silo/bin/Release/net10.0/RaftOrleans.Silo.dll --config raft.toml > silo.log 2>&1 &
SILO=$!
C="dotnet $root/client/bin/Release/net10.0/RaftOrleans.Client.dll --config raft.toml"
deadline=$((SECONDS + 60))
until $C status >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { kill "$SILO"; echo "http-bench: no leader within 60 s (log $W/silo.log)" >&2; exit 1; }
    sleep 1
done
curl -s -X PUT --data-binary 'blue-0123456789ab' http://127.0.0.1:18611/kv/color; echo
for c in 1 64; do for r in 1 2 3; do
  echo "ours-http c=$c run $r: $(ab -q -k -t 10 -n 10000000 -c $c http://127.0.0.1:18611/kv/color 2>&1 | grep -E 'Requests per second|Failed requests|Non-2xx' | tr -s ' ' | tr '\n' ' ')"
done; done
for c in 1 64; do for r in 1 2 3; do
  echo "ours-orleans c=$c run $r: $($C bench --clients $c --mix get --seconds 10 --json 2>/dev/null | tail -1)"
done; done
kill $SILO; wait $SILO 2>/dev/null
E="$root/../shared/etcd-compare"
ETCD_DIR=$W/etcd bash $E/cluster.sh start 5 > etcd.log 2>&1
ep=http://127.0.0.1:21379
curl -s -X POST -d "{\"key\":\"$(printf color | base64)\",\"value\":\"$(printf blue-0123456789ab | base64)\"}" $ep/v3/kv/put; echo
printf '{"key":"%s"}' "$(printf color | base64)" > range.json
curl -s -X POST -d @range.json $ep/v3/kv/range | head -c 200; echo
for c in 1 64; do for r in 1 2 3; do
  echo "etcd-http c=$c run $r: $(ab -q -k -t 10 -n 10000000 -c $c -p range.json -T application/json $ep/v3/kv/range 2>&1 | grep -E 'Requests per second|Failed requests|Non-2xx' | tr -s ' ' | tr '\n' ' ')"
done; done
ETCD_DIR=$W/etcd bash $E/cluster.sh stop > /dev/null 2>&1
rm -rf $W
