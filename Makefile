# The README's two commands are `make demo` and `make test`.
.PHONY: demo test bench setup

setup:
	scripts/setup-debian

demo:
	scripts/demo

test: setup
	swift test

bench: setup
	swift run -c release atcr-bench
