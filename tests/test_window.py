"""Issue 13, the window: screens it fits (2), find next (3), jumps that land in view (4), one undo history (5), the
start page instead of the bundled sample (7), the forms list and the window's conventions (8), 由申报表生成自评表
with its year and without duplicates (9), the import result dialog (10), Chinese everywhere (12), and a new
declaration filled in end to end with the keyboard alone. Each drives the real main window, offscreen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fcast_desktop.layouts.levels import level2_name

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QStatusTipEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from conftest import ROOT
from test_gui import press, select, type_text

pytestmark = pytest.mark.gui
Button = QMessageBox.StandardButton
SAMPLE = ROOT / "resources" / "samples" / "sample.fcast"
LATIN_WORD = r"[A-Za-z]{3,}"  # English left in a visible text ("Look in", "bytes", "Folder")


@pytest.fixture
def make_window(app, qtbot):
    """Main windows closed (discarding) at the end of the test; ``size``: the window's size."""
    from fcast_desktop.gui.main_window import MainWindow

    made = []

    def make(path: Path | None = None, size=(1280, 720), interactive: bool = False, **answers):
        w = MainWindow(interactive=interactive)
        qtbot.addWidget(w, before_close_func=_discarding)
        w.answers.update(answers)
        w.resize(*size)
        if path is not None:
            assert w.open_path(path)
        w.show()
        made.append(w)
        return w

    yield make
    for w in made:
        _discarding(w)
        w.close()


def _discarding(w) -> None:
    """Closing at the end of a test asks nothing and keeps nothing."""
    w.interactive = False
    w.answers["unsaved"] = Button.Discard


@pytest.fixture
def window(make_window, project_copy):
    return make_window(project_copy)


def activate(qtbot, window) -> None:
    window.activateWindow()
    window.raise_()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)


def visible_in(widget, area) -> bool:
    """Is all of ``widget`` (or, when it is taller than the scroll area, its top) inside the viewport of ``area``?"""
    viewport = area.viewport()
    top = widget.mapTo(viewport, widget.rect().topLeft()).y()
    bottom = top + min(widget.height(), viewport.height())
    return (widget.isVisible() and area.isVisible() and viewport.height() > 0
            and 0 <= top and bottom <= viewport.height())


def run_app(tmp_path, argv: list[str], report: str, env: dict | None = None) -> dict:
    """``fcast-desktop`` started for real (gui/app.py main) in a subprocess; instead of entering the event loop it runs
    ``report`` (Python, with ``window`` and ``app``) and prints its JSON result."""
    probe = (
        "import json, sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from fcast_desktop.gui.main_window import MainWindow\n"
        "def report(app):\n"
        "    for _ in range(5):\n"
        "        app.processEvents()\n"
        "    window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))\n"
        + "".join(f"    {line}\n" for line in report.splitlines())
        + "    window.document.undo_stack.setClean()\n"
        "    return 0\n"
        "QApplication.exec = lambda self: report(self)\n"
        "from fcast_desktop.gui.app import main\n"
        f"sys.exit(main({['fcast-desktop', *argv]!r}))\n"
    )
    full_env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FCAST_CONFIG_DIR=str(tmp_path / "config"))
    full_env.update(env or {})
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, encoding="utf-8",
                          env=full_env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- 2: a window that fits common office screens ------------------------------------------------------------

FIT_REPORT = """
from PySide6.QtWidgets import QLabel
from fcast_desktop.model import SelfEvaluation
form = next(f for f in window.document.project.forms if isinstance(f, SelfEvaluation))
window.select_form(form.id)
for _ in range(5):
    app.processEvents()
def box(w):
    if w is None or not w.isVisible():
        return None
    p = w.mapToGlobal(w.rect().topLeft())
    return [p.x(), p.y(), w.width(), w.height()]
area = window.screen().availableGeometry()
frame = window.frameGeometry()
editor = window.editor
print(json.dumps({"area": [area.x(), area.y(), area.width(), area.height()],
                  "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
                  "problems": box(window.problemsDock), "status": box(window.statusbar),
                  "status_text": " ".join([window.statusbar.currentMessage()] + [
                      label.text() for label in window.statusbar.findChildren(QLabel) if label.isVisible()]),
                  "header": box(editor.header_area), "grid": box(editor.grid),
                  "grid_rows": editor.grid.viewport().height(),
                  "grid_hscroll": editor.grid.horizontalScrollBar().isVisible(),
                  "row_height": editor.grid.verticalHeader().defaultSectionSize()}))
"""


