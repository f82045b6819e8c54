# The README's two commands are `make demo` and `make test`.
.PHONY: demo demo-proofs test fuzz-smoke bench bench-verifier bench-revocation bench-coldpath bench-report setup check-deployment

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

# Every libFuzzer target for 10 s from a debug sanitizer build (CI); long runs: docs/fuzzing.md.
fuzz-smoke: setup
	scripts/fuzz --smoke

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
