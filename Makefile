# Two commands do everything on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

# `make run` keeps any of these already set in the environment.
run: export DJANGO_DEBUG ?= true
run: export STRIPE_API_BASE ?= http://127.0.0.1:8420
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: export PORT := $(PORT)

.PHONY: run test install lint format bench lock

$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_data
	$(PY) scripts/dev_server.py

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

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

# Re-pin every dependency after editing pyproject.toml.
lock:
	rm -rf /tmp/rr-lock && $(PYTHON) -m venv /tmp/rr-lock
	/tmp/rr-lock/bin/pip install -q '.[dev]'
	/tmp/rr-lock/bin/pip freeze --exclude reader-revenue > requirements.lock
