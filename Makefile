# Lookout: `make run` starts the demo, `make test` runs the whole suite.
# Both work on a fresh machine with Python 3.11+ and make: they build .venv themselves.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

# Outside production the secret key lives in var/ (generated once, never committed), so the
# system check that refuses the development key with DEBUG off never trips a developer.
ifeq ($(origin SECRET_KEY), undefined)
export SECRET_KEY_FILE ?= $(CURDIR)/var/secret_key
endif
ifeq ($(origin LOOKOUT_ENCRYPTION_KEYS), undefined)
export LOOKOUT_ENCRYPTION_KEYS_FILE ?= $(CURDIR)/var/encryption_keys
endif
export PORT HOST

.PHONY: run test lint format migrations install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# A stamp per requirements set: reinstall only when the pins change.
$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

var/secret_key:
	mkdir -p var
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

# Fernet keys for secrets at rest; keep this file: without it stored secrets cannot be read.
var/encryption_keys: $(BIN)/python
	mkdir -p var
	$(BIN)/python -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())" > $@
	chmod 600 $@

run: install var/secret_key var/encryption_keys
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_setup --url http://$(HOST):$(PORT)/
	$(BIN)/honcho --procfile Procfile start

test: install var/secret_key var/encryption_keys
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations: install var/secret_key var/encryption_keys
	$(BIN)/python manage.py makemigrations

clean:
	rm -rf $(VENV) var staticfiles lookout.sqlite3 lookout.sqlite3-*
