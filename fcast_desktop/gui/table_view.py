"""A QTableView that edits like Excel/WPS: type to overwrite, F2/double-click/Enter edit with the caret at the end,
Enter commits and moves down, Tab moves right, Delete clears the selected cells, Ctrl+C/Ctrl+X/Ctrl+V copy, cut and
paste rectangular ranges as tab-separated text (a non-rectangular Ctrl-click selection is refused as in Excel).
Merged 一级/二级 labels stay readable while their group is partly scrolled off."""

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
    QStyleOptionViewItem,
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
        """Typing a key over a cell replaces its text; F2, double-click and Enter put the caret at the end, as
        Excel and WPS do. (Qt selects a QLineEdit's whole text after this call: FormTableView.edit undoes that.)"""
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


class SpanLabelDelegate(QStyledItemDelegate):
    """For the columns with merged cells (一级/二级指标) only, so that other cells keep Qt's own (C++) painting."""

    def __init__(self, view: "FormTableView"):
        super().__init__(view)
        self.view = view

    def sizeHint(self, option, index):  # noqa: N802
        """A merged label does not set the height of each row it covers (its rows together are tall enough):
        otherwise every row of a group would be as tall as the wrapped 一级 label."""
        size = super().sizeHint(option, index)
        if self.view.rowSpan(index.row(), index.column()) > 1:
            size.setHeight(0)
        return size

    def paint(self, painter, option, index):
        """A merged 一级/二级 label is drawn in the visible part of its span, so it stays readable while the top or
        the bottom of its group is scrolled off (FormTableView.scrollContentsBy repaints the spans)."""
        view = self.view
        if view.rowSpan(index.row(), index.column()) > 1:
            visible = option.rect.intersected(view.viewport().rect())
            if visible.isValid() and visible != option.rect:
                need = option.fontMetrics.lineSpacing() * 2 + 4
                if visible.height() < need:  # a sliver: grow it into the span, away from the viewport edge
                    if visible.top() > option.rect.top():
                        visible.setBottom(min(option.rect.bottom(), visible.top() + need))
                    else:
                        visible.setTop(max(option.rect.top(), visible.bottom() - need))
                option = QStyleOptionViewItem(option)
                option.rect = visible
        super().paint(painter, option, index)


