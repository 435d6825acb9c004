# Lunas: `make demo` runs a real automation script, `make test` runs the whole test suite,
# `make bench` runs the benchmarks against their baselines (`make bench-kv`: kv vs raw SQL;
# `make bench-scalev`: scalev.orders.each vs a plain HTTP cursor walk of a 5,000-order sandbox;
# `make bench-budget`: rate budgets' bursts against the ideal schedule of the windows;
# `make bench-serve`: the job runner: Lua jobs/s vs raw SQL on SQLite and PostgreSQL, webhook
# intake req/s and p99 with wrk, RSS per run parked on a slow API call).
# Missing Debian packages are installed when run as root; otherwise the exact apt-get command is
# printed.
SWIFT ?= swift
LUNAS := .build/debug/lunas

.PHONY: demo test bench bench-kv bench-scalev bench-budget bench-serve build

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

# scalev.orders.each over a 5,000-order sandbox (rate limits off) vs the same cursor walk with
# AsyncHTTPClient; also peak RSS at 5,000 and 20,000 orders. Writes .build/bench/scalev.json.
bench-scalev:
	@.ci/deps.sh build
	@Benchmarks/scalev/run.sh

# The rate budgets against the physical limit of the windows (Scalev's and the tests' scaled
# ones): sequential calls, concurrent scripts, 10 processes on SQLite, 3 on PostgreSQL. Writes
# .build/bench/budget.json.
bench-budget:
	@.ci/deps.sh build postgres
	@Benchmarks/budget/run.sh

# The job runner (lunas serve): trivial Lua jobs/s through the whole path vs the same claim/finish
# loop in raw SQL, on SQLite and on a throwaway PostgreSQL; webhook intake with wrk (req/s, p99);
# RSS per run with 1,000 runs parked on slow sandbox API calls. Writes .build/bench/serve.json.
bench-serve:
	@.ci/deps.sh build bench postgres
	@Benchmarks/serve/run.sh
