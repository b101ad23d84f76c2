"""Screenshots of the main window for the docs (offscreen).

- ``python tools/screenshots.py [out_dir]``: one per form kind, with seed data, flagged cells and the problems panel
  (docs/screenshot-*.png), and the window as it starts on common office screens (docs/screen-*.png).
- ``python tools/screenshots.py --screens [out_dir]``: only the screens: 1280×720, 1366×768 (the most common office
  laptop), 1920×1080, each at 100 % and 150 % scaling. Each is a fresh program (its own screen: the offscreen
  platform's ``configfile``, ``QT_SCALE_FACTOR``; a fresh profile: the first start) showing the sample project's
  copy; the picture is the whole screen, so a window that does not fit shows as such.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FCAST_CONFIG_DIR", str(Path(tempfile.gettempdir()) / "fcast-screenshots"))

SHOTS = [
    ("screenshot-declaration.png", "declaration", "离退休干部节日慰问金（科级及以下）", "target", "≥", 0),
    ("screenshot-self-evaluation.png", "self_evaluation", "数据规划管理", "actual", "0.95", 3),
    ("screenshot-department.png", "department_overall", None, "measure_unit", "个", 0),
]
SCREENS = [(1280, 720), (1366, 768), (1920, 1080)]
SCALES = [(1.0, 100), (1.5, 150)]
SCREEN_FORM = ("self_evaluation", "数据规划管理")  # a form with a header, a fund table, a grid and problems


def forms_shots(out_dir: Path) -> None:
    from fcast_desktop.gui.app import create_application
    from fcast_desktop.gui.main_window import MainWindow
    from fcast_desktop.paths import sample_project

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


def parts(window) -> dict:
    """Where the window and its parts are on the screen (logical pixels) — what a reader of the picture checks."""
    def rect(widget):
        if widget is None or not widget.isVisible():
            return None
        top_left = widget.mapToGlobal(widget.rect().topLeft())
        return [top_left.x(), top_left.y(), widget.width(), widget.height()]

    editor = window.editor
    return {"screen": [window.screen().availableGeometry().width(), window.screen().availableGeometry().height()],
            "frame": [window.frameGeometry().x(), window.frameGeometry().y(), window.frameGeometry().width(),
                      window.frameGeometry().height()],
            "problems": rect(window.problems), "statusbar": rect(window.statusbar),
            "header": rect(editor.header_area) if editor else None, "grid": rect(editor.grid) if editor else None}


def screen_shot(out: Path, start_page: bool = False) -> None:
    """In a program started for one screen (see ``screens``): the first start, the sample's copy, a self-evaluation
    with a flagged cell; the whole screen saved to ``out``, and the geometry of the parts printed as JSON."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from fcast_desktop.gui.app import create_application
    from fcast_desktop.gui.main_window import MainWindow

    app = create_application(["screenshots"])
    window = MainWindow(interactive=False)
    window.show_first()  # as the program starts (gui/app.py)
    app.processEvents()
    if not start_page:
        window.open_sample()
        kind, name = SCREEN_FORM
        form = next(f for f in window.document.project.forms if f.kind == kind and f.project_name == name)
        window.select_form(form.id)
        app.processEvents()
        model = window.editor.indicator_model
        col = next(i for i, c in enumerate(model.columns()) if c.key == "actual")
        model.setData(model.index(3, col), "0.95")
        window.editor.grid.setCurrentIndex(model.index(4, col + 1))
        window.problems.only_current.setChecked(True)
    for _ in range(3):
        QTimer.singleShot(20, lambda: None)
        app.processEvents()
    if not window.screen().grabWindow(0).save(str(out)):
        raise SystemExit(f"cannot write {out}")
    print(json.dumps(parts(window)))
    window.document.undo_stack.setClean()
    window.close()
    QApplication.processEvents()


def screen_env(width: int, height: int, scale: float, config_dir: Path) -> dict:
    """Environment of a program whose (only) screen is ``width``×``height`` physical pixels at ``scale``."""
    config = config_dir / f"screen-{width}x{height}.json"
    config.write_text(json.dumps({"screens": [{"name": f"Screen{width}x{height}", "x": 0, "y": 0, "width": width,
                                               "height": height, "logicalDpi": 96, "logicalBaseDpi": 96,
                                               "dpr": 1}]}), encoding="utf-8")
    return dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", QT_SCALE_FACTOR=str(scale),
                FCAST_CONFIG_DIR=str(config_dir / f"profile-{width}x{height}-{scale}"))


def screens(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for width, height in SCREENS:
            for scale, percent in SCALES:
                out = out_dir / f"screen-{width}x{height}-{percent}.png"
                env = screen_env(width, height, scale, Path(tmp))
                done = subprocess.run([sys.executable, __file__, "--one", str(out)], env=env, cwd=ROOT,
                                      capture_output=True, text=True, encoding="utf-8", timeout=120)
                if done.returncode != 0:
                    raise SystemExit(f"{out.name}: {done.stderr[-2000:]}")
                print("saved", out, done.stdout.strip().splitlines()[-1])
        out = out_dir / "screen-start-page-1366x768-100.png"
        done = subprocess.run([sys.executable, __file__, "--one-start", str(out)], cwd=ROOT, capture_output=True,
                              text=True, encoding="utf-8", timeout=120,
                              env=screen_env(1366, 768, 1.0, Path(tmp)))
        if done.returncode != 0:
            raise SystemExit(f"{out.name}: {done.stderr[-2000:]}")
        print("saved", out)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    args = sys.argv[1:]
    if args[:1] == ["--one"]:
        screen_shot(Path(args[1]))
    elif args[:1] == ["--one-start"]:
        screen_shot(Path(args[1]), start_page=True)
    elif args[:1] == ["--screens"]:
        screens(Path(args[1]) if len(args) > 1 else ROOT / "docs")
    else:
        target = Path(args[0]) if args else ROOT / "docs"
        forms_shots(target)
        screens(target)
