# Two commands set everything up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
FAKE_GRAPH_PORT ?= 8099

.PHONY: run customer test lint format install install-dev messages migrate seed bench clean

$(BIN)/python:
	@py="$$(scripts/find-python)" && echo "Using $$py" && "$$py" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The translation catalogues (locale/*/LC_MESSAGES/django.po) compiled for Django (GNU gettext's msgfmt).
messages: install
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var -v 0

migrate: messages
	$(BIN)/python manage.py migrate --noinput

# Links printed and sent (seed_demo's sign-in hint, notices, the self-service page) lead to where `make run` serves;
# an explicit PUBLIC_BASE_URL (a tunnel, a proxy) wins.
seed: migrate
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/python manage.py seed_demo

# The embedded demo: the app, plus a local fake of Meta's Graph API (it accepts the agents' replies and
# posts delivery and read receipts back). `make customer TEXT="Hallo"` plays a WhatsApp customer.
run: seed
	@echo "Serving on http://$(HOST):$(PORT) (links: $${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)}): inbox /inbox/ (agent),"
	@echo "admin /admin/ (dpo), web chat /webchat/demo/,"
	@echo "API docs /api/docs/, health /healthz; fake Graph API on 127.0.0.1:$(FAKE_GRAPH_PORT)"
	@$(BIN)/python manage.py fake_graph_api --port $(FAKE_GRAPH_PORT) \
		--webhook http://$(HOST):$(PORT)/webhooks/whatsapp/ & fake=$$!; \
	trap 'kill $$fake 2>/dev/null' EXIT INT TERM; \
	WHATSAPP_API_BASE=$${WHATSAPP_API_BASE:-http://127.0.0.1:$(FAKE_GRAPH_PORT)} \
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} \
		$(BIN)/uvicorn contactcenter.asgi:application --host $(HOST) --port $(PORT) --ws-per-message-deflate false

TEXT ?= Hallo, wo ist meine Bestellung?
FROM ?= 4915123456789
NAME ?= Erika Mustermann
customer: install
	$(BIN)/python manage.py play_customer --url http://$(HOST):$(PORT)/webhooks/whatsapp/ \
		--from $(FROM) --name "$(NAME)" "$(TEXT)"

# ruff, then DESIGN's import rules (the contracts in pyproject.toml) with import-linter.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The detector library first, without Django, its plugin or any conftest (so without a database); then the rest.
test: lint messages
	$(BIN)/python -m pytest -p no:django --noconftest -W ignore::pytest.PytestConfigWarning $(PYTEST_ARGS) sensitive
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks need PostgreSQL and Redis: DATABASE_URL=postgres://... REDIS_URL=redis://... make bench
bench: install-dev
	$(BIN)/python bench/consent_state.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/ingest.py --bare
	$(BIN)/python bench/realtime.py
	$(BIN)/python bench/lifecycle.py
	$(BIN)/python bench/inbox.py
	$(BIN)/python bench/privacy_timing.py
	$(BIN)/python bench/scan_quality.py
	$(BIN)/python bench/scan_speed.py
	$(BIN)/python bench/scan_ingest.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache staticfiles
