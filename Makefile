# The two commands of the README: `make demo` and `make test`. Both set up the virtual environment
# first (torch's CPU build before anything that depends on torch).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
QUESTION ?= Which papers accelerate LLM inference with speculative decoding?

.PHONY: setup demo test lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/litrev ingest
	$(BIN)/litrev ask "$(QUESTION)"
	$(BIN)/litrev ui

# The browser tests drive Debian's Chromium (a test tool's own browser download fails offline).
/usr/bin/chromium:
	apt-get update -qq && apt-get install -y -qq chromium

# The BibTeX/LaTeX injection tests compile real output with Debian's pdflatex and bibtex.
/usr/bin/pdflatex:
	apt-get update -qq && apt-get install -y -qq --no-install-recommends texlive-latex-base texlive-binaries

test: $(STAMP) /usr/bin/chromium /usr/bin/pdflatex
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check rag ui eval tests
	$(BIN)/ruff format --check rag ui eval tests

clean:
	rm -rf $(VENV) .pytest_cache
