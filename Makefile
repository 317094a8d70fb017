# The same commands in every checkout. `make demo` and `make test` bootstrap what they need.
UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PYTEST_ARGS ?=

.PHONY: bootstrap demo test dev-up dev-down dev-status lint format schemas bench bench-discovery bench-evaluate bench-pipeline bench-gateway bench-autofix bench-api bench-latency

bootstrap:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --all-packages --frozen

demo: bootstrap
	$(UV) run pacbot demo

dev-up: bootstrap
	$(UV) run pacbot dev up

dev-down:
	$(UV) run pacbot dev down

dev-status:
	$(UV) run pacbot dev status

# `make test` runs in two parts: the libraries' and services' own tests on TEST_WORKERS
# pytest-xdist workers (each with its own in-process moto; every test names its own schema,
# topics and indices on the shared servers), then the system tests in tests/ one at a time
# (they start whole service processes, restart servers and time recoveries).
TEST_WORKERS ?= 2
UNIT_TESTS = libs/common/tests libs/cli/tests services
SYSTEM_TESTS = tests

test: dev-up
	$(UV) run pytest -n $(TEST_WORKERS) $(PYTEST_ARGS) $(UNIT_TESTS)
	$(UV) run pytest $(PYTEST_ARGS) $(SYSTEM_TESTS)

lint: bootstrap
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy libs/common/src libs/cli/src services/*/src

format:
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

schemas: bootstrap
	$(UV) run pacbot events schema --out docs/events

# Every benchmark writes bench/results/<name>.json; the last line prints them as one table.
# BENCH_PIPELINE_SIZES, BENCH_API_ASSETS and BENCH_FIXES size the slow ones (defaults modest).
BENCH_PIPELINE_SIZES ?= 10000,100000
BENCH_API_ASSETS ?= 20000
BENCH_FIXES ?= 100

bench: dev-up
	$(UV) run python -m bench.run
	$(UV) run python -m bench.evaluate
	$(UV) run --group bench python -m bench.discovery
	BENCH_SIZES=$(BENCH_PIPELINE_SIZES) BENCH_REPLICAS=1,2 $(UV) run python -m bench.pipeline
	$(UV) run python -m bench.latency
	BENCH_ASSETS=$(BENCH_API_ASSETS) $(UV) run python -m bench.api
	BENCH_FIXES=$(BENCH_FIXES) BENCH_REPLICAS=2 $(UV) run python -m bench.autofix
	$(UV) run python -m bench.report

bench-evaluate: bootstrap
	$(UV) run python -m bench.evaluate

bench-gateway: bootstrap
	$(UV) run python -m bench.gateway

bench-pipeline: dev-up
	$(UV) run python -m bench.pipeline

bench-latency: dev-up
	$(UV) run python -m bench.latency

bench-autofix: dev-up
	$(UV) run python -m bench.autofix

bench-api: dev-up
	$(UV) run python -m bench.api

bench-discovery: bootstrap
	$(UV) run --group bench python -m bench.discovery
