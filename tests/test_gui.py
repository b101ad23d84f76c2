"""The real main window, driven offscreen: typing, live validation and scores, undo, paste, save/reopen.

Chinese text is sent as key events carrying the text (QTest's keyClicks is Latin-1 only and aborts the process).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import QEvent, Qt  # noqa: E402
from PySide6.QtGui import QKeyEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from fcast_desktop.store.project_file import load_project  # noqa: E402

pytestmark = pytest.mark.gui


def type_text(widget, text: str) -> None:
    """Key events that carry Unicode text, one per character (what an input method delivers)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))


def press(widget, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyPress, key, modifiers))
    QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyRelease, key, modifiers))


@pytest.fixture(scope="session")
def app():
    from fcast_desktop.gui.app import create_application

    return create_application(["fcast-desktop"])


@pytest.fixture
def project_copy(tmp_path, seed_project_file) -> Path:
    path = tmp_path / "seeds.fcast"
    shutil.copy(seed_project_file, path)
    return path


@pytest.fixture
def window(app, qtbot, project_copy):
    from fcast_desktop.gui.main_window import MainWindow

    w = MainWindow(interactive=False)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    assert w.open_path(project_copy)
    w.show()
    yield w
    w.answers["unsaved"] = QMessageBox.StandardButton.Discard
    w.close()


def select(window, name: str, kind: str):
    form = next(f for f in window.document.project.forms if getattr(f, "project_name", "") == name and f.kind == kind)
    window.select_form(form.id)
    return window.editor


def cell(editor, indicator_name: str, column_key: str):
    model = editor.indicator_model
    form = editor.form
    index = next(i for i, r in enumerate(form.indicators) if r.name == indicator_name)
    row = model.grid_row_of_indicator(index)
    col = next(i for i, c in enumerate(model.columns()) if c.key == column_key)
    return model.index(row, col)


def type_into_cell(qtbot, editor, index, text: str) -> None:
    grid = editor.grid
    grid.setFocus()
    grid.setCurrentIndex(index)
    type_text(grid, text[0])  # the first key opens the editor and replaces the content
    line = grid.viewport().focusWidget() or QApplication.focusWidget()
    type_text(QApplication.focusWidget(), text[1:])
    del line
    with qtbot.waitSignal(editor.indicator_model.dataChanged, timeout=2000):
        press(QApplication.focusWidget(), Qt.Key.Key_Return)


def test_typing_actual_value_updates_score_and_total(window, qtbot):
    editor = select(window, "基层党建", "self_evaluation")
    score_before = window.document.findings(editor.form_id).score
    assert str(score_before.total) in ("98.37",)
    # clear the user's 得分 so the suggestion counts, then miss the target: 1 of ≥2 次
    score_index = cell(editor, "党员政治生日活动次数", "score")
    editor.grid.setCurrentIndex(score_index)
    editor.grid.setFocus()
    press(editor.grid, Qt.Key.Key_Delete)
    assert editor.form.indicators[0].score is None
    type_into_cell(qtbot, editor, cell(editor, "党员政治生日活动次数", "actual"), "1次")
    assert editor.form.indicators[0].actual == "1次"
    found = window.document.findings(editor.form_id)
    assert found.score.rows[0].suggested == 5
    assert str(found.score.total) == "93.37"
    assert score_index.data() == "5"
    assert "总分 93.37" in editor.summary.text()


def test_invalid_target_is_flagged_and_listed_then_undo_restores(window, qtbot):
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    index = cell(editor, "发放离退休干部慰问金人数", "target")
    assert index.data(Qt.ItemDataRole.BackgroundRole) is None
    type_into_cell(qtbot, editor, index, "≥")
    assert editor.form.indicators[0].target == "≥"
    background = index.data(Qt.ItemDataRole.BackgroundRole)
    assert background is not None
    assert index.data(Qt.ItemDataRole.ToolTipRole)
    listed = [p for fid, p in window.problems.model.rows if fid == editor.form_id and p.row == 0 and p.key == "target"]
    assert listed, "the problem is in the problems panel"
    assert window.isWindowModified()
    window.actionUndo.trigger()
    assert editor.form.indicators[0].target == "≥8"
    assert index.data(Qt.ItemDataRole.BackgroundRole) is None
    assert not window.isWindowModified()


