"""Keystroke-to-repaint latency on a 60-row self-evaluation (target: p99 under 16 ms), offscreen.

Two paths are timed, each from the edit until the event loop has processed the resulting repaint requests:
- a key typed into a header field (每个按键一次撤销命令、规则检查、重绘);
- a value committed into a grid cell (实际完成值), which re-scores the form.
"""

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fcast_desktop.gui.app import create_application  # noqa: E402
from fcast_desktop.gui.main_window import MainWindow  # noqa: E402
from fcast_desktop.model import EvaluationIndicator, Project  # noqa: E402
from fcast_desktop.paths import sample_project  # noqa: E402
from fcast_desktop.store.project_file import load_project  # noqa: E402


def sixty_row_evaluation(project: Project):
    base = next(f for f in project.forms if f.kind == "self_evaluation" and len(f.indicators) >= 20)
    form = base.model_copy(deep=True)
    rows = list(form.indicators)
    while len(rows) < 60:
        src = rows[len(rows) % len(base.indicators)]
        rows.append(EvaluationIndicator(**src.model_dump(exclude={"raw"})))
    form.indicators = rows[:60]
    return form


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    from PySide6.QtWidgets import QApplication

    app = create_application(["bench"])
    window = MainWindow(interactive=False)
    window.resize(1400, 900)
    project = load_project(sample_project())
    form = sixty_row_evaluation(project)
    project.forms.append(form)
    from fcast_desktop.gui.document import ProjectDocument

    window.set_document(ProjectDocument(project))
    window.show()
    window.select_form(form.id)
    editor = window.editor
    app.processEvents()
    header = editor.fields["project_name"].widget
    keys = []
    for n in range(300):
        t = time.perf_counter()
        header.setText(header.text() + "字")
        header.textEdited.emit(header.text())
        app.processEvents()  # runs the queued update requests: Qt repaints what changed
        keys.append((time.perf_counter() - t) * 1000)
    model = editor.indicator_model
    col = next(i for i, c in enumerate(model.columns()) if c.key == "actual")
    cells = []
    for n in range(300):
        index = model.index(n % 60, col)
        t = time.perf_counter()
        model.setData(index, f"{90 + n // 60}.{n % 7}%")
        app.processEvents()
        cells.append((time.perf_counter() - t) * 1000)
    for name, values in (("header keystroke", keys), ("grid cell commit", cells)):
        print(f"{name:>17}: median {statistics.median(values):.1f} ms, p95 {percentile(values, 95):.1f} ms, "
              f"p99 {percentile(values, 99):.1f} ms (n={len(values)}, 60 indicator rows, {len(project.forms)} forms)")
    window.document.undo_stack.setClean()
    window.autosaver.stop()
    os._exit(0)  # skip interpreter teardown of Qt objects


if __name__ == "__main__":
    main()
