# OneClass: `make run` starts the app, `make test` runs every test. Both install what they need.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
BUN := .tools/node_modules/bun/bin/bun.exe
AXE := .tools/node_modules/axe-core/axe.min.js

.PHONY: install run test test-fast test-servers lint bench lock clean

install: $(BIN)/oneclass $(BUN) $(AXE)

$(BIN)/oneclass: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Tools from the npm registry, pinned: Reflex needs bun >= 1.4.4 (Node here is 20); axe-core is the
# accessibility checker the browser tests inject into each page (tests/e2e/test_accessibility.py).
# One install for both: `npm install --no-save` removes whatever it was not asked for this time.
$(BUN) $(AXE) &:
	npm install --silent --prefix .tools --no-save bun@1.4.5 axe-core@4.10.3

run: install
	$(BIN)/oneclass run

# Two processes for all but the browser flows (each with its own database and cache prefix), then
# the browser flows, which drive one app: that halves the suite's time on two cores. A file's tests
# stay in one process (--dist loadfile): a module's expensive fixture is built once.
test: install
	$(BIN)/python -m pytest -m "not e2e" -n 2 --dist loadfile
	$(BIN)/python -m pytest -m e2e

# Everything but the browser flows.
test-fast: install
	$(BIN)/python -m pytest -m "not e2e" -n 2 --dist loadfile

# The tests whose outcome depends on the servers themselves (PostgreSQL's version, roles, RLS and
# pooling; Redis's commands, outages and the Celery broker): CI runs them a second time against
# the machine's own PostgreSQL 15 and Redis 7 after `make test` ran everything on the embedded ones.
SERVER_TESTS := tests/test_migrations.py tests/test_isolation.py tests/test_security.py tests/test_security_smaller.py \
	tests/test_tenancy.py tests/test_backup.py tests/test_pgbouncer.py tests/test_cache_outage.py tests/test_jobs.py \
	tests/test_worker_drill.py tests/test_import_jobs.py tests/test_report_card_jobs.py tests/test_check.py tests/test_event_loop.py
test-servers: install
	$(BIN)/python -m pytest -n 2 --dist loadfile $(SERVER_TESTS)

# ruff and mypy, configured in pyproject.toml (mypy is strict on the services and the API).
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# Benchmarks print figures (they assert nothing); each makes and drops its own data.
bench: install
	$(BIN)/python bench/foundation.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/students.py
	$(BIN)/python bench/offload.py
	$(BIN)/python bench/import_10k.py
	$(BIN)/python bench/languages.py
	$(BIN)/python bench/load.py --start --sessions 100 --duration 60
	$(BIN)/python bench/jobs.py
	$(BIN)/python bench/registers.py
	$(BIN)/python bench/gradebook.py
	$(BIN)/python bench/teaching.py
	$(BIN)/python bench/dashboards.py
	$(BIN)/python bench/restore.py
	$(BIN)/python bench/health.py
	$(BIN)/python bench/report_cards.py

lock:
	$(BIN)/pip freeze --exclude-editable | sed '1i # Every Python package, pinned: what the tests ran with. Regenerate with `make lock`.' > requirements.lock

clean:
	rm -rf $(VENV) .tools .web .states .oneclass test-artifacts
