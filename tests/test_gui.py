"""The real main window, driven offscreen: typing, live validation and scores, undo, paste, save/reopen.

Chinese text is sent as key events carrying the text (QTest's keyClicks is Latin-1 only and aborts the process).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from fcast_desktop.gui.table_models import PathRole
from fcast_desktop.store.project_file import load_project

pytestmark = pytest.mark.gui


def type_text(widget, text: str) -> None:
    """Key events that carry Unicode text, one per character (what an input method delivers)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))


def press(widget, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyPress, key, modifiers))
    QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyRelease, key, modifiers))


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


def test_paste_into_an_empty_level2_placeholder_adds_its_row(window):
    """Pasting into the placeholder row of an empty 二级指标 creates the row, as typing there does; one undo step."""
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    form = editor.form
    editor.grid.setCurrentIndex(cell(editor, "发放离退休干部慰问金人数", "name"))
    window.delete_rows()
    assert not [r for r in form.indicators if r.level2.value == "quantity"]
    model = editor.indicator_model
    name_col = next(i for i, c in enumerate(model.columns()) if c.key == "name")
    placeholder = next(model.index(r, name_col) for r in range(model.rowCount())
                       if model.index(r, name_col).data(PathRole)[0] == "placeholder")
    stack = window.document.undo_stack
    steps = stack.count()
    QApplication.clipboard().setText("新的数量指标\t≥5人\t新的解释\r\n")
    editor.grid.setCurrentIndex(placeholder)
    editor.grid.paste()
    quantity = [r for r in form.indicators if r.level2.value == "quantity"]
    assert [(r.name, r.target, r.explanation) for r in quantity] == [("新的数量指标", "≥5人", "新的解释")]
    assert stack.count() == steps + 1
    stack.undo()
    assert not [r for r in form.indicators if r.level2.value == "quantity"]


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
    assert controller.worker_thread.isRunning() or controller.result  # the window stays responsive meanwhile
    qtbot.waitUntil(lambda: controller.result is not None, timeout=30000)
    assert Path(controller.result) == out and out.stat().st_size > 1000
    controller.worker_thread.wait(5000)


def test_cancelled_export_leaves_no_file(window, qtbot, tmp_path):
    from fcast_desktop.gui.export import ExportController

    controller = ExportController(window)
    out = tmp_path / "all.pdf"
    controller.start("pdf", window.document.project.forms, out)
    controller.worker.cancel()
    qtbot.waitUntil(lambda: not controller.worker_thread.isRunning(), timeout=30000)
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


# ---- review fixes: header typing, Excel-like selection and editing, stars, badges, layout, confirmations ----------

def _field(editor, key):
    widget = editor.fields[key].widget
    widget.setFocus()
    QApplication.processEvents()
    return widget


def test_header_money_is_typed_as_typed_and_formatted_when_editing_finishes(window):
    from decimal import Decimal

    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    amount = _field(editor, "annual_amount")
    assert amount.hasFocus() and amount.text() == "12,000.00"
    amount.selectAll()
    type_text(amount, "45.5")
    assert amount.text() == "45.5" and amount.cursorPosition() == 4  # not "4.01.5", caret where the user typed
    assert editor.form.annual_amount == Decimal("455000.00")  # stored at once: live checks see it
    press(amount, Qt.Key.Key_Backspace)
    assert amount.text() == "45." and editor.form.annual_amount == Decimal("450000.00")
    amount.selectAll()
    type_text(amount, "12000")
    assert amount.text() == "12000" and editor.form.annual_amount == Decimal("120000000.00")  # not "1.00"
    assert window.document.undo_stack.count() == 0  # typed back to the saved value: nothing to undo
    press(amount, Qt.Key.Key_Home)
    type_text(amount, "1")
    assert amount.text() == "112000" and amount.cursorPosition() == 1
    press(amount, Qt.Key.Key_Return)  # editing finished: shown the way the form prints it
    assert amount.text() == "112,000.00"
    total = _field(editor, "total_amount")
    total.selectAll()
    type_text(total, "1,2")
    assert total.text() == "1,2"


def test_separate_edits_of_one_field_are_separate_undo_steps(window):
    """Typing merges into one undo step only until the edit is finished (Enter or leaving the field)."""
    from decimal import Decimal

    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    amount = _field(editor, "annual_amount")
    stack = window.document.undo_stack
    amount.selectAll()
    type_text(amount, "45.5")
    press(amount, Qt.Key.Key_Return)
    amount.selectAll()
    type_text(amount, "30")
    press(amount, Qt.Key.Key_Return)
    assert stack.count() == 2
    stack.undo()
    assert editor.form.annual_amount == Decimal("455000.00") and amount.text() == "45.50"
    stack.undo()
    assert editor.form.annual_amount == Decimal("120000000.00") and amount.text() == "12,000.00"


