"""Start-up to the first shown window, side by side with a bare PySide6 window in the same run.

Each sample is a fresh process, timed from spawn until it prints a mark (offscreen; ``FCAST_SMOKE_QUIT_MS``):
- first paint: the window is shown and painted (the bare window: ``show()`` + ``processEvents()``; the app: the
  same, with its menus, toolbar and panes from ui/main_window.ui);
- project shown: the sample project's 64 forms are loaded, checked and the first form's editor is built.
The programs alternate so machine noise hits them alike, and run from compiled bytecode (warm-up round) as an
installed program does. Targets: the first window no more than 1.5 × the bare
window; the sample project shown under 1 s. When the PyInstaller bundle exists (``make package``), the frozen app
is timed too. ``--compare DIR``: also a checkout of the program in DIR (e.g. the code before a change, its
``fcast_desktop`` with ``resources`` and ``ui`` beside it), alternating with this one.
Usage: ``python benchmarks/bench_startup.py [rounds] [--compare DIR]``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "sample.fcast"
BUNDLE = ROOT / "dist" / "fcast-desktop" / ("绩效表单助手.exe" if sys.platform == "win32" else "fcast-desktop")

BARE = """
import sys
import time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1400, 900)
window.show()
app.processEvents()
print(f"FCAST_WINDOW_FIRST_PAINT cpu={time.process_time() * 1000:.1f}", flush=True)
print("FCAST_WINDOW_SHOWN bare", flush=True)
QTimer.singleShot(0, app.quit)
app.exec()
"""
# the app as `python -m fcast_desktop.gui.app SAMPLE` runs it, its first-paint mark with the process's CPU time
APP = """
import sys
import time
from fcast_desktop.gui import app
mark = app.smoke_mark
app.smoke_mark = lambda text: mark(text + (f" cpu={time.process_time() * 1000:.1f}" if "FIRST_PAINT" in text else ""))
sys.exit(app.main(["fcast-desktop", *sys.argv[1:]]))
"""


def time_to_shown(command: list[str], env: dict, cwd: Path = ROOT) -> tuple[float, float, float]:
    """(ms to first paint, ms to the project shown, CPU ms to first paint) of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=cwd, text=True)
    first = None
    cpu = float("nan")
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("FCAST_WINDOW_FIRST_PAINT"):
            first = time.perf_counter() - start
            if " cpu=" in line:
                cpu = float(line.split(" cpu=")[1])
        if line.startswith("FCAST_WINDOW_SHOWN"):
            shown = time.perf_counter() - start
            break
    else:
        raise RuntimeError(f"{command[0]} never showed its window (exit {proc.wait()})")
    proc.wait()
    return (first if first is not None else shown) * 1000, shown * 1000, cpu


def main() -> None:
    args = sys.argv[1:]
    compare = None
    if "--compare" in args:
        i = args.index("--compare")
        compare = Path(args[i + 1]).resolve()
        del args[i:i + 2]
    rounds = int(args[0]) if args else 15
    with tempfile.TemporaryDirectory() as config:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FCAST_SMOKE_QUIT_MS="0", FCAST_CONFIG_DIR=config)
        # with the modules' bytecode, as an installed program starts (pip and the bundle compile it): without it
        # each start compiles the program's own modules again (about 30 ms before the first paint alone), which
        # only a checkout run with PYTHONDONTWRITEBYTECODE pays. Written by the warm-up round, outside the tree.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(config) / "pycache")
        programs = {
            "bare PySide6 window": [sys.executable, "-c", BARE],
            "fcast-desktop + sample project": [sys.executable, "-c", APP, str(SAMPLE)],
        }
        if BUNDLE.exists():
            programs["frozen bundle + sample project"] = [str(BUNDLE), str(SAMPLE)]
        folders = dict.fromkeys(programs, ROOT)
        if compare is not None:
            name = f"{compare.name} + sample project"
            programs[name] = [sys.executable, "-c", APP, str(SAMPLE)]
            folders[name] = compare
        for name, command in programs.items():  # warm the file cache once
            time_to_shown(command, env, folders[name])
        times: dict[str, list[tuple[float, float, float]]] = {name: [] for name in programs}
        for _ in range(rounds):
            for name, command in programs.items():
                times[name].append(time_to_shown(command, env, folders[name]))
    bare = statistics.median(first for first, _shown, _cpu in times["bare PySide6 window"])
    bare_cpu = statistics.median(cpu for _first, _shown, cpu in times["bare PySide6 window"])
    for name, samples in times.items():
        for what, values, base in (("first paint", [f for f, _s, _c in samples], bare),
                                   ("CPU to paint", [c for _f, _s, c in samples], bare_cpu),
                                   ("project shown", [s for _f, s, _c in samples], bare)):
            if (name.startswith("bare") and what == "project shown") or any(v != v for v in values):  # nan: no mark
                continue
            median = statistics.median(values)
            print(f"{name:>31} {what:>13}: median {median:4.0f} ms, min {min(values):4.0f}, max {max(values):4.0f} "
                  f"({median / base:.2f} × bare window, n={len(values)})")


if __name__ == "__main__":
    main()
