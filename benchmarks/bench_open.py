"""Opening a large project in the window: does the window keep responding?

A 10 ms QTimer ticks while ``MainWindow.open_path`` opens a project of N forms (benchmarks/bigproject.py); each
gap between two ticks is time the window could not react to anything (a click, a repaint, 取消). Reported:
- first tick: from asking to open until the window first handles an event again (target: within 2 s);
- reading: the project file read on the worker thread (longest gap meanwhile: the window responds);
- document: ``ProjectDocument(project)`` on the GUI thread (gui/document.py: its garbage-collector settling);
- showing: ``set_document`` on the GUI thread (the forms list, the problems panel, the checks: gui/document.py,
  gui/panels.py), the longest gap overall, and the time until the project is shown.
Yardstick in the same run: reading the same file on the GUI thread, as opening did before (the window frozen for
all of it). Usage: ``python benchmarks/bench_open.py [forms ...] [--rounds N]`` (default 1000 10000, 3 rounds).
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("FCAST_CONFIG_DIR", tempfile.mkdtemp(prefix="fcast-bench-open-"))

from bigproject import big_project_path  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from fcast_desktop.gui.app import create_application  # noqa: E402
from fcast_desktop.gui.main_window import MainWindow  # noqa: E402


def _ticks(tick_ms: int = 10) -> tuple[QTimer, list[float]]:
    times: list[float] = []
    timer = QTimer()
    timer.setInterval(tick_ms)
    timer.timeout.connect(lambda: times.append(time.perf_counter()))
    return timer, times


def _max_gap(times: list[float], start: float, end: float) -> float:
    points = [start] + [t for t in times if start <= t <= end] + [end]
    return max(b - a for a, b in pairwise(points))


def open_once(app, path: Path) -> dict[str, float]:
    window = MainWindow(interactive=False)
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    marks: dict[str, float] = {}
    set_document = window.set_document

    def timed_set_document(document) -> None:
        marks["read"] = time.perf_counter()
        set_document(document)
        marks["shown"] = time.perf_counter()

    end_reading = window._end_reading

    def timed_end_reading(busy) -> None:
        marks["file read"] = time.perf_counter()
        end_reading(busy)

    window.set_document = timed_set_document  # type: ignore[method-assign]
    window._end_reading = timed_end_reading  # type: ignore[method-assign]
    timer, times = _ticks()
    timer.start()
    start = time.perf_counter()
    assert window.open_path(path)
    end = time.perf_counter()
    timer.stop()
    first = next((t for t in times if t > start), end)
    result = {
        "first tick": first - start,
        "reading": marks["file read"] - start,
        "max gap reading": _max_gap(times, start, marks["file read"]),
        "document": marks["read"] - marks["file read"],
        "showing": marks["shown"] - marks["read"],
        "max gap": _max_gap(times, start, end),
        "until shown": end - start,
    }
    window.answers["unsaved"] = QMessageBox.StandardButton.Discard
    window.document.undo_stack.setClean()
    window.close()
    window.deleteLater()
    _flush(app)
    return result


def _flush(app) -> None:
    """The window just closed really goes (deferred deletes, its project freed), so that the next round does not
    pay for it while it is timed."""
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
    gc.collect()


def read_on_gui_thread(app, path: Path) -> dict[str, float]:
    """The yardstick: the same file read on the GUI thread, as before (the window frozen meanwhile)."""
    from fcast_desktop.store.project_file import load_project_stamped

    timer, times = _ticks()
    timer.start()
    start = time.perf_counter()
    QTimer.singleShot(0, lambda: None)
    project = load_project_stamped(path)
    app.processEvents()
    end = time.perf_counter()
    timer.stop()
    first = next((t for t in times if t > start), end)
    del project
    _flush(app)
    return {"first tick": first - start, "reading": end - start, "max gap reading": _max_gap(times, start, end)}


def main() -> None:
    args = sys.argv[1:]
    rounds = 3
    if "--rounds" in args:
        i = args.index("--rounds")
        rounds = int(args[i + 1])
        del args[i:i + 2]
    sizes = [int(a) for a in args] or [1000, 10000]
    app = create_application(["fcast-desktop"])
    for n in sizes:
        path = big_project_path(n)
        runs = {"window (worker thread)": [], "yardstick: read on the GUI thread": []}
        for _ in range(rounds):  # alternating, so machine noise hits both alike
            runs["window (worker thread)"].append(open_once(app, path))
            runs["yardstick: read on the GUI thread"].append(read_on_gui_thread(app, path))
        print(f"{n} forms ({path.stat().st_size / 1e6:.1f} MB), median of {rounds}:")
        for name, samples in runs.items():
            figures = ", ".join(f"{key} {statistics.median(s[key] for s in samples) * 1000:.0f} ms"
                                for key in samples[0])
            print(f"  {name:>34}: {figures}")


if __name__ == "__main__":
    main()
