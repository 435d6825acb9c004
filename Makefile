# Lunas: `make demo` runs a real automation script, `make test` runs the whole test suite,
# `make bench` runs the benchmarks against their baselines. Missing Debian packages are
# installed when run as root; otherwise the exact apt-get command is printed.
SWIFT ?= swift
LUNAS := .build/debug/lunas

.PHONY: demo test bench bench-kv build

build:
	@.ci/deps.sh build
	$(SWIFT) build --product lunas

demo: build
	$(LUNAS) run --sandbox scripts/tag_vip_orders.lua

test:
	@.ci/deps.sh build postgres
	@.ci/test.sh

bench:
	@.ci/deps.sh build bench
	@Benchmarks/run.sh

# kv.get/kv.set from Lua vs raw SQL on SQLite and on a throwaway PostgreSQL (its own package).
bench-kv:
	@.ci/deps.sh build postgres
	@url=$$(Tests/support/postgres.sh start) && \
	  trap 'Tests/support/postgres.sh stop' EXIT && \
	  swift run -c release --package-path Benchmarks/kv kv-bench --ops 20000 --postgres "$$url"
