#!/usr/bin/env bash
# An example of the store's HTTP API from a shell script: record that a job ran, exactly once, even when an answer is
# lost or the cluster is electing a leader (the resend carries the same Idempotency-Key, so it is applied at most once).
#
#   scripts/http-example.sh [BASE_URL] [JOB]     BASE_URL: a silo's HTTP endpoint (default http://127.0.0.1:8080)
#
# Exit codes: 0 recorded (or found recorded by an earlier run), 1 bad input, 2 an unexpected answer, 3 no leader in time.
set -euo pipefail

base=${1:-http://127.0.0.1:8080}
job=${2:-nightly-$(date +%Y-%m-%d)}
key="job.$job"   # keys are one path segment (a "/" in a key is sent as %2F)

die() { echo "http-example: $*" >&2; exit "${2:-2}"; }

command -v curl >/dev/null || die "curl is missing: install it (apt-get install curl)" 1

# PUT $key, resent under one Idempotency-Key while no leader answers (503) or no answer comes at all (curl fails).
# Prints the final HTTP status.
put_once() {
    local value=$1 idempotency=$2 status
    for _ in $(seq 1 20); do
        status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X PUT \
                      -H "Idempotency-Key: $idempotency" --data-binary "$value" "$base/kv/$key") || status=000
        case $status in
            503|000) sleep 1 ;;          # an election, or a lost answer: the same key makes the resend safe
            *) echo "$status"; return ;;
        esac
    done
    echo "$status"
}

run_id="$job-$(date +%s%N)"   # one idempotency key per attempt at recording this job
case $(put_once "done at $(date -u +%FT%TZ)" "$run_id") in
    201) echo "recorded $key" ;;
    409) echo "$key was already recorded" ;;
    400) die "the store refused the key '$key' (see the silo's answer: curl -i -X PUT $base/kv/$key)" 1 ;;
    503|000) die "no leader answered at $base within 20 tries; nothing was recorded twice" 3 ;;
    *) die "unexpected answer to PUT $base/kv/$key" ;;
esac

# Sending the same request again (say, after a timeout whose answer was lost) gets the first answer again, not a
# conflict, and changes nothing.
first=$(put_once "a resend" "$run_id")
echo "a resend with the same Idempotency-Key was answered $first (the first answer) and not applied again"

# Reads are linearizable: this sees the write acknowledged above.
echo "$key = $(curl -sf --max-time 10 "$base/kv/$key" || die "GET $base/kv/$key failed")"
