# The two set-up commands of the README are `make demo` and `make test`; both
# create the virtual environment when it is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format release lab bundle chromium clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[grading,dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/autograder demo

test: $(STAMP) lint chromium
	$(BIN)/python -m pytest -n 2 --durations=25

# The browser tests (tests/test_browser.py) drive the system's Chromium; it is installed here
# when missing (Debian/Ubuntu as root), otherwise the exact command is printed.
chromium:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Chromium for the browser tests (apt-get install -y chromium)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "The browser tests need Chromium. Install it with:" >&2; \
		echo "    sudo apt-get install -y chromium" >&2; \
		exit 1; \
	fi

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
	rm -rf submitted autograded feedback exchange gradebook.db grades.csv grades_lms.csv reports dist
