# Trèfle · Klaver — `make run` and `make test` are all a new machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The research NLP stack and ConvoKit (for the test that loads an export): tests and
# deploy only, never `make run`.
RESEARCH_STAMP := $(VENV)/.research-installed
CONVOKIT := convokit==5.0.0

.PHONY: run test lint install install-research research-warm migrate seed demo messages catalogs bench screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(RESEARCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,research,convokit-check]'
	$(BIN)/python -m pip install --quiet --no-deps '$(CONVOKIT)'
	$(BIN)/forum research warm
	touch $(RESEARCH_STAMP)

install-research: $(RESEARCH_STAMP)

# Build belgian-deduce's lookup cache (minutes; only the structures the anonymiser uses) so that
# no export ever waits for it.
research-warm: $(RESEARCH_STAMP)
	$(BIN)/forum research warm

migrate: $(STAMP)
	$(BIN)/forum migrate

seed: migrate
	$(BIN)/forum seed

run: seed
	$(BIN)/forum serve --host 127.0.0.1 --port 8000

demo: migrate
	$(BIN)/forum seed --demo

# The 25 slowest tests close the report, so a CI log shows where the time goes. Bytecode is
# written (__pycache__, ignored by git) even where the environment sets PYTHONDONTWRITEBYTECODE:
# without it both workers and every process a test starts (`forum serve`, the CLI) compiled the
# app and the tests from source again; collecting alone took 35 s instead of 7 s on 2 cores.
test: $(STAMP) $(RESEARCH_STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n 2 -q --durations=25

lint: $(STAMP)
	$(BIN)/ruff check app moderation tests bench
	$(BIN)/mypy app moderation
	$(BIN)/bandit -q -c pyproject.toml -r app moderation
	$(BIN)/python -m tests.security.lint_templates

# Extract every translatable string and merge it into the fr, nl and en catalogs.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o app/locales/messages.pot --no-location --sort-output --project "Trefle Klaver" --ignore-dirs='.* .venv var' .
	for l in fr nl en; do \
	  if [ -f app/locales/$$l/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update -i app/locales/messages.pot -d app/locales -l $$l --no-fuzzy-matching --ignore-obsolete; \
	  else $(BIN)/pybabel init -i app/locales/messages.pot -d app/locales -l $$l; fi; \
	done
	# English is the source language: its translations are the msgids themselves (GNU gettext's msgen).
	msgen --sort-output --width=100 -o app/locales/en/LC_MESSAGES/messages.po app/locales/en/LC_MESSAGES/messages.po

# The main pages in French and Dutch at 390 px and 1280 px, for a person to look at (system Chromium).
screenshots: $(STAMP)
	$(BIN)/python -m tests.e2e.screenshots --out var/screenshots

bench: $(STAMP) $(RESEARCH_STAMP)
	$(BIN)/python bench/run_all.py $(BENCH)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
