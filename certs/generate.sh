#!/bin/sh
# certs/generate.sh [--renew] [OUTDIR]
#
# Makes the webhook's TLS material without cert-manager: a private CA and a serving certificate
# for the Service's DNS names, then the kustomize layer the overlays build on:
#
#   OUTDIR/ca.pem, ca-key.pem      the CA (keep ca-key.pem private: it can sign for any name)
#   OUTDIR/tls.crt, tls.key        the serving certificate (ECDSA P-256) and its key
#   OUTDIR/tls-secret.yaml         Secret atcr-system/atcr-verify-tls (kubernetes.io/tls)
#   OUTDIR/webhook-ca-bundle.yaml  patch: the CA as caBundle of the webhook configuration
#   OUTDIR/kustomization.yaml      manifests/base + the two files above
#   OUTDIR/.gitignore              "*": keys never get committed
#
# OUTDIR defaults to manifests/tls, which manifests/overlays/audit and .../enforce build on.
#
# Idempotent: an existing CA is kept while it is valid for 30 more days (so the caBundle, and
# every API server's trust, stays the same), and an existing serving certificate is kept while
# it matches the CA, names every DNS name and is valid for 30 more days. Otherwise it is
# reissued; --renew reissues it regardless (rotation: re-run, then re-apply the overlay; the
# webhook reloads the new key pair without a restart). The YAML files are rewritten each run.
#
# Needs a POSIX shell and openssl (1.1.1 or later).
set -eu
# pipefail is not POSIX; use it where the shell has it.
if (set -o pipefail) 2>/dev/null; then set -o pipefail; fi

die() { echo "certs/generate.sh: $*" >&2; exit 1; }

renew=false
outdir=""
for argument in "$@"; do
  case "$argument" in
    --renew) renew=true ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $argument (usage: certs/generate.sh [--renew] [OUTDIR])" ;;
    *) [ -z "$outdir" ] || die "one OUTDIR only"; outdir=$argument ;;
  esac
done

command -v openssl >/dev/null 2>&1 || die "openssl is not installed (Debian: apt-get install openssl)"

here=$(cd "$(dirname "$0")" && pwd -P)
base=$(cd "$here/../manifests/base" && pwd -P) || die "manifests/base not found next to certs/"
[ -n "$outdir" ] || outdir="$here/../manifests/tls"
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd -P)

namespace=atcr-system
service=atcr-verify
secret=atcr-verify-tls
webhook=atcr-verify
webhook_entry=verify.atcr-verify.io
dns_names="$service $service.$namespace $service.$namespace.svc $service.$namespace.svc.cluster.local"
ca_days=3650
serving_days=365
margin=$((30 * 24 * 3600))  # reissue what expires within 30 days

ca=$outdir/ca.pem
ca_key=$outdir/ca-key.pem
crt=$outdir/tls.crt
key=$outdir/tls.key

umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
public_key_of_key() { openssl pkey -in "$1" -pubout 2>/dev/null; }
public_key_of_cert() { openssl x509 -in "$1" -noout -pubkey 2>/dev/null; }
expected_sans() {
  sans=""
  for name in $dns_names; do sans="${sans:+$sans,}DNS:$name"; done
  echo "$sans"
}
sans_of() { openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null | sed -n '2p' | tr -d ' '; }

ca_usable() {
  [ -s "$ca" ] && [ -s "$ca_key" ] || return 1
  openssl x509 -in "$ca" -noout -checkend "$margin" >/dev/null 2>&1 || return 1
  [ "$(public_key_of_key "$ca_key")" = "$(public_key_of_cert "$ca")" ]
}

serving_usable() {
  [ -s "$crt" ] && [ -s "$key" ] || return 1
  openssl verify -CAfile "$ca" "$crt" >/dev/null 2>&1 || return 1
  openssl x509 -in "$crt" -noout -checkend "$margin" >/dev/null 2>&1 || return 1
  [ "$(sans_of "$crt")" = "$(expected_sans)" ] || return 1
  [ "$(public_key_of_key "$key")" = "$(public_key_of_cert "$crt")" ]
}

