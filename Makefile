# Dilemmaboard: `make run` serves the site on SQLite, `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app app
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: install run test lint translations extract-messages compile-messages screenshots bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# A random SECRET_KEY for this checkout, kept in instance/ (never committed).
instance/secret_key:
	mkdir -p instance
	$(PY) -c "import secrets; print(secrets.token_hex(32))" > $@

run: install instance/secret_key
	SECRET_KEY=$$(cat instance/secret_key) $(FLASK) db upgrade
	SECRET_KEY=$$(cat instance/secret_key) $(FLASK) dilemmas sync
	@echo "Dilemmaboard on http://127.0.0.1:$(PORT)/"
	SECRET_KEY=$$(cat instance/secret_key) HOST=127.0.0.1 PORT=$(PORT) \
		$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# Benchmarks (bench/): wrk from Debian's packages; Isso goes into bench/.work/isso-venv.
bench: install
	@command -v wrk >/dev/null 2>&1 || apt-get install -y -qq wrk >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench.run

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache
