#!/usr/bin/env bash
# Memory and latency of the real atcr-webhook answering one AdmissionReview that names 20,000
# distinct in-scope image digests, against a registry that never answers (a TCP listener that
# accepts and stays silent, so every TLS handshake stalls): the webhook's peak RSS (VmHWM) and
# the time to its answer, and the answer itself (a denial naming --max-images-per-review).
#   Benchmarks/review-bound.sh [debug|release] [IMAGES] [EXTRA WEBHOOK FLAGS...]
# WEBHOOK=/path/to/atcr-webhook measures another build (e.g. an older commit's) in the same world;
# VARY_REPOS=1 gives every image its own repository (alice/prod-N), so no two share a decision.
set -euo pipefail
cd "$(dirname "$0")/.."
configuration=${1:-release}
images=${2:-20000}
shift $(( $# > 2 ? 2 : $# ))
swift build -c "$configuration" --product atcr-webhook >/dev/null
swift build -c "$configuration" --product atcr-testbed >/dev/null
bin=$(swift build -c "$configuration" --show-bin-path)
webhook_bin=${WEBHOOK:-$bin/atcr-webhook}
state=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$state"; }
trap cleanup EXIT

"$bin/atcr-testbed" up --state "$state" >"$state/world.log" 2>&1 &
pids+=($!)
until grep -q ready "$state/world.log" 2>/dev/null; do sleep 0.2; done
plc=$(sed -n 's/.*"plcDirectory":"\([^"]*\)".*/\1/p' "$state/world.json")
registry=$(grep -o 'scope: "localhost:[0-9]*' "$state/policy.yaml" | head -1 | cut -d'"' -f2)

# The silent registry: accepts connections and never says a byte.
python3 - "$state/silent.port" <<'PY' &
import socket, sys, time
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(4096)
open(sys.argv[1], "w").write(str(server.getsockname()[1]))
held = []
while True:
    connection, _ = server.accept()
    held.append(connection)
PY
pids+=($!)
until [ -s "$state/silent.port" ]; do sleep 0.1; done
silent="localhost:$(cat "$state/silent.port")"
sed "s|$registry|$silent|g" "$state/policy.yaml" >"$state/silent-policy.yaml"

python3 - "$images" "$silent" "${VARY_REPOS:-0}" >"$state/review.json" <<'PY'
import hashlib, json, sys
count, registry, vary = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
def repository(i): return f"alice/prod-{i}" if vary else "alice/prod-api"
containers = [{"name": f"c{i}", "image": f"{registry}/{repository(i)}@sha256:{hashlib.sha256(str(i).encode()).hexdigest()}"} for i in range(count)]
pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "prod"}, "spec": {"containers": containers}}
print(json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
    "uid": "bound", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "resource": {"group": "", "version": "v1", "resource": "pods"},
    "operation": "CREATE", "namespace": "prod", "name": "p", "userInfo": {"username": "bench"}, "object": pod}}, separators=(",", ":")))
PY

"$webhook_bin" --host 127.0.0.1 --port 18643 --metrics-port 0 --tls-cert "$state/server.pem" --tls-key "$state/server-key.pem" \
  --policy "$state/silent-policy.yaml" --plc-url "$plc" --ca-bundle "$state/ca.pem" --allow-insecure-local --disable-events \
  --log-level error "$@" >/dev/null 2>>"$state/webhook.log" &
pid=$!
pids+=("$pid")
until curl -s -k -o /dev/null https://localhost:18643/healthz; do sleep 0.2; done
kib() { awk -v key="$1:" '$1 == key {print $2}' "/proc/$pid/status"; }
cpu() { awk '{print ($14+$15)/100}' "/proc/$pid/stat"; }
echo "webhook: $webhook_bin ($configuration); review: $(wc -c <"$state/review.json") bytes, $images images$([ "${VARY_REPOS:-0}" = 1 ] && echo ", each in its own repository"); registry $silent never answers"
echo "RSS before: $(( $(kib VmRSS) / 1024 )) MiB"
cpu_before=$(cpu)
start=$(date +%s.%N)
curl -s -k -o "$state/answer.json" -X POST -H 'Content-Type: application/json' --data-binary @"$state/review.json" \
  "https://localhost:18643/validate?timeout=10s"
end=$(date +%s.%N)
echo "answered in $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b-a}') s: $(head -c 400 "$state/answer.json" | tr '\n' ' ')"
echo "webhook CPU for the review: $(awk -v a="$cpu_before" -v b="$(cpu)" 'BEGIN{print b-a}') s (load average $(cut -d' ' -f1 /proc/loadavg))"
echo "RSS at the answer: $(( $(kib VmRSS) / 1024 )) MiB"
sleep "${SETTLE:-20}"
echo "RSS ${SETTLE:-20} s later: $(( $(kib VmRSS) / 1024 )) MiB; peak (VmHWM): $(( $(kib VmHWM) / 1024 )) MiB"
