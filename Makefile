# Two commands for newcomers: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run worker test test-sqlite test-postgres bench migrate seed clean translations messages

# Catalogues: the .po files are the source (in git); the compiled .mo files are built here.
TRANSLATIONS := salon_web/translations
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

migrate: $(STAMP)
	$(FLASK) migrate

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations: $(MO_FILES)

# After adding or changing user-facing text: extract it and merge it into every catalogue, then translate.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k gettext_pattern -k ngettext:1,2 -k lazy_ngettext:1,2 -k _nl:1,2 -k N_ --no-location --sort-output --omit-header -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)

seed: migrate
	$(FLASK) seed-demo --if-empty

# The web server and a background-job consumer, started together and stopped together (Ctrl-C).
run: seed translations
	@$(BIN)/huey_consumer salon_web.jobs.huey --workers 2 --worker-type thread --quiet & consumer=$$!; \
	trap 'kill $$consumer 2>/dev/null; wait $$consumer 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port 5000

# Only the job consumer, for a production machine (next to `gunicorn wsgi:app`).
worker: migrate translations
	$(BIN)/huey_consumer salon_web.jobs.huey --workers 2 --worker-type thread

# The whole suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set
# (CI always sets it; locally the PostgreSQL run is skipped with a notice).
test: $(STAMP) translations
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		$(MAKE) --no-print-directory test-postgres; \
	elif [ -n "$$CI" ]; then \
		echo "CI needs TEST_DATABASE_URL: the suite must also run on PostgreSQL" >&2; exit 1; \
	else \
		echo "NOTE: TEST_DATABASE_URL is not set; the PostgreSQL run was skipped."; \
	fi

test-sqlite: $(STAMP) translations
	SALON_WEB_TEST_BACKEND=sqlite $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: $(STAMP) translations
	SALON_WEB_TEST_BACKEND=postgres $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
