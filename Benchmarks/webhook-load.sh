#!/usr/bin/env bash
# Admission throughput and latency of the real atcr-webhook over TLS keep-alive, measured with
# hey (a Go client, like the API server's webhook client; HTTP/1.1):
#   (a) cached verdicts: the same signed image (by digest) over and over, at concurrency 10 and
#       50, with the webhook's CPU time per review;
#   (b) every review cold: the webhook's caches off (--cache-ttl 0), so each review runs the
#       whole pipeline against the local world (tag, referrers, artifact, blob, DID document,
#       record proof: 6 HTTPS requests);
# and the webhook's RSS after 100,000 reviews. hey and the world share the machine's cores:
# their CPU time is printed next to the figures.
#   Benchmarks/webhook-load.sh [SECONDS]      (concurrency 10 for (b) and (c))
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
command -v hey >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hey >/dev/null; }
scripts/setup-debian
swift build -c release --product atcr-webhook >/dev/null
swift build -c release --product atcr-testbed >/dev/null
bin=$(swift build -c release --show-bin-path)
state=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$state"; }
trap cleanup EXIT

"$bin/atcr-testbed" up --state "$state" >"$state/world.log" 2>&1 &
pids+=($!)
until grep -q ready "$state/world.log" 2>/dev/null; do sleep 0.2; done
plc=$(sed -n 's/.*"plcDirectory":"\([^"]*\)".*/\1/p' "$state/world.json")
image=$(grep -o '"reference":"[^"]*alice/prod-api@sha256:[0-9a-f]*"' "$state/world.json" | head -1 | cut -d'"' -f4)
cat >"$state/review.json" <<JSON
{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"bench","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"operation":"CREATE","namespace":"prod","name":"p","userInfo":{"username":"bench"},"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"prod","labels":{"app":"bench"}},"spec":{"containers":[{"name":"app","image":"$image","resources":{"limits":{"cpu":"500m","memory":"128Mi"}}}]}}}}
JSON

webhook() { # PORT EXTRA-FLAGS... (sets $webhook_pid; not in a subshell, so cleanup sees it)
  local port=$1; shift
  "$bin/atcr-webhook" --host 127.0.0.1 --port "$port" --metrics-port 0 --tls-cert "$state/server.pem" --tls-key "$state/server-key.pem" \
    --policy "$state/policy.yaml" --plc-url "$plc" --ca-bundle "$state/ca.pem" --allow-insecure-local --disable-events \
    --log-level error "$@" >/dev/null 2>>"$state/webhook.log" &
  webhook_pid=$!
  pids+=("$webhook_pid")
}
run_hey() { # LABEL URL ARGS... (concurrency: $concurrency, default 10)
  local label=$1 url=$2; shift 2
  local start_cpu
  echo "== $label"
  { time hey "$@" -c "${concurrency:-10}" -m POST -T application/json -D "$state/review.json" "$url" >"$state/hey.out"; } 2>"$state/time.out"
  grep -E "Requests/sec|Average|Status code distribution" "$state/hey.out" | sed 's/^ */  /'
  grep -E "^  \[(200|400|403|500|503)\]" "$state/hey.out" | sed 's/^ */  /' || true
  grep -E "  (50|99)% in" "$state/hey.out" | sed 's/^ */  /'
  echo "  hey CPU: $(grep -E '^(user|sys)' "$state/time.out" | tr '\n' ' ')(wall $(grep real "$state/time.out" | cut -f2))"
}

cpu_of() { awk '{print ($14+$15)/100}' "/proc/$1/stat"; }
rss_of() { awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' "/proc/$1/status"; }

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
webhook 18443
warm_pid=$webhook_pid
sleep 1
curl -s -k -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @"$state/review.json" "https://localhost:18443/validate?timeout=10s"
answered() { grep -E '^ *\[200\]' "$state/hey.out" | awk '{print $2}'; }
for concurrency in 10 50; do
  before=$(cpu_of "$warm_pid")
  run_hey "(a) cached verdicts, concurrency $concurrency, ${seconds}s" "https://localhost:18443/validate?timeout=10s" -z "${seconds}s"
  used=$(awk -v a="$before" -v b="$(cpu_of "$warm_pid")" 'BEGIN{print b-a}')
  echo "  webhook CPU: ${used}s, $(awk -v c="$used" -v n="$(answered)" 'BEGIN{printf "%.0f", (n > 0 ? c / n * 1e6 : 0)}') µs per review"
done
concurrency=10

webhook 18444 --cache-ttl 0 --negative-cache-ttl 0
cold_pid=$webhook_pid
sleep 1
before=$(cpu_of "$cold_pid")
run_hey "(b) every review cold (caches off), ${seconds}s" "https://localhost:18444/validate?timeout=10s" -z "${seconds}s"
echo "  webhook CPU: $(awk -v a="$before" -v b="$(cpu_of "$cold_pid")" 'BEGIN{print b-a}')s"
echo "  webhook RSS: $(rss_of "$cold_pid")"

run_hey "(c) 100,000 cached reviews" "https://localhost:18443/validate?timeout=10s" -n 100000
echo "  webhook RSS after 100,000+ reviews: $(rss_of "$warm_pid")"
