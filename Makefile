# `make run` and `make test` set themselves up on a fresh machine: they create .venv,
# install the project, and the bot migrates and seeds the demo database on first start.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run web test lint bench bench-latency bench-library diagrams clean fuzz messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot run

# The web chat on demo data: prints a one-time sign-in link for the demo owner.
WEB_AS ?= owner@acme.example
web: $(STAMP)
	$(PY) -m bot web --sign-in $(WEB_AS)

# Both cores (pytest-xdist); tests sharing a module fixture stay together (xdist_group).
# PYTEST_WORKERS=0 runs in this process, as plain `pytest` does.
PYTEST_WORKERS ?= 2
test: $(STAMP)
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) --dist loadgroup

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy bot flows storage testkit

bench: $(STAMP)
	$(PY) benchmarks/throughput.py

# Latency at steady rates (open loop, 200 chats): p50/p95/p99 per rate and the knee,
# bare aiogram alongside. About 35 minutes; LATENCY_ARGS="--seconds 5 --repeat 1" for a look.
LATENCY_ARGS ?=
bench-latency: $(STAMP)
	$(PY) benchmarks/openloop.py $(LATENCY_ARGS)

# How long the conversation-script library takes (figures; `make test` runs it once, untimed).
bench-library: $(STAMP)
	$(PY) benchmarks/library.py

# The invariant fuzz suite, long: FUZZ_STEPS steps (a bounded run is part of `make test`).
FUZZ_STEPS ?= 50000
fuzz: $(STAMP)
	$(PY) -m tests.fuzz --steps $(FUZZ_STEPS)

diagrams: $(STAMP)
	$(PY) -m bot diagram --out docs/diagrams --readme README.md

# The message catalogues: extract every _()/N_()/ngettext() string of flows/ and bot/ into
# flows/locales/messages.pot, then merge it into each language's messages.po (new strings
# arrive empty, changed ones fuzzy; both fail tests/flows/test_catalogue.py until translated).
LOCALES := flows/locales
messages: $(STAMP)
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k N_ -c TRANSLATORS: --no-location --sort-output --no-wrap \
		--project account-bot \
		-o $(LOCALES)/messages.pot flows bot
	$(VENV)/bin/pybabel -q update -i $(LOCALES)/messages.pot -d $(LOCALES) -D messages \
		--ignore-obsolete --no-wrap

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
