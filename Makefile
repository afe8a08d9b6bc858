# The two commands of the README: `make demo` and `make test`. Both set up the virtual environment
# first (torch's CPU build before anything that depends on torch). `make demo` installs only what
# running litrev needs; `make test` adds the `test` extra (pytest, playwright, and llama-cpp-python,
# whose server runs a real model in the tests: compiling it takes about 10 minutes on 2 cores).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
DEV_STAMP := $(VENV)/.installed-dev
QUESTION ?= Which papers accelerate LLM inference with speculative decoding?

.PHONY: setup demo test lint clean

setup: $(RUN_STAMP)

$(RUN_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(TEST_STAMP): $(RUN_STAMP)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

$(DEV_STAMP): $(TEST_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

demo: $(RUN_STAMP)
	$(BIN)/litrev ingest
	$(BIN)/litrev ask "$(QUESTION)"
	$(BIN)/litrev ui

# The browser tests drive Debian's Chromium (a test tool's own browser download fails offline).
/usr/bin/chromium:
	apt-get update -qq && apt-get install -y -qq chromium

# The BibTeX/LaTeX injection tests compile real output with Debian's pdflatex and bibtex.
/usr/bin/pdflatex:
	apt-get update -qq && apt-get install -y -qq --no-install-recommends texlive-latex-base texlive-binaries

test: $(TEST_STAMP) /usr/bin/chromium /usr/bin/pdflatex
	$(BIN)/python -m pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check rag ui eval tests
	$(BIN)/ruff format --check rag ui eval tests

clean:
	rm -rf $(VENV) .pytest_cache
