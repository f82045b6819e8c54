# The README's two commands are `make demo` and `make test`.
.PHONY: demo demo-proofs test bench bench-verifier bench-revocation bench-coldpath bench-report setup check-deployment

setup:
	scripts/setup-debian
	scripts/setup-json-tools >/dev/null

demo:
	scripts/demo

demo-proofs:
	scripts/demo-proofs

# The whole suite, in three groups (scripts/test says why).
test: setup
	scripts/test

bench: setup
	swift run -c release atcr-bench proofs

bench-verifier: setup
	swift run -c release atcr-bench verifier

bench-revocation: setup
	swift build -c release --product atcr-webhook
	swift run -c release atcr-bench revocation

bench-coldpath: setup
	swift run -c release atcr-bench coldpath --latency-ms 50 --rounds 5

# Every benchmark, written to docs/benchmarks.md (about 15 minutes after the release build).
bench-report: setup
	scripts/bench-report

check-deployment: setup
	scripts/check-deployment