# Writes stdin to $1 through a temporary file, so a failure never leaves half a file.
write() { cat >"$1.tmp" && mv "$1.tmp" "$1"; }

if ca_usable; then
  echo "keeping CA $ca (expires $(openssl x509 -in "$ca" -noout -enddate | cut -d= -f2))" >&2
else
  echo "creating CA $ca" >&2
  new_key "$work/ca-key.pem" || die "openssl could not create an EC P-256 key"
  openssl req -x509 -new -key "$work/ca-key.pem" -sha256 -days "$ca_days" \
    -subj "/CN=atcr-verify webhook CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$work/ca.pem" 2>"$work/err" || die "openssl req failed: $(cat "$work/err")"
  mv "$work/ca-key.pem" "$ca_key"
  mv "$work/ca.pem" "$ca"
  renew=true  # a new CA needs a new serving certificate
fi

if [ "$renew" = false ] && serving_usable; then
  echo "keeping serving certificate $crt (expires $(openssl x509 -in "$crt" -noout -enddate | cut -d= -f2))" >&2
else
  echo "issuing serving certificate $crt for: $dns_names" >&2
  new_key "$work/tls.key" || die "openssl could not create an EC P-256 key"
  openssl req -new -key "$work/tls.key" -subj "/CN=$service.$namespace.svc" -out "$work/tls.csr" 2>"$work/err" \
    || die "openssl req (CSR) failed: $(cat "$work/err")"
  # The API server (Go) checks the SANs, never the CN; serverAuth is what TLS clients require.
  cat >"$work/ext.cnf" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $(expected_sans)
EOF
  openssl x509 -req -in "$work/tls.csr" -CA "$ca" -CAkey "$ca_key" -sha256 -days "$serving_days" \
    -set_serial "0x$(openssl rand -hex 16)" -extfile "$work/ext.cnf" -out "$work/tls.crt" 2>"$work/err" \
    || die "openssl x509 (signing) failed: $(cat "$work/err")"
  mv "$work/tls.key" "$key"
  mv "$work/tls.crt" "$crt"
fi

openssl verify -CAfile "$ca" "$crt" >/dev/null 2>&1 || die "$crt does not verify against $ca"

b64() { openssl base64 -A -in "$1"; }

write "$outdir/tls-secret.yaml" <<EOF
# Generated by certs/generate.sh: the webhook's serving key pair (and, for reference, its CA).
# It holds a private key: do not commit it.
apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata:
  name: $secret
  namespace: $namespace
  labels:
    app.kubernetes.io/name: atcr-verify
    app.kubernetes.io/part-of: atcr-verify
data:
  tls.crt: $(b64 "$crt")
  tls.key: $(b64 "$key")
  ca.crt: $(b64 "$ca")
EOF

write "$outdir/webhook-ca-bundle.yaml" <<EOF
# Generated by certs/generate.sh: the CA the API server trusts for the webhook's certificate.
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: $webhook
webhooks:
  - name: $webhook_entry
    clientConfig:
      caBundle: $(b64 "$ca")
EOF

# The path from OUTDIR to manifests/base, relative, so the directory can move with the repo.
relative() { # FROM TO, both absolute and canonical
  from=$1 up=""
  while :; do
    case "$2/" in "$from"/*) break ;; esac
    from=${from%/*}
    up="../$up"
  done
  rest=${2#"$from"}
  rest=${rest#/}
  echo "$up${rest:-.}"
}

write "$outdir/kustomization.yaml" <<EOF
# Generated by certs/generate.sh: the webhook (manifests/base) with its TLS Secret and the
# caBundle that makes the API server trust it. The overlays audit and enforce build on this.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $(relative "$outdir" "$base")
  - tls-secret.yaml
patches:
  - path: webhook-ca-bundle.yaml
EOF

echo "*" | write "$outdir/.gitignore"
echo "wrote $outdir" >&2
