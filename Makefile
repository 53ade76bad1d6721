# Two commands do everything on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The demo's two ports: `PORT=8001 make run`, `LOCALSTRIPE_PORT=8421 make run` (or both).
PORT ?= 8000
LOCALSTRIPE_PORT ?= 8420
DEMO := run reconcile import rollups seed

# The demo's settings, for `make run` and the commands beside it; any already set in the environment is kept.
$(DEMO): export DJANGO_DEBUG ?= true
$(DEMO): export STRIPE_API_BASE ?= http://127.0.0.1:$(LOCALSTRIPE_PORT)
$(DEMO): export SITE_URL ?= http://127.0.0.1:$(PORT)
$(DEMO): export PORT := $(PORT)
# Every currency the demo's preset ladders cover (checkout/presets.py), yen included.
$(DEMO): export CHECKOUT_CURRENCIES ?= USD,EUR,GBP,CAD,UAH,JPY

.PHONY: run reconcile import rollups seed test install lint format bench bench-membership bench-banner bench-reports lock messages

$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	touch $@

# axe-core for the browser tests' accessibility checks (package.json); without npm they are skipped locally.
node_modules/.installed: package-lock.json
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the browser tests' accessibility checks will be skipped"; fi

install: $(VENV)/.installed node_modules/.installed

# Takes both ports first (one line and no start-up when either is in use), then migrates, loads the
# demo data, starts localstripe, registers the webhook with it and serves (scripts/dev_server.py).
run: install
	$(PY) scripts/dev_server.py

# Beside a running `make run`, against its database and localstripe: `make reconcile ARGS="--since 2026-11-01"`.
reconcile: install
	$(PY) manage.py reconcile_stripe $(ARGS)

import: install
	$(PY) manage.py import_stripe $(ARGS)

# The report rollups, recomputed from the ledger and the membership history (safe any time).
rollups: install
	$(PY) manage.py rebuild_rollups $(ARGS)

# More demo history for the reports: `make seed ARGS="--members 300 --contributions 4000 --months 24"`.
seed: install
	$(PY) manage.py seed_demo $(ARGS)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# The Ukrainian catalogue: new strings from the source, then the compiled .mo (both committed).
messages: install
	sh scripts/messages.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_DEBUG=true $(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(PY) bench/run.py

bench-membership: install
	$(PY) bench/run.py --membership

# The banner's decision beside a static file under gunicorn, and banner.js gzipped (bench/README.md).
bench-banner: install
	$(PY) bench/run.py --banner

# The revenue reports on 1M contributions beside hand-written SQL (bench/README.md), about 10 minutes.
bench-reports: install
	$(PY) bench/reports.py $(ARGS)

# Re-pin every dependency after editing pyproject.toml.
lock:
	rm -rf /tmp/rr-lock && $(PYTHON) -m venv /tmp/rr-lock
	/tmp/rr-lock/bin/pip install -q '.[dev]'
	/tmp/rr-lock/bin/pip freeze --exclude reader-revenue > requirements.lock
