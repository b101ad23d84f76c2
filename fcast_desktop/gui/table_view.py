"""A QTableView that edits like Excel/WPS: type to overwrite, Enter commits and moves down, Tab moves right,
F2 edits, Delete clears, Ctrl+C/Ctrl+V copy and paste rectangular ranges as tab-separated text."""

from __future__ import annotations

import csv
import io

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QCompleter,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QStyledItemDelegate,
    QTableView,
)

from . import commands
from .table_models import ColumnKeyRole, PathRole


def parse_tsv(text: str) -> list[list[str]]:
    """Clipboard text from Excel/WPS → rows of cells (quotes, embedded newlines, CRLF, trailing newline)."""
    if not text:
        return []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quotechar='"', strict=False))
    return rows or [[""]]


def to_tsv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", quotechar='"', lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return out.getvalue()


class CellDelegate(QStyledItemDelegate):
    """Line editor for every cell (multi-line only when the text already has line breaks), with completion."""

    def __init__(self, view: "FormTableView"):
        super().__init__(view)
        self.view = view
        self.completions: dict[str, QStringListModel] = {}

    def createEditor(self, parent, option, index):  # noqa: N802
        text = index.data(Qt.ItemDataRole.EditRole) or ""
        if "\n" in text:
            editor = QPlainTextEdit(parent)
            editor.setTabChangesFocus(True)
            return editor
        editor = QLineEdit(parent)
        editor.setFrame(False)
        model = self.completions.get(index.data(ColumnKeyRole))
        if model is not None and model.rowCount():
            completer = QCompleter(model, editor)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            editor.setCompleter(completer)
        return editor

    def setEditorData(self, editor, index):  # noqa: N802
        text = index.data(Qt.ItemDataRole.EditRole) or ""
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText(text)
            if self.view.last_trigger == QAbstractItemView.EditTrigger.AnyKeyPressed:
                editor.selectAll()  # the forwarded key replaces the text, as in a line edit
            else:
                editor.moveCursor(editor.textCursor().MoveOperation.End)
        else:
            editor.setText(text)

    def setModelData(self, editor, model, index):  # noqa: N802
        text = editor.toPlainText() if isinstance(editor, QPlainTextEdit) else editor.text()
        model.setData(index, text, Qt.ItemDataRole.EditRole)

    def eventFilter(self, editor, event):  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if isinstance(editor, QPlainTextEdit) and event.modifiers() & Qt.KeyboardModifier.AltModifier:
                editor.insertPlainText("\n")  # Alt+Enter: a line break inside the cell, as in Excel
                return True
            if isinstance(editor, QLineEdit) and editor.completer() and editor.completer().popup().isVisible():
                return super().eventFilter(editor, event)
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self.view.move_after_enter(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            return True
        return super().eventFilter(editor, event)


class FormTableView(QTableView):
    statusMessage = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.last_trigger = None
        self.delegate = CellDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(True)
        self.setAlternatingRowColors(False)
        # row heights follow the text, but only rows whose text changed are measured again (see resize_rows_for):
        # ResizeToContents would measure every cell of the table on every keystroke
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setHighlightSections(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

    # model / spans --------------------------------------------------------------------------------
    def setModel(self, model):  # noqa: N802
        super().setModel(model)
        model.modelReset.connect(self.apply_spans)
        model.modelReset.connect(self.resizeRowsToContents)
        model.document.cellsChanged.connect(self.resize_rows_for)
        self.apply_spans()
        self.resizeRowsToContents()

    def resize_rows_for(self, form_id: str, paths: list) -> None:
        """Measure again the rows whose text changed."""
        model = self.model()
        if model is None or form_id != model.form_id:
            return
        rows = {model.row_of_path(p) for p in paths} - {None}
        for row in rows:
            self.resizeRowToContents(row)

    def apply_spans(self) -> None:
        self.clearSpans()
        model = self.model()
        if model is None:
            return
        for row, col, rows, cols in model.spans():
            self.setSpan(row, col, rows, cols)

    def set_column_widths(self, total: int | None = None) -> None:
        model = self.model()
        total = total or max(600, self.viewport().width())
        widths = [c.width for c in model.columns()]
        share = sum(widths) or 1
        for i, w in enumerate(widths):
            self.setColumnWidth(i, int(total * w / share))

    # Excel-like keys ------------------------------------------------------------------------------
    def edit(self, index, trigger=QAbstractItemView.EditTrigger.AllEditTriggers, event=None):
        if trigger in (QAbstractItemView.EditTrigger.AnyKeyPressed, QAbstractItemView.EditTrigger.DoubleClicked,
                       QAbstractItemView.EditTrigger.EditKeyPressed):
            self.last_trigger = trigger
        return super().edit(index, trigger, event)

    def move_after_enter(self, up: bool = False) -> None:
        current = self.currentIndex()
        if not current.isValid():
            return
        row = current.row() + (-1 if up else max(1, self.rowSpan(current.row(), current.column())))
        if 0 <= row < self.model().rowCount():
            self.setCurrentIndex(self.model().index(row, current.column()))

    def keyPressEvent(self, event):  # noqa: N802
        if self.state() != QAbstractItemView.State.EditingState:
            if event.matches(QKeySequence.StandardKey.Copy):
                self.copy_selection()
                return
            if event.matches(QKeySequence.StandardKey.Paste):
                self.paste()
                return
            if event.matches(QKeySequence.StandardKey.Cut):
                self.copy_selection()
                self.clear_selection()
                return
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not event.modifiers():
                self.clear_selection()
                return
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                index = self.currentIndex()
                if index.isValid() and index.flags() & Qt.ItemFlag.ItemIsEditable:
                    self.edit(index, QAbstractItemView.EditTrigger.EditKeyPressed, event)
                else:
                    self.move_after_enter(bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
                return
        super().keyPressEvent(event)

    # clipboard ------------------------------------------------------------------------------------
    def selected_block(self) -> tuple[int, int, int, int] | None:
        """(top, left, bottom, right) of the selection, taken from ranges so cells under spans count."""
        ranges = self.selectionModel().selection()
        if ranges.isEmpty():
            current = self.currentIndex()
            if not current.isValid():
                return None
            return current.row(), current.column(), current.row(), current.column()
        top = min(r.top() for r in ranges)
        left = min(r.left() for r in ranges)
        bottom = max(r.bottom() for r in ranges)
        right = max(r.right() for r in ranges)
        return top, left, bottom, right

    def copy_selection(self) -> None:
        block = self.selected_block()
        if block is None:
            return
        top, left, bottom, right = block
        model = self.model()
        rows = [
            [model.index(r, c).data(Qt.ItemDataRole.EditRole) or "" for c in range(left, right + 1)]
            for r in range(top, bottom + 1)
        ]
        QApplication.clipboard().setText(to_tsv(rows))
        self.statusMessage.emit(f"已复制 {len(rows)} 行 × {right - left + 1} 列")

    def _push_cells(self, changes: list[tuple[tuple, str]], text: str) -> int:
        model = self.model()
        changes = [(p, t) for p, t in changes if p is not None and p[0] != "placeholder"]
        if not changes:
            return 0
        command = commands.SetCellsCommand(model.document, model.form_id, changes, text)
        if command.changes:
            model.document.undo_stack.push(command)
        return len(command.changes)

    def clear_selection(self) -> None:
        block = self.selected_block()
        if block is None:
            return
        top, left, bottom, right = block
        model = self.model()
        changes = [
            (model.index(r, c).data(PathRole), "")
            for r in range(top, bottom + 1)
            for c in range(left, right + 1)
            if model.flags(model.index(r, c)) & Qt.ItemFlag.ItemIsEditable
        ]
        self._push_cells(changes, "清除单元格")

    def paste(self) -> None:
        rows = parse_tsv(QApplication.clipboard().text())
        block = self.selected_block()
        if not rows or block is None:
            return
        top, left, bottom, right = block
        model = self.model()
        height, width = len(rows), max(len(r) for r in rows)
        if height == 1 and width == 1:  # one value fills the whole selection
            target_rows, target_cols = range(top, bottom + 1), range(left, right + 1)
            value_at = lambda r, c: rows[0][0]  # noqa: E731
        else:
            target_rows, target_cols = range(top, top + height), range(left, left + width)
            value_at = lambda r, c: rows[r - top][c - left] if c - left < len(rows[r - top]) else ""  # noqa: E731
        changes, skipped = [], 0
        for r in target_rows:
            for c in target_cols:
                index = model.index(r, c)
                if not index.isValid() or not (model.flags(index) & Qt.ItemFlag.ItemIsEditable):
                    skipped += 1
                    continue
                path = index.data(PathRole)
                if path is None or path[0] == "placeholder":
                    skipped += 1
                    continue
                changes.append((path, value_at(r, c)))
        count = self._push_cells(changes, "粘贴")
        msg = f"已粘贴 {count} 个单元格"
        if skipped:
            msg += f"；{skipped} 个单元格不可编辑或超出表格，未粘贴"
        self.statusMessage.emit(msg)
        last = model.index(min(max(target_rows), model.rowCount() - 1), min(max(target_cols), model.columnCount() - 1))
        self.selectionModel().select(
            QItemSelection(model.index(top, left), last),
            QItemSelectionModel.SelectionFlag.ClearAndSelect,
        )
