#!/usr/bin/env bash
# Chaos under load: two real atcr-webhook replicas behind haproxy (TCP mode, health-checked on
# /readyz over TLS: the Service and kube-proxy's stand-in) answer a continuous stream of
# AdmissionReviews for every scenario of the local world (Benchmarks/chaos-load.py: 8 keep-alive
# connections, every verdict checked) while, one after the other:
#   1. the trust policy is replaced by an invalid one (ConfigMap-style ..data symlink swap), then
#      restored;
#   2. the serving certificate and key are rotated (Secret-style swap);
#   3. replica A gets SIGTERM (as when a node drains) and must exit 0.
# Prints the counts; exits 1 on any failed review or wrong verdict.
#   Benchmarks/chaos.sh [SECONDS-PER-PHASE]     (CHAOS_BUILD=debug: use the debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
phase=${1:-4}
for tool in haproxy openssl python3; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq haproxy openssl python3 >/dev/null; }
done
scripts/setup-debian
configuration=${CHAOS_BUILD:-release}
echo "building ($configuration)..."
swift build -c "$configuration" --product atcr-webhook >/dev/null
swift build -c "$configuration" --product atcr-testbed >/dev/null
bin=$(swift build -c "$configuration" --show-bin-path)
state=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$state"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
swap() { # DIR VERSION: point DIR/..data at DIR/VERSION atomically, as the kubelet does
  ln -sfn "$2" "$1/..data.tmp" && mv -T "$1/..data.tmp" "$1/..data"
}
at() { printf '  t=%5.1fs  %s\n' "$(python3 -c "import time; print(time.time() - $start)")" "$*"; }

"$bin/atcr-testbed" up --state "$state" >"$state/world.log" 2>&1 &
pids+=($!)
until grep -q ready "$state/world.log" 2>/dev/null; do sleep 0.2; done
plc=$(python3 -c "import json,sys; print(json.load(open('$state/world.json'))['endpoints']['plcDirectory'])")

# Secret- and ConfigMap-style volumes: files behind a ..data symlink that is swapped whole.
mkdir -p "$state/tls/..v1" "$state/tls/..v2" "$state/policy/..v1" "$state/policy/..v2"
cp "$state/server.pem" "$state/tls/..v1/tls.crt"; cp "$state/server-key.pem" "$state/tls/..v1/tls.key"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$state/tls/..v2/tls.key" -out "$state/tls/..v2/tls.crt" 2>/dev/null
cp "$state/policy.yaml" "$state/policy/..v1/policy.yaml"
printf 'version: 9\npolicies: nope\n' >"$state/policy/..v2/policy.yaml"
swap "$state/tls" ..v1; swap "$state/policy" ..v1
for f in tls.crt tls.key; do ln -s "..data/$f" "$state/tls/$f"; done
ln -s ..data/policy.yaml "$state/policy/policy.yaml"

port_a=$(free_port); port_b=$(free_port); port_lb=$(free_port)
webhook() { # PORT: a replica (not in a subshell, so cleanup and wait see it)
  "$bin/atcr-webhook" --host 127.0.0.1 --port "$1" --metrics-port 0 --tls-cert "$state/tls/tls.crt" --tls-key "$state/tls/tls.key" \
    --policy "$state/policy/policy.yaml" --plc-url "$plc" --ca-bundle "$state/ca.pem" --allow-insecure-local --disable-events \
    --log-level warning >/dev/null 2>>"$state/webhook-$1.log" &
  pids+=($!)
}
webhook "$port_a"; pid_a=${pids[-1]}
webhook "$port_b"; pid_b=${pids[-1]}
cat >"$state/haproxy.cfg" <<CFG
global
  maxconn 2000
defaults
  mode tcp
  timeout connect 2s
  timeout client 60s
  timeout server 60s
frontend webhook
  bind 127.0.0.1:$port_lb
  default_backend replicas
backend replicas
  balance roundrobin
  option httpchk GET /readyz
  default-server check check-ssl verify none inter 250ms fall 1 rise 2
  server a 127.0.0.1:$port_a
  server b 127.0.0.1:$port_b
CFG
haproxy -f "$state/haproxy.cfg" -db >"$state/haproxy.log" 2>&1 &
pids+=($!)
for port in "$port_a" "$port_b"; do
  until curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/readyz" | grep -q 200; do sleep 0.2; done
done
sleep 1  # haproxy's checks mark both up

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; phases of ${phase}s"
start=$(python3 -c 'import time; print(time.time())')
python3 Benchmarks/chaos-load.py 127.0.0.1 "$port_lb" "$state/world.json" "$state/stop" 8 >"$state/load.json" &
load_pid=$!
sleep "$phase"; at "policy replaced by an invalid one"; swap "$state/policy" ..v2
sleep "$phase"; at "policy restored"; swap "$state/policy" ..v1
sleep "$phase"; at "serving certificate and key rotated"; swap "$state/tls" ..v2
sleep "$phase"; at "SIGTERM to replica A"; kill -TERM "$pid_a"
set +e; wait "$pid_a"; status_a=$?; set -e
at "replica A exited with status $status_a"
sleep "$phase"; at "load stopped"
touch "$state/stop"
wait "$load_pid"
kill -0 "$pid_b" 2>/dev/null || { echo "replica B died" >&2; exit 1; }

python3 - "$state/load.json" "$status_a" "$state" <<'PY'
import json, sys, glob
result = json.load(open(sys.argv[1])); status_a = int(sys.argv[2])
print(f"reviews: {result['reviews']} in {result['seconds']} s ({result['rate']}/s, {result['scenarios']} scenarios cycled)")
print(f"failed reviews or wrong verdicts: {result['failed']}")
for kind, count in sorted(result["failures"].items()):
    print(f"  {count:6d}  {kind}")
logs = "".join(open(f).read() for f in glob.glob(sys.argv[3] + "/webhook-*.log"))
print(f"policy rejected and kept the last good one: {'yes' if 'keeping' in logs or 'rejected' in logs else 'not seen in the log'}")
print(f"replica A exit status after SIGTERM: {status_a}")
sys.exit(0 if result["failed"] == 0 and status_a == 0 and result["reviews"] > 0 else 1)
PY
