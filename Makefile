# Lookout: `make run` starts the demo, `make test` runs the whole suite.
# Both work on a fresh machine with Python 3.11+ and make: they build .venv themselves.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WEB_PORT ?= 8000
HOST ?= 127.0.0.1
SIMULATOR_PORT ?= 8765

# Outside production the secret key lives in var/ (generated once, never committed), so the
# system check that refuses the development key with DEBUG off never trips a developer.
ifeq ($(origin SECRET_KEY), undefined)
export SECRET_KEY_FILE ?= $(CURDIR)/var/secret_key
endif
ifeq ($(origin LOOKOUT_ENCRYPTION_KEYS), undefined)
export LOOKOUT_ENCRYPTION_KEYS_FILE ?= $(CURDIR)/var/encryption_keys
endif
# Not PORT: honcho gives each process its own PORT, which would move the web server.
export WEB_PORT HOST SIMULATOR_PORT

.PHONY: run test lint format migrations install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# A stamp per requirements set: reinstall only when the pins change.
# requirements-compat.txt: third-party Adobe clients the simulator is tested against, installed
# without their heavy optional dependencies.
$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt requirements-compat.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -r requirements-compat.txt
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

# The demo's Adobe is the simulator (--demo: its scripted incident), on its own port; the web
# process onboards every simulator organization (demo_setup --simulator --all-orgs) before it
# starts serving.
run: export ADOBE_IMS_URL = http://127.0.0.1:$(SIMULATOR_PORT)
run: export ADOBE_PRIVACY_API_URL = http://127.0.0.1:$(SIMULATOR_PORT)/data/core/privacy
run: export ADOBE_STATUS_API_URL = http://127.0.0.1:$(SIMULATOR_PORT)/api/v1
# Links in the demo's notification e-mails (printed by the worker) open this server.
run: export LOOKOUT_BASE_URL ?= http://$(HOST):$(WEB_PORT)
run: install var/secret_key var/encryption_keys
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/honcho --procfile Procfile start

# Tests keep their broker folder and SQLite files apart from the demo's.
test: install var/secret_key var/encryption_keys
	LOOKOUT_VAR_DIR=$(CURDIR)/var/test $(BIN)/pytest $(PYTEST_ARGS)

# lint-imports: the architecture contracts in pyproject.toml ([tool.importlinter]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations: install var/secret_key var/encryption_keys
	$(BIN)/python manage.py makemigrations

clean:
	rm -rf $(VENV) var staticfiles lookout.sqlite3 lookout.sqlite3-*
