# Dilemmaboard: `make run` serves the site on SQLite, `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app app
PORT ?= 5000
# One gunicorn process (gevent: many connections at once), so the rate limits kept in its
# memory (memory://, the default) are exact. More processes need RATELIMIT_STORAGE_URI=redis://….
WEB_CONCURRENCY ?= 1
# Two workers (the machine has two cores); loadfile keeps each file on one worker.
PYTEST_ARGS ?= -n 2 --dist loadfile
# English catalogue(s): msgids are Danish (the source language), so Danish needs none.
# The .mo files are built here, never committed.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))
# Same flags as tests/test_i18n.py; "_macros" must not be skipped (pybabel skips "_*" dirs by default).
EXTRACT_FLAGS := -F babel.cfg --ignore-dirs ".* __pycache__ node_modules" -k _l -k lazy_gettext \
	--no-location --sort-output --project Dilemmaboard

.PHONY: install run test test-quick lint translations extract-messages compile-messages screenshots update-axe update-fonts bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) $(CATALOGUES)

# Catalogues: `make extract-messages` after adding UI strings, translate the new
# entries in translations/en/LC_MESSAGES/messages.po, then `make compile-messages`.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract $(EXTRACT_FLAGS) -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching \
		--ignore-obsolete --width 100
	@echo "Now translate the empty msgstr entries in translations/*/LC_MESSAGES/messages.po"

compile-messages: $(CATALOGUES)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(STAMP)
	$(BIN)/pybabel compile --statistics -l $* -i $< -o $@

translations: extract-messages compile-messages

# PNGs of the main pages (phone and desktop) for the README, taken in Debian's Chromium.
screenshots: install
	$(BIN)/python -m tests.browser.screenshots docs/screenshots

# Refresh the vendored axe-core (tests/browser/vendor/) from the npm registry.
AXE_VERSION ?= 4.14.1
update-axe:
	rm -rf .axe-tmp && mkdir -p .axe-tmp
	cd .axe-tmp && npm pack --silent axe-core@$(AXE_VERSION) && tar xzf axe-core-$(AXE_VERSION).tgz
	cp .axe-tmp/package/axe.min.js tests/browser/vendor/axe.min.js
	cp .axe-tmp/package/LICENSE tests/browser/vendor/axe-core-LICENSE.txt
	rm -rf .axe-tmp

# Refresh the self-hosted type (static/fonts/, README.md there) from the npm registry:
# the latin subset of each variable family, upright and italic, and its licence.
NEWSREADER_VERSION ?= 5.3.0
SOURCE_SANS_VERSION ?= 5.3.0
update-fonts:
	rm -rf .fonts-tmp && mkdir -p .fonts-tmp
	cd .fonts-tmp && npm pack --silent @fontsource-variable/newsreader@$(NEWSREADER_VERSION) \
		@fontsource-variable/source-sans-3@$(SOURCE_SANS_VERSION) && \
		mkdir nr ss && tar xzf fontsource-variable-newsreader-*.tgz -C nr && \
		tar xzf fontsource-variable-source-sans-3-*.tgz -C ss
	cp .fonts-tmp/nr/package/files/newsreader-latin-wght-normal.woff2 \
		.fonts-tmp/nr/package/files/newsreader-latin-wght-italic.woff2 \
		.fonts-tmp/ss/package/files/source-sans-3-latin-wght-normal.woff2 \
		.fonts-tmp/ss/package/files/source-sans-3-latin-wght-italic.woff2 static/fonts/
	cp .fonts-tmp/nr/package/LICENSE static/fonts/Newsreader-OFL.txt
	cp .fonts-tmp/ss/package/LICENSE static/fonts/SourceSans3-OFL.txt
	rm -rf .fonts-tmp

# A random SECRET_KEY for this checkout, kept in instance/ (never committed).
instance/secret_key:
	mkdir -p instance
	$(PY) -c "import secrets; print(secrets.token_hex(32))" > $@

# The same key for this checkout's commands: Flask's CLI reads .env (python-dotenv), so
# `flask --app app editors add anne` works here without an export. Never committed.
.env: instance/secret_key
	touch $@
	grep -q '^SECRET_KEY=' $@ || echo "SECRET_KEY=$$(cat instance/secret_key)" >> $@

run: install instance/secret_key .env
	SECRET_KEY=$$(cat instance/secret_key) $(FLASK) db upgrade
	SECRET_KEY=$$(cat instance/secret_key) $(FLASK) dilemmas sync
	@echo "Dilemmaboard on http://127.0.0.1:$(PORT)/"
	SECRET_KEY=$$(cat instance/secret_key) HOST=127.0.0.1 PORT=$(PORT) \
		WEB_CONCURRENCY=$(WEB_CONCURRENCY) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# The loop while working: SQLite only, no real servers, no browser.
test-quick: install
	$(BIN)/pytest $(PYTEST_ARGS) -m "not slow and not browser" -k "not postgresql"

# Benchmarks (bench/): wrk from Debian's packages; Isso goes into bench/.work/isso-venv.
bench: install
	@command -v wrk >/dev/null 2>&1 || apt-get install -y -qq wrk >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench.run

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance .env .pytest_cache