def _inside(box, frame) -> bool:
    x, y, w, h = box
    fx, fy, fw, fh = frame
    return fx <= x and fy <= y and x + w <= fx + fw and y + h <= fy + fh


@pytest.mark.parametrize("width,height,scale", [(1280, 720, 1.0), (1366, 768, 1.5), (1920, 1080, 1.5)])
def test_first_start_fits_the_screen_with_header_grid_and_problems_visible(tmp_path, width, height, scale):
    """Finding 2: at the first start on a 1280×720 screen (and 1366×768 / 1920×1080 at 150 %) the window is inside
    the screen, and the header, the indicator grid, the problems panel and the status bar with its counts are all
    on screen together; the grid does not scroll sideways."""
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "Office", "x": 0, "y": 0, "width": width, "height": height,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}), encoding="utf-8")
    env = {"QT_QPA_PLATFORM": f"offscreen:configfile={config}", "QT_SCALE_FACTOR": str(scale)}
    got = run_app(tmp_path, [str(SAMPLE)], FIT_REPORT, env)
    area, frame = got["area"], got["frame"]
    assert _inside(frame, area), got
    for part in ("problems", "status", "header", "grid"):
        assert got[part] is not None and _inside(got[part], frame), (part, got)
    assert got["grid_rows"] >= 2 * got["row_height"], got  # at least two indicator rows
    assert got["header"][3] >= 60 and got["problems"][3] >= 80, got
    assert "张表单" in got["status_text"] and "错误" in got["status_text"], got
    assert not got["grid_hscroll"], got


def test_window_geometry_is_remembered_per_screen(make_window, monkeypatch):
    from fcast_desktop.gui.main_window import MainWindow

    first = make_window(size=(700, 500))
    first.move(30, 40)
    key = MainWindow.screen_key(first.screen())
    first.close()  # no changes: nothing asked; the geometry is kept for this screen
    reopened = MainWindow(interactive=False)
    assert (reopened.width(), reopened.height()) == (700, 500)
    reopened.deleteLater()
    # another screen (name or size): its own geometry, the first start there fits that screen
    monkeypatch.setattr(MainWindow, "screen_key", staticmethod(lambda screen: key + "-other"))
    other = MainWindow(interactive=False)
    area = other.screen().availableGeometry()
    assert other.width() <= area.width() and other.height() <= area.height()
    assert (other.width(), other.height()) != (700, 500)
    other.deleteLater()


