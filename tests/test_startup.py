"""Start-up contract (the speed itself is measured by benchmarks/bench_startup.py, not here):
the first window is painted before the heavy modules load, and the exporters load only when exporting."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

SAMPLE = ROOT / "resources" / "samples" / "sample.fcast"  # without a file the app shows its start page

PROBE = """
import sys
from pathlib import Path
from fcast_desktop.gui.app import create_application
app = create_application(sys.argv)
from fcast_desktop.gui.main_window import MainWindow
window = MainWindow(deferred=True)
window.show()
app.processEvents()
heavy = ("pydantic", "fcast_desktop.model", "fcast_desktop.layouts", "fcast_desktop.rules", "reportlab", "openpyxl")
print("AT_FIRST_PAINT", sorted({m.split(".")[0] if m.startswith(("pydantic", "reportlab", "openpyxl")) else m
                                for m in sys.modules if m.startswith(heavy)}))
window.finish_setup()
window.open_path(Path(sys.argv[1]), check_unsaved=False)
app.processEvents()
print("FORMS", len(window.document.project.forms), "EDITOR", window.editor is not None)
print("EXPORTERS", sorted(m for m in sys.modules if m.startswith(("reportlab", "openpyxl"))))
window.document.undo_stack.setClean()
"""


def test_window_paints_before_the_core_loads_and_exporters_load_only_for_export(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FCAST_CONFIG_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", PROBE, str(ROOT / "resources" / "samples" / "sample.fcast")],
                          capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    assert lines["AT_FIRST_PAINT"] == "[]"
    assert lines["FORMS"] == "64 EDITOR True"
    assert lines["EXPORTERS"] == "[]"


def test_app_reports_first_paint_then_the_shown_project(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FCAST_CONFIG_DIR=str(tmp_path), FCAST_SMOKE_QUIT_MS="0")
    done = subprocess.run([sys.executable, "-m", "fcast_desktop.gui.app", str(SAMPLE)], capture_output=True,
                          text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    marks = [line for line in done.stdout.splitlines() if line.startswith("FCAST_WINDOW")]
    assert marks == ["FCAST_WINDOW_FIRST_PAINT", "FCAST_WINDOW_SHOWN 64"]


def test_windowed_program_without_stdout_reports_marks_to_a_file(tmp_path):
    """A windowed program on Windows has sys.stdout None: the start-up marks still reach the smoke test."""
    report = tmp_path / "marks.txt"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FCAST_CONFIG_DIR=str(tmp_path), FCAST_SMOKE_QUIT_MS="0",
               FCAST_SMOKE_REPORT=str(report))
    code = ("import sys\nsys.stdout = None\nfrom fcast_desktop.gui.app import main\n"
            f"sys.exit(main(['fcast-desktop', {str(SAMPLE)!r}]))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", env=env,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert report.read_text(encoding="utf-8").splitlines() == ["FCAST_WINDOW_FIRST_PAINT", "FCAST_WINDOW_SHOWN 64"]


def test_unexpected_error_without_stderr_goes_to_the_error_log(tmp_path, monkeypatch):
    from fcast_desktop.gui import app

    monkeypatch.setenv("FCAST_CONFIG_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "stderr", None)
    app._log_error("Traceback: boom\n")
    assert (tmp_path / "error.log").read_text(encoding="utf-8") == "Traceback: boom\n"


ICON_PROBE = """
import sys
from PySide6.QtWidgets import QApplication
from fcast_desktop.gui import app as gui_app

marked = gui_app.smoke_mark

def mark(text):
    marked(text)
    icon = QApplication.instance().windowIcon()
    print("ICON", text.split()[0], not icon.isNull(), flush=True)

gui_app.smoke_mark = mark
sys.exit(gui_app.main(["fcast-desktop", sys.argv[1]]))
"""


def test_the_window_icon_is_set_right_after_the_first_paint(tmp_path):
    """The icon is set once the window is painted (its Qt type costs 2 ms before the first paint), and is there when
    the project is shown."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FCAST_CONFIG_DIR=str(tmp_path), FCAST_SMOKE_QUIT_MS="0")
    done = subprocess.run([sys.executable, "-c", ICON_PROBE, str(SAMPLE)], capture_output=True, text=True,
                          encoding="utf-8", env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    icons = [line for line in done.stdout.splitlines() if line.startswith("ICON")]
    assert icons == ["ICON FCAST_WINDOW_FIRST_PAINT False", "ICON FCAST_WINDOW_SHOWN True"]