def test_paste_tab_separated_block_is_one_undo_step(window, qtbot):
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    start = cell(editor, "发放离退休干部慰问金人数", "name")
    QApplication.clipboard().setText("新的三级指标\t≥10人\t解释一\r\n\"带\n换行\"\t100%\t解释二\r\n")
    editor.grid.setCurrentIndex(start)
    editor.grid.paste()
    rows = editor.form.indicators
    assert (rows[0].name, rows[0].target, rows[0].explanation) == ("新的三级指标", "≥10人", "解释一")
    assert (rows[1].name, rows[1].target, rows[1].explanation) == ("带\n换行", "100%", "解释二")
    window.document.undo_stack.undo()
    assert (rows[0].name, rows[1].target) == ("发放离退休干部慰问金人数", "100%")


def test_copy_gives_tab_separated_text(window):
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    grid = editor.grid
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    grid.selectionModel().select(QItemSelection(cell(editor, "发放离退休干部慰问金人数", "name"),
                                                cell(editor, "发放离退休干部慰问金准确率", "target")),
                                 QItemSelectionModel.SelectionFlag.ClearAndSelect)
    grid.copy_selection()
    assert QApplication.clipboard().text() == "发放离退休干部慰问金人数\t≥8\r\n发放离退休干部慰问金准确率\t100%\r\n"


def test_save_and_reopen_gives_same_data(window, qtbot, project_copy, tmp_path):
    editor = select(window, "网格信息管理", "self_evaluation")
    editor.fields["project_name"].widget.setFocus()
    type_text(editor.fields["project_name"].widget, "（改）")
    assert editor.form.project_name == "网格信息管理（改）"
    assert window.document.undo_stack.count() == 1  # typing burst merged into one step
    target = tmp_path / "saved.fcast"
    assert window._save_to(target)
    assert not window.isWindowModified()
    again = load_project(target)
    assert again.model_dump() == window.document.project.model_dump()
    assert (target.with_name("saved.fcast.bak")).exists() is False


def test_insert_delete_and_not_applicable_keep_the_skeleton(window):
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    form = editor.form
    n = len(form.indicators)
    editor.grid.setCurrentIndex(cell(editor, "发放离退休干部慰问金人数", "name"))
    window.insert_row()
    assert len(form.indicators) == n + 1 and form.indicators[1].level2.value == "quantity"
    editor.grid.setCurrentIndex(cell(editor, "有效提高对离退休干部关爱", "name"))
    window.mark_not_applicable()
    social = [r for r in form.indicators if r.level2.value == "social"]
    assert [r.name for r in social] == ["不适用"]
    # deleting every row of a 二级指标 leaves its placeholder row in the grid
    editor.grid.setCurrentIndex(cell(editor, "不适用", "name"))
    for _ in range(3):
        window.document.undo_stack.undo()
    assert len(form.indicators) == n
    model = editor.indicator_model
    rows_before = model.rowCount()
    editor.grid.setCurrentIndex(cell(editor, "退休干部人员满意度", "name"))
    window.delete_rows()
    assert model.rowCount() == rows_before  # placeholder keeps 服务对象满意度 visible
    placeholder = [g for g in model._rows if g.index is None]
    assert len(placeholder) == 1 and placeholder[0].level2.value == "service_satisfaction"


def test_evaluation_from_declaration(window):
    select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    count = len(window.document.project.forms)
    window.evaluation_from_declaration()
    forms = window.document.project.forms
    assert len(forms) == count + 1
    ev = forms[-1]
    assert ev.kind == "self_evaluation" and ev.project_code == "440304221061500000046"
    assert [r.target for r in ev.indicators][:2] == ["≥8", "100%"]
    assert all(r.actual == "" for r in ev.indicators if r.name != "不适用")
    assert window.editor.form_id == ev.id
    window.document.undo_stack.undo()
    assert len(window.document.project.forms) == count


def test_delete_form_is_undoable(window):
    select(window, "基层党建", "declaration")
    count = len(window.document.project.forms)
    window.delete_form()
    assert len(window.document.project.forms) == count - 1
    window.document.undo_stack.undo()
    assert len(window.document.project.forms) == count


def test_problem_double_click_jumps_to_cell(window):
    window.document.check_all()
    rows = window.problems.model.rows
    form_id, problem = next((fid, p) for fid, p in rows if p.field == "indicators" and p.row is not None)
    window.go_to_problem(form_id, problem)
    QApplication.processEvents()
    assert window.editor.form_id == form_id
    current = window.editor.grid.currentIndex()
    assert window.editor.indicator_model.grid_row(current.row()).index == problem.row