def test_problems_panel_can_float_and_the_header_collapses_from_the_keyboard(window, qtbot):
    from PySide6.QtWidgets import QDockWidget

    dock = window.problemsDock
    assert dock.features() & QDockWidget.DockWidgetFeature.DockWidgetFloatable
    dock.setFloating(True)  # e.g. onto a second screen, leaving the window to the form
    assert dock.isFloating()
    dock.setFloating(False)
    editor = select(window, "数据规划管理", "self_evaluation")
    activate(qtbot, window)
    QApplication.processEvents()
    assert not editor.header_collapsed()
    QTest.keyClick(editor.grid, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert editor.header_collapsed()
    QTest.keyClick(editor.grid, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not editor.header_collapsed()


# ---- 3: find next finds next ------------------------------------------------------------------------------

def test_find_next_keeps_the_keyboard_in_the_find_box_and_shows_every_hit(window, qtbot):
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    activate(qtbot, window)
    QTest.keyClick(window.editor.grid, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    box = window.findBox
    assert box.hasFocus()
    type_text(box, "离退休干部")
    QTest.keyClick(box, Qt.Key.Key_Return)  # 1: 项目名称
    QTest.keyClick(box, Qt.Key.Key_Return)  # 2: 年度目标, far down the header
    editor = window.editor
    goal = editor.fields["annual_goal"].widget
    assert box.hasFocus(), QApplication.focusWidget()
    assert window.findCount.text().startswith("第 2/")
    assert visible_in(goal, editor.header_area)
    QTest.keyClick(box, Qt.Key.Key_Return)  # 3: 长期目标
    QTest.keyClick(box, Qt.Key.Key_Return)  # 4: the first indicator's 三级指标
    grid = editor.grid
    assert box.hasFocus() and window.findCount.text().startswith("第 4/")
    current = grid.currentIndex()
    assert editor.indicator_model.grid_row(current.row()).index == 0
    assert grid.visualRect(current).intersects(grid.viewport().rect())
    QTest.keyClick(box, Qt.Key.Key_Return)  # a second Enter: the next hit, never an editor on the found cell
    assert grid.state() != grid.State.EditingState and box.hasFocus()
    assert window.findCount.text().startswith("第 5/")
    QTest.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)  # Shift+Enter: back
    assert window.findCount.text().startswith("第 4/")
    QTest.keyClick(box, Qt.Key.Key_F3)
    assert window.findCount.text().startswith("第 5/")
    QTest.keyClick(box, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert window.findCount.text().startswith("第 4/")
    assert editor.form.indicators[0].name == "发放离退休干部慰问金人数"  # nothing typed into the found cell
    assert not window.document.modified


# ---- 4: jumps land in view ------------------------------------------------------------------------------

def test_problem_in_a_header_field_scrolled_away_is_shown_and_focused(window, qtbot):
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    window.resize(1280, 720)
    editor.fields["long_term_goal"].widget.setPlainText("")
    editor.push_field(("annual_goal",), "", "年度目标")  # a required field left empty: a problem
    form_id = editor.form_id
    problem = next(p for p in window.document.findings(form_id).problems if p.field == "annual_goal")
    editor.header_area.verticalScrollBar().setValue(0)
    QApplication.processEvents()
    goal = editor.fields["annual_goal"].widget
    assert not visible_in(goal, editor.header_area)  # what the user had on screen: the top of the header
    window.problems.only_current.setChecked(True)
    view = window.problems.view
    row = next(r for r in range(view.model().rowCount())
               if view.model().index(r, 2).data() == window.problems.model.location(form_id, problem))
    view.setFocus()
    view.setCurrentIndex(view.model().index(row, 0))
    press(view, Qt.Key.Key_Return)  # Enter (or a double-click) in the problems panel
    qtbot.waitUntil(lambda: goal.hasFocus(), timeout=3000)
    assert visible_in(goal, window.editor.header_area)
    # with the header pane collapsed, the jump opens it
    window.editor.toggle_header()
    assert window.editor.header_collapsed()
    view.setFocus()
    press(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: goal.hasFocus(), timeout=3000)
    assert not window.editor.header_collapsed() and visible_in(goal, window.editor.header_area)


# ---- 5: one undo history ----------------------------------------------------------------------------------

def test_ctrl_z_and_ctrl_y_in_header_fields_use_the_one_undo_history(window, qtbot):
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    activate(qtbot, window)
    name = editor.fields["project_name"].widget
    unit = editor.fields["applicant_unit"].widget
    goal = editor.fields["annual_goal"].widget
    before = (editor.form.project_name, editor.form.applicant_unit, editor.form.annual_goal)
    name.setFocus()
    name.end(False)
    type_text(name, "A")
    unit.setFocus()  # leaving the field: its edit is finished, the next one is a step of its own
    unit.end(False)
    type_text(unit, "B")
    goal.setFocus()
    goal.moveCursor(goal.textCursor().MoveOperation.End)
    type_text(goal, "C")
    assert (editor.form.project_name, editor.form.applicant_unit) == (before[0] + "A", before[1] + "B")
    QTest.keyClick(goal, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(goal, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(goal, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (editor.form.project_name, editor.form.applicant_unit, editor.form.annual_goal) == before
    assert (name.text(), unit.text(), goal.toPlainText()) == before
    QTest.keyClick(goal, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)  # redo, from the long text too
    assert editor.form.project_name == before[0] + "A" and name.text() == before[0] + "A"
    unit.setFocus()
    QTest.keyClick(unit, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)  # and from a line edit
    assert editor.form.applicant_unit == before[1] + "B"
    QTest.keyClick(unit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert editor.form.annual_goal == before[2] + "C"  # Ctrl+Shift+Z redoes as well
    # the fields' right-click menus undo in the same history
    menu = editor.fields["applicant_unit"].context_menu(unit)
    undo = next(a for a in menu.actions() if a.objectName() == "edit-undo")
    assert undo.text().startswith("撤销") and undo.isEnabled()
    undo.trigger()
    assert editor.form.annual_goal == before[2]
    menu = editor.fields["annual_goal"].context_menu(goal)
    next(a for a in menu.actions() if a.objectName() == "edit-redo").trigger()
    assert editor.form.annual_goal == before[2] + "C"
    window.document.undo_stack.clear()
    QTest.keyClick(unit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # nothing left to undo: no own undo
    assert unit.text() == before[1] + "B"
    menu = editor.fields["applicant_unit"].context_menu(unit)
    assert not next(a for a in menu.actions() if a.objectName() == "edit-undo").isEnabled()


# ---- 7: a start page, the sample only as a copy -----------------------------------------------------------

def test_starting_without_a_file_shows_the_start_page_not_the_sample(tmp_path):
    got = run_app(tmp_path, [], """
print(json.dumps({"forms": len(window.document.project.forms), "path": str(window.document.path),
                  "page": window.editorStack.currentWidget().objectName(),
                  "buttons": sorted(b.text() for b in window.editorStack.currentWidget().findChildren(
                      __import__("PySide6.QtWidgets", fromlist=["QPushButton"]).QPushButton))}))
""")
    assert got["forms"] == 0 and got["path"] == "None"
    assert got["page"] == "startPage"
    assert {"打开项目(&O)…", "打开示例（副本）(&S)", "新建目标申报表(&D)", "导入公开表格(&I)…"} <= set(got["buttons"])


def test_sample_opens_as_an_unsaved_copy_and_dialogs_start_in_documents(make_window, tmp_path, monkeypatch):
    from fcast_desktop.gui import file_dialogs

    documents = tmp_path / "文档"
    documents.mkdir()
    monkeypatch.setattr(file_dialogs, "documents_dir", lambda: str(documents))
    samples = SAMPLE.parent
    before = {p.name: p.stat().st_mtime_ns for p in samples.iterdir()}
    w = make_window()
    assert w.editorStack.currentWidget() is w.start_page
    assert w._last_dir() == str(documents)  # no recent project yet: the documents folder
    w.start_page.buttons["sample"].click()
    assert len(w.document.project.forms) == 64
    assert w.document.path is None and "示例项目（副本）" in w.windowTitle()
    editor = w.editor
    editor.push_field(("project_name",), "改过的名称", "项目名称")
    assert not w.save()  # Ctrl+S: a file name is asked for (none given here): nothing written
    asked = [start for key, start in w.answers["_asked"] if key == "save_as_path"]
    assert asked and Path(asked[-1]).parent == documents
    w.answers["save_as_path"] = samples / "sample.fcast"  # the program folder is refused
    assert not w.save_as()
    assert {p.name: p.stat().st_mtime_ns for p in samples.iterdir()} == before  # no change, no .bak
    w.answers["save_as_path"] = documents / "我的项目.fcast"
    assert w.save()
    assert (documents / "我的项目.fcast").exists() and w.document.path == documents / "我的项目.fcast"
    assert {p.name: p.stat().st_mtime_ns for p in samples.iterdir()} == before
    assert str(SAMPLE) not in w.recent_files()


# ---- 8: forms list, access keys, status bar, 项目类型 ---------------------------------------------------------

def test_forms_list_right_click_menu_acts_on_the_clicked_form(window, qtbot, tmp_path):
    select(window, "基层党建", "self_evaluation")
    forms = window.document.project.forms
    target = next(f for f in forms
                  if f.kind == "declaration" and f.project_name == "离退休干部节日慰问金（科级及以下）")
    index = window.tree_model.index_of_form(target.id)
    menu = window.forms_menu(index)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["打开(&O)", "复制表单(&C)", "由申报表生成自评表(&G)", "删除(&D)", "导出此表(&E)"]
    actions = {a.text(): a for a in menu.actions()}
    actions["复制表单(&C)"].trigger()
    assert len(window.document.project.forms) == len(forms) + 1
    copy = window.document.form(window.current_form_id())
    assert copy.project_name == target.project_name + "（副本）"
    window.answers["export_path"] = tmp_path / "此表.pdf"
    menu = window.forms_menu(window.tree_model.index_of_form(target.id))
    export = next(a.menu() for a in menu.actions() if a.text() == "导出此表(&E)")
    export.actions()[0].trigger()  # PDF…
    assert window.current_form_id() == target.id
    assert not [k for k, _t in window.answers["_asked"] if k == "export_scope"]  # this form, nothing asked
    qtbot.waitUntil(lambda: (tmp_path / "此表.pdf").exists(), timeout=20000)
    menu = window.forms_menu(window.tree_model.index_of_form(copy.id))
    {a.text(): a for a in menu.actions()}["删除(&D)"].trigger()
    assert window.document.form(copy.id) is None
    evaluation = next(f for f in forms if f.kind == "self_evaluation")
    menu = window.forms_menu(window.tree_model.index_of_form(evaluation.id))
    assert not {a.text(): a for a in menu.actions()}["由申报表生成自评表(&G)"].isEnabled()
    # the menu key opens it for the current form, with the keyboard
    window.projectTree.setFocus()
    window.projectTree.setCurrentIndex(window.tree_model.index_of_form(evaluation.id))
    shown = []
    QTimer.singleShot(0, lambda: (shown.append(QApplication.activePopupWidget()),
                                  QApplication.activePopupWidget() and QApplication.activePopupWidget().close()))
    QApplication.sendEvent(window.projectTree.viewport(), _context_menu_key_event(window))
    assert shown and shown[0] is not None and shown[0].objectName() == "formsMenu"


def _context_menu_key_event(window):
    from PySide6.QtGui import QContextMenuEvent

    rect = window.projectTree.visualRect(window.projectTree.currentIndex())
    return QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, rect.center(),
                             window.projectTree.viewport().mapToGlobal(rect.center()))


def test_arrow_keys_in_the_forms_list_switch_the_form(window, qtbot):
    select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    tree = window.projectTree
    tree.setFocus()
    first = window.current_form_id()
    QTest.keyClick(tree, Qt.Key.Key_Down)
    below = tree.currentIndex().data(Qt.ItemDataRole.UserRole + 10)
    assert below and below != first
    qtbot.waitUntil(lambda: window.current_form_id() == below, timeout=3000)
    assert tree.hasFocus()  # the keyboard stays in the list
    QTest.keyClick(tree, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: window.current_form_id() == first, timeout=3000)


def test_save_discard_cancel_have_access_keys(make_window, project_copy, qtbot):
    w = make_window(project_copy, interactive=True)
    select(w, "基层党建", "self_evaluation").push_field(("project_name",), "改过", "项目名称")
    seen = {}

    def answer():
        box = QApplication.activeModalWidget()
        seen["buttons"] = {box.buttonRole(b): b.text() for b in box.buttons()}
        box.button(Button.Cancel).click()

    QTimer.singleShot(100, answer)
    assert not w.maybe_save()
    texts = sorted(seen["buttons"].values())
    assert texts == sorted(["保存(&S)", "丢弃(&D)", "取消(&C)"]), texts


def test_status_bar_counts_stay_after_hovering_a_menu(window):
    status = window.statusbar

    def shown() -> str:
        labels = [label.text() for label in status.findChildren(type(window.findCount)) if label.isVisible()]
        return " ".join([status.currentMessage()] + labels)

    assert "64" not in shown() and "张表单" in shown() and "错误" in shown()
    window.actionSave.hover()  # a status tip replaces the temporary message…
    QApplication.sendEvent(window, QStatusTipEvent(window.actionSave.statusTip()))
    QApplication.sendEvent(window, QStatusTipEvent(""))  # …and leaving the menu clears it
    assert "张表单" in shown() and "错误" in shown()


def test_project_type_choices_are_listed_once_each_by_code(window):
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    combo = editor.fields["project_type"].widget
    items = [combo.itemText(i) for i in range(combo.count())]
    assert items == ["", "01 其他项目", "03 专项资金项目", "15 其他经费", "15 履职类项目"]
    assert combo.currentText() == "15 其他经费"


# ---- 9: 由申报表生成自评表: the year, and an update instead of a duplicate -------------------------------------

def test_evaluation_from_declaration_takes_the_year_and_updates_instead_of_duplicating(window):
    from fcast_desktop.model import Level2

    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    declaration = editor.form
    # a new declaration: its year unknown, the 时效 target names it
    window.new_form("declaration")
    new = window.editor
    new.push_field(("project_code",), "440304221061500000999", "项目编码")
    new.push_field(("project_name",), "测试项目", "项目名称")
    rows = list(new.form.indicators) + [type(declaration.indicators[0])(level2=Level2.TIMELINESS, name="完成时间",
                                                                          target="2025年12月31日前"),
                                         type(declaration.indicators[0])(level2=Level2.QUANTITY, name="次数",
                                                                         target="≥2次")]
    from fcast_desktop.model.editing import ReplaceRows

    window.document.edit(new.form_id, [ReplaceRows("indicators", rows)], "x")
    new.form.year = None
    declaration_id = new.form_id
    count = len(window.document.project.forms)
    window.evaluation_from_declaration()
    evaluation = window.editor.form
    assert evaluation.kind == "self_evaluation" and evaluation.year == 2025
    assert len(window.document.project.forms) == count + 1
    # the user fills in the self-evaluation
    index = next(i for i, r in enumerate(evaluation.indicators) if r.name == "次数")
    model = window.editor.indicator_model
    for key, text in (("actual", "3次"), ("score", "5"), ("deviation", "提前完成")):
        col = next(c for c, spec in enumerate(model.columns()) if spec.key == key)
        model.setData(model.index(model.grid_row_of_indicator(index), col), text)
    # the declaration's target changes; 由申报表生成自评表 again
    window.select_form(declaration_id)
    changed = [r.model_copy() for r in window.editor.form.indicators]
    number = next(r for r in changed if r.name == "次数")
    number.target = "≥3次"
    window.document.edit(declaration_id, [ReplaceRows("indicators", changed)], "x")
    stack = window.document.undo_stack
    steps = stack.index()
    window.evaluation_from_declaration()
    assert any(key == "evaluation_update" for key, _t in window.answers["_asked"])
    assert len(window.document.project.forms) == count + 1  # no duplicate
    assert window.current_form_id() == evaluation.id
    row = next(r for r in window.document.form(evaluation.id).indicators if r.name == "次数")
    assert (row.target, row.actual, str(row.score), row.deviation) == ("≥3次", "3次", "5", "提前完成")
    assert stack.index() == steps + 1  # one undo step
    stack.undo()
    row = next(r for r in window.document.form(evaluation.id).indicators if r.name == "次数")
    assert (row.target, row.actual) == ("≥2次", "3次")
    # declined: nothing changes
    window.select_form(declaration_id)
    window.answers["evaluation_update"] = Button.Cancel
    window.evaluation_from_declaration()
    assert stack.index() == steps and stack.count() == steps + 1  # nothing pushed
    assert len(window.document.project.forms) == count + 1


# ---- 10: the import result dialog ----------------------------------------------------------------------------

def test_import_result_lists_every_note_with_copy_and_a_jump_to_the_form(make_window, seed_paths, tmp_path, qtbot):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"PK\x03\x04 not a workbook")
    w = make_window()
    imported = w.import_paths([seed_paths["003"], seed_paths["003"], bad])
    assert imported == 11
    dialog = w.import_result
    assert dialog.summary.text() == "导入 11 张表单；跳过 11 张（已在项目中，未重复导入）；1 个文件无法导入"
    table = dialog.table
    rows = [[table.item(r, c).text() for c in range(4)] for r in range(table.rowCount())]
    seed_name = seed_paths["003"].name
    assert sum(r[2] == "已导入" for r in rows) == 11 and sum(r[2] == "未导入" for r in rows) == 11
    assert ["坏文件.xlsx", "", "无法导入", "文件已损坏或不是 Excel 工作簿（.xlsx），无法读取"] in rows
    note = next(r for r in range(len(rows)) if rows[r][0] == seed_name and rows[r][1] == "250"
                and "总分" in rows[r][3])
    assert rows[note][2] == "注意"
    dialog.copy_button.click()
    copied = QApplication.clipboard().text()
    assert copied.startswith(dialog.summary.text()) and "\t250\t注意\t原表总分 99.88" in copied
    # double-click the note: the form it is about (the one starting before line 250 in that file)
    dialog.show()
    qtbot.waitExposed(dialog)
    table.scrollToItem(table.item(note, 3))
    where = table.visualItemRect(table.item(note, 3)).center()
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where)
    QTest.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where)
    form = w.document.form(w.current_form_id())
    assert form is not None and form.source.startswith(seed_name)
    assert int(form.source.rsplit(":", 1)[1]) <= 250
    later = [f for f in w.document.project.forms if f.source.startswith(seed_name)
             and int(f.source.rsplit(":", 1)[1]) <= 250]
    assert form is max(later, key=lambda f: int(f.source.rsplit(":", 1)[1]))


# ---- 12: every visible string Chinese -------------------------------------------------------------------------

def test_open_dialog_speaks_chinese(make_window, project_copy, qtbot, tmp_path):
    import re

    from PySide6.QtWidgets import QAbstractButton, QFileDialog, QLabel, QTreeView

    w = make_window(project_copy, interactive=True)
    (project_copy.parent / "子文件夹").mkdir()
    seen: dict = {}

    def inspect():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(50, inspect)
            return
        dialog.setDirectory(str(project_copy.parent))
        view = dialog.findChild(QTreeView, "treeView")
        dialog.findChild(QAbstractButton, "detailModeButton").click()
        qtbot.waitUntil(lambda: view.model().rowCount(view.rootIndex()) >= 2, timeout=5000)
        texts = [lab.text() for lab in dialog.findChildren(QLabel) if lab.isVisible() and lab.text()]
        texts += [b.text() for b in dialog.findChildren(QAbstractButton) if b.isVisible() and b.text()]
        model = view.model()
        root = view.rootIndex()
        texts += [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)]
        texts += [model.index(r, c, root).data() or "" for r in range(model.rowCount(root)) for c in (1, 2, 3)]
        seen["texts"] = texts
        dialog.reject()

    QTimer.singleShot(50, inspect)
    w.open_dialog()
    texts = seen["texts"]
    english = [t for t in texts if re.search(LATIN_WORD, re.sub(r"FCAST|Excel|PDF|XLSX|TXT", "", t))]
    assert not english, english
    assert "查找范围(&I)：" in texts and "文件类型(&T)：" in texts and "文件夹" in texts
    assert any(re.fullmatch(r"\d+(\.\d)? (字节|KB|MB)", t) for t in texts), texts


def test_export_errors_are_chinese(tmp_path, seed_project):
    from fcast_desktop.gui.export import ExportWorker

    worker = ExportWorker("xlsx", seed_project, seed_project.forms[:1], tmp_path / "没有的文件夹" / "x.xlsx")
    messages = []
    worker.failed.connect(messages.append)
    worker.run()
    assert messages and "没有的文件夹" in messages[0]
    assert "Errno" not in messages[0] and "No such file" not in messages[0] and "不存在" in messages[0]


# ---- the keyboard alone: a new declaration from the start page to the saved file ----------------------------------

def _key(qtbot, key, modifiers=Qt.KeyboardModifier.NoModifier, text=None) -> None:
    """One key to whatever has the focus, as a keyboard delivers it (shortcuts first)."""
    widget = QApplication.focusWidget()
    assert widget is not None
    QTest.keyClick(widget, key, modifiers)


def _type(text: str) -> None:
    """Each character to whatever has the focus then (the first key over a cell opens its editor)."""
    for ch in text:
        type_text(QApplication.focusWidget(), ch)


def test_keyboard_only_walkthrough_fills_and_saves_a_new_declaration(make_window, tmp_path, qtbot):
    from fcast_desktop.model import LEVEL2_INFO
    from fcast_desktop.store.project_file import load_project

    w = make_window(save_as_path=tmp_path / "键盘.fcast")
    activate(qtbot, w)
    assert w.editorStack.currentWidget() is w.start_page
    QTest.keyClick(QApplication.focusWidget() or w, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # 新建目标申报表
    qtbot.waitUntil(lambda: w.editor is not None, timeout=3000)  # (a button's access key clicks it 100 ms later)
    assert w.editor.form.kind == "declaration"
    header = {
        "project_code": "440304221061500000777", "project_name": "键盘项目", "applicant_unit": "某单位",
        "budget_unit": "某单位", "duration_years": "1",
    }
    for key in ("project_code", "project_name", "applicant_unit", "budget_unit", "duration_years"):
        assert QApplication.focusWidget() is w.editor.fields[key].widget, (key, QApplication.focusWidget())
        _type(header[key])
        _key(qtbot, Qt.Key.Key_Tab)
    for key in ("project_type", "is_new", "allocation_method"):  # combo boxes: ↓ picks the first choice
        assert QApplication.focusWidget() in (w.editor.fields[key].widget, w.editor.fields[key].widget.lineEdit())
        if key == "project_type":
            _type("15 其他经费")
        else:
            _key(qtbot, Qt.Key.Key_Down)
            _key(qtbot, Qt.Key.Key_Down)
        _key(qtbot, Qt.Key.Key_Tab)
    for key, text in (("total_amount", "10"), ("annual_amount", "10")):
        assert QApplication.focusWidget() is w.editor.fields[key].widget
        _type(text)
        _key(qtbot, Qt.Key.Key_Tab)
    while QApplication.focusWidget() is not w.editor.fields["policy_basis"].widget:  # 表式, 金额单位
        _key(qtbot, Qt.Key.Key_Tab)
    for key in ("policy_basis", "calculation_basis", "annual_goal", "long_term_goal"):
        assert QApplication.focusWidget() is w.editor.fields[key].widget
        _type(f"{key}文字")
        _key(qtbot, Qt.Key.Key_Tab)
    grid = w.editor.grid
    assert QApplication.focusWidget() is grid
    mandatory = [info.key for info in LEVEL2_INFO.values() if info.futian_mandatory]
    for level2 in mandatory:
        model = w.editor.indicator_model
        # move down (keys only) to the row of this 二级指标, in the 三级指标 column
        name_col = next(i for i, c in enumerate(model.columns()) if c.key == "name")
        for _ in range(20):
            current = grid.currentIndex()
            if current.isValid() and model.grid_row(current.row()).level2 == level2 and current.column() == name_col:
                break
            if current.column() < name_col:
                _key(qtbot, Qt.Key.Key_Right)
            else:
                _key(qtbot, Qt.Key.Key_Down)
        _type(f"{level2_name(level2, 'short')}指标")
        _key(qtbot, Qt.Key.Key_Tab)
        _type("≥1次")
        _key(qtbot, Qt.Key.Key_Tab)
        _type("说明")
        _key(qtbot, Qt.Key.Key_Return)
    _key(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = load_project(tmp_path / "键盘.fcast")
    form = saved.forms[0]
    assert form.project_name == "键盘项目" and form.annual_goal == "annual_goal文字"
    for level2 in mandatory:
        rows = [r for r in form.indicators if r.level2 == level2]
        assert rows and (rows[0].name, rows[0].target, rows[0].explanation) == (
            f"{level2_name(level2, 'short')}指标", "≥1次", "说明"), level2


def test_updating_a_self_evaluation_keeps_everything_the_user_filled_in():
    """model/evaluation_update.py: rows found again keep their values; rows the declaration dropped are kept when
    filled in, dropped when empty; empty header fields are filled, filled ones never overwritten."""
    from decimal import Decimal

    from fcast_desktop.model import Declaration, DeclarationIndicator, EvaluationIndicator, Level2, SelfEvaluation
    from fcast_desktop.model.evaluation_update import declaration_year, existing_evaluation, update_evaluation

    declaration = Declaration(project_code="440304221061500000001", project_name="项目", annual_goal="目标甲",
                              annual_amount=Decimal("1000.00"), indicators=[
                                  DeclarationIndicator(level2=Level2.QUANTITY, name="次数", target="≥3次"),
                                  DeclarationIndicator(level2=Level2.QUANTITY, name="新指标", target="1个"),
                                  DeclarationIndicator(level2=Level2.TIMELINESS, name="完成时间",
                                                       target="2024 年12月底前")])
    assert declaration_year(declaration) == 2024
    evaluation = SelfEvaluation(project_code="440304221061500000001", year=2024, expected_goal="我写的目标",
                                indicators=[
                                    EvaluationIndicator(level2=Level2.QUANTITY, name="次 数", target="≥2次",
                                                        actual="3次", score=Decimal("5"), deviation="原因"),
                                    EvaluationIndicator(level2=Level2.QUALITY, name="已删的指标", target="100%",
                                                        actual="90%"),
                                    EvaluationIndicator(level2=Level2.COST, name="空行", target="≤10万元")])
    other_year = evaluation.model_copy(update={"id": "x", "year": 2023})
    from fcast_desktop.model import Project

    project = Project(forms=[other_year, declaration, evaluation])
    assert existing_evaluation(project, declaration, 2024) is evaluation
    assert existing_evaluation(project, declaration, 2025) is None
    update = update_evaluation(evaluation, declaration, 2024)
    new = update.form
    assert new.id == evaluation.id and evaluation.indicators[0].target == "≥2次"  # the original is left alone
    rows = {r.name: r for r in new.indicators}
    assert (rows["次数"].target, rows["次数"].actual, rows["次数"].score, rows["次数"].deviation) == (
        "≥3次", "3次", Decimal("5"), "原因")
    assert rows["新指标"].target == "1个" and not rows["新指标"].actual
    assert rows["已删的指标"].actual == "90%" and "空行" not in rows  # filled in: kept; empty: dropped
    assert (update.refreshed, update.added, update.kept, update.removed) == (1, 2, 1, 1)
    assert new.expected_goal == "我写的目标" and update.kept_goal  # never overwritten, said so
    assert new.project_name == "项目" and new.funds.total.initial_budget == Decimal("1000.00")
    assert new.declaration_id == declaration.id
