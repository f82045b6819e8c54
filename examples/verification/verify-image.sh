#!/usr/bin/env bash
# Verify one image against the trust policy before using it (the CI gate in one line).
#   examples/verification/verify-image.sh atcr.io/alice/prod-api:v1 [more atcr-verify flags]
# The policy is $ATCR_POLICY, else .atcr/trust-policy.yaml in the working directory.
# Exit codes: 0 admitted, 1 denied, 2 usage or input error, 4 verification could not complete.
set -uo pipefail
image=${1:?usage: verify-image.sh IMAGE [atcr-verify flags]}
shift
atcr-verify verify "$image" "$@"
status=$?
case $status in
  0) echo "verified: $image" >&2 ;;
  1) echo "DENIED: $image does not satisfy the trust policy" >&2 ;;
  4) echo "could not verify $image (network, timeout): try again" >&2 ;;
  *) echo "atcr-verify failed (exit $status): see above" >&2 ;;
esac
exit $status
