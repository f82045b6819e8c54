# The README's two commands are `make demo` and `make test`.
.PHONY: demo demo-proofs test bench bench-verifier bench-revocation setup check-deployment

setup:
	scripts/setup-debian
	scripts/setup-json-tools >/dev/null

demo:
	scripts/demo

demo-proofs:
	scripts/demo-proofs

test: setup
	swift test

bench: setup
	swift run -c release atcr-bench proofs

bench-verifier: setup
	swift run -c release atcr-bench verifier

bench-revocation: setup
	swift build -c release --product atcr-webhook
	swift run -c release atcr-bench revocation

check-deployment: setup
	scripts/check-deployment
