# The only entry points: `make demo` and `make test` (plus bench, services-up/down, lint).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= out/demo

# No telemetry leaves the machine (tests and demo run offline on loopback).
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY := false

.PHONY: demo test bench services-up services-down browser node-clients clean lint crash-loop

# The product with its test and lint tools, and the local services (the `sandbox` extra, built
# from sandbox/ as its own distribution), both editable.
$(STAMP): pyproject.toml sandbox/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,lint,sandbox]" -e ./sandbox
	@touch $(STAMP)

# Headless Chromium for the browser tests (HTML map and report pages); Debian package.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "warning: could not install chromium; browser tests will fail"; }

# Node.js from Debian and the pinned wikibase-edit / wikibase-cli (package-lock.json) that the
# sandbox conformance tests drive unmodified.
NODE_DIR   := tests/conformance/node
NODE_STAMP := $(NODE_DIR)/node_modules/.installed-stamp
node-clients: $(NODE_STAMP)
$(NODE_STAMP): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { \
	  echo "installing Debian's nodejs and npm for the conformance tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null) \
	  || echo "warning: could not install nodejs/npm; Node conformance tests will fail"; }
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

demo: $(STAMP)
	$(BIN)/wlkit demo --out $(OUT)

# In parallel (pytest-xdist, one worker per core; TEST_WORKERS=0 runs in one process): a test
# module is one unit of work, so its fixtures start once (tests/conftest.py, the scheduler hook).
TEST_WORKERS ?= auto
test: $(STAMP) browser node-clients
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder

bench: $(STAMP)
	$(BIN)/python -m bench

# The formerly flaky upload-restart test, 50 times in a row (issue 12; not part of `make test`).
CRASH_LOOP ?= 50
crash-loop: $(STAMP)
	@mkdir -p out; for i in $$(seq $(CRASH_LOOP)); do \
	  $(BIN)/python -m pytest -q -p no:cacheprovider tests/integration/test_upload_crash.py \
	    -k test_sigkill_mid_upload_then_restart >out/crash-loop.log 2>&1 \
	    || { tail -n 60 out/crash-loop.log; echo "crash-loop: run $$i failed (out/crash-loop.log)"; exit 1; }; \
	done; echo "crash-loop: $(CRASH_LOOP) of $(CRASH_LOOP) runs passed"

services-up: $(STAMP)
	$(BIN)/wlkit services up

services-down: $(STAMP)
	$(BIN)/wlkit services down

# ruff (rules in pyproject.toml) and mypy (every package, the local services too; strict on core/ and
# modeling/); .ci/run runs it before the tests.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy core clients modeling sparql reports pipelines sandbox

clean:
	rm -rf out .wlkit
