# One command runs the app, one runs the tests; each creates .venv on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
SAMPLE := resources/samples/sample.fcast

.PHONY: run test lint bench venv clean sample package package-test

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

run: $(VENV)/.installed
	$(VENV)/bin/fcast-desktop $(SAMPLE)

test: $(VENV)/.installed
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

# maintainer checks: the import contracts (also run by the tests and CI), ruff and mypy (configured in pyproject.toml);
# all three run, the target fails if any of them does
lint: $(VENV)/.installed
	@status=0; \
	$(VENV)/bin/lint-imports --no-cache --no-logo || status=1; \
	$(VENV)/bin/ruff check || status=1; \
	$(VENV)/bin/mypy || status=1; \
	exit $$status

bench: $(VENV)/.installed
	$(PY) benchmarks/run.py

# the one-folder PyInstaller bundle in dist/fcast-desktop (same spec on Windows: see README)
$(VENV)/.package: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[package]'
	touch $@

package: $(VENV)/.package
	$(PY) packaging/build.py

# build, then run the frozen programs offline: import, check, score, export, GUI start
package-test: $(VENV)/.package
	$(PY) packaging/build.py --smoke

# regenerate the bundled sample project from the published forms in tests/data/seeds (unchanged if only ids differ)
sample: $(VENV)/.installed
	$(PY) tools/make_sample.py

clean:
	rm -rf $(VENV) build dist *.egg-info
