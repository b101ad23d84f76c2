# One command runs the app, one runs the tests; each creates .venv on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
SAMPLE := resources/samples/sample.fcast

.PHONY: run test bench venv clean sample package package-test

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

# regenerate the bundled sample project from the published seeds in ../shared/seeds
sample: $(VENV)/.installed
	$(PY) tools/make_sample.py

clean:
	rm -rf $(VENV) build dist *.egg-info
