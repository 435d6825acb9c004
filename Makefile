# Lunas: `make demo` runs a real automation script, `make test` runs the whole test suite,
# `make bench` runs the benchmarks against their baselines. Missing Debian packages are
# installed when run as root; otherwise the exact apt-get command is printed.
SWIFT ?= swift
LUNAS := .build/debug/lunas

.PHONY: demo test bench build

build:
	@.ci/deps.sh build
	$(SWIFT) build --product lunas

demo: build
	$(LUNAS) run scripts/order_report.lua

test:
	@.ci/deps.sh build postgres
	@.ci/test.sh

bench:
	@.ci/deps.sh build bench
	@Benchmarks/run.sh