def test_a_long_text_field_ends_its_undo_step_when_left_and_a_paste_is_a_step_of_its_own(window):
    """测算依据 and the other multi-line fields: leaving the field ends the typing step, as in a one-line field, and
    a paste is an undo step of its own (found by a new user: Ctrl+Z after a small fix took back a whole paste)."""
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    field = _field(editor, "calculation_basis")
    original = field.toPlainText()
    stack = window.document.undo_stack
    cursor = field.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    field.setTextCursor(cursor)
    type_text(field, "；")
    QApplication.clipboard().setText("\n办公费：12×1,500元=18,000元")
    field.paste()
    type_text(field, "。")
    _field(editor, "annual_goal")  # leave the field
    assert not field.hasFocus()
    _field(editor, "calculation_basis")
    cursor = field.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    field.setTextCursor(cursor)
    type_text(field, "12345")
    assert field.toPlainText() == original + "；\n办公费：12×1,500元=18,000元。12345"
    assert stack.count() == 4
    for expected in (original + "；\n办公费：12×1,500元=18,000元。", original + "；\n办公费：12×1,500元=18,000元",
                     original + "；", original):
        window.actionUndo.trigger()
        assert editor.form.calculation_basis == expected and field.toPlainText() == expected


def test_header_undo_and_redo_while_the_field_has_focus(window):
    from decimal import Decimal

    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    amount = _field(editor, "annual_amount")
    amount.selectAll()
    type_text(amount, "45.5")
    window.actionUndo.trigger()  # the toolbar/menu undo while the caret is still in the field
    assert amount.hasFocus() and amount.text() == "12,000.00"
    assert editor.form.annual_amount == Decimal("120000000.00")
    window.actionRedo.trigger()
    assert amount.text() == "45.50" and editor.form.annual_amount == Decimal("455000.00")
    text = _field(editor, "annual_goal")
    before = text.toPlainText()
    text.moveCursor(text.textCursor().MoveOperation.End)
    type_text(text, "（补充）")
    assert text.toPlainText() == before + "（补充）" and text.textCursor().position() == len(before) + 4
    window.actionUndo.trigger()
    assert text.toPlainText() == before and editor.form.annual_goal == before


def test_header_integer_year_and_combo_fields_keep_the_typed_text(window):
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    years = _field(editor, "duration_years")
    years.selectAll()
    type_text(years, "5年")
    assert years.text() == "5年" and editor.form.duration_years == 5  # not cut back to "5" while typing
    press(years, Qt.Key.Key_Return)
    assert years.text() == "5"
    kind = editor.fields["project_type"].widget  # editable combo box
    kind.lineEdit().setFocus()
    kind.lineEdit().selectAll()
    type_text(kind.lineEdit(), "99 自定义")
    assert kind.currentText() == "99 自定义" and editor.form.project_type == "99 自定义"
    evaluation = select(window, "基层党建", "self_evaluation")
    year = _field(evaluation, "year")
    year.selectAll()
    type_text(year, "2024年")
    assert year.text() == "2024年" and evaluation.form.year == 2024
    year.selectAll()
    type_text(year, "20x")  # unreadable: kept as typed, flagged, nothing lost
    assert year.text() == "20x" and evaluation.form.raw.get("year") == "20x"
    assert "background" in year.styleSheet()


def _click(view, index, modifiers=Qt.KeyboardModifier.NoModifier):
    from PySide6.QtTest import QTest

    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifiers, view.visualRect(index).center())


def test_ctrl_click_delete_clears_only_the_selected_cells(window):
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    grid = editor.grid
    rows = editor.form.indicators
    names = [r.name for r in rows[:4]]
    grid.setFocus()
    _click(grid, cell(editor, names[0], "name"))
    _click(grid, cell(editor, names[3], "name"), Qt.KeyboardModifier.ControlModifier)
    press(grid, Qt.Key.Key_Delete)
    assert [r.name for r in rows[:4]] == ["", names[1], names[2], ""]  # not the rows in between
    window.actionUndo.trigger()  # one undo step
    assert [r.name for r in rows[:4]] == names


