"""The core is usable without Qt: nothing below gui/ imports PySide6 (checked in a clean interpreter)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "fcast_desktop"
CORE = ["model", "layouts", "rules", "store", "exchange"]
ORDER = {"paths": 0, "model": 0, "layouts": 1, "rules": 1, "store": 2, "exchange": 2, "cli": 3, "gui": 4}


def _modules(sub: str) -> list[str]:
    base = PACKAGE / sub
    return [
        "fcast_desktop." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
        for p in sorted(base.rglob("*.py"))
    ]


def test_core_imports_no_qt():
    modules = [m for sub in CORE if (PACKAGE / sub).exists() for m in _modules(sub)] + ["fcast_desktop.cli"]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_layers_import_only_downward():
    """model → layouts/rules → store/exchange → cli → gui; an import upward is an error."""
    problems = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).parts
        layer = rel[0].removesuffix(".py")
        if layer not in ORDER:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level == 0 and (node.module or "").startswith("fcast_desktop."):
                    target = node.module.split(".")[1]
                elif node.level >= 2 and node.module:
                    target = node.module.split(".")[0]
                else:
                    continue
                if target in ORDER and ORDER[target] > ORDER[layer]:
                    problems.append(f"{path.relative_to(PACKAGE)} imports {target}")
            if isinstance(node, (ast.Import, ast.ImportFrom)) and layer != "gui":
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if any(n.startswith("PySide6") for n in names):
                    problems.append(f"{path.relative_to(PACKAGE)} imports PySide6")
    assert not problems, problems
