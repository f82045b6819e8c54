#!/usr/bin/env bash
# What the containerd verifier's disk cache saves, at internet latency: the local world with
# every upstream N ms away (atcr-testbed up --latency-ms N), and atcr-containerd-verifier called
# as containerd calls it for a signed image (by digest), ROUNDS times each:
#   first pull     empty cache directory (a new node)
#   repeat pull    the cache the first pull left (the next pull of that image within 5 minutes)
#   no cache       ATCR_CACHE_DIR=none (every pull starts from nothing)
# Prints the median wall time of each, in ms and in round trips (ms / N).
#   Benchmarks/containerd-pulls.sh [debug|release] [N] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
configuration=${1:-release}
latency=${2:-50}
rounds=${3:-5}
for product in atcr-containerd-verifier atcr-testbed; do
  swift build -c "$configuration" --product "$product" >/dev/null 2>&1 || { echo "containerd-pulls: swift build -c $configuration --product $product failed" >&2; exit 1; }
done
bin=$(swift build -c "$configuration" --show-bin-path)
state=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$state"; }
trap cleanup EXIT
"$bin/atcr-testbed" up --state "$state" --latency-ms "$latency" >"$state/world.log" 2>&1 &
pid=$!
until grep -q "world up" "$state/world.log" 2>/dev/null; do sleep 0.2; done
read -r plc ca policy reference digest < <(python3 - "$state/world.json" <<'PY'
import json, sys
world = json.load(open(sys.argv[1]))
image = next(i for i in world["images"] if i["scenario"] == "signed-k256-digest")
print(world["endpoints"]["plcDirectory"], world["caFile"], world["policyFile"], image["reference"], image["digest"])
PY
)

# pull CACHE_DIR: one call as containerd makes it; prints the wall time in ms.
pull() {
  local started ended status
  started=$(date +%s%N)
  printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1}\n' "$digest" |
    env -i PATH=/usr/bin:/bin ATCR_POLICY="$policy" ATCR_PLC_URL="$plc" ATCR_CA_BUNDLE="$ca" ATCR_ALLOW_INSECURE_LOCAL=true \
      ATCR_CACHE_DIR="$1" "$bin/atcr-containerd-verifier" -name "$reference" -digest "$digest" \
      -stdin-media-type application/vnd.oci.descriptor.v1+json >"$state/out" 2>"$state/err" && status=0 || status=$?
  ended=$(date +%s%N)
  if [ "$status" -ne 0 ]; then echo "containerd-pulls: the pull was not allowed (exit $status): $(cat "$state/out" "$state/err")" >&2; exit 1; fi
  echo $(( (ended - started) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

first=() repeat=() none=()
for round in $(seq "$rounds"); do
  cache="$state/cache-$round"
  first+=("$(pull "$cache")")
  repeat+=("$(pull "$cache")")
  none+=("$(pull none)")
done
echo "atcr-containerd-verifier, $configuration build, upstreams $latency ms away, median of $rounds ($(nproc) cores, $(uname -m))"
for name in first repeat none; do
  declare -n times=$name
  ms=$(printf '%s\n' "${times[@]}" | median)
  label=$([ "$name" = first ] && echo "first pull (empty cache)" || ([ "$name" = repeat ] && echo "repeat pull (disk cache)" || echo "no cache (ATCR_CACHE_DIR=none)"))
  awk -v label="$label" -v ms="$ms" -v n="$latency" 'BEGIN { printf "  %-32s %6d ms  %5.1f round trips\n", label, ms, (n > 0 ? ms / n : 0) }'
done
