"""The indicator grid works like a spreadsheet in every row (issue 13: findings 1, 6 and the grid parts of 8), driven
on the real main window with key and mouse events: typing into the placeholder row of an empty 二级指标, Tab and
Enter after the commit, paste by the form's structure, the right-click menu, Tab into and out of the grid, one
current cell per form.

Chinese text is sent as key events carrying the text (``type_text``): QTest's keyClicks is Latin-1 only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import Qt, QTimer, qInstallMessageHandler
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QMessageBox, QPlainTextEdit

from test_gui import cell, press, select, type_text

pytestmark = pytest.mark.gui
Button = QMessageBox.StandardButton
Key = Qt.Key
Mod = Qt.KeyboardModifier


@pytest.fixture
def make_window(app, qtbot):
    from fcast_desktop.gui.main_window import MainWindow

    made = []

    def make(path: Path | None = None):
        w = MainWindow(interactive=False)
        qtbot.addWidget(w)
        w.resize(1400, 900)
        if path is not None:
            assert w.open_path(path)
        w.show()
        w.activateWindow()
        qtbot.waitExposed(w)
        made.append(w)
        return w

    yield make
    for w in made:
        w.answers["unsaved"] = Button.Discard
        w.close()


@pytest.fixture
def window(make_window, project_copy):
    return make_window(project_copy)


@pytest.fixture
def new_declaration(make_window):
    """A window on a new project with one new declaration: ten empty 二级指标, each a placeholder row."""
    w = make_window()
    w.new_form("declaration")
    QApplication.processEvents()
    return w


@pytest.fixture
def qt_messages():
    """Every message Qt logs (qWarning …) while the test runs."""
    seen: list[str] = []
    previous = qInstallMessageHandler(lambda _mode, _context, message: seen.append(message))
    yield seen
    qInstallMessageHandler(previous)


def no_foreign_editor_warnings(messages: list[str]) -> bool:
    QApplication.processEvents()  # an editor deleted later would log when its focus goes
    return not [m for m in messages if "does not belong to this view" in m or "QAbstractItemView" in m]


# ---- helpers ----------------------------------------------------------------------------------------------


def col_of(model, key: str) -> int:
    return next(i for i, c in enumerate(model.columns()) if c.key == key)


def group_rows(model, level2: str) -> list[int]:
    """Grid rows of a 二级指标 (its placeholder row when it has no indicator)."""
    return [r for r in range(model.rowCount()) if model.grid_row(r).level2.value == level2]


def group_cell(editor, level2: str, key: str, nth: int = 0):
    model = editor.indicator_model
    return model.index(group_rows(model, level2)[nth], col_of(model, key))


def click(view, index, button=Qt.MouseButton.LeftButton, modifiers=Mod.NoModifier) -> None:
    view.scrollTo(index)
    QTest.mouseClick(view.viewport(), button, modifiers, view.visualRect(index).center())


def focus():
    return QApplication.focusWidget()


def cell_editor(view):
    """The open cell editor of ``view`` (None when no cell is being edited)."""
    widget = focus()
    return widget if isinstance(widget, (QLineEdit, QPlainTextEdit)) and view.isAncestorOf(widget) else None


def type_in_grid(view, text: str) -> None:
    """Keys as the user types them over the current cell: the first opens the editor, the rest go into it."""
    type_text(focus(), text[0])
    assert cell_editor(view) is not None, "the first key opens the cell editor"
    type_text(focus(), text[1:])


def names(form, level2: str) -> list[str]:
    return [r.name for r in form.indicators if r.level2.value == level2]


def at(view) -> tuple[int, int]:
    index = view.currentIndex()
    return index.row(), index.column()


# ---- finding 1: every row typeable like Excel, placeholders included ----------------------------------------


def test_tab_after_typing_into_an_empty_level2_goes_right_in_the_same_row(new_declaration, qt_messages):
    editor = new_declaration.editor
    grid, model = editor.grid, editor.indicator_model
    quality = group_cell(editor, "quality", "name")
    click(grid, quality)
    type_in_grid(grid, "验收合格率")
    press(focus(), Key.Key_Tab)
    assert names(editor.form, "quality") == ["验收合格率"]
    # the cursor is on 指标值 of the same (now real) 质量 row, in the grid, not on the merged 产出 label
    assert at(grid) == (quality.row(), col_of(model, "target"))
    assert model.grid_row(grid.currentIndex().row()).level2.value == "quality"
    assert focus() is grid
    type_in_grid(grid, "≥95%")  # the next keys type into that cell
    press(focus(), Key.Key_Tab)
    assert editor.form.indicators[0].target == "≥95%"
    assert at(grid) == (quality.row(), col_of(model, "explanation"))
    assert no_foreign_editor_warnings(qt_messages)


def test_enter_after_typing_into_an_empty_level2_goes_down_and_keeps_the_next_key(new_declaration, qt_messages):
    window = new_declaration
    editor = window.editor
    grid = editor.grid
    quality = group_cell(editor, "quality", "name")
    click(grid, quality)
    type_in_grid(grid, "验收合格率")
    press(focus(), Key.Key_Return)
    assert names(editor.form, "quality") == ["验收合格率"]
    timeliness = group_cell(editor, "timeliness", "name")
    assert at(grid) == (timeliness.row(), timeliness.column()) == (quality.row() + 1, quality.column())
    assert focus() is grid
    type_in_grid(grid, "按时完成")  # not dropped, not in the 筛选表单 box
    press(focus(), Key.Key_Return)
    assert names(editor.form, "timeliness") == ["按时完成"]
    assert window.formFilter.text() == ""
    assert at(grid) == (timeliness.row() + 1, quality.column())
    assert no_foreign_editor_warnings(qt_messages)


def test_enter_after_tabs_returns_to_the_column_where_typing_began(new_declaration):
    """As in Excel: name Tab value Tab explanation Enter → the 三级指标 cell of the next row."""
    editor = new_declaration.editor
    grid, model = editor.grid, editor.indicator_model
    quantity = group_cell(editor, "quantity", "name")
    click(grid, quantity)
    for text in ("培训人数", "≥100人"):
        type_in_grid(grid, text)
        press(focus(), Key.Key_Tab)
    type_in_grid(grid, "全年参加培训的人数")
    press(focus(), Key.Key_Return)
    row = editor.form.indicators[0]
    assert (row.name, row.target, row.explanation) == ("培训人数", "≥100人", "全年参加培训的人数")
    assert at(grid) == (quantity.row() + 1, col_of(model, "name"))


def test_typing_into_placeholders_never_logs_commit_data_warnings(new_declaration, qt_messages):
    """Qt's "commitData called with an editor that does not belong to this view": the row was replaced while its
    editor was open."""
    editor = new_declaration.editor
    grid = editor.grid
    for level2, key in (("cost", Key.Key_Tab), ("social", Key.Key_Return), ("ecological", Key.Key_Backtab)):
        click(grid, group_cell(editor, level2, "target"))
        type_in_grid(grid, "100%")
        press(focus(), key)
        assert [r.target for r in editor.form.indicators if r.level2.value == level2] == ["100%"]
        assert focus() is grid
    assert no_foreign_editor_warnings(qt_messages)


def test_rows_inserted_and_removed_elsewhere_keep_the_current_cell(window):
    """Inserting, deleting or undoing rows elsewhere moves the cursor with its row instead of losing it."""
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    grid, model = editor.grid, editor.indicator_model
    name = "发放离退休干部慰问金准确率"
    grid.setFocus()
    grid.setCurrentIndex(cell(editor, "发放离退休干部慰问金人数", "name"))
    window.insert_row()
    grid.setCurrentIndex(cell(editor, name, "target"))
    before = model.rowCount()
    window.actionUndo.trigger()  # the inserted row above goes away
    assert model.rowCount() == before - 1
    current = grid.currentIndex()
    assert current.isValid()
    assert model.grid_row(current.row()).index == next(i for i, r in enumerate(editor.form.indicators)
                                                        if r.name == name)
    assert current.column() == col_of(model, "target")


def test_row_changes_reach_the_views_as_rows_inserted_and_removed_not_resets(window, qtmodeltester):
    """Insert, delete, 不适用, a paste that adds rows, and their undo and redo are told to the views as consistent
    row insertions and removals (Qt's model tester watches every signal), never as a reset that would close an
    open editor and lose the current cell."""
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    grid, model = editor.grid, editor.indicator_model
    qtmodeltester.check(model, force_py=True)
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    stack = window.document.undo_stack
    grid.setCurrentIndex(cell(editor, "发放离退休干部慰问金人数", "name"))
    window.insert_row()
    window.delete_rows()
    window.answers["not_applicable"] = Button.Yes
    grid.setCurrentIndex(group_cell(editor, "quality", "name"))
    window.mark_not_applicable()
    grid.setCurrentIndex(group_cell(editor, "quantity", "name"))
    QApplication.clipboard().setText(THREE_ROWS)
    grid.paste()
    steps = stack.index()
    for _ in range(steps):
        stack.undo()
    for _ in range(steps):
        stack.redo()
    assert names(editor.form, "quantity") == ["培训人数", "课程数量", "教材数量"]
    assert names(editor.form, "quality") == ["不适用"]
    assert [model.grid_row(r).level2.value for r in range(model.rowCount())].count("quantity") == 3
    assert not resets


# ---- Tab into and out of the grid ---------------------------------------------------------------------------


def _previous_focusable(widget):
    """The widget before ``widget`` in the Tab chain (what Shift+Tab from the grid reaches)."""
    w = widget.previousInFocusChain()
    while not (w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus) or widget.isAncestorOf(w):
        w = w.previousInFocusChain()
    return w


def test_tab_into_the_grid_lands_on_the_first_editable_cell(new_declaration):
    editor = new_declaration.editor
    grid, model = editor.grid, editor.indicator_model
    before = _previous_focusable(grid)
    before.setFocus(Qt.FocusReason.OtherFocusReason)
    assert focus() is before
    press(before, Key.Key_Tab)
    assert focus() is grid
    assert grid.currentIndex().flags() & Qt.ItemFlag.ItemIsEditable
    assert at(grid) == (0, col_of(model, "name"))  # not the merged 产出 label
    type_in_grid(grid, "培训人数")
    press(focus(), Key.Key_Return)
    assert names(editor.form, "quantity") == ["培训人数"]


def test_tab_moves_over_editable_cells_and_never_leaves_the_grid_by_accident(new_declaration):
    editor = new_declaration.editor
    grid, model = editor.grid, editor.indicator_model
    name, explanation = col_of(model, "name"), col_of(model, "explanation")
    click(grid, model.index(0, explanation))
    press(grid, Key.Key_Tab)  # past the row's end: the first editable cell of the next row, not a label
    assert at(grid) == (1, name) and focus() is grid
    press(grid, Key.Key_Backtab, Mod.ShiftModifier)
    assert at(grid) == (0, explanation) and focus() is grid
    last = model.rowCount() - 1
    click(grid, model.index(last, explanation))
    press(grid, Key.Key_Tab)  # the last cell: Tab stays in the grid
    assert at(grid) == (last, explanation) and focus() is grid
    press(grid, Key.Key_Return)  # Enter opens the cell, a second Enter commits; the cursor stays in the grid
    press(focus(), Key.Key_Return)
    assert focus() is grid and grid.currentIndex().isValid()


def test_shift_tab_from_the_first_cell_and_ctrl_tab_leave_the_grid(new_declaration):
    editor = new_declaration.editor
    grid, model = editor.grid, editor.indicator_model
    before = _previous_focusable(grid)
    click(grid, model.index(0, col_of(model, "name")))
    press(grid, Key.Key_Backtab, Mod.ShiftModifier)
    assert focus() is before
    click(grid, model.index(3, col_of(model, "target")))
    press(grid, Key.Key_Tab, Mod.ControlModifier)
    assert focus() is not grid and not grid.isAncestorOf(focus())
    # also while a cell is being edited: what was typed is kept, then the focus leaves
    click(grid, model.index(3, col_of(model, "target")))
    type_in_grid(grid, "≤5万元")
    press(focus(), Key.Key_Tab, Mod.ControlModifier)
    assert names(editor.form, "cost") == [""] and editor.form.indicators[0].target == "≤5万元"
    assert focus() is not grid and not grid.isAncestorOf(focus())


def test_tab_through_a_header_table_goes_on_to_the_next_field(window):
    """The 资金 table is part of the header: Tab from its last cell goes on to the next field (the grid keeps it)."""
    editor = select(window, "基层党建", "self_evaluation")
    funds = editor.funds_view
    fmodel = funds.model()
    before = _previous_focusable(funds)
    before.setFocus(Qt.FocusReason.OtherFocusReason)
    press(before, Key.Key_Tab)
    assert focus() is funds and at(funds) == (0, 0)
    last = max((r, c) for r in range(fmodel.rowCount()) for c in range(fmodel.columnCount())
               if fmodel.index(r, c).flags() & Qt.ItemFlag.ItemIsEditable)
    click(funds, fmodel.index(*last))
    press(funds, Key.Key_Tab)
    assert focus() is not funds and not funds.isAncestorOf(focus())


# ---- one current cell per form ------------------------------------------------------------------------------


def test_only_the_focused_table_of_a_self_evaluation_shows_a_current_cell(window):
    editor = select(window, "基层党建", "self_evaluation")
    funds, grid = editor.funds_view, editor.grid
    fmodel = funds.model()
    click(funds, fmodel.index(0, 0))
    assert funds.selectionModel().hasSelection()
    click(grid, cell(editor, "党员政治生日活动次数", "actual"))
    assert focus() is grid and grid.selectionModel().hasSelection()
    assert not funds.selectionModel().hasSelection()
    # from an open cell editor of the grid into the funds table: the grid's cell is committed and unmarked
    type_in_grid(grid, "3次")
    click(funds, fmodel.index(1, 0))
    assert editor.form.indicators[0].actual == "3次"
    assert funds.selectionModel().hasSelection()
    assert not grid.selectionModel().hasSelection()


# ---- finding 6: paste by the form's structure ---------------------------------------------------------------

THREE_ROWS = "培训人数\t≥100人\t参加人数\r\n课程数量\t≥10门\t开设课程\r\n教材数量\t≥5种\t编印教材\r\n"


def test_three_rows_pasted_onto_an_empty_level2_become_three_rows_of_it(new_declaration):
    window = new_declaration
    editor = window.editor
    grid = editor.grid
    stack = window.document.undo_stack
    steps = stack.count()
    click(grid, group_cell(editor, "quantity", "name"))
    QApplication.clipboard().setText(THREE_ROWS)
    press(grid, Key.Key_V, Mod.ControlModifier)
    form = editor.form
    assert names(form, "quantity") == ["培训人数", "课程数量", "教材数量"]
    assert [(r.target, r.explanation) for r in form.indicators] == [
        ("≥100人", "参加人数"), ("≥10门", "开设课程"), ("≥5种", "编印教材")]
    assert names(form, "quality") == [] and names(form, "timeliness") == []  # nothing spilled into them
    assert stack.count() == steps + 1  # one undo step
    window.actionUndo.trigger()
    assert editor.form.indicators == []
    window.actionRedo.trigger()
    assert names(editor.form, "quantity") == ["培训人数", "课程数量", "教材数量"]


def test_rows_pasted_at_the_last_row_of_a_level2_insert_rows_of_it(window):
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    form = editor.form
    grid = editor.grid
    quantity, quality = names(form, "quantity"), names(form, "quality")
    assert len(quantity) >= 1 and quality
    others = [(r.level2, r.name, r.target) for r in form.indicators if r.level2.value != "quantity"]
    last = group_cell(editor, "quantity", "name", len(quantity) - 1)
    click(grid, last)
    QApplication.clipboard().setText(THREE_ROWS)
    press(grid, Key.Key_V, Mod.ControlModifier)
    assert names(form, "quantity") == quantity[:-1] + ["培训人数", "课程数量", "教材数量"]
    assert [(r.level2, r.name, r.target) for r in form.indicators if r.level2.value != "quantity"] == others
    assert not window.answers.get("_asked")
    # the pasted block is selected: three rows of 数量
    rows = sorted({i.row() for i in grid.selectionModel().selectedIndexes()})
    assert [editor.indicator_model.grid_row(r).level2.value for r in rows] == ["quantity"] * 3
    window.actionUndo.trigger()
    assert names(form, "quantity") == quantity


def test_rows_pasted_at_the_last_row_of_the_grid_are_all_kept(window):
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    grid, model = editor.grid, editor.indicator_model
    last = model.rowCount() - 1
    level2 = model.grid_row(last).level2.value
    before = names(editor.form, level2)
    click(grid, model.index(last, col_of(model, "name")))
    QApplication.clipboard().setText(THREE_ROWS)
    press(grid, Key.Key_V, Mod.ControlModifier)
    assert names(editor.form, level2) == before[:-1] + ["培训人数", "课程数量", "教材数量"]
    assert model.rowCount() == last + 3


def test_a_paste_wider_than_the_table_asks_and_by_default_pastes_nothing(window):
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    grid = editor.grid
    form = editor.form
    stack = window.document.undo_stack
    steps = stack.count()
    click(grid, cell(editor, "发放离退休干部慰问金人数", "target"))
    QApplication.clipboard().setText("≥10人\t解释\t多出的一列\t又一列\r\n")
    press(grid, Key.Key_V, Mod.ControlModifier)
    asked = window.answers.get("_asked", [])
    assert [key for key, _text in asked] == ["paste_overflow"]
    assert "4 列" in asked[0][1] and "多出的一列" in asked[0][1]  # says what does not fit
    assert stack.count() == steps and form.indicators[0].target == "≥8"  # cancelled: nothing pasted
    window.answers["paste_overflow"] = Button.Yes  # 只粘贴放得下的部分
    press(grid, Key.Key_V, Mod.ControlModifier)
    assert (form.indicators[0].target, form.indicators[0].explanation) == ("≥10人", "解释")
    assert stack.count() == steps + 1


def test_a_paste_that_does_not_fit_a_fixed_table_is_asked_about(window):
    editor = select(window, "基层党建", "self_evaluation")
    funds = editor.funds_view
    fmodel = funds.model()
    click(funds, fmodel.index(2, 0))
    before = [fmodel.index(r, 0).data(Qt.ItemDataRole.EditRole) for r in range(fmodel.rowCount())]
    QApplication.clipboard().setText("1\r\n2\r\n3\r\n4\r\n")  # rows 3 and 4 of the table, and two more
    press(funds, Key.Key_V, Mod.ControlModifier)
    asked = window.answers.get("_asked", [])
    assert [key for key, _text in asked] == ["paste_overflow"]
    assert "2 行" in asked[0][1]
    assert [fmodel.index(r, 0).data(Qt.ItemDataRole.EditRole) for r in range(fmodel.rowCount())] == before


def test_a_block_pasted_onto_a_label_column_is_asked_about_not_shifted(new_declaration):
    """Pasting a block onto the merged 一级/二级 labels would put values where they cannot go: asked first."""
    window = new_declaration
    editor = window.editor
    grid, model = editor.grid, editor.indicator_model
    click(grid, model.index(0, col_of(model, "level2")))
    QApplication.clipboard().setText("培训人数\t≥100人\r\n")
    press(grid, Key.Key_V, Mod.ControlModifier)
    asked = window.answers.get("_asked", [])
    assert [key for key, _text in asked] == ["paste_overflow"]
    assert "二级指标" in asked[0][1]
    assert editor.form.indicators == []


def test_a_block_copied_with_its_level_columns_pastes_without_a_question(new_declaration):
    """The 一级/二级 columns of a block copied from a form say what the cells already say (written either way):
    nothing is lost, nothing is asked; a trailing blank line adds no row."""
    window = new_declaration
    editor = window.editor
    grid, model = editor.grid, editor.indicator_model
    click(grid, model.index(0, col_of(model, "level1")))
    QApplication.clipboard().setText("产出指标\t数量指标\t培训人数\t≥100人\r\n\t\t\t\r\n")
    press(grid, Key.Key_V, Mod.ControlModifier)
    assert not window.answers.get("_asked")
    assert [(r.level2.value, r.name, r.target) for r in editor.form.indicators] == [("quantity", "培训人数", "≥100人")]


# ---- the grid's right-click menu -----------------------------------------------------------------------------

MENU_TEXTS = ["剪切(&T)", "复制(&C)", "粘贴(&P)", "插入三级指标行（上方）(&A)", "插入三级指标行（下方）(&B)",
              "删除行(&D)", "设为不适用(&N)", "清除内容(&E)"]


def _menu_texts(menu: QMenu) -> list[str]:
    return [a.text().split("\t")[0] for a in menu.actions() if not a.isSeparator()]


def _right_click(view, index, key) -> None:
    """A real right-click on ``index``; the menu that opens is answered with the access ``key``."""
    menus = []

    def answer():
        menu = QApplication.activePopupWidget()
        menus.append(menu)
        if menu is not None:
            QTest.keyClick(menu, key)

    view.scrollTo(index)
    center = view.visualRect(index).center()
    QTest.mousePress(view.viewport(), Qt.MouseButton.RightButton, Mod.NoModifier, center)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.RightButton, Mod.NoModifier, center)
    QTimer.singleShot(0, answer)
    QApplication.sendEvent(view.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, center,
                                                              view.viewport().mapToGlobal(center)))
    assert len(menus) == 1 and isinstance(menus[0], QMenu), "the right-click opened one menu"


def test_grid_context_menu_lists_the_commands_with_access_keys(window):
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    grid = editor.grid
    click(grid, cell(editor, "发放离退休干部慰问金人数", "name"))
    menu = grid.context_menu()
    assert _menu_texts(menu) == MENU_TEXTS
    assert all(a.isEnabled() for a in menu.actions() if not a.isSeparator() and "粘贴" not in a.text())
    keys = [t.split("(&")[1][0] for t in _menu_texts(menu)]
    assert len(set(keys)) == len(keys)
    # a header table has the clipboard commands only
    se = select(window, "基层党建", "self_evaluation")
    click(se.funds_view, se.funds_view.model().index(0, 0))
    assert _menu_texts(se.funds_view.context_menu()) == ["剪切(&T)", "复制(&C)", "粘贴(&P)", "清除内容(&E)"]


def test_grid_context_menu_inserts_above_and_below_deletes_and_marks_not_applicable(window):
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    grid, model = editor.grid, editor.indicator_model
    form = editor.form
    first = form.indicators[0].name
    quantity = names(form, "quantity")
    _right_click(grid, cell(editor, first, "name"), Key.Key_A)  # 插入三级指标行（上方）
    assert names(form, "quantity") == [""] + quantity
    assert grid.currentIndex().row() == group_rows(model, "quantity")[0]  # the cursor is on the new row
    _right_click(grid, cell(editor, first, "name"), Key.Key_B)  # 插入三级指标行（下方）
    assert names(form, "quantity") == ["", first, ""] + quantity[1:]
    _right_click(grid, group_cell(editor, "quantity", "name", 0), Key.Key_D)  # 删除行
    assert names(form, "quantity") == [first, ""] + quantity[1:]
    _right_click(grid, cell(editor, first, "target"), Key.Key_E)  # 清除内容
    assert form.indicators[0].target == "" and form.indicators[0].name == first
    window.answers["not_applicable"] = Button.Yes
    _right_click(grid, cell(editor, first, "name"), Key.Key_N)  # 设为不适用 (asks first: rows are filled)
    assert names(editor.form, "quantity") == ["不适用"]
    assert [k for k, _t in window.answers["_asked"]] == ["not_applicable"]
    for _ in range(5):
        window.actionUndo.trigger()
    assert names(editor.form, "quantity") == quantity


def test_grid_context_menu_copies_and_pastes(window):
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    grid = editor.grid
    form = editor.form
    _right_click(grid, cell(editor, form.indicators[0].name, "target"), Key.Key_C)
    assert QApplication.clipboard().text() == form.indicators[0].target + "\r\n"
    _right_click(grid, cell(editor, form.indicators[1].name, "target"), Key.Key_P)
    assert form.indicators[1].target == form.indicators[0].target


def test_grid_context_menu_opens_from_the_keyboard_at_the_current_cell(window):
    """The menu key (or Shift+F10) opens the same menu, for the current cell."""
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    grid = editor.grid
    quantity = names(editor.form, "quantity")
    grid.setFocus()
    grid.setCurrentIndex(cell(editor, quantity[0], "target"))
    menus = []

    def answer():
        menus.append(QApplication.activePopupWidget())
        if menus[0] is not None:
            QTest.keyClick(menus[0], Key.Key_B)  # 插入三级指标行（下方）

    QTimer.singleShot(0, answer)
    center = grid.rect().center()
    QApplication.sendEvent(grid, QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, center, grid.mapToGlobal(center)))
    assert isinstance(menus[0], QMenu)
    assert names(editor.form, "quantity") == [quantity[0], ""] + quantity[1:]
