"""The layers, checked two ways.

Statically, by the import-linter contracts in pyproject.toml (`lint-imports`): gui and cli are two independent
faces over exchange → store → rules → layouts → model, and nothing but gui/ imports PySide6 or shiboken6. They see
every import statement: `from .. import gui`, imports inside functions and under TYPE_CHECKING, cli.py itself.
At run time, in a clean interpreter: importing the whole core and the CLI loads no Qt (this catches what a static
reading cannot, such as `importlib.import_module` or a library that pulls Qt in).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "fcast_desktop"
CORE = ["model", "layouts", "rules", "store", "exchange"]


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """`lint-imports` on the package and pyproject.toml in `root` (a subprocess, so `root`'s copy is analysed)."""
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-c", code, "--no-cache", "--no-logo"], cwd=root, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_import_contracts_are_kept():
    proc = lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_contracts_cover_every_layer():
    """The contracts name the layers of the README in their order; the Qt ban covers everything outside gui/."""
    from importlinter.api import read_configuration

    contracts = {c["id"]: c for c in read_configuration(str(ROOT / "pyproject.toml"))["contracts_options"]}
    assert contracts["layers"]["layers"] == ["gui | cli", "exchange", "store", "rules", "layouts", "model | paths"]
    assert contracts["layers"]["exhaustive"] == "True"  # every top-level module has its place
    assert set(contracts["faces"]["modules"]) == {"fcast_desktop.gui", "fcast_desktop.cli"}
    top_level = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    top_level |= {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    banned = {m.removeprefix("fcast_desktop.") for m in contracts["no-qt-below-gui"]["source_modules"]}
    assert banned == top_level - {"gui"}
    assert set(contracts["no-qt-below-gui"]["forbidden_modules"]) == {"PySide6", "shiboken6"}


VIOLATIONS = {
    "Qt in model": ("model/money.py", "from PySide6 import QtCore\n"),
    "Qt imported late, inside a function": ("exchange/report.py", "def _late():\n    import shiboken6\n"),
    "cli imports gui": ("cli.py", "from . import gui\n"),
    "gui imports cli": ("gui/about.py", "from ..cli import main\n"),
    "rules imports store": ("rules/values.py", "from ..store import project_file\n"),
    "model imports layouts": ("model/derive.py", "from fcast_desktop.layouts import forms\n"),
}


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_the_contracts_catch_a_violation(tmp_path, violation):
    """The contracts are not vacuous: each deliberate violation, in a copy of the package, breaks one."""
    copy = tmp_path / "repo"
    shutil.copytree(PACKAGE, copy / "fcast_desktop", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy)
    module, line = VIOLATIONS[violation]
    target = copy / "fcast_desktop" / module
    target.write_text(target.read_text("utf-8") + "\n\n" + line, encoding="utf-8")
    proc = lint_imports(copy)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "BROKEN" in proc.stdout


def _modules(sub: str) -> list[str]:
    base = PACKAGE / sub
    return [
        "fcast_desktop." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
        for p in sorted(base.rglob("*.py"))
    ]


def test_core_imports_no_qt():
    modules = [m for sub in CORE if (PACKAGE / sub).exists() for m in _modules(sub)]
    modules += ["fcast_desktop.cli", "fcast_desktop.paths"]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
