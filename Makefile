# Set-up and everyday commands. Every target builds .venv first, so a fresh
# machine needs only python3 (and root for the Debian packages in system-deps).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-long test-live bench lint system-deps audio clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	FLASK_RUN_PORT=$(PORT) $(BIN)/flask --app phoneline run --host $(HOST)

lint: $(VENV)/.installed
	$(BIN)/ruff check phoneline tests bench
	$(BIN)/mypy

system-deps:
	scripts/system-deps

test: $(VENV)/.installed system-deps lint
	$(BIN)/pytest

# Fault tests with many more generated cases than `make test` runs, and the
# tests marked `slow` (a 30-second load test, a hanging Redis).
test-long: $(VENV)/.installed system-deps
	PHONELINE_HYPOTHESIS_PROFILE=long PHONELINE_SLOW_TESTS=1 $(BIN)/pytest -m "not live"

# Side-by-side measurements; writes docs/benchmarks.md.
bench: $(VENV)/.installed
	$(BIN)/python -m bench.run

# Render the audio of every voice prompt that has none yet (PHONELINE_TTS_ENGINE picks
# the engine). Run it wherever the service's prompts/ folder lives, before a restart.
audio: $(VENV)/.installed
	$(BIN)/phoneline prompts build

# Tests marked `live` ask the real RDW, KVK (test environment) and CBS APIs.
test-live: $(VENV)/.installed
	PHONELINE_LIVE_TESTS=1 $(BIN)/pytest -m live

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
