"""A QTableView that edits like Excel/WPS: type to overwrite, F2/double-click/Enter edit with the caret at the end,
Enter commits and moves down, Tab moves right (Enter after Tabs returns to the column where they began), Delete
clears the selected cells, Ctrl+C/Ctrl+X/Ctrl+V copy, cut and paste rectangular ranges as tab-separated text (a
non-rectangular Ctrl-click selection is refused as in Excel). Merged 一级/二级 labels stay readable while their group
is partly scrolled off.

Keyboard focus stays in the table: Tab and Enter commit the open cell (its editor is closed first, so the move starts
from the committed cell, also when the commit turned a placeholder into a real row) and move between editable cells,
never onto a merged label, never out of the indicator grid at its end (a small header table hands on to the next
field); Ctrl+Tab leaves a table forwards, Shift+Tab from its first cell backwards; Tab into a table lands on an
editable cell. Of the tables of one form only the focused one shows its selected cells.

Paste into the indicator grid follows the form's structure: rows pasted into a 二级指标 become rows of that
二级指标 (rows are inserted at its end as needed, nothing spills into the next one), one undo step; what cannot be
pasted (more columns than the table, the merged labels, computed cells, rows past a fixed table) is asked about
in a dialog before anything is pasted.

Coupling with the main window (found with ``self.window()``, each used only when the window has it): ``ask`` (the
paste question), ``commit_pending_edit``, and the row commands of the right-click menu ``insert_row``,
``delete_rows``, ``mark_not_applicable`` — the same methods the 编辑 menu calls."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QSize, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QCompleter,
    QHeaderView,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from ..model.completion import insert_position, inserted_rows
from ..model.editing import ReplaceRows, SetText
from ..model.fields import is_placeholder
from .safety import guarded
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


def _same_text(pasted: str, shown: str, label: bool) -> bool:
    """A value pasted onto a cell that cannot be typed into loses nothing when the cell already says it: the same
    text, or on a merged 一级/二级 label the same label written another way (“产出指标” on 产出, “数量” on *数量)."""
    if pasted.strip() == shown.strip():
        return True
    a, b = pasted.replace("*", "").strip(), shown.replace("*", "").replace("\n", "").strip()
    return label and bool(a and b and (a in b or b in a))


class CellDelegate(QStyledItemDelegate):
    """Line editor for every cell (multi-line only when the text already has line breaks), with completion."""

    def __init__(self, view: FormTableView):
        super().__init__(view)
        self.view = view
        self.completions: dict[str, QStringListModel] = {}

    def createEditor(self, parent, option, index):
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

    def setEditorData(self, editor, index):
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

    def setModelData(self, editor, model, index):
        text = editor.toPlainText() if isinstance(editor, QPlainTextEdit) else editor.text()
        model.setData(index, text, Qt.ItemDataRole.EditRole)

    def eventFilter(self, editor, event):
        """Enter, Tab, Shift+Tab, Ctrl+Tab in a cell editor: commit, close the editor, then move — the editor is
        closed before the view moves, so the move starts from the cell just committed (also when the commit made
        a placeholder row a real row)."""
        if event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(editor, event)
        key, modifiers = event.key(), event.modifiers()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if isinstance(editor, QPlainTextEdit) and modifiers & Qt.KeyboardModifier.AltModifier:
                editor.insertPlainText("\n")  # Alt+Enter: a line break inside the cell, as in Excel
                return True
            if self._completing(editor):
                return super().eventFilter(editor, event)
            self._commit_and_close(editor)
            self.view.move_after_enter(bool(modifiers & Qt.KeyboardModifier.ShiftModifier))
            return True
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            if self._completing(editor):
                return super().eventFilter(editor, event)
            backward = key == Qt.Key.Key_Backtab or bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
            self._commit_and_close(editor)
            if modifiers & Qt.KeyboardModifier.ControlModifier:
                self.view.leave(not backward)
            else:
                self.view.move_by_tab(backward)
            return True
        return super().eventFilter(editor, event)

    @staticmethod
    def _completing(editor) -> bool:
        completer = editor.completer() if isinstance(editor, QLineEdit) else None
        popup = completer.popup() if completer is not None else None
        return popup is not None and popup.isVisible()

    def _commit_and_close(self, editor) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)


CELL_PADDING = 10  # the item delegate's text margins on both sides, and the grid line


def column_widths(model: Any, total: int, advance: Callable[[str], int]) -> list[int]:
    """The columns' widths in pixels: their shares of ``total`` as printed (``ColumnSpec.width``), except that a column
    is never narrower than the widest text it must show on one line (``model.widest_texts``, measured by
    ``advance``); the other columns share what is left, in their printed proportions."""
    shares = [c.width for c in model.columns()]
    need = [max((advance(t) + CELL_PADDING for t in model.widest_texts(i)), default=0) for i in range(len(shares))]
    fixed: dict[int, int] = {}
    while True:
        free = sum(w for i, w in enumerate(shares) if i not in fixed) or 1
        rest = max(0, total - sum(fixed.values()))
        widths = [fixed.get(i, int(rest * w / free)) for i, w in enumerate(shares)]
        short = [i for i in range(len(shares)) if i not in fixed and need[i] > widths[i]]
        if not short:
            return widths
        for i in short:
            fixed[i] = need[i]


class SpanLabelDelegate(QStyledItemDelegate):
    """For the columns with merged cells (一级/二级指标) only, so that other cells keep Qt's own (C++) painting."""

    def __init__(self, view: FormTableView):
        super().__init__(view)
        self.view = view

    def sizeHint(self, option, index):
        """A merged label does not set the height of each row it covers (its rows together are tall enough):
        otherwise every row of a group would be as tall as the wrapped 一级 label."""
        if self.view.rowSpan(index.row(), index.column()) > 1:
            return QSize(0, 0)  # (not measured: the grid's column widths are set, never fitted to the contents)
        return super().sizeHint(option, index)

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
        self._tab_column: int | None = None  # where a run of Tabs began: Enter returns to it (Excel)
        self._tabbing = False

    # model / spans --------------------------------------------------------------------------------
    def setModel(self, model):
        super().setModel(model)
        # after rows were inserted or removed (a reset): spans first, then every row is measured
        model.modelReset.connect(self.apply_spans)
        model.modelReset.connect(self.resizeRowsToContents)
        # rows that came or went without a reset (the indicator grid): the merged labels follow at once; the rows
        # are measured with the findings update that follows every change (textRowsChanged)
        model.rowsInserted.connect(self.apply_spans)
        model.rowsRemoved.connect(self.apply_spans)
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
        model: Any = self.model()  # a FormTableModel
        if model is None:
            return
        for row, col, rows, cols in model.spans():
            self.setSpan(row, col, rows, cols)
            if self.itemDelegateForColumn(col) is not self.span_delegate:
                self.setItemDelegateForColumn(col, self.span_delegate)

    def set_column_widths(self, total: int | None = None) -> None:
        model: Any = self.model()  # a FormTableModel
        total = total or max(600, self.viewport().width())
        for i, width in enumerate(column_widths(model, total, self.fontMetrics().horizontalAdvance)):
            self.setColumnWidth(i, width)

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

    def scrollContentsBy(self, dx, dy):
        super().scrollContentsBy(dx, dy)
        if dy and self.model() is not None and self.model().spans():
            # Qt scrolls the painted pixels and repaints only the strip that came into view; a merged label drawn
            # in the visible part of its span (CellDelegate.paint) must be drawn again where it now belongs
            self.viewport().update()

    # moving: Enter, Tab, into and out of the table ---------------------------------------------------
    def is_editable_cell(self, row: int, col: int) -> bool:
        model = self.model()
        return bool(model.flags(model.index(row, col)) & Qt.ItemFlag.ItemIsEditable)

    def editable_cells(self, backward: bool = False):
        """(row, column) of the editable cells in reading order (right, then down), or backwards."""
        model = self.model()
        rows, cols = range(model.rowCount()), range(model.columnCount())
        for row in reversed(rows) if backward else rows:
            for col in reversed(cols) if backward else cols:
                if self.is_editable_cell(row, col):
                    yield row, col

    def next_editable(self, row: int, col: int, backward: bool = False) -> tuple[int, int] | None:
        """The editable cell after (before) ``(row, col)`` in reading order; None past the last (first) one."""
        model = self.model()
        width = model.columnCount()
        step = -1 if backward else 1
        position = row * width + col + step
        while 0 <= position < model.rowCount() * width:
            r, c = divmod(position, width)
            if self.is_editable_cell(r, c):
                return r, c
            position += step
        return None

    def _go(self, row: int, col: int, tabbing: bool = False) -> None:
        self._tabbing = tabbing
        try:
            self.setCurrentIndex(self.model().index(row, col))
        finally:
            self._tabbing = False

    def currentChanged(self, current, previous):
        super().currentChanged(current, previous)
        if not self._tabbing:
            self._tab_column = None  # moved otherwise than by Tab: Enter goes straight down

    def move_after_enter(self, up: bool = False) -> None:
        """Down (Shift: up) one row, in the same column — after a run of Tabs, in the column where it began."""
        current = self.currentIndex()
        if not current.isValid():
            return
        col = current.column() if self._tab_column is None or up else self._tab_column
        row = current.row() + (-1 if up else max(1, self.rowSpan(current.row(), current.column())))
        if 0 <= row < self.model().rowCount():
            self._go(row, col)

    def move_by_tab(self, backward: bool = False) -> None:
        """Tab: the next editable cell to the right, then on the next row (merged labels are skipped); at the last
        cell of the indicator grid the cursor stays — focus never leaves the grid by accident (Ctrl+Tab leaves it)
        — while a small table of the header (资金, 任务) hands on to the next field, as the header's fields do.
        Shift+Tab: the previous editable cell; from the first one the focus leaves the table backwards."""
        current = self.currentIndex()
        if not current.isValid():
            first = next(self.editable_cells(backward), None)
            if first is not None:
                self._go(*first)
            return
        target = self.next_editable(current.row(), current.column(), backward)
        if target is None:
            if backward or not self.is_indicator_grid():
                self.leave(forward=not backward)
            return
        if self._tab_column is None and not backward:
            self._tab_column = current.column()
        self._go(*target, tabbing=not backward)

    def leave(self, forward: bool = True) -> None:
        """Focus to the next (previous) widget of the window, as Tab does between fields: Ctrl+Tab, and Shift+Tab
        from the first cell. The table's own Tab handling is bypassed (``QWidget.focusNextPrevChild``)."""
        if not self.hasFocus():
            self.setFocus(Qt.FocusReason.OtherFocusReason)
        QWidget.focusNextPrevChild(self, forward)

    def focusInEvent(self, event):
        """Tab into the table lands on an editable cell (the first; Shift+Tab: the last) — not on the merged 产出
        label; the other tables of the same form stop showing their selected cells (one current cell per form)."""
        super().focusInEvent(event)
        reason = event.reason()
        if self.model() is None or reason in (Qt.FocusReason.PopupFocusReason,
                                              Qt.FocusReason.ActiveWindowFocusReason):
            return
        self._unmark_other_tables()
        if reason not in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason,
                          Qt.FocusReason.ShortcutFocusReason):
            return
        current = self.currentIndex()
        if not (current.isValid() and self.is_editable_cell(current.row(), current.column())):
            cell = next(self.editable_cells(backward=reason == Qt.FocusReason.BacktabFocusReason), None)
            if cell is not None:
                self._go(*cell)
        elif not self.selectionModel().isSelected(current):
            self.selectionModel().select(current, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _unmark_other_tables(self) -> None:
        """The other tables of this form (the 资金 table, the indicator grid) clear their selection: only the table
        with the focus shows a current cell. Their current index stays (the window's row commands use it)."""
        model: Any = self.model()  # a FormTableModel
        for view in self.window().findChildren(FormTableView):
            other = view.model()
            if (view is not self and other is not None and getattr(other, "form_id", None) == model.form_id
                    and getattr(other, "document", None) is model.document):
                view.clearSelection()

    def keyPressEvent(self, event):
        key = event.key()
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):  # also Qt's own Tab (focusNextPrevChild sends it here)
            backward = key == Qt.Key.Key_Backtab or bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.leave(not backward)
            else:
                self.move_by_tab(backward)
            event.accept()
            return
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
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not event.modifiers():
                self.clear_selection()
                return
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                index = self.currentIndex()
                if index.isValid() and index.flags() & Qt.ItemFlag.ItemIsEditable:
                    self.edit(index, QAbstractItemView.EditTrigger.EditKeyPressed, event)
                else:
                    self.move_after_enter(bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
                return
        super().keyPressEvent(event)

    # right-click menu --------------------------------------------------------------------------------
    def _window_method(self, name: str):
        method = getattr(self.window(), name, None)
        return method if callable(method) else None

    def is_indicator_grid(self) -> bool:
        return hasattr(self.model(), "grid_row")

    def context_menu(self) -> QMenu:
        """The right-click menu: the clipboard commands, and in the indicator grid the row commands of the 编辑
        menu (the window's own methods); every text has an access key, shortcuts are shown beside."""
        menu = QMenu(self)
        standard = QKeySequence.StandardKey
        keys = {key: QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
                for key in (standard.Cut, standard.Copy, standard.Paste)}
        cells = self.selected_cells()
        editable = any(self.is_editable_cell(r, c) for r, c in cells)
        has_cell = self.currentIndex().isValid()

        def add(text: str, slot, enabled: bool = True) -> None:
            action = menu.addAction(text)
            action.setEnabled(bool(enabled) and slot is not None)
            if slot is not None:
                action.triggered.connect(guarded()(lambda _checked=False: slot()))

        add(f"剪切(&T)\t{keys[QKeySequence.StandardKey.Cut]}", self.cut, editable)
        add(f"复制(&C)\t{keys[QKeySequence.StandardKey.Copy]}", self.copy_selection, bool(cells))
        add(f"粘贴(&P)\t{keys[QKeySequence.StandardKey.Paste]}", self.paste,
            has_cell and bool(QApplication.clipboard().text()))
        if self.is_indicator_grid():
            model: Any = self.model()  # a FormTableModel
            menu.addSeparator()
            row_word = model.layout_.column("name").name  # 三级指标
            add(f"插入{row_word}行（上方）(&A)", lambda: self.insert_indicator_row(above=True), has_cell)
            add(f"插入{row_word}行（下方）(&B)",
                self._window_method("insert_row") or (lambda: self.insert_indicator_row(above=False)), has_cell)
            add("删除行(&D)", self._window_method("delete_rows"),
                any(model.grid_row(r).index is not None for r, _c in cells))
            add("设为不适用(&N)", self._window_method("mark_not_applicable"), has_cell)
        menu.addSeparator()
        delete = QKeySequence(Qt.Key.Key_Delete).toString(QKeySequence.SequenceFormat.NativeText)
        add(f"清除内容(&E)\t{delete}", self.clear_selection, editable)
        return menu

    @guarded()
    def contextMenuEvent(self, event):
        """Right-click (Qt has selected the cell under the mouse unless it was selected), the menu key, Shift+F10."""
        if self.model() is None:
            return
        if event.reason() == event.Reason.Mouse:
            position = self.viewport().mapFromGlobal(event.globalPos())
        else:  # from the keyboard: at the current cell
            rect = self.visualRect(self.currentIndex())
            position = rect.center() if rect.isValid() else self.viewport().rect().center()
        menu = self.context_menu()
        menu.exec(self.viewport().mapToGlobal(position))
        menu.deleteLater()

    def insert_indicator_row(self, above: bool = False) -> None:
        """A new empty 三级指标 row of the current cell's 二级指标, above or below its row (in an empty 二级指标 the
        placeholder becomes that row); the cursor goes to its 三级指标 cell. One undo step."""
        commit = self._window_method("commit_pending_edit")
        if commit is not None:
            commit()
        model: Any = self.model()  # a FormTableModel
        index = self.currentIndex()
        if not self.is_indicator_grid() or not index.isValid():
            self.statusMessage.emit("请先在指标表中选择一个单元格")
            return
        g = model.grid_row(index.row())
        form = model.form
        if g.index is None:
            position = insert_position(form, g.level2)
        else:
            position = g.index if above else g.index + 1
        text = "插入指标行（上方）" if above else "插入指标行"
        model.document.edit(model.form_id, [ReplaceRows("indicators", inserted_rows(form, g.level2, position))], text)
        name = next((i for i, c in enumerate(model.columns()) if c.key == "name"), index.column())
        self.setCurrentIndex(model.index(model.grid_row_of_indicator(position), name))

    # clipboard ------------------------------------------------------------------------------------
    MULTI_RANGE = "不能对多重选定区域执行此操作"

    def selected_cells(self) -> set[tuple[int, int]]:
        """(row, column) of every selected cell, from the selection ranges so cells under spans count; the current
        cell when nothing is selected."""
        cells = set()
        for r in self.selectionModel().selection().toList():
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
        """Values into cells of the table that exist (placeholders aside) as one undo step, through the document's
        edit door (which adds what they imply, e.g. a task's 总额 that follows 财政拨款 + 其他资金)."""
        model: Any = self.model()  # a FormTableModel
        cells = [SetText(p, t) for p, t in changes if p is not None and not is_placeholder(p)]
        return model.document.edit(model.form_id, cells, text) if cells else 0

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
            self._fill(rows[0][0], range(top, bottom + 1), range(left, right + 1))
            return
        rows = [r + [""] * (width - len(r)) for r in rows]  # a short row pastes empty cells, as in Excel
        plan = self._paste_plan(rows, top, left)
        if plan is None:
            return
        targets, columns, inserted = plan
        if not columns:
            return
        changes = [(path, rows[i][j]) for i, target in enumerate(targets) for j, c in columns
                   if (path := self._path_at(target, c)) is not None]
        count = self._push_paste(changes, inserted)
        msg = f"已粘贴 {count} 个单元格"
        if inserted:
            msg += f"，新增 {inserted[2]} 行指标"
        self.statusMessage.emit(msg)
        if targets and columns:
            bottom = min(top + len(targets) - 1, model.rowCount() - 1)
            self.selectionModel().select(
                QItemSelection(model.index(top, columns[0][1]), model.index(bottom, columns[-1][1])),
                QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _fill(self, text: str, target_rows, target_cols) -> None:
        """One value into every editable cell of the selection; placeholders of empty 二级指标 get their row."""
        model: Any = self.model()  # a FormTableModel
        changes = []
        for r in target_rows:
            for c in target_cols:
                index = model.index(r, c)
                if index.isValid() and model.flags(index) & Qt.ItemFlag.ItemIsEditable and index.data(PathRole):
                    changes.append((index.data(PathRole), text))
        placeholders = [(p, t) for p, t in changes if is_placeholder(p) and t.strip()]
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
        self.statusMessage.emit(f"已粘贴 {count} 个单元格")

    def _paste_plan(self, rows: list[list[str]], top: int, left: int):
        """Where a block of ``rows`` pasted at (top, left) goes: (targets, [(block column, table column)], rows to
        insert or None); a target is a table row, or in the indicator grid a row of the top cell's 二级指标
        (``_grid_rows_for``: more of them are inserted at its end as needed). What cannot be pasted — columns past
        the table's end, the merged labels, computed cells, rows past a fixed table — is asked about first, naming
        what would be left out; None: the user cancelled, nothing is pasted."""
        model: Any = self.model()  # a FormTableModel
        height, width = len(rows), len(rows[0])
        problems: list[str] = []
        lost: list[str] = []
        beyond = [j for j in range(width) if left + j >= model.columnCount()]
        if any(r[j].strip() for r in rows for j in beyond):
            title = model.columns()[left].name
            problems.append(f"粘贴的内容有 {width} 列，从“{title}”列起表格只有 {width - len(beyond)} 列，"
                            f"多出的 {len(beyond)} 列放不下")
            lost += [r[j] for r in rows for j in beyond if r[j].strip()]
        if self.is_indicator_grid():
            # blank rows at the end of the block fill the rows there are but add none (a trailing empty line)
            filled = max((i + 1 for i, r in enumerate(rows) if any(v.strip() for v in r)), default=0)
            targets, inserted = self._grid_rows_for(top, height, filled)
            table_rows = [top] * height  # every row of the grid has the same editable columns
        else:
            inserted = None
            targets = table_rows = list(range(top, min(top + height, model.rowCount())))
            extra = rows[len(table_rows):]
            if any(v.strip() for r in extra for v in r):
                problems.append(f"粘贴的内容有 {height} 行，从第 {top + 1} 行起表格只有 {len(table_rows)} 行，"
                                f"多出的 {len(extra)} 行放不下")
                lost += [v for r in extra for v in r if v.strip()]
        columns: list[tuple[int, int]] = []
        fixed: dict[int, list[str]] = {}
        for j in range(width - len(beyond)):
            col = left + j
            if any(self.is_editable_cell(r, col) for r in table_rows):
                columns.append((j, col))
            for i, r in enumerate(table_rows):
                value = rows[i][j].strip()
                shown = (model.index(r, col).data(Qt.ItemDataRole.EditRole) or "").strip()
                if value and not self.is_editable_cell(r, col) and not _same_text(
                        value, shown, model.label_text(r, col) is not None):
                    fixed.setdefault(col, []).append(rows[i][j])
        for col, values in fixed.items():
            title = model.columns()[col].name
            label = model.label_text(top, col) is not None
            why = "按表式固定" if label else "的这些单元格由程序计算或不能填写"
            problems.append(f"“{title}”列{why}，不能粘贴")
            lost += values
        if problems:
            sample = "、".join(f"“{v if len(v) <= 12 else v[:11] + '…'}”" for v in lost[:5])
            more = f"等 {len(lost)} 个单元格" if len(lost) > 5 else ""
            text = ("；\n".join(problems) + "。\n\n放不下的内容：" + sample + more
                    + "\n\n只粘贴放得下的部分，还是取消粘贴（不改动任何单元格）？")
            if not self._ask_paste(text):
                return None
        return targets, columns, inserted

    def _grid_rows_for(self, top: int, height: int, filled: int | None = None):
        """Indicator grid: where ``height`` pasted rows go — rows of the top row's 二级指标 from the top row on:
        first its rows that exist, then rows inserted at its end (the placeholder of an empty 二级指标 stands for
        its first new row). Returns their places in ``form.indicators`` as ``("indicators", index)`` (what they
        will be once the rows are inserted: the rows before the insertion keep their index) and (level2,
        position, count) of the rows to insert, or None. Rows are inserted only for the ``filled`` first rows."""
        model: Any = self.model()  # a FormTableModel
        level2 = model.grid_row(top).level2
        group = [r for r in range(top, model.rowCount()) if model.grid_row(r).level2 == level2]
        existing = [model.grid_row(r).index for r in group if model.grid_row(r).index is not None]
        need = (height if filled is None else min(height, filled)) - len(existing)
        if need <= 0:
            return [("indicators", i) for i in existing[:height]], None
        if existing:  # a 二级指标's rows are consecutive in form.indicators: insert after its last one
            position = existing[-1] + 1
        else:
            position = insert_position(model.form, level2)
        places = existing + list(range(position, position + need))
        return [("indicators", i) for i in places], (level2, position, need)

    def _path_at(self, target, col: int) -> tuple | None:
        """The model path of column ``col`` of a pasted row: ``target`` is a table row, or in the indicator grid
        ``("indicators", index)`` (``_grid_rows_for``)."""
        model: Any = self.model()  # a FormTableModel
        if isinstance(target, tuple):
            return (*target, model.columns()[col].key)
        index = model.index(target, col)
        return index.data(PathRole) if index.isValid() and self.is_editable_cell(target, col) else None

    def _push_paste(self, changes: list[tuple[tuple, str]], inserted) -> int:
        """The whole paste as one undo step: the rows it needs inserted, then every cell."""
        model: Any = self.model()  # a FormTableModel
        if not inserted:
            return self._push_cells(changes, "粘贴")
        level2, position, count = inserted
        rows = ReplaceRows("indicators", inserted_rows(model.form, level2, position, count))
        cells = [SetText(p, t) for p, t in changes if p is not None and not is_placeholder(p)]
        return model.document.edit(model.form_id, [rows, *cells], "粘贴")

    def _ask_paste(self, text: str) -> bool:
        """Asked through the window (tests answer ``answers["paste_overflow"]``); a message box without one. The
        default is to paste nothing."""
        yes, cancel = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Cancel
        labels = {yes: "只粘贴放得下的部分(&Y)", cancel: "取消"}
        ask = self._window_method("ask")
        if ask is not None:
            answer = ask("paste_overflow", "粘贴", text, yes | cancel, cancel, labels=labels)
        else:
            box = QMessageBox(QMessageBox.Icon.Question, "粘贴", text, yes | cancel, self)
            box.setDefaultButton(cancel)
            for button, label in labels.items():
                box.button(button).setText(label)
            box.exec()
            answer = box.standardButton(box.clickedButton()) if box.clickedButton() else cancel
        return answer == yes
