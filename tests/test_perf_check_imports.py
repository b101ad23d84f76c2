"""Issue 14, `fcast check` start-up: the command imports only what reading and checking need. Every module it
imports is read (and, without bytecode files, compiled) on every run; the lock (writing commands), the editing
paths (explanations' fingerprints), the exporters and Qt are not needed to check a project without explanations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "sample.fcast"

_PROBE = """import io, contextlib, json, sys
from fcast_desktop.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    status = main(sys.argv[1:])
print(json.dumps([status, sorted(sys.modules)]))
"""

NOT_NEEDED = ("fcast_desktop.store.lock", "fcast_desktop.model.editing", "fcast_desktop.model.fields",
              "fcast_desktop.exchange", "fcast_desktop.gui", "fcast_desktop.layouts.pagination", "openpyxl",
              "reportlab", "PySide6")


def _modules(*args: str) -> tuple[int, list[str]]:
    out = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, cwd=ROOT,
                         timeout=60, check=True).stdout
    status, modules = json.loads(out.strip().splitlines()[-1])
    return status, modules


def test_check_imports_nothing_it_does_not_need():
    status, modules = _modules("check", str(SAMPLE))
    assert status == 1  # the sample has errors: the check ran to the end
    loaded = [m for m in modules if m.startswith(NOT_NEEDED)]
    assert loaded == [], loaded


def test_check_json_imports_nothing_it_does_not_need():
    status, modules = _modules("check", "--json", str(SAMPLE))
    assert status == 1
    assert [m for m in modules if m.startswith(NOT_NEEDED)] == []
