"""Screenshots of the main window for the docs (offscreen): one per form kind, with seed data, flagged cells and
the problems panel. Usage: python tools/screenshots.py [out_dir]"""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FCAST_CONFIG_DIR", str(Path("/tmp") / "fcast-screenshots"))

from fcast_desktop.gui.app import create_application  # noqa: E402
from fcast_desktop.gui.main_window import MainWindow  # noqa: E402
from fcast_desktop.paths import sample_project  # noqa: E402

SHOTS = [
    ("screenshot-declaration.png", "declaration", "离退休干部节日慰问金（科级及以下）", "target", "≥", 0),
    ("screenshot-self-evaluation.png", "self_evaluation", "数据规划管理", "actual", "0.95", 3),
    ("screenshot-department.png", "department_overall", None, "measure_unit", "个", 0),
]


def main(out_dir: Path) -> None:
    app = create_application(["screenshots"])
    for name, kind, project_name, column, bad_value, row in SHOTS:
        window = MainWindow(interactive=False)
        window.resize(1440, 920)
        window.open_path(sample_project())
        form = next(f for f in window.document.project.forms
                    if f.kind == kind and (project_name is None or getattr(f, "project_name", "") == project_name))
        window.show()
        window.select_form(form.id)
        app.processEvents()
        editor = window.editor
        if column:  # type a questionable value into the first row so a flagged cell and its problem show
            model = editor.indicator_model
            col = next(i for i, c in enumerate(model.columns()) if c.key == column)
            model.setData(model.index(row, col), bad_value)
            editor.grid.setCurrentIndex(model.index(row + 1, col + 1))
        window.problems.only_current.setChecked(True)
        app.processEvents()
        window.grab().save(str(out_dir / name))
        print("saved", out_dir / name)
        window.document.undo_stack.setClean()
        window.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs")