def test_copy_cut_and_paste_refuse_a_multi_range_selection(window):
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    grid = editor.grid
    rows = editor.form.indicators
    grid.setFocus()
    _click(grid, cell(editor, rows[0].name, "name"))
    _click(grid, cell(editor, rows[2].name, "target"), Qt.KeyboardModifier.ControlModifier)
    QApplication.clipboard().setText("before")
    messages = []
    grid.statusMessage.connect(messages.append)
    press(grid, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "before"
    assert messages[-1] == "不能对多重选定区域执行此操作"
    name = rows[0].name
    press(grid, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier)
    assert rows[0].name == name and messages[-1] == "不能对多重选定区域执行此操作"  # nothing cut
    QApplication.clipboard().setText("a\tb\r\nc\td\r\n")
    press(grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert rows[0].name == name and messages[-1] == "不能对多重选定区域执行此操作"
    QApplication.clipboard().setText("同一个值")
    press(grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)  # one value fills each selected cell
    assert rows[0].name == "同一个值" and rows[2].target == "同一个值" and rows[1].name != "同一个值"
    # a rectangular selection still copies
    _click(grid, cell(editor, rows[1].name, "name"))
    _click(grid, cell(editor, rows[1].name, "target"), Qt.KeyboardModifier.ShiftModifier)
    press(grid, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == f"{rows[1].name}\t{rows[1].target}\r\n"


def test_f2_and_double_click_edit_with_the_caret_at_the_end(window, qtbot):
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    grid = editor.grid
    index = cell(editor, "发放离退休干部慰问金人数", "name")
    grid.setFocus()
    grid.setCurrentIndex(index)
    press(grid, Qt.Key.Key_F2)
    line = grid.viewport().findChild(QLineEdit)
    assert line is not None and line.hasSelectedText() is False
    assert line.cursorPosition() == len("发放离退休干部慰问金人数")
    type_text(line, "（人）")
    with qtbot.waitSignal(editor.indicator_model.dataChanged, timeout=2000):
        press(line, Qt.Key.Key_Return)
    assert editor.form.indicators[0].name == "发放离退休干部慰问金人数（人）"
    target = cell(editor, "发放离退休干部慰问金准确率", "target")
    _click(grid, target)
    QTest.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                      grid.visualRect(target).center())
    line = QApplication.focusWidget()
    assert isinstance(line, QLineEdit) and not line.hasSelectedText() and line.cursorPosition() == len("100%")
    press(line, Qt.Key.Key_Escape)
    # a cell whose text has a line break edits in a multi-line editor, also with the caret at the end
    editor.indicator_model.setData(index, "第一行\n第二行")
    grid.setCurrentIndex(index)
    grid.setFocus()
    press(grid, Qt.Key.Key_F2)
    text = grid.viewport().findChild(QPlainTextEdit)
    assert text is not None and not text.textCursor().hasSelection()
    assert text.textCursor().position() == len("第一行\n第二行")
    press(text, Qt.Key.Key_Escape)
    # a typed key still replaces the whole text (the multi-line editor too)
    type_into_cell(qtbot, editor, index, "新")
    assert editor.form.indicators[0].name == "新"


def test_baoan_forms_show_no_futian_stars(window):
    editor = select(window, "新开办企业刻制公章补贴经费", "declaration")
    assert editor.form.project_code.startswith("440306")
    model = editor.indicator_model
    col = next(i for i, c in enumerate(model.columns()) if c.key == "level2")
    labels = {model.index(r, col).data() for r in range(model.rowCount())}
    assert "数量" in labels and not any(label.startswith("*") for label in labels)
    futian = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    model = futian.indicator_model
    assert model.index(0, col).data() == "*数量"
    # the stars follow the form's 项目编码 when it is edited
    futian.push_field(("project_code",), "440306210601500000540", "项目编码")
    assert model.index(0, col).data() == "数量"


def test_form_list_badges_stay_visible_for_long_names(window):
    from fcast_desktop.gui.panels import BadgeRole, FormListDelegate

    tree = window.projectTree
    window.mainSplitter.setSizes([180, 1200])
    QApplication.processEvents()
    form = next(f for f in window.document.project.forms
                if window.document.findings(f.id).warnings and len(getattr(f, "project_name", "")) > 12
                and f.id != window.editor.form_id)
    index = window.tree_model.index_of_form(form.id)
    assert index.data() == form.project_name  # the name only: the counts are not text that elides
    found = window.document.findings(form.id)
    assert index.data(BadgeRole) == (found.errors, found.warnings)
    assert form.project_name in index.data(Qt.ItemDataRole.ToolTipRole)
    tree.scrollTo(index)
    QApplication.processEvents()
    rect = tree.visualRect(index)
    assert rect.right() > tree.viewport().width() - 40 or rect.width() > 0
    delegate = tree.itemDelegate()
    assert isinstance(delegate, FormListDelegate)
    image = tree.viewport().grab().toImage()
    right = min(rect.right(), tree.viewport().width() - 1)
    badge = tree.fontMetrics().horizontalAdvance("⚠9") + 6
    coloured = [image.pixelColor(x, y) for x in range(right - badge, right) for y in range(rect.top(), rect.bottom())]
    assert any(c.red() > c.green() + 40 and c.red() > c.blue() + 40 for c in coloured), "badge drawn at the right"


def test_problems_panel_shows_rule_codes(window):
    from fcast_desktop.rules import RULES

    window.document.check_all()
    model = window.problems.model
    assert model.rowCount() > 0
    for row in range(model.rowCount()):
        _fid, problem = model.problem(row)
        assert model.index(row, 4).data() == RULES[problem.rule].code
        assert problem.rule in model.index(row, 4).data(Qt.ItemDataRole.ToolTipRole)


def test_menu_access_keys_are_unique_in_each_menu(window):
    import re

    from PySide6.QtWidgets import QMenu

    for menu in window.menuBar().findChildren(QMenu):
        keys = [m.group(1).upper() for a in menu.actions() if not a.isSeparator()
                for m in [re.search(r"&(\w)", a.text())] if m]
        assert len(keys) == len(set(keys)), (menu.title(), keys)
    file_keys = [a.text() for a in window.menuFile.actions()]
    assert any("打印(&P)" in t for t in file_keys) and any("最近打开(&R)" in t for t in file_keys)


def test_not_applicable_on_filled_rows_asks_first(window):
    editor = select(window, "基层党建", "self_evaluation")
    form = editor.form
    before = [r.name for r in form.indicators]
    editor.grid.setCurrentIndex(cell(editor, "党员政治生日活动次数", "name"))
    window.answers["not_applicable"] = QMessageBox.StandardButton.No
    window.mark_not_applicable()
    assert [r.name for r in form.indicators] == before  # declined: nothing removed
    key, text = window.answers["_asked"][-1]
    assert key == "not_applicable" and "1 行" in text and "10 分" in text and "数量指标" in text
    window.answers["not_applicable"] = QMessageBox.StandardButton.Yes
    window.mark_not_applicable()
    assert [r.name for r in form.indicators if r.level2.value == "quantity"] == ["不适用"]
    asked = len(window.answers["_asked"])
    editor.grid.setCurrentIndex(cell(editor, "不适用", "name"))
    window.mark_not_applicable()  # already 不适用: nothing to lose, no question
    assert len(window.answers["_asked"]) == asked


def test_undoing_delete_form_shows_the_restored_form(window):
    editor = select(window, "基层党建", "declaration")
    form_id = editor.form_id
    window.delete_form()
    assert window.editor is not None and window.editor.form_id != form_id  # the neighbour is shown
    window.actionUndo.trigger()
    assert window.editor.form_id == form_id
    assert window.projectTree.currentIndex().data(FormIdRole_()) == form_id
    window.actionRedo.trigger()
    assert window.document.form(form_id) is None and window.editor.form_id != form_id


def FormIdRole_():  # noqa: N802
    from fcast_desktop.gui.panels import FormIdRole

    return FormIdRole


def test_task_total_follows_appropriation_and_other_funds(window, qtbot):
    from decimal import Decimal

    dept = next(f for f in window.document.project.forms if f.kind == "department_overall")
    window.select_form(dept.id)
    editor = window.editor
    editor.add_task()
    view = editor.tasks_view
    model = view.model()
    row = len(dept.tasks) - 1
    col = {c.key: i for i, c in enumerate(model.columns())}

    def type_task(key, text):
        view.setFocus()
        view.setCurrentIndex(model.index(row, col[key]))
        type_text(view, text[0])
        type_text(QApplication.focusWidget(), text[1:])
        with qtbot.waitSignal(model.dataChanged, timeout=2000):
            press(QApplication.focusWidget(), Qt.Key.Key_Return)

    type_task("appropriation", "100")
    assert dept.tasks[row].total == Decimal("100.00")
    type_task("other", "50.5")
    assert dept.tasks[row].total == Decimal("150.50")
    assert model.index(row, col["total"]).data() == "150.50"
    assert not [p for p in window.document.findings(dept.id).problems
                if p.row == row and p.rule == "department.task.sum"]
    window.actionUndo.trigger()  # one step: 其他资金 and the total it made
    assert dept.tasks[row].other is None and dept.tasks[row].total == Decimal("100.00")
    type_task("total", "999")  # the user's own total is never overwritten
    type_task("appropriation", "200")
    assert dept.tasks[row].total == Decimal("999.00")
    # pasting and deleting follow the same rule (a seed task: 总额 = 财政拨款 + 其他资金 0.00)
    view.setCurrentIndex(model.index(0, col["appropriation"]))
    QApplication.clipboard().setText("1,000")
    view.paste()
    assert dept.tasks[0].appropriation == Decimal("1000.00") and dept.tasks[0].total == Decimal("1000.00")
    view.setCurrentIndex(model.index(0, col["other"]))
    QApplication.clipboard().setText("2.5万")
    view.paste()
    assert dept.tasks[0].total == Decimal("26000.00")
    view.setFocus()
    press(view, Qt.Key.Key_Delete)
    assert dept.tasks[0].other is None and dept.tasks[0].total == Decimal("1000.00")
    assert model.index(0, col["total"]).data(Qt.ItemDataRole.ToolTipRole)


def test_changing_the_amount_unit_by_default_keeps_the_amounts(window):
    """Pressing Enter on the question takes 保留金额: no amount changes by 10,000 without a deliberate choice."""
    from decimal import Decimal

    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    form = editor.form
    window.answers.pop("amount_unit", None)  # no answer given: the dialog's default button
    editor.unit_box.setCurrentText("元")
    assert form.amount_unit == "元" and form.annual_amount == Decimal("120000000.00")


def test_changing_the_amount_unit_can_keep_the_typed_digits(window):
    from decimal import Decimal

    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    form = editor.form
    button = QMessageBox.StandardButton
    window.answers["amount_unit"] = button.Cancel
    editor.unit_box.setCurrentText("元")
    assert form.amount_unit == "万元" and editor.unit_box.currentText() == "万元"
    window.answers["amount_unit"] = button.Yes  # keep the digits: 12,000.00 was meant in 元
    stack = window.document.undo_stack
    depth = stack.index()
    editor.unit_box.setCurrentText("元")
    assert form.amount_unit == "元" and form.annual_amount == Decimal("12000.00")
    assert stack.index() == depth + 1 and stack.undoText() == "金额单位改为元（保留所填数字）"
    assert form.total_amount == Decimal("48000.00")
    assert editor.fields["annual_amount"].widget.text() == "12,000.00"
    assert "本年度项目金额（元）" in editor.labels["annual_amount"].text()
    assert not [p for p in window.document.findings(form.id).problems if p.rule.startswith("money.unit")]
    key, text = window.answers["_asked"][-1]
    assert key == "amount_unit" and "12,000.00" in text
    window.actionUndo.trigger()  # one step back to 万元 and the old amounts
    assert form.amount_unit == "万元" and form.annual_amount == Decimal("120000000.00")
    assert editor.unit_box.currentText() == "万元"
    window.answers["amount_unit"] = button.No  # keep the amounts: the digits are converted
    editor.unit_box.setCurrentText("元")
    assert form.amount_unit == "元" and form.annual_amount == Decimal("120000000.00")
    assert editor.fields["annual_amount"].widget.text() == "120,000,000.00"
    assert stack.index() == depth + 1 and stack.undoText() == "金额单位改为元"
    window.actionUndo.trigger()
    assert form.amount_unit == "万元" and editor.fields["annual_amount"].widget.text() == "12,000.00"


def _dark_pixels(image, rect) -> int:
    return sum(1 for x in range(rect.left(), rect.right(), 2) for y in range(rect.top(), rect.bottom(), 2)
               if image.pixelColor(x, y).lightness() < 110)


def test_small_screen_layout_shows_funds_table_and_grid(window, monkeypatch):
    from fcast_desktop.gui import form_editor

    monkeypatch.setattr(form_editor, "_HEADER_HEIGHTS", {})  # no pane height chosen earlier in the session
    window.resize(1280, 720)
    window.fit_panes()  # what the first show does at this size
    editor = select(window, "数据规划管理", "self_evaluation")
    QApplication.processEvents()
    editor.apply_split()
    QApplication.processEvents()
    funds = editor.funds_view
    area = editor.header_area
    # the whole fund table is visible in the header pane, without its own scroll bar and without a gap
    bottom = funds.mapTo(area.viewport(), funds.rect().bottomLeft()).y()
    assert bottom <= area.viewport().height()
    rows = sum(funds.verticalHeader().sectionSize(r) for r in range(4))
    assert funds.viewport().height() >= rows and funds.viewport().height() - rows < 6
    assert not funds.verticalScrollBar().isVisible()
    grid = editor.grid
    assert grid.viewport().height() >= 150  # about six rows of the indicator grid
    assert editor.splitter.sizes()[1] > editor.splitter.sizes()[0] * 0.8
    # the header pane collapses and comes back
    editor.toggle_header()
    assert editor.splitter.sizes()[0] == 0 and "展开" in editor.header_toggle.text()
    editor.toggle_header()
    assert editor.splitter.sizes()[0] > 0 and "收起" in editor.header_toggle.text()


def test_merged_label_stays_visible_when_its_group_is_partly_scrolled_off(window):
    editor = select(window, "数据规划管理", "self_evaluation")
    grid = editor.grid
    model = editor.indicator_model
    col = next(i for i, c in enumerate(model.columns()) if c.key == "level1")
    spans = [(r, n) for r, c, n, _w in model.spans() if c == col]
    start, length = spans[0]  # 产出指标: the first, tallest group
    last = start + length - 1
    editor.splitter.setSizes([700, 220])  # a short grid pane
    QApplication.processEvents()
    # scroll so that only the last two rows of the group are on screen, at the top
    grid.verticalScrollBar().setValue(grid.rowViewportPosition(last - 1) + grid.verticalScrollBar().value())
    QApplication.processEvents()
    top = grid.rowViewportPosition(start)
    bottom = grid.rowViewportPosition(last) + grid.rowHeight(last)
    assert (top + bottom) // 2 < 0 < bottom - 30  # the middle of the merged cell is off screen, its end is not
    image = grid.viewport().grab().toImage()
    from PySide6.QtCore import QRect

    visible = QRect(grid.columnViewportPosition(col) + 3, 0, grid.columnWidth(col) - 6, bottom)
    assert _dark_pixels(image, visible) > 5, "the 一级指标 label is drawn in the visible part of its cell"


# ---- review fixes: row heights follow the recomputed text; forms list; problem locations; N3 on 生成自评表; S4 -----

def _stale_rows(view) -> list[tuple[int, int, int]]:
    """(row, height, needed) of every row whose height is not what measuring its text now gives."""
    out = []
    for r in range(view.model().rowCount()):
        needed = max(view.sizeHintForRow(r), view.verticalHeader().sectionSizeHint(r))
        if view.rowHeight(r) != needed:
            out.append((r, view.rowHeight(r), needed))
    return out


def test_row_is_measured_again_when_its_suggested_score_arrives(window, qtbot, monkeypatch):
    editor = select(window, "数据规划管理", "self_evaluation")
    grid = editor.grid
    # the 得分 column at its printed share, not as wide as the grid keeps it for a score and its suggestion on one
    # line (``widest_texts``): the suggestion wraps, as a long text does in any column
    monkeypatch.setattr(type(editor.indicator_model), "widest_texts", lambda self, col: [])
    editor._sized_for = None
    editor._size_columns()
    QApplication.processEvents()
    assert not _stale_rows(grid)
    index = cell(editor, "指挥中心运营工作完成率", "actual")  # row 4, target 100%, 得分 3 typed
    type_into_cell(qtbot, editor, index, "0.95")
    score = cell(editor, "指挥中心运营工作完成率", "score")
    assert score.data() == "3（建议 0.03）"
    assert grid.rowHeight(score.row()) >= grid.sizeHintForRow(score.row()) > 30, "the suggestion is not clipped"
    assert not _stale_rows(grid)
    window.actionUndo.trigger()  # the suggestion goes away: the row shrinks back
    assert score.data() == "3"
    assert not _stale_rows(grid)


def test_rows_are_measured_again_after_insert_undo_and_in_other_rows(window):
    editor = select(window, "基层党建", "self_evaluation")
    grid = editor.grid
    QApplication.processEvents()
    heights = [grid.rowHeight(r) for r in range(editor.indicator_model.rowCount())]
    assert not _stale_rows(grid)
    grid.setCurrentIndex(cell(editor, "党员政治生日活动次数", "name"))
    window.insert_row()  # 插入三级指标行
    assert not _stale_rows(grid)
    window.actionUndo.trigger()
    assert not _stale_rows(grid)
    assert [grid.rowHeight(r) for r in range(editor.indicator_model.rowCount())] == heights
    window.actionRedo.trigger()
    assert not _stale_rows(grid)
    # computed cells of other rows are measured too: the 合计 row of the department tasks after a task's amount
    dept = next(f for f in window.document.project.forms if f.kind == "department_overall")
    window.select_form(dept.id)
    QApplication.processEvents()  # the header tables are measured at their final widths
    view = window.editor.tasks_view
    model = view.model()
    assert not _stale_rows(view)
    measured = []
    model.textRowsChanged.connect(measured.extend)
    col = next(i for i, c in enumerate(model.columns()) if c.key == "other")
    view.setCurrentIndex(model.index(0, col))
    QApplication.clipboard().setText("1,000")
    view.paste()
    assert sorted(set(measured)) == [0, model.rowCount() - 1]  # the task (其他资金, 总额) and 金额合计
    assert not _stale_rows(view)


def _tree_texts(tree, index):
    """(name as drawn, right-aligned parts as drawn) of a row of the forms list, from its delegate."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    opt = QStyleOptionViewItem()
    opt.rect = tree.visualRect(index)
    opt.widget, opt.font, opt.fontMetrics, opt.palette = tree, tree.font(), tree.fontMetrics(), tree.palette()
    name, parts, _width = tree.itemDelegate().row_texts(opt, index)
    return name, [text for text, _color in parts]


def test_forms_list_opens_at_its_first_group_header(app, qtbot, project_copy):
    from fcast_desktop.gui.main_window import MainWindow

    w = MainWindow(interactive=False)
    qtbot.addWidget(w)
    w.resize(1280, 720)
    assert w.open_path(project_copy)  # selects the first form while the list is not laid out yet
    w.show()
    QApplication.processEvents()
    tree = w.projectTree
    header = w.tree_model.index(0, 0)
    assert tree.indexAt(tree.viewport().rect().topLeft()) == header, "the group header is the first row shown"
    assert tree.currentIndex() == w.tree_model.index_of_form(w.document.project.forms[0].id)
    w.answers["unsaved"] = QMessageBox.StandardButton.Discard
    w.close()


def test_forms_list_group_counts_and_same_names_are_visible(window):
    from fcast_desktop.gui.panels import DetailRole
    from fcast_desktop.model.editing import SetText

    window.resize(1280, 720)
    window.fit_panes()  # the forms list as narrow as on a 1280×720 screen
    QApplication.processEvents()
    tree, model = window.projectTree, window.tree_model
    assert tree.width() < 280
    for g in range(model.rowCount()):  # every group shows its count, 部门（单位）整体… included
        group = model.index(g, 0)
        name, parts = _tree_texts(tree, group)
        count = f"（{model.rowCount(group)}）"
        assert name.endswith(count) or parts == [count], (name, parts)
        assert "…" not in name or parts == [count]
    dept = _tree_texts(tree, model.index(2, 0))
    assert dept == ("部门整体支出绩效目标申报表（1）", [])  # shortened so that it fits; full title in the tooltip
    # two declarations 政府购买服务(物业后勤类) of the same year: told apart by the end of their 项目编码
    same = [f for f in window.document.project.forms if f.kind == "declaration"
            and f.project_name == "政府购买服务(物业后勤类)"]
    assert len(same) == 2
    shown = []
    for form in same:
        index = model.index_of_form(form.id)
        name, parts = _tree_texts(tree, index)
        assert parts[0] == index.data(DetailRole) == "…" + form.project_code[-4:]
        shown.append((name, parts[0]))
    assert shown[0] != shown[1]
    # a declaration and the self-evaluation of the same project: their years
    party = {f.kind: f for f in window.document.project.forms if getattr(f, "project_name", "") == "基层党建"}
    assert {k: model.index_of_form(f.id).data(DetailRole) for k, f in party.items()} == {
        "declaration": "2023", "self_evaluation": "2022"}
    unique = next(f for f in window.document.project.forms if f.project_name == "新开办企业刻制公章补贴经费")
    assert not model.index_of_form(unique.id).data(DetailRole)  # a name of its own: nothing
    # a different year: the year tells them apart
    window.document.edit(same[1].id, [SetText(("year",), "2024")])
    assert [model.index_of_form(f.id).data(DetailRole) for f in same] == ["2023", "2024"]
    assert _tree_texts(tree, model.index_of_form(same[1].id))[1][0] == "2024"


def test_problem_locations_name_their_table(window):
    from fcast_desktop.model import Task

    panel = window.problems
    model = panel.model

    def locations(form_id):
        return {(p.rule, p.row, p.key): model.index(r, 2).data()
                for r, (fid, p) in enumerate(model.rows) if fid == form_id}

    editor = select(window, "数据规划管理", "self_evaluation")
    editor.funds_view.setCurrentIndex(editor.funds_view.model().index(0, 3))  # 分值 of the funds table
    editor.funds_view.model().setData(editor.funds_view.model().index(0, 3), "12")
    editor.funds_view.model().setData(editor.funds_view.model().index(0, 2), "")  # 全年执行数 left empty
    found = locations(editor.form_id)
    assert found[("evaluation.weights.total", 0, "weight")] == "资金使用情况 · 年度资金总额 · 分值"
    assert found[("funds.required", 0, "executed")] == "资金使用情况 · 年度资金总额 · 全年执行数"
    # the department tasks: the table and the task's row
    dept = next(f for f in window.document.project.forms if f.kind == "department_overall")
    window.select_form(dept.id)
    window.editor.add_task()
    n = len(dept.tasks)
    found = locations(dept.id)
    assert found[("department.task.required", n - 1, "name")] == f"年度主要任务 第 {n} 行 · 任务名称"
    assert isinstance(dept.tasks[-1], Task)
    # indicator rows by the number the grid shows, placeholder rows of empty 二级指标 counted
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    editor.grid.setCurrentIndex(cell(editor, "发放离退休干部慰问金人数", "name"))
    window.delete_rows()  # 数量 is empty now: its placeholder is row 1 of the grid
    index = cell(editor, "发放离退休干部慰问金准确率", "target")
    editor.indicator_model.setData(index, "≥")
    assert editor.indicator_model.headerData(index.row(), Qt.Orientation.Vertical) == "2"
    found = locations(editor.form_id)
    assert editor.form.indicators[0].name == "发放离退休干部慰问金准确率"
    target = [where for (rule, row, key), where in found.items() if row == 0 and key == "target"]
    assert target == ["指标 第 2 行 · 指标值"], found


def test_evaluation_from_a_declaration_with_a_unit_trap_offers_the_fix(window):
    from decimal import Decimal

    button = QMessageBox.StandardButton
    select(window, "信息化运维项目", "declaration")
    declaration = window.editor.form
    assert declaration.annual_amount == Decimal("46400000000.00")
    count = len(window.document.project.forms)
    window.answers["evaluation_amount_trap"] = button.Cancel
    window.evaluation_from_declaration()
    assert len(window.document.project.forms) == count  # cancelled: nothing made
    key, text = window.answers["_asked"][-1]
    assert key == "evaluation_amount_trap"
    assert "46,400,000,000.00 元" in text and "4,640,000.00 元" in text and "464万元" in text  # what, and the fix
    window.answers["evaluation_amount_trap"] = button.Yes
    window.evaluation_from_declaration()
    evaluation = window.document.project.forms[-1]
    assert window.editor.form_id == evaluation.id
    assert evaluation.funds.total.initial_budget == Decimal("4640000.00")
    assert evaluation.funds.appropriation.initial_budget == Decimal("4640000.00")
    assert declaration.annual_amount == Decimal("46400000000.00")  # the declaration itself is the user's to fix
    assert window.editor.funds_view.currentIndex().data() == "4,640,000.00"
    window.actionUndo.trigger()  # one undo step: the form and its corrected amount
    assert len(window.document.project.forms) == count
    window.answers["evaluation_amount_trap"] = button.No  # keep the copy: the S15 warning stays on the cell
    window.select_form(declaration.id)
    window.evaluation_from_declaration()
    evaluation = window.document.project.forms[-1]
    assert evaluation.funds.total.initial_budget == Decimal("46400000000.00")
    rules = {p.rule for p in window.document.findings(evaluation.id).problems}
    assert "evaluation.declaration.amount_trap" in rules
    # a declaration without the N3 warning asks nothing
    asked = len(window.answers["_asked"])
    select(window, "新开办企业刻制公章补贴经费", "declaration")
    window.evaluation_from_declaration()
    assert len(window.answers["_asked"]) == asked


def test_score_summary_gives_no_grade_when_the_weights_do_not_add_up(window, qtbot):
    editor = select(window, "数据规划管理", "self_evaluation")
    summary = editor.summary
    assert "等级 优" in summary.text()
    type_into_cell(qtbot, editor, cell(editor, "组建日常运营团队人数", "weight"), "7")  # 2 → 7: 分值合计 105
    total = window.document.findings(editor.form_id).score.total
    text = editor.summary_text()
    assert f"总分 {total}（分值合计 105，应为 100）　等级 —" in text and "优" not in text
    assert f"总分 {total}（分值合计 105，应为 100）" in summary.text() and "#b00020" in summary.text()  # in red
    assert summary.toolTip()
    window.actionUndo.trigger()
    assert "等级 优" in summary.text() and "分值合计" not in summary.text() and not summary.toolTip()
    # 100 in all, but 5 分值 moved from 产出指标 to 效益指标
    rows = editor.form.indicators
    output = next(r for r in rows if r.name == "组建日常运营团队人数")
    benefit = next(r for r in rows if r.level2.value in ("social", "economic", "ecological", "sustainable")
                   and r.weight)
    type_into_cell(qtbot, editor, cell(editor, output.name, "weight"), str(output.weight - 1))
    type_into_cell(qtbot, editor, cell(editor, benefit.name, "weight"), str(benefit.weight + 1))
    assert "（产出指标分值合计 49，应为 50）　等级 —" in editor.summary_text()
    # a new form with no 分值 yet and no 总分: nothing provisional to point out
    select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    window.evaluation_from_declaration()
    assert "总分 —　等级 —" in window.editor.summary_text() and "分值合计" not in window.editor.summary_text()


def test_names_differing_only_in_full_width_brackets_are_told_apart():
    """（…） and (…) look alike in the list: such forms get their year (or code) like same-named forms."""
    from fcast_desktop.gui.panels import form_details
    from fcast_desktop.paths import sample_project
    from fcast_desktop.store.project_file import load_project

    forms = load_project(sample_project()).forms
    half = next(f for f in forms
                if f.kind == "self_evaluation" and f.project_name == "离退休干部节日慰问金(科级及以下)")
    full = next(f for f in forms if f.kind == "declaration" and f.project_name == "离退休干部节日慰问金（科级及以下）")
    details = form_details(forms)
    assert details[half.id] == str(half.year) and details[full.id].startswith(str(full.year))


def test_a_calculation_problem_opens_at_its_expression_in_a_long_text(window, qtbot):
    """D9 in a 测算依据 of many lines: opening the problem selects the wrong expression and scrolls to it (found by a
    fresh-eyes run: the caret went to the end of a 155-line text)."""
    from fcast_desktop.model.editing import SetText

    form = next(f for f in window.document.project.forms if f.kind == "declaration" and f.variant == "basis")
    lines = [f"{n}. 办公费：{n}×1,000元={n * 1000}元" for n in range(1, 60)]
    lines[40] = "41. 印刷费：3×2,000元=6,100元"  # wrong
    window.document.edit(form.id, [SetText(("calculation_basis",), "\n".join(lines))])
    window.select_form(form.id)
    problem = next(p for p in window.document.findings(form.id).problems if p.rule == "calculation.arithmetic")
    window.go_to_problem(form.id, problem)
    field = window.editor.fields["calculation_basis"].widget
    qtbot.waitUntil(lambda: field.textCursor().hasSelection())
    cursor = field.textCursor()
    assert cursor.selectedText() == "3×2,000元=6,100元"
    assert cursor.blockNumber() == 40
    assert field.hasFocus()


def test_a_calculation_in_full_width_digits_opens_at_its_line():
    from PySide6.QtWidgets import QPlainTextEdit

    from fcast_desktop.gui.form_editor import select_quoted

    field = QPlainTextEdit()
    field.setPlainText("说明\n合计：３×２,０００元＝６,１００元\n其余")  # normalised: same length; then a ligature
    assert select_quoted(field, "“3×2,000元=6,100元”算得 6000元，与所写的 6,100元 不符")
    assert field.textCursor().selectedText() == "３×２,０００元＝６,１００元"
    field.setPlainText("㎡\n合计：3×2,000元=6,100元\n其余")  # ㎡ normalises to m2: positions move
    assert select_quoted(field, "“3×2,000元=6,100元”算得 6000元")
    assert field.textCursor().selectedText() == "合计：3×2,000元=6,100元"
    assert not select_quoted(field, "没有引号的说明")


def test_the_problems_list_says_which_line_of_the_text_a_calculation_is_on(window):
    from fcast_desktop.model.editing import SetText

    form = next(f for f in window.document.project.forms if f.kind == "declaration" and f.variant == "basis")
    lines = [f"{n}. 办公费：{n}×1,000元={n * 1000}元" for n in range(1, 60)]
    lines[40] = "41. 印刷费：3×2,000元=6,100元"  # wrong
    window.document.edit(form.id, [SetText(("calculation_basis",), "\n".join(lines))])
    model = window.problems.model
    places = [model.index(r, 2).data() for r in range(model.rowCount())
              if model.rows[r][0] == form.id and model.rows[r][1].rule == "calculation.arithmetic"]
    assert places and all(p.endswith("· 第 41 行") for p in places), places
