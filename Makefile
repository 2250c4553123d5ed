# Every habit of the project is one command. The two that matter:
#   make run    set up, train if needed, and start the assistant
#   make test   set up, train if needed, and run every test
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV   := .venv
PYTHON := $(VENV)/bin/python
RASA   := $(VENV)/bin/rasa
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
# The build fails when NLU cross-validation's weighted intent F1 is below this.
CROSSVAL_MIN_F1 := 0.90

.PHONY: help setup train run test validate lint-js unit conversations nlu-crossval model \
        integration browser bench eval audit forget-old forget clean

help:
	@echo "make run    - start the assistant (sets up and trains when needed)"
	@echo "make test   - run every test (sets up and trains when needed)"
	@echo "make eval   - measure the model on unseen questions (tests/eval/)"
	@echo "make bench  - benchmark against a stock Rasa assistant"
	@echo "make audit  - list known advisories of the pinned dependencies"

setup:
	@scripts/setup.sh

train: setup
	@scripts/train_if_needed.sh

run: train
	@$(PYTHON) -m operations.run

# The statistical check runs last, so a run reports every functional test first.
test: setup validate train lint-js unit conversations model integration browser nlu-crossval
	@echo "All tests passed."

validate: setup
	$(RASA) data validate --fail-on-warnings --max-history 5

# The pages' JavaScript against the browsers in package.json's browserslist (needs Node.js 20).
lint-js:
	scripts/lint_js.sh

unit: setup
	$(PYTHON) -m pytest -m "not model and not servers and not browser and not replicas"

conversations: train
	$(RASA) test core --stories tests/ --fail-on-prediction-errors --out results/conversations

# Tests on the trained model: the crisis sets, and the quick DIET loader against Rasa's.
model: train
	$(PYTHON) -m pytest -m model

nlu-crossval: setup
	$(PYTHON) scripts/crossval.py --nlu data --config config.yml --cross-validation --folds 5 --out results/crossval
	$(PYTHON) scripts/check_crossval.py results/crossval/intent_report.json $(CROSSVAL_MIN_F1)

integration: train
	scripts/install_services.sh
	$(PYTHON) -m pytest -m "servers or replicas"

browser: train
	scripts/install_chromium.sh
	$(PYTHON) -m pytest -m browser

# The trained model on questions it has never seen (tests/eval/), through the real servers.
# Prints the figures, writes results/eval/, and fails when one misses tests/eval/thresholds.yml.
eval: train
	$(PYTHON) -m evaluation

# Compares this assistant with a stock `rasa init` assistant, side by side (docs/performance.md).
bench: train
	$(PYTHON) -m bench

audit:
	@scripts/audit.sh

# Retention: delete conversations older than DAYS days, or one conversation.
DAYS ?= 30
forget-old: setup
	$(PYTHON) -m operations.retention forget-old --days $(DAYS)

# The id reaches the command through the environment, exactly as typed: never
# expanded by make (its $$(...) would run) nor pasted into shell text.
override SENDER := $(value SENDER)
export SENDER
forget: setup
	@test -n "$${SENDER:-}" || { echo "usage: make forget SENDER=<conversation id>" >&2; exit 2; }
	$(PYTHON) -m operations.retention forget --sender "$$SENDER"

clean:
	rm -rf models results logs .pytest_cache
