# Warta - developer entry points. `make help` lists them.
#
# Everything heavy (Kafka jars, Elasticsearch, their data and logs, service logs) lives in
# $(WARTA_HOME) (default ~/.cache/warta, or /var/cache/warta as root), never in the repository.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
# uv from PATH, else where `pip install --user` puts it
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
STACK := $(PYTHON) deploy/local/stack.py
PYTEST_ARGS ?=

.PHONY: help install up down status logs clean stack stack-stop test test-unit lint format

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: ## install uv if missing, then the locked workspace (all services + dev tools) into .venv
	@if ! command -v "$(UV)" >/dev/null 2>&1; then \
		echo "==> installing uv (python3 -m pip install --user uv)"; \
		$(PYTHON) -m pip install --user --quiet uv \
		  || $(PYTHON) -m pip install --user --quiet --break-system-packages uv \
		  || { echo "error: could not install uv; see https://docs.astral.sh/uv/ and re-run"; exit 1; }; \
	fi
	@echo "==> uv sync --all-packages --frozen"
	@"$(UV)" sync --all-packages --frozen

up: install ## run it: Kafka + Elasticsearch + all five services, fed with the bundled samples
	@$(STACK) up

down: ## stop the services, then Kafka and Elasticsearch (cache and data kept)
	@$(STACK) down

status: ## what runs: pids, addresses, health
	@$(STACK) status

logs: ## last lines of every log (FOLLOW=1 to follow; NAME=api for one)
	@$(STACK) logs $(if $(FOLLOW),-f) $(NAME)

clean: ## stop everything and delete runtime data (Kafka/ES data, logs); downloads are kept
	@$(STACK) clean

stack: ## only Kafka + Elasticsearch (what the tests need), reusing them if they run
	@$(STACK) start

stack-stop: ## stop Kafka + Elasticsearch only
	@$(STACK) stop

test: install ## test it: the whole suite; starts Kafka and Elasticsearch itself when they are not running
	@code=0; "$(UV)" run --frozen pytest $(PYTEST_ARGS) || code=$$?; \
	if [ $$code -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; exit $$code

test-unit: install ## only the tests that need no servers
	@"$(UV)" run --frozen pytest -m "not integration and not e2e" $(PYTEST_ARGS)

lint: install ## ruff (lint + format check) and mypy
	@"$(UV)" run --frozen ruff check .
	@"$(UV)" run --frozen ruff format --check .
	@"$(UV)" run --frozen mypy libs/warta/src services/*/src deploy/local tests/stack.py

format: install ## apply ruff's fixes and formatting
	@"$(UV)" run --frozen ruff check --fix .
	@"$(UV)" run --frozen ruff format .
