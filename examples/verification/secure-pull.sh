#!/usr/bin/env bash
# A secure pull: verify the image, then pull exactly the digest that was verified (a tag may be
# moved between the check and the pull; a digest cannot).
#   examples/verification/secure-pull.sh atcr.io/alice/prod-api:v1 [more atcr-verify flags]
# Needs atcr-verify, docker (or set PULL="podman pull") and python3 (to read the JSON report).
set -euo pipefail
image=${1:?usage: secure-pull.sh IMAGE [atcr-verify flags]}
shift
pull=${PULL:-docker pull}

report=$(atcr-verify verify "$image" --format json "$@") || {
  status=$?
  echo "not pulling $image: atcr-verify exited $status (1 denied, 2 input error, 4 could not verify)" >&2
  [ -z "$report" ] || printf '%s\n' "$report" >&2
  exit "$status"
}
digest=$(printf '%s' "$report" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["digest"] or "")')
case $digest in
  sha256:*) ;;
  *) echo "not pulling $image: the report names no digest (no policy required a signature?)" >&2; exit 1 ;;
esac
# The repository without tag or digest: drop "@…", then a ":tag" after the last "/".
repository=${image%%@*}
last=${repository##*/}
case $last in *:*) repository=${repository%:*} ;; esac
echo "verified $image as $digest; pulling $repository@$digest" >&2
exec $pull "$repository@$digest"