class FormTableView(QTableView):
    statusMessage = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.last_trigger = None
        self.delegate = CellDelegate(self)
        self.setItemDelegate(self.delegate)
        self.span_delegate = SpanLabelDelegate(self)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(True)
        self.setAlternatingRowColors(False)
        # row heights follow the text, but only rows whose text changed are measured again (see resize_rows):
        # ResizeToContents would measure every cell of the table on every keystroke
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setHighlightSections(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

    # model / spans --------------------------------------------------------------------------------
    def setModel(self, model):  # noqa: N802
        super().setModel(model)
        # after rows were inserted or removed (a reset): spans first, then every row is measured
        model.modelReset.connect(self.apply_spans)
        model.modelReset.connect(self.resizeRowsToContents)
        model.textRowsChanged.connect(self.resize_rows)
        self.apply_spans()
        self.resizeRowsToContents()

    def resize_rows(self, rows: list) -> None:
        """Measure again the rows whose shown text changed — the edited row, and rows whose computed text (a
        suggested score, 执行率, a 合计) the edit changed — once the new text is there (after the rules ran)."""
        count = self.model().rowCount() if self.model() is not None else 0
        if len(rows) >= count:
            self.resizeRowsToContents()
            return
        for row in rows:
            if 0 <= row < count:
                self.resizeRowToContents(row)

    def apply_spans(self) -> None:
        self.clearSpans()
        model = self.model()
        if model is None:
            return
        for row, col, rows, cols in model.spans():
            self.setSpan(row, col, rows, cols)
            if self.itemDelegateForColumn(col) is not self.span_delegate:
                self.setItemDelegateForColumn(col, self.span_delegate)

    def set_column_widths(self, total: int | None = None) -> None:
        model = self.model()
        total = total or max(600, self.viewport().width())
        widths = [c.width for c in model.columns()]
        share = sum(widths) or 1
        for i, w in enumerate(widths):
            self.setColumnWidth(i, int(total * w / share))

    # Excel-like keys ------------------------------------------------------------------------------
    def edit(self, index, trigger=QAbstractItemView.EditTrigger.AllEditTriggers, event=None):
        self.last_trigger = trigger
        opened = super().edit(index, trigger, event)
        if opened and trigger != QAbstractItemView.EditTrigger.AnyKeyPressed:
            editor = self.indexWidget(index)
            if isinstance(editor, QLineEdit):  # Qt selected the whole text: put the caret at the end instead
                editor.deselect()
                editor.end(False)
        return opened

    def scrollContentsBy(self, dx, dy):  # noqa: N802
        super().scrollContentsBy(dx, dy)
        if dy and self.model() is not None and self.model().spans():
            # Qt scrolls the painted pixels and repaints only the strip that came into view; a merged label drawn
            # in the visible part of its span (CellDelegate.paint) must be drawn again where it now belongs
            self.viewport().update()

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
                self.cut()
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
    MULTI_RANGE = "不能对多重选定区域执行此操作"

    def selected_cells(self) -> set[tuple[int, int]]:
        """(row, column) of every selected cell, from the selection ranges so cells under spans count; the current
        cell when nothing is selected."""
        cells = set()
        for r in self.selectionModel().selection():
            for row in range(r.top(), r.bottom() + 1):
                for col in range(r.left(), r.right() + 1):
                    cells.add((row, col))
        if not cells:
            current = self.currentIndex()
            if current.isValid():
                cells.add((current.row(), current.column()))
        return cells

    def selected_block(self) -> tuple[int, int, int, int] | None:
        """(top, left, bottom, right) of the selection when it is one rectangle; None when nothing is selected or
        the selection is several separate ranges (Ctrl-click) that do not make one rectangle."""
        cells = self.selected_cells()
        if not cells:
            return None
        top, bottom = min(r for r, _ in cells), max(r for r, _ in cells)
        left, right = min(c for _, c in cells), max(c for _, c in cells)
        if len(cells) != (bottom - top + 1) * (right - left + 1):
            return None
        return top, left, bottom, right

    def is_multi_range(self) -> bool:
        return bool(self.selected_cells()) and self.selected_block() is None

    def copy_selection(self) -> bool:
        if self.is_multi_range():
            self.statusMessage.emit(self.MULTI_RANGE)
            return False
        block = self.selected_block()
        if block is None:
            return False
        top, left, bottom, right = block
        model = self.model()
        rows = [
            [model.index(r, c).data(Qt.ItemDataRole.EditRole) or "" for c in range(left, right + 1)]
            for r in range(top, bottom + 1)
        ]
        QApplication.clipboard().setText(to_tsv(rows))
        self.statusMessage.emit(f"已复制 {len(rows)} 行 × {right - left + 1} 列")
        return True

    def cut(self) -> None:
        """Copy, then clear the same cells (one undo step); refused, clearing nothing, for a multi-range selection."""
        if self.copy_selection():
            self.clear_selection("剪切")

    def _push_cells(self, changes: list[tuple[tuple, str]], text: str) -> int:
        model = self.model()
        changes = [(p, t) for p, t in changes if p is not None and p[0] != "placeholder"]
        if not changes:
            return 0
        if hasattr(model, "complete_changes"):  # e.g. a task's 总额 that follows 财政拨款 + 其他资金
            changes = model.complete_changes(changes)
        command = commands.SetCellsCommand(model.document, model.form_id, changes, text)
        if command.changes:
            model.document.undo_stack.push(command)
        return len(command.changes)

    def clear_selection(self, text: str = "清除单元格") -> None:
        """Delete: empty exactly the selected editable cells (Ctrl-clicked cells too), as one undo step."""
        model = self.model()
        changes = []
        for r, c in sorted(self.selected_cells()):
            index = model.index(r, c)
            if index.isValid() and model.flags(index) & Qt.ItemFlag.ItemIsEditable:
                changes.append((index.data(PathRole), ""))
        self._push_cells(changes, text)

    def paste(self) -> None:
        rows = parse_tsv(QApplication.clipboard().text())
        if not rows:
            return
        model = self.model()
        height, width = len(rows), max(len(r) for r in rows)
        block = self.selected_block()
        if block is None and self.is_multi_range():
            if height == 1 and width == 1:  # one value fills every selected cell, as Excel does
                cells = sorted(self.selected_cells())
                changes = [(model.index(r, c).data(PathRole), rows[0][0]) for r, c in cells
                           if model.flags(model.index(r, c)) & Qt.ItemFlag.ItemIsEditable]
                count = self._push_cells(changes, "粘贴")
                self.statusMessage.emit(f"已粘贴 {count} 个单元格")
                return
            self.statusMessage.emit(self.MULTI_RANGE)
            return
        if block is None:
            return
        top, left, bottom, right = block
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
                if path is None:
                    skipped += 1
                    continue
                changes.append((path, value_at(r, c)))
        placeholders = [(p, t) for p, t in changes if p[0] == "placeholder" and t.strip()]
        if placeholders and hasattr(model, "push_placeholder_cells"):  # an empty 二级指标 gets a row, as typing does
            stack = model.document.undo_stack
            stack.beginMacro("粘贴")
            try:
                count = self._push_cells(changes, "粘贴")  # the rows that exist first: inserting shifts their indexes
                count += model.push_placeholder_cells(placeholders)
            finally:
                stack.endMacro()
        else:
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
