# The product's front door: `make run` and `make test` set up everything they need, idempotently.
SHELL := /bin/bash
PYTHON311 ?= $(shell command -v python3.11 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Rasa 3.6 needs Python 3.8-3.10: a python3.10 on the PATH, or pyenv's 3.10.
PYTHON310 ?= $(shell command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'print(1)' >/dev/null 2>&1 && command -v python3.10 || ls -d $$(pyenv root 2>/dev/null)/versions/3.10*/bin/python3.10 2>/dev/null | tail -1)
VENV_RASA := .venv-rasa
RASA := $(VENV_RASA)/bin/rasa
RASA_STAMP := $(VENV_RASA)/.installed
BOT_MODEL := bot/models/current.tar.gz
BOT_SOURCES := $(shell find bot/config.yml bot/domain bot/data bot/components -type f -not -name '*.pyc' 2>/dev/null)

.PHONY: setup setup-bot bot-model run index test lint typecheck unit bot-test bench bench-all eval clean

setup: $(STAMP) $(RASA_STAMP)

# contract/: what both environments must agree on (slots and codes, payload types, limits, the lever resolver,
# language detection), standard library only, installed editable in each.
CONTRACT := contract/pyproject.toml

$(RASA_STAMP): bot/requirements.txt bot/requirements-nodeps.txt bot/constraints.txt $(CONTRACT)
	@test -n "$(PYTHON310)" || { echo "Python 3.10 is needed for Rasa 3.6 (python3.10 on the PATH or pyenv)"; exit 1; }
	@test -x $(VENV_RASA)/bin/python || $(PYTHON310) -m venv $(VENV_RASA)
	$(VENV_RASA)/bin/python -m pip install --quiet --disable-pip-version-check -c bot/constraints.txt -r bot/requirements.txt
	$(VENV_RASA)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -c bot/constraints.txt -r bot/requirements-nodeps.txt
	$(VENV_RASA)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e contract
	@touch $(RASA_STAMP)

# Trains only when the bot's data, domain, config or components changed.
$(BOT_MODEL): $(RASA_STAMP) $(BOT_SOURCES)
	cd bot && ../$(RASA) train --domain domain --data data --config config.yml --out models --fixed-model-name current

bot-model: $(BOT_MODEL)

# Browser assets (chat widget, staff page): npm installs from the lock file, esbuild bundles them into
# api/static/; rebuilt only when the sources, the build script or the lock change (same inputs, same bytes).
WEB_STAMP := web/node_modules/.installed
WEB_ASSETS := api/static/widget.js api/static/staff.js
.PHONY: web browser

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $(WEB_STAMP)

$(WEB_ASSETS) &: $(WEB_STAMP) web/build.mjs $(wildcard web/src/*)
	cd web && npm run build

web: $(WEB_ASSETS)

# Debian's chromium for the browser tests (tests/web/ skip without it) and docker-compose to validate
# docker-compose.yml (tests/deploy/; no Docker engine is needed for that).
TEST_TOOLS := chromium:/usr/bin/chromium docker-compose:/usr/bin/docker-compose
browser:
	@for tool in $(TEST_TOOLS); do pkg=$${tool%%:*}; bin=$${tool#*:}; \
	  if [ -x $$bin ]; then echo "$$pkg: $$bin"; \
	  elif [ "$$(id -u)" = 0 ]; then apt-get install -y -qq $$pkg || { apt-get update -qq && apt-get install -y -qq $$pkg; }; \
	  else echo "Some tests need Debian's $$pkg: run 'sudo apt-get install -y $$pkg' (they skip without it)."; fi; \
	done

# Reinstalls only when the project or its pins change. torch is pinned to the CPU build 2.13.0
# (installed first and alone, so nothing pulls a multi-GB CUDA build).
$(STAMP): pyproject.toml constraints.txt $(CONTRACT)
	@test -x $(BIN)/python || $(PYTHON311) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e contract -e ".[dev]"
	@touch $(STAMP)

index: $(STAMP)
	$(BIN)/guichet index

run: index $(BOT_MODEL) web
	scripts/run_all.sh

# bot/ and tests/bot/rasa_side/ as Python 3.10 (pyproject.toml: per-file-target-version).
lint: $(STAMP)
	$(BIN)/ruff check api retrieval tests scripts contract bot

# Rasa and rasa-sdk ship no py.typed marker, so mypy would read them as Any: it reads their sources through
# these links instead (bot/mypy.ini), and so checks the bot against Rasa's own types.
RASA_TYPING := $(VENV_RASA)/typing
$(RASA_TYPING)/.linked: $(RASA_STAMP)
	@mkdir -p $(RASA_TYPING)
	@for pkg in rasa rasa_sdk; do ln -sfn "$$($(VENV_RASA)/bin/python -c "import importlib.util as u; \
	  print(u.find_spec('$$pkg').submodule_search_locations[0])")" $(RASA_TYPING)/$$pkg; done
	@touch $@

# The app as .venv's Python 3.11 runs it (pyproject.toml), the bot as .venv-rasa's Python 3.10 runs it.
typecheck: $(STAMP) $(RASA_TYPING)/.linked
	$(BIN)/mypy
	$(BIN)/mypy --config-file bot/mypy.ini

unit: $(STAMP) index $(BOT_MODEL) web browser
	$(BIN)/pytest -q

# Rasa's own checks: training data consistency and the conversation test stories.
bot-test: $(BOT_MODEL)
	cd bot && ../$(RASA) data validate --domain domain --data data --config config.yml
	cd bot && ../$(RASA) test core --model models/current.tar.gz --stories tests --fail-on-prediction-errors --out ../var/rasa-results

test: lint typecheck bot-test unit

bench: index
	$(BIN)/python -m scripts.bench

# Everything in docs/benchmarks.md: retrieval, API throughput, Rasa turns, load with pauses, saturation with
# one and two Rasa servers (PostgreSQL + Redis), the staff page over 10 000 conversations. ~15 min.
bench-all: index $(BOT_MODEL) web
	scripts/bench_all.sh

eval: index
	$(BIN)/python ../shared/eval/score.py ../shared/eval/dev.jsonl

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# The Microsoft Teams app package (manifest + icons) for upload in Teams; needs TEAMS_APP_ID and
# GUICHET_PUBLIC_URL (README: "Microsoft Teams").
.PHONY: teams-package
teams-package: $(STAMP)
	$(BIN)/python -m scripts.teams_package --out var/teams/guichet-teams.zip
