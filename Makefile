# The two set-up commands of the README are `make demo` and `make test`; both
# create the virtual environment when it is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# `make test-fast` is the edit loop: lint, every test that runs no notebook, and 1.1's
# notebook end to end (source passes, untouched version fails, release in sync) and catalogue.
.PHONY: demo test test-fast lint format release lab bundle clean system-deps

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[grading,dev]'
	@touch $(STAMP)

# System packages (bubblewrap; Chromium too for the tests): installed on Debian/Ubuntu as root,
# else the exact command to run is printed.
system-deps:
	@scripts/system-deps.sh

demo: system-deps $(STAMP)
	$(BIN)/autograder demo

test: $(STAMP) lint
	@scripts/system-deps.sh --with-browser
	$(BIN)/python -m pytest -n 2 --dist loadgroup --durations=25

test-fast: $(STAMP) lint
	@scripts/system-deps.sh
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q -m 'not slow'
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q tests/test_notebooks.py tests/test_mutations.py -k '1.1_'

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

release: $(STAMP)
	$(BIN)/autograder release

bundle: $(STAMP)
	$(BIN)/autograder bundle --to dist/estudiantes

lab: $(STAMP)
	$(BIN)/jupyter lab release/

clean:
	rm -rf submitted autograded sanitized staging feedback exchange gradebook.db grades.csv grades_lms.csv reports dist
