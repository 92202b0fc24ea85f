# Two entry points for a fresh clone: `make run` (set up + offline preview of prod), `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Validators the tests run as subprocesses (checkov, kubernetes-validate, tritonclient's protos):
# their own virtualenv, since their pins clash with ours (tests/validators/requirements.txt).
VALIDATORS := .venv-validators
VSTAMP := $(VALIDATORS)/.installed

.PHONY: setup run test lint bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(VSTAMP): tests/validators/requirements.txt
	$(PYTHON) -m venv $(VALIDATORS)
	$(VALIDATORS)/bin/python -m pip install --quiet --upgrade pip
	$(VALIDATORS)/bin/python -m pip install --quiet -r tests/validators/requirements.txt
	touch $(VSTAMP)

setup: $(STAMP) $(VSTAMP)

# The preview needs only the project's venv; the validators' venv is for the tests.
run: $(STAMP)
	$(BIN)/aeon preview --stack prod

# pytest exits 5 when it collects nothing: that is a broken suite here, not a pass.
test: $(STAMP) $(VSTAMP)
	@$(BIN)/pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: setup
	for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done