def test_problems_filter_by_severity(window):
    panel = window.problems
    total = panel.proxy.rowCount()
    panel.severity.setCurrentIndex(1)
    errors = panel.proxy.rowCount()
    panel.severity.setCurrentIndex(2)
    warnings = panel.proxy.rowCount()
    assert errors + warnings == total and total > 0


def test_closing_with_unsaved_changes_asks(window):
    editor = select(window, "基层党建", "declaration")
    editor.push_field(("project_name",), "基层党建2", "项目名称")
    window.answers["unsaved"] = QMessageBox.StandardButton.Cancel
    assert not window.close()
    assert window.isVisible()
    window.answers["unsaved"] = QMessageBox.StandardButton.Discard


def test_recovery_after_crash(app, qtbot, project_copy):
    from fcast_desktop.gui.app import offer_recovery
    from fcast_desktop.gui.main_window import MainWindow

    crashed = MainWindow(interactive=False)
    qtbot.addWidget(crashed)
    crashed.open_path(project_copy)
    editor = select(crashed, "基层党建", "declaration")
    editor.push_field(("project_name",), "基层党建（未保存）", "项目名称")
    crashed.autosaver.save_now()
    # the process dies here: no close, no save
    fresh = MainWindow(interactive=False)
    qtbot.addWidget(fresh)
    fresh.answers["recover"] = QMessageBox.StandardButton.Yes
    assert offer_recovery(fresh)
    names = [getattr(f, "project_name", "") for f in fresh.document.project.forms]
    assert "基层党建（未保存）" in names
    assert fresh.document.path == project_copy.resolve() or fresh.document.path == project_copy
    assert fresh.isWindowModified() or fresh.document.modified
    assert load_project(project_copy).forms[2].project_name == "基层党建"  # the file itself is untouched
    crashed.autosaver.stop()


def test_import_paths_and_duplicates(window, seed_paths):
    count = len(window.document.project.forms)
    assert window.import_paths([seed_paths["000"]]) == 0  # already in the project
    assert len(window.document.project.forms) == count


def test_models_pass_qt_model_tester(window, qtmodeltester):
    from fcast_desktop.gui.table_models import FundsTableModel, TasksTableModel

    editor = select(window, "网格信息管理", "self_evaluation")
    qtmodeltester.check(editor.indicator_model)
    qtmodeltester.check(next(v.model() for v in editor.tables if isinstance(v.model(), FundsTableModel)))
    dept = next(f for f in window.document.project.forms if f.kind == "department_overall")
    window.select_form(dept.id)
    qtmodeltester.check(next(v.model() for v in window.editor.tables if isinstance(v.model(), TasksTableModel)))
    qtmodeltester.check(window.editor.indicator_model)
    qtmodeltester.check(window.problems.model)
    qtmodeltester.check(window.problems.proxy)
    qtmodeltester.check(window.tree_model)


@pytest.mark.parametrize("kind", ["pdf", "xlsx"])
def test_export_from_the_window_runs_on_a_worker_thread(window, qtbot, tmp_path, kind):
    from fcast_desktop.gui.export import ExportController

    controller = ExportController(window)
    forms = window.document.project.forms[:3]
    out = tmp_path / f"three.{kind}"
    controller.start(kind, forms, out)
    assert controller.thread.isRunning() or controller.result  # the window stays responsive meanwhile
    qtbot.waitUntil(lambda: controller.result is not None, timeout=30000)
    assert Path(controller.result) == out and out.stat().st_size > 1000
    controller.thread.wait(5000)


def test_cancelled_export_leaves_no_file(window, qtbot, tmp_path):
    from fcast_desktop.gui.export import ExportController

    controller = ExportController(window)
    out = tmp_path / "all.pdf"
    controller.start("pdf", window.document.project.forms, out)
    controller.worker.cancel()
    qtbot.waitUntil(lambda: not controller.thread.isRunning(), timeout=30000)
    assert controller.result is None and not out.exists()


def test_dropping_a_seed_file_imports_it(app, qtbot, seed_paths):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    from fcast_desktop.gui.main_window import MainWindow

    w = MainWindow(interactive=False)
    qtbot.addWidget(w)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(seed_paths["004"]))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    w.dropEvent(event)
    assert [f.kind for f in w.document.project.forms] == ["department_overall"]
    assert w.document.modified
    w.answers["unsaved"] = QMessageBox.StandardButton.Discard
