"""What a grid paints is what the form holds (issue 14): the grids answer Qt's painting from a per-cell memory
(``FormTableModel.multiData``), kept until the model says a cell changed. After every kind of change — typing into
cells, a suggestion appearing, undo and redo, rows inserted, deleted or marked 不适用, 出错说明 — each painted cell
must equal what ``data`` works out afresh from the form, or the user would be shown a value the form no longer holds.

And a suggested score appearing beside a 得分 does not make its row taller (the grid keeps the 得分 column wide
enough for ``3（建议 2.81）``): a row growing on every commit moved every row below it and repainted the whole grid.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from test_grid import make_window, window  # noqa: F401 - fixtures

pytestmark = pytest.mark.gui
PAINT_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole,
               Qt.ItemDataRole.FontRole, Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.CheckStateRole,
               Qt.ItemDataRole.DecorationRole)


def painted(model, row: int, col: int) -> list:
    """What a view is told when it paints the cell: one ``multiData`` call, as QStyledItemDelegate makes it."""
    out = []
    for role in PAINT_ROLES:
        item = QModelRoleData(int(role))
        model.multiData(model.index(row, col), QModelRoleDataSpan(item))
        out.append(_plain(item.data()))
    return out


def fresh(model, row: int, col: int) -> list:
    index = model.index(row, col)
    return [_plain(model.data(index, role)) for role in PAINT_ROLES]


def _plain(value):
    """Brushes and fonts compared by what they draw."""
    if hasattr(value, "color") and hasattr(value, "style"):
        return ("brush", value.color().name(), int(value.style().value))
    if hasattr(value, "italic"):
        return ("font", value.italic(), value.bold())
    return value


def warm(model) -> None:
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            painted(model, r, c)


def stale_cells(model) -> list:
    QApplication.processEvents()
    return [(r, c, painted(model, r, c), fresh(model, r, c))
            for r in range(model.rowCount()) for c in range(model.columnCount())
            if painted(model, r, c) != fresh(model, r, c)]


def col_of(model, key: str) -> int:
    return next(i for i, c in enumerate(model.columns()) if c.key == key)


def _self_evaluation(window):  # noqa: F811 - the fixture imported above
    form = max((f for f in window.document.project.forms if f.kind == "self_evaluation"),
               key=lambda f: len(f.indicators))
    window.select_form(form.id)
    QApplication.processEvents()
    return window.editor


def test_painted_cells_follow_every_change_of_the_grid(window):  # noqa: F811
    editor = _self_evaluation(window)
    model, grid = editor.indicator_model, editor.grid
    stack = window.document.undo_stack
    actual, score, deviation = col_of(model, "actual"), col_of(model, "score"), col_of(model, "deviation")
    warm(model)
    assert stale_cells(model) == []
    steps = [
        lambda: model.setData(model.index(0, actual), "50%"),  # a warning, a suggested score
        lambda: model.setData(model.index(1, score), "1"),  # a score beside its suggestion
        lambda: model.setData(model.index(1, score), ""),  # the suggestion shown in its place
        lambda: model.setData(model.index(2, deviation), "原因：天气\n措施：提前安排"),
        stack.undo,
        stack.undo,
        stack.redo,
        lambda: (grid.setCurrentIndex(model.index(3, actual)), window.insert_row()),
        lambda: model.setData(model.index(3, actual), "98%"),
        lambda: (grid.setCurrentIndex(model.index(5, actual)), window.delete_rows()),
        stack.undo,
        stack.undo,
    ]
    for n, step in enumerate(steps):
        warm(model)
        step()
        assert stale_cells(model) == [], f"step {n}"


def test_painted_cells_follow_an_explanation_and_a_level_marked_not_applicable(window):  # noqa: F811
    editor = _self_evaluation(window)
    model, grid = editor.indicator_model, editor.grid
    warm(model)
    window.answers["not_applicable"] = QMessageBox.StandardButton.Yes
    grid.setCurrentIndex(model.index(model.rowCount() - 1, col_of(model, "name")))
    window.mark_not_applicable()
    assert stale_cells(model) == []
    warm(model)
    window.document.undo_stack.undo()
    assert stale_cells(model) == []
    model.setData(model.index(0, col_of(model, "actual")), "50%")  # a warning on the row's cells
    findings = window.document.findings(editor.form.id)
    warning = next(p for cell_problems in findings.by_cell.values() for p in cell_problems if p.severity == "warning")
    warm(model)
    assert window.explain_problem(editor.form.id, warning, "按合同约定分期完成")  # no longer marked on the cell
    assert stale_cells(model) == []
    warm(model)
    window.document.undo_stack.undo()
    assert stale_cells(model) == []


def test_painted_fund_cells_follow_edits(window):  # noqa: F811
    editor = _self_evaluation(window)
    funds = next(m for m in editor.findChildren(type(editor.indicator_model).__mro__[1])
                 if type(m).__name__ == "FundsTableModel")
    warm(funds)
    col = next(i for i, c in enumerate(funds.columns()) if getattr(c, "numeric", False))
    funds.setData(funds.index(0, col), "1")
    assert stale_cells(funds) == []
    warm(funds)
    window.document.undo_stack.undo()
    assert stale_cells(funds) == []


def test_a_suggested_score_does_not_make_its_row_taller(window):  # noqa: F811
    editor = _self_evaluation(window)
    model, grid = editor.indicator_model, editor.grid
    actual, score = col_of(model, "actual"), col_of(model, "score")
    target, lowest = col_of(model, "target"), min(grid.rowHeight(x) for x in range(model.rowCount()))
    row = next(r for r in range(model.rowCount())  # a one-line row whose target is a rate (100%, ≥98%)
               if model.grid_row(r).index is not None and grid.rowHeight(r) == lowest
               and (model.data(model.index(r, target)) or "").endswith("%")
               and model.data(model.index(r, score)))
    height = grid.rowHeight(row)
    model.setData(model.index(row, actual), "12.5%")
    QApplication.processEvents()
    assert "建议" in model.data(model.index(row, score))
    assert grid.rowHeight(row) == height


def test_column_widths_keep_printed_shares_and_make_room_for_texts_on_one_line():
    from fcast_desktop.gui.table_view import CELL_PADDING, column_widths

    class Spec:
        def __init__(self, width):
            self.width = width

    class Model:
        def __init__(self, shares, texts):
            self.shares, self.texts = shares, texts

        def columns(self):
            return [Spec(w) for w in self.shares]

        def widest_texts(self, col):
            return self.texts.get(col, [])

    advance = len  # one pixel per character
    assert column_widths(Model([50, 30, 20], {}), 1000, advance) == [500, 300, 200]
    # column 2 needs 300 px: the others share the remaining 700 px as 50:30
    wide = "x" * (300 - CELL_PADDING)
    assert column_widths(Model([50, 30, 20], {2: [wide, "short"]}), 1000, advance) == [437, 262, 300]
    # a text that already fits changes nothing
    assert column_widths(Model([50, 30, 20], {2: ["x" * 50]}), 1000, advance) == [500, 300, 200]


def test_a_cell_that_fails_to_paint_is_reported_once_and_never_raises_into_qt(window, monkeypatch):  # noqa: F811
    from fcast_desktop.gui import table_models

    editor = _self_evaluation(window)
    model = editor.indicator_model
    reported = []
    monkeypatch.setattr(table_models, "report_later", lambda: reported.append(1))

    def broken(index, role):
        raise RuntimeError("rules bug")

    monkeypatch.setattr(model, "_data", broken)
    model._forget_all_painted()
    assert painted(model, 0, 3)[0] is None  # painted empty, nothing raised
    assert painted(model, 0, 3)[0] is None
    assert reported == [1]  # once per cell
    monkeypatch.undo()
    assert painted(model, 0, 3) == fresh(model, 0, 3)  # the failed cell was not kept
