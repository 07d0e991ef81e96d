# The product's front door: `make run` and `make test` set up everything they need, idempotently.
SHELL := /bin/bash
PYTHON311 ?= $(shell command -v python3.11 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run index test lint typecheck unit bench eval clean

setup: $(STAMP)

# Reinstalls only when the project or its pins change. torch is pinned to the CPU build 2.13.0
# (installed first and alone, so nothing pulls a multi-GB CUDA build).
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON311) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

index: $(STAMP)
	$(BIN)/guichet index

run: index
	$(BIN)/uvicorn api.main:create_app --factory --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check api retrieval tests scripts

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck unit

bench: index
	$(BIN)/python scripts/bench.py

eval: index
	$(BIN)/python ../shared/eval/score.py ../shared/eval/dev.jsonl

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
