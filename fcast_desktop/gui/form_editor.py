"""The editor of one form: header fields as labelled editors, fund/task tables, long texts and the
indicator grid — all built from the form's layout description (``fcast_desktop.layouts``)."""

from __future__ import annotations

import html
import unicodedata

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..layouts import FieldSpec, layout_for
from ..model import AnyForm, Declaration, DepartmentOverall, SelfEvaluation
from ..model.editing import get_text
from ..model.money import format_money, format_number
from . import commands
from .panels import FUNDS_CAPTION, TASKS_CAPTION
from .safety import guarded
from .table_models import FundsTableModel, IndicatorTableModel, TasksTableModel, problems_tooltip
from .table_view import FormTableView

ERROR_STYLE = "background:#f8d0d0;"
WARNING_STYLE = "background:#fbe7b5;"
FOUND_STYLE = "border:2px solid #e08a00;"  # the field a find hit is in (FindController)
HEADER_MIN_TEXT_LINES = 2
HEADER_MAX_TEXT_LINES = 8
_HEADER_HEIGHTS: dict[str, int] = {}  # header pane height the user chose, per form kind, for this session


def _choice_key(text: str) -> str:
    """Two spellings of one choice (`15 其他经费`, `15  其他经费`, `１５ 其他经费`) compare equal."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def choice_list(spec: FieldSpec, current: str = "") -> tuple[str, ...]:
    """The choices of a combo box as listed: once each, and for coded choices (项目类型 `15 其他经费`) sorted by
    code — `01 …, 03 …, 15 …, 15 …`, not in the order the layout happens to name them. The form's own value takes
    the place of a choice it only spells differently."""
    by_key: dict[str, str] = {}
    for choice in spec.choices:
        by_key.setdefault(_choice_key(choice), choice)
    if current and _choice_key(current) in by_key:
        by_key[_choice_key(current)] = current
    choices = list(by_key.values())
    if choices and all(c.split(" ", 1)[0].isdigit() for c in choices):
        choices.sort(key=lambda c: (int(c.split(" ", 1)[0]), c))
    return tuple(choices)


class UndoKeysToWindow(QObject):
    """One undo history: Ctrl+Z / Ctrl+Y (Ctrl+Shift+Z) typed in a header field undo and redo the project's undo
    stack, as the toolbar's 撤销/重做 do, instead of the field's own little history. Installed on every header
    editor: it refuses the keys the editor would claim (ShortcutOverride), so the window's actions get them, and
    drops them when those actions are disabled (nothing to undo), so the field never undoes on its own."""

    KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)

    @classmethod
    def is_undo_key(cls, event) -> bool:
        if any(event.matches(key) for key in cls.KEYS):
            return True
        return (event.key() == Qt.Key.Key_Y and event.modifiers() == Qt.KeyboardModifier.ControlModifier) or (
            event.key() == Qt.Key.Key_Z
            and event.modifiers() == Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)

    def eventFilter(self, obj, event):  # noqa: N802
        kind = event.type()
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and self.is_undo_key(event):
            event.ignore()  # not claimed: the shortcut of the window's 撤销/重做 takes it
            return True
        return False


UNDO_KEYS = UndoKeysToWindow()


class TextField(QPlainTextEdit):
    """A long header text (政策依据, 年度目标…) as tall as its text: at least HEADER_MIN_TEXT_LINES lines, at most
    HEADER_MAX_TEXT_LINES (then it scrolls), instead of QPlainTextEdit's fixed 192-pixel size hint."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setUndoRedoEnabled(False)  # the project's undo stack is the only history (UndoKeysToWindow)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._lines = 0
        self.document().documentLayout().documentSizeChanged.connect(self._document_size_changed)

    def _document_size_changed(self, size) -> None:
        lines = int(size.height())  # a plain-text layout measures its height in (wrapped) lines
        if lines != self._lines:
            self._lines = lines
            self.updateGeometry()

    def _height_for(self, lines: int) -> int:
        margins = self.contentsMargins()
        return (lines * self.fontMetrics().lineSpacing() + int(2 * self.document().documentMargin())
                + margins.top() + margins.bottom() + 2)

    def sizeHint(self):  # noqa: N802
        lines = max(HEADER_MIN_TEXT_LINES, min(HEADER_MAX_TEXT_LINES, self._lines))
        return QSize(super().sizeHint().width(), self._height_for(lines))

    def minimumSizeHint(self):  # noqa: N802
        return QSize(super().minimumSizeHint().width(), self._height_for(HEADER_MIN_TEXT_LINES))


class FieldEditor:
    """Binds one header field (line edit, combo box or multi-line text) to a path of the form.

    Every keystroke is stored at once (one merged undo step per typing burst, live checks), but the widget the
    user is typing into is never rewritten with the stored value's formatting: ``45.`` stays ``45.`` while the
    user types ``45.5``. The formatted value (``45.50``, ``12,000.00``) is shown when editing finishes (Enter,
    leaving the field) and whenever the value changes from elsewhere (undo/redo, paste, loading).
    """

    def __init__(self, editor_widget: FormEditor, spec: FieldSpec, widget):
        self.owner = editor_widget
        self.spec = spec
        self.widget = widget
        self.path = (spec.key,)
        self._pushing = False  # our own edit is being stored: do not write it back into the widget
        self._style = None
        self._problem_style = ""
        self._found = False
        self._tip = None
        for target in (widget, widget.lineEdit() if isinstance(widget, QComboBox) else None):
            if target is not None:
                target.installEventFilter(UNDO_KEYS)
                if isinstance(target, (QLineEdit, QPlainTextEdit)):
                    target.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
                    target.customContextMenuRequested.connect(lambda pos, t=target: self._context_menu(t, pos))
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(self._edited)
            widget.editingFinished.connect(self.finish)
        elif isinstance(widget, QComboBox):
            widget.currentTextChanged.connect(self._edited)
            if widget.lineEdit() is not None:
                widget.lineEdit().editingFinished.connect(self.finish)
        else:
            widget.textChanged.connect(lambda: self._edited(widget.toPlainText()))

    def context_menu(self, target) -> QMenu:
        """The field's own right-click menu, but its 撤消/重做 are the window's (one undo history)."""
        menu = target.createStandardContextMenu()
        window = target.window()
        for action in menu.actions():
            name = action.objectName()
            if name not in ("edit-undo", "edit-redo"):
                continue
            mine = getattr(window, "actionUndo" if name == "edit-undo" else "actionRedo", None)
            replacement = QAction(("撤销(&U)" if name == "edit-undo" else "重做(&R)") + "\t"
                                  + ("Ctrl+Z" if name == "edit-undo" else "Ctrl+Y"), menu)
            replacement.setObjectName(name)
            replacement.setEnabled(mine is not None and mine.isEnabled())
            if mine is not None:
                replacement.triggered.connect(mine.trigger)
            menu.insertAction(action, replacement)
            menu.removeAction(action)
        return menu

    @guarded()
    def _context_menu(self, target, pos) -> None:
        menu = self.context_menu(target)
        menu.exec(target.mapToGlobal(pos))
        menu.deleteLater()

    @guarded()  # a slot of the widget's signal: an error is reported afterwards, the typed text stays in the widget
    def _edited(self, text: str) -> None:
        if self.owner.updating:
            return
        self._pushing = True
        try:
            self.owner.push_field(self.path, text, self.spec.label_for(self.owner.form).lstrip("*"))
        finally:
            self._pushing = False

    def text(self) -> str:
        if isinstance(self.widget, QLineEdit):
            return self.widget.text()
        if isinstance(self.widget, QComboBox):
            return self.widget.currentText()
        return self.widget.toPlainText()

    @guarded()
    def finish(self) -> None:
        """Editing finished: show the stored value the way the form prints it (``45.5`` → ``45.50``), and end the
        typing burst, so the next edit of this field is an undo step of its own."""
        if self.owner.form is not None:
            self.owner.end_typing(self.path)
            self.refresh(force=True)

    def refresh(self, force: bool = False) -> None:
        """Show the stored value, unless it comes from the user's own typing in this widget."""
        if self._pushing and not force:
            return
        value = commands.safe_get_text(self.owner.form, self.path)
        if value is None or value == self.text():
            return
        with QSignalBlocker(self.widget):
            if isinstance(self.widget, QLineEdit):
                self.widget.setText(value)
            elif isinstance(self.widget, QComboBox):
                if not self.widget.isEditable() and value and self.widget.findText(value) < 0:
                    self.widget.addItem(value)  # keep what the form says even when it is not a listed choice
                self.widget.setCurrentText(value)
            else:
                cursor = self.widget.textCursor()
                position = cursor.position()
                self.widget.setPlainText(value)
                if self.widget.hasFocus():  # undo/redo while typing: keep the caret near where it was
                    cursor = self.widget.textCursor()
                    cursor.setPosition(min(position, len(value)))
                    self.widget.setTextCursor(cursor)

    def show_problems(self, problems: list) -> None:
        style = ""
        if any(p.severity == "error" for p in problems):
            style = ERROR_STYLE
        elif problems:
            style = WARNING_STYLE
        tip = problems_tooltip(problems)
        self._problem_style = style
        self._apply_style()
        if tip != self._tip:
            self._tip = tip
            self.widget.setToolTip(tip)

    def set_found(self, found: bool) -> None:
        """Outline the field while a find hit is in it."""
        self._found = found
        self._apply_style()

    def _apply_style(self) -> None:
        rules = self._problem_style + (FOUND_STYLE if self._found else "")
        # a selector, so the colour stays on the field: a combo box's drop-down list keeps its own background
        style = f"{type(self.widget).__name__}{{{rules}}}" if rules else ""
        if isinstance(self.widget, TextField) and rules:
            style = f"TextField, QPlainTextEdit{{{rules}}}"
        if style != self._style:  # restyling a widget costs far more than comparing two strings
            self._style = style
            self.widget.setStyleSheet(style)


class FormEditor(QWidget):
    """Everything of one form on one page; rebuilt when the user switches form.

    Layout: a one-line title bar; then a vertical splitter whose upper pane is the header block (fields, the
    fund/task table, the long texts) in a scroll area and whose lower pane is the indicator grid. The grid gets
    the space: the header pane starts at most about 40 % of the height (less when the header is short), can be
    dragged or collapsed ("收起表头"), and the choice is kept for the session per form kind.
    """

    statusMessage = Signal(str)
    HEADER_MAX = 0.55  # the whole header is shown when it needs at most this share of the splitter, else its
    HEADER_SHARE = 0.4  # first block (fields + fund/task table), at least HEADER_SHARE; the rest of it scrolls
    WIDE_HEADER = 1350  # from this editor width the header fields are laid out three pairs per row
    NARROW_HEADER = 560  # below this editor width, one pair per row
    SHORT_SPLIT = 420  # a header/grid pane lower than this gives the header at most HEADER_SHARE
    GRID_MIN_WIDTH = 420  # below this the indicator grid scrolls sideways rather than squeeze its columns further

    def __init__(self, document, form_id: str, parent=None):
        super().__init__(parent)
        self.document = document
        self.form_id = form_id
        self.updating = False
        self.ask = None  # the window's ask(): set by MainWindow (tests answer without a dialog)
        self.layout_ = layout_for(self.form)
        self.fields: dict[str, FieldEditor] = {}
        self.labels: dict[str, QLabel] = {}
        self.tables: list[FormTableView] = []
        self._fitted: list[tuple[FormTableView, int]] = []  # tables sized to their rows: (view, max rows)
        self._header_pairs: list[tuple[QLabel, QWidget]] = []
        self._pairs_per_row = 0
        self._split_done = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 4, 6, 0)
        outer.setSpacing(2)
        top = QHBoxLayout()
        title = QLabel(self.layout_.title)
        title.setObjectName("formTitle")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        top.addWidget(title)
        top.addStretch(1)
        self.summary = QLabel()
        self.summary.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.summary.setObjectName("scoreSummary")
        top.addWidget(self.summary)
        outer.addLayout(top)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("editorSplitter")
        self.splitter.setHandleWidth(7)
        self.splitter.setStyleSheet("QSplitter#editorSplitter::handle{background:#dde1e7;margin:1px 0;}"
                                    "QSplitter#editorSplitter::handle:hover{background:#aab6c6;}")
        self.splitter.setChildrenCollapsible(True)
        outer.addWidget(self.splitter, 1)
        self.header_area = QScrollArea()
        self.header_area.setObjectName("headerArea")
        self.header_area.setWidgetResizable(True)
        self.header_area.setFrameShape(QFrame.Shape.NoFrame)
        self.header_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = QWidget()
        self.header_widget = header
        self.header_layout = QVBoxLayout(header)
        self.header_layout.setContentsMargins(0, 0, 4, 4)
        self.header_layout.setSpacing(4)
        self.header_area.setWidget(header)
        self.splitter.addWidget(self.header_area)

        self._build_header()
        form = self.form
        if isinstance(form, SelfEvaluation):
            self.funds_view = self._add_table(FundsTableModel(document, form_id, self), f"{FUNDS_CAPTION}（元）",
                                              self.header_layout, rows=4)
        if isinstance(form, DepartmentOverall):
            self.tasks_view = self._add_table(TasksTableModel(document, form_id, self), f"{TASKS_CAPTION}（预算金额：元）",
                                              self.header_layout, rows=8, buttons=True)
        self._build_texts()
        self.header_layout.addStretch(1)

        grid_box = QWidget()
        grid_layout = QVBoxLayout(grid_box)
        grid_layout.setContentsMargins(0, 2, 0, 0)
        grid_layout.setSpacing(2)
        bar = QHBoxLayout()
        caption = QLabel("年度绩效指标" if not isinstance(form, Declaration) else "绩效指标")
        caption.setStyleSheet("font-weight:bold;")
        bar.addWidget(caption)
        bar.addStretch(1)
        self.header_toggle = QToolButton()
        self.header_toggle.setObjectName("headerToggle")
        self.header_toggle.setAutoRaise(True)
        self.header_toggle.setToolTip("收起或展开表头（Ctrl+Shift+H，也可拖动表头与指标表之间的分隔条）")
        # not in the Tab order: Tab goes from the last header field straight into the grid (视图 → 收起/展开表头)
        self.header_toggle.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.header_toggle.clicked.connect(self.toggle_header)
        bar.addWidget(self.header_toggle)
        grid_layout.addLayout(bar)
        self.indicator_model = IndicatorTableModel(document, form_id, self)
        self.grid = FormTableView()
        self.grid.setObjectName("indicatorGrid")
        self.grid.setModel(self.indicator_model)
        self.grid.statusMessage.connect(self.statusMessage)
        self.tables.append(self.grid)
        grid_layout.addWidget(self.grid, 1)
        self.splitter.addWidget(grid_box)
        self.splitter.setCollapsible(0, True)
        self.splitter.setCollapsible(1, False)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.splitterMoved.connect(self._splitter_moved)
        self._update_toggle()

        document.formChanged.connect(self._on_form_changed)
        document.findingsChanged.connect(self._on_findings)
        self.refresh_all()
        QTimer.singleShot(0, self, self._size_columns)  # not after the editor is gone

    @property
    def form(self) -> AnyForm:
        return self.document.form(self.form_id)

    # building -----------------------------------------------------------------------------------
    def _make_widget(self, spec: FieldSpec):
        if spec.kind == "choice":
            combo = QComboBox()
            combo.setEditable(spec.editable_choices)
            current = get_text(self.form, (spec.key,))
            combo.addItems(("",) + choice_list(spec, current))
            if current and combo.findText(current) < 0 and not spec.editable_choices:
                combo.addItem(current)  # keep what the form says even when it is not a listed choice
            return combo
        if spec.kind == "long_text":
            return TextField()
        edit = QLineEdit()
        if spec.placeholder:
            edit.setPlaceholderText(spec.placeholder)
        if spec.kind == "money":
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        return edit

    def _build_header(self) -> None:
        box = QWidget()
        box.setObjectName("headerFields")
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        self.header_grid = grid
        form = self.form
        specs = [s for s in self.layout_.header if s.applies_to(form)]
        for spec in specs:
            label = QLabel(spec.label_for(form) + "：")
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            widget = self._make_widget(spec)
            widget.setObjectName(f"field_{spec.key}")
            label.setBuddy(widget)
            self.fields[spec.key] = FieldEditor(self, spec, widget)
            self.labels[spec.key] = label
            self._header_pairs.append((label, widget))
        if isinstance(form, Declaration):
            variant = QComboBox()
            variant.setObjectName("field_variant")
            variant.addItem("政策依据 + 测算依据", "basis")
            variant.addItem("项目概况", "overview")
            variant.setCurrentIndex(0 if form.variant == "basis" else 1)
            variant.currentIndexChanged.connect(
                lambda _i: self.updating or self.push_field(("variant",), variant.currentData(), "表式"))
            unit = QComboBox()
            unit.setObjectName("field_amount_unit")
            unit.addItems(["万元", "元"])
            unit.setCurrentText(form.amount_unit)
            unit.setToolTip("金额单位：表头两个金额按此单位填写和打印")
            unit.currentTextChanged.connect(self.change_unit)
            for text, w in (("表式：", variant), ("金额单位：", unit)):
                lab = QLabel(text)
                lab.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                lab.setBuddy(w)
                self._header_pairs.append((lab, w))
            self.variant_box, self.unit_box = variant, unit
        self._flow_header(2)
        self.header_layout.addWidget(box)

    def _flow_header(self, pairs: int) -> None:
        """Lay the header fields out ``pairs`` label/field pairs per row (2, or 3 on a wide window)."""
        if pairs == self._pairs_per_row:
            return
        self._pairs_per_row = pairs
        grid = self.header_grid
        for label, widget in self._header_pairs:
            grid.removeWidget(label)
            grid.removeWidget(widget)
        for n, (label, widget) in enumerate(self._header_pairs):
            row, pair = divmod(n, pairs)
            grid.addWidget(label, row, pair * 2)
            grid.addWidget(widget, row, pair * 2 + 1)
        for col in range(6):
            grid.setColumnStretch(col, 1 if col % 2 and col < pairs * 2 else 0)

    def _build_texts(self) -> None:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 4, 0, 0)
        grid.setVerticalSpacing(4)
        form = self.form
        for row, spec in enumerate(self.layout_.texts):
            label = QLabel(spec.label_for(form) + "：")
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            label.setWordWrap(True)
            widget = self._make_widget(spec)
            widget.setObjectName(f"field_{spec.key}")
            label.setBuddy(widget)
            grid.addWidget(label, row, 0)
            grid.addWidget(widget, row, 1)
            self.fields[spec.key] = FieldEditor(self, spec, widget)
            self.labels[spec.key] = label
            visible = spec.applies_to(form)
            label.setVisible(visible)
            widget.setVisible(visible)
        grid.setColumnStretch(1, 1)
        grid.setColumnMinimumWidth(0, 120)
        if isinstance(form, SelfEvaluation):
            caption = QLabel("项目目标完成情况 — 年度总体目标")
            caption.setStyleSheet("font-weight:bold;")
            self.header_layout.addWidget(caption)
        self.header_layout.addWidget(box)

    def _add_table(self, model, caption: str, layout, rows: int, buttons: bool = False) -> FormTableView:
        """A small table of the header block, as tall as its rows (at most ``rows`` of them, then it scrolls)."""
        label = QLabel(caption)
        label.setStyleSheet("font-weight:bold;")
        bar = QHBoxLayout()
        bar.addWidget(label)
        bar.addStretch(1)
        view = FormTableView()
        view.setModel(model)
        view.statusMessage.connect(self.statusMessage)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        if buttons:  # tasks: the amounts need no more than their digits, the texts get the rest of the width
            amount_width = view.fontMetrics().horizontalAdvance("99,999,999,999.00") + 16
            for col, spec in enumerate(model.columns()):
                if spec.numeric:
                    view.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
                    view.setColumnWidth(col, amount_width)
            add = QPushButton("添加任务")
            add.clicked.connect(self.add_task)
            remove = QPushButton("删除任务")
            remove.clicked.connect(lambda: self.remove_task(view))
            bar.addWidget(add)
            bar.addWidget(remove)
        layout.addLayout(bar)
        layout.addWidget(view)
        self.tables.append(view)
        self._fitted.append((view, rows))
        # rows follow their text at the current column widths (measured again when the widths change), and the
        # table follows its rows
        view.verticalHeader().sectionResized.connect(lambda *_a, v=view, n=rows: self._fit_table(v, n))
        view.horizontalHeader().sectionResized.connect(lambda *_a, v=view: self._remeasure_later(v))
        # after a reset the view itself has measured every row (FormTableView.setModel): only the height follows
        model.modelReset.connect(lambda v=view, n=rows: self._fit_table(v, n))
        self._fit_table(view, rows)
        return view

    def _remeasure_later(self, view: FormTableView) -> None:
        if not getattr(view, "_remeasure_pending", False):
            view._remeasure_pending = True
            QTimer.singleShot(0, view, lambda: self._remeasure(view))  # cancelled if the view goes away

    def _remeasure(self, view: FormTableView) -> None:
        view._remeasure_pending = False
        if self.form is not None:
            view.resizeRowsToContents()  # (Qt emits no sectionResized for this)
            self._fit_table(view, next(n for v, n in self._fitted if v is view))

    @staticmethod
    def _fit_table(view: FormTableView, max_rows: int) -> None:
        """Height of a header table = its column header + its rows (up to ``max_rows``): no half rows, no gap."""
        header = view.verticalHeader()
        count = view.model().rowCount()
        shown = sum(header.sectionSize(r) for r in range(min(count, max_rows)))
        if count == 0:
            shown = header.defaultSectionSize()
        height = view.horizontalHeader().sizeHint().height() + shown + 2 * view.frameWidth()
        if view.height() != height or view.minimumHeight() != height:
            view.setFixedHeight(height)

    def _size_columns(self) -> None:
        if self.form is None:
            return
        bar = self.grid.verticalScrollBar()
        # leave room for the vertical scroll bar before it shows, or the columns would overflow by its width
        # columns share the grid's width and their text wraps: no sideways scrolling down to a narrow window
        width = max(self.GRID_MIN_WIDTH,
                    self.grid.viewport().width() - (0 if bar.isVisible() else bar.sizeHint().width()))
        if width != getattr(self, "_sized_for", None):
            self._sized_for = width
            self.grid.set_column_widths(width)
            self.grid.resizeRowsToContents()  # wrapped text is measured at the final column widths

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        width = self.width()
        self._flow_header(3 if width >= self.WIDE_HEADER else 2 if width >= self.NARROW_HEADER else 1)
        self._size_columns()
        if not self._split_done and self.splitter.height() > 50:
            self._split_done = True
            QTimer.singleShot(0, self, self._first_split)

    def _first_split(self) -> None:
        if not self._split_applied:
            self.apply_split()

    _split_applied = False

    # header pane ------------------------------------------------------------------------------------
    def header_natural_height(self) -> int:
        """Height the header block needs to show everything without scrolling."""
        self.header_widget.layout().activate()
        return self.header_widget.sizeHint().height() + 2

    def first_block_height(self) -> int:
        """Height down to the end of the header's first block: the fields, and the fund/task table if any."""
        for view, _rows in self._fitted:
            self._fit_table(view, _rows)
        self.header_widget.layout().activate()
        anchor = self._fitted[0][0] if self._fitted else self.header_grid.parentWidget()
        return anchor.geometry().bottom() + 6

    def grid_content_height(self) -> int:
        """Height the indicator pane needs to show every row (caption, column header, rows)."""
        grid = self.grid
        return (grid.parentWidget().layout().itemAt(0).sizeHint().height() + grid.horizontalHeader().height()
                + grid.verticalHeader().length() + 2 * grid.frameWidth() + 8)

    def apply_split(self) -> None:
        """Initial header/grid split: what the user chose for this form kind this session; else the whole header
        when it takes at most HEADER_MAX of the space; else down to the end of its first block (fields and the
        fund/task table: the rest scrolls), within HEADER_SHARE..HEADER_MAX — the indicator grid keeps the rest."""
        if self.form is None:
            return
        total = sum(self.splitter.sizes()) or self.splitter.height()
        chosen = _HEADER_HEIGHTS.get(self.form.kind)
        natural = self.header_natural_height()
        # a short window (1366×768 at 150 %) keeps most of its little height for the grid
        most = self.HEADER_MAX if total >= self.SHORT_SPLIT else self.HEADER_SHARE
        if chosen is not None:
            header = min(chosen, total - 120)
        elif natural <= total * most:
            header = natural
        else:
            header = min(max(self.first_block_height(), int(total * self.HEADER_SHARE)), int(total * most))
            header = max(header, min(natural, total - self.grid_content_height()))  # a short grid leaves room
        header = max(0, header)
        self.splitter.setSizes([header, total - header])
        self._split_applied = True
        self._update_toggle()

    def header_collapsed(self) -> bool:
        return self.splitter.sizes()[0] == 0

    def toggle_header(self) -> None:
        total = sum(self.splitter.sizes())
        if self.header_collapsed():
            height = self._restore_height or min(self.header_natural_height(), int(total * self.HEADER_MAX))
            self.splitter.setSizes([height, total - height])
        else:
            self._restore_height = self.splitter.sizes()[0]
            self.splitter.setSizes([0, total])
        _HEADER_HEIGHTS[self.form.kind] = self.splitter.sizes()[0]
        self._update_toggle()

    _restore_height = 0

    def _splitter_moved(self, _pos: int, _index: int) -> None:
        _HEADER_HEIGHTS[self.form.kind] = self.splitter.sizes()[0]
        self._update_toggle()

    def _update_toggle(self) -> None:
        collapsed = self.header_collapsed() if self._split_done else False
        self.header_toggle.setText("▼ 展开表头" if collapsed else "▲ 收起表头")

    # edits --------------------------------------------------------------------------------------
    def end_typing(self, path: tuple) -> None:
        stack = self.document.undo_stack
        top = stack.command(stack.index() - 1) if stack.index() > 0 else None
        if isinstance(top, commands.SetTextCommand) and top.form_id == self.form_id and top.path == path:
            top.sealed = True

    def push_field(self, path: tuple, text: str, label: str) -> None:
        if commands.safe_get_text(self.form, path) == text:
            return
        self.document.undo_stack.push(
            commands.SetTextCommand(self.document, self.form_id, path, text, label, merge=True)
        )

    @guarded()
    def change_unit(self, unit: str) -> None:
        """金额单位 changed in the combo box. With amounts filled in, ask whether the digits were typed in the new
        unit (keep the digits: the amounts are divided or multiplied by 10,000) or the amounts stay (the digits are
        converted); cancel puts the combo box back. Either way one undo step."""
        if self.updating:
            return
        form = self.form
        old = form.amount_unit
        if unit == old:
            return
        filled = [(self.layout_.field(key).name, get_text(form, (key,)), getattr(form, key))
                  for key in ("total_amount", "annual_amount") if get_text(form, (key,))]
        keep_digits = False
        if filled:
            Button = QMessageBox.StandardButton
            shown = "，".join(f"{label} {text} {old}" for label, text, _v in filled)
            converted = "，".join(f"{label} {format_money(value, unit)} {unit}"
                                  for label, _t, value in filled if value is not None)
            text = f"把金额单位从“{old}”改为“{unit}”。现填：{shown}。\n\n这些数字本来就是按“{unit}”填写的吗？"
            scale = "万分之一" if unit == "元" else " 10,000 倍"
            details = (f"保留所填数字：数字不变，按“{unit}”计（金额变为原来的{scale}）。\n"
                       f"保留金额：金额不变，数字换算为“{unit}”显示" + (f"：{converted}。" if converted else "。"))
            ask = self.ask or (lambda _k, _t, _x, _b, default, **_kw: default)
            # Enter takes the choice that changes no amount (保留金额); rescaling by 10,000 must be picked deliberately
            answer = ask("amount_unit", "更改金额单位", text, Button.Yes | Button.No | Button.Cancel, Button.No,
                         labels={Button.Yes: "保留所填数字", Button.No: "保留金额", Button.Cancel: "取消"},
                         details=details)
            if answer not in (Button.Yes, Button.No):
                with QSignalBlocker(self.unit_box):
                    self.unit_box.setCurrentText(old)
                return
            keep_digits = answer == Button.Yes
        self.document.undo_stack.push(commands.ChangeUnitCommand(self.document, self.form_id, unit, keep_digits))
        if keep_digits:
            self.statusMessage.emit(f"金额单位已改为“{unit}”，保留所填的数字（可按 Ctrl+Z 撤销）")

    def add_task(self) -> None:
        from ..model import Task

        rows = list(self.form.tasks) + [Task()]
        self.document.undo_stack.push(commands.ReplaceRowsCommand(self.document, self.form_id, "tasks", rows, "添加任务"))

    def remove_task(self, view: FormTableView) -> None:
        rows_selected = sorted({i.row() for i in view.selectionModel().selectedIndexes()} or {view.currentIndex().row()})
        keep = [t for i, t in enumerate(self.form.tasks) if i not in rows_selected]
        if len(keep) == len(self.form.tasks):
            return
        self.document.undo_stack.push(commands.ReplaceRowsCommand(self.document, self.form_id, "tasks", keep, "删除任务"))

    # refresh ------------------------------------------------------------------------------------
    def _on_form_changed(self, form_id: str) -> None:
        if form_id == self.form_id and self.form is not None:
            self.refresh_fields()

    def _on_findings(self, form_id: str) -> None:
        if form_id in ("", self.form_id) and self.form is not None:
            self.refresh_findings()

    def refresh_all(self) -> None:
        self.refresh_fields()
        self.refresh_findings()

    def refresh_fields(self) -> None:
        self.updating = True
        try:
            form = self.form
            for key, editor in self.fields.items():
                editor.refresh()
                visible = editor.spec.applies_to(form)
                editor.widget.setVisible(visible)
                self.labels[key].setVisible(visible)
                self.labels[key].setText(editor.spec.label_for(form) + "：")
            if isinstance(form, Declaration):
                with QSignalBlocker(self.variant_box), QSignalBlocker(self.unit_box):
                    self.variant_box.setCurrentIndex(0 if form.variant == "basis" else 1)
                    self.unit_box.setCurrentText(form.amount_unit)
        finally:
            self.updating = False

    def refresh_findings(self) -> None:
        findings = self.document.findings(self.form_id)
        for key, editor in self.fields.items():
            editor.show_problems(findings.by_cell.get((key, None, None), []) + findings.by_cell.get((key, None, key), []))
        pieces = self.summary_pieces()
        text = "".join(t for t, _red in pieces)
        if text != getattr(self, "_summary_plain", None):
            self._summary_plain = text
            provisional = any(red for _t, red in pieces)
            # a provisional 总分 (S4) in red, the rest as usual
            self.summary.setTextFormat(Qt.TextFormat.RichText if provisional else Qt.TextFormat.PlainText)
            rich = "".join(f'<span style="color:#b00020">{html.escape(t)}</span>' if red else html.escape(t)
                           for t, red in pieces)
            self.summary.setText(f'<span style="white-space:pre">{rich}</span>' if provisional else text)
            self.summary.setToolTip(
                "分值合计不符合评分规则（S4：各一级指标的分值，以及资金分值与全部指标分值之和应为 100），"
                "总分只是暂算，不评定等级；改正分值后显示等级。详见问题面板。" if provisional else "")

    def weights_mismatch(self) -> str | None:
        """Why the 总分 of a self-evaluation is not final (S4: the 分值 do not add up to 100, or a 一级指标's do not
        add up to its weight) — e.g. "分值合计 105，应为 100" — or None when they add up (or for other forms)."""
        findings = self.document.findings(self.form_id)
        score = findings.score
        if score is None:
            return None
        if score.weights_ok:
            return None
        from ..model import LEVEL1_INFO
        from ..rules import form_profile
        from ..rules.scoring import weight_sums

        profile = form_profile(self.form, self.document.profile)
        if score.weight_total != profile.total_weight:
            return f"分值合计 {format_number(score.weight_total)}，应为 {format_number(profile.total_weight)}"
        sums = weight_sums(self.form)
        for level1, info in LEVEL1_INFO.items():
            expected = profile.level1_weights.get(level1.value)
            if expected is not None and sums.get(level1, 0) != expected:
                return f"{info.long}分值合计 {format_number(sums.get(level1, 0))}，应为 {format_number(expected)}"
        return "分值合计不符合评分规则"

    def summary_pieces(self) -> list[tuple[str, bool]]:
        """The title bar as (text, provisional) pieces: 执行率, 资金得分, 总分 and 等级 of a self-evaluation, then the
        problem counts. When the 分值 do not add up (S4) the 总分 is provisional — shown with the reason, and no
        等级: "总分 103.37（分值合计 105，应为 100）　等级 —"."""
        findings = self.document.findings(self.form_id)
        pieces: list[tuple[str, bool]] = []
        score = findings.score
        if score is not None:
            rate = "—" if score.execution_rate is None else format_number(score.execution_rate) + "%"
            funds = "—" if score.funds_score is None else format_number(score.funds_score)
            pieces.append((f"执行率 {rate}　资金得分 {funds}　", False))
            mismatch = self.weights_mismatch() if score.total is not None else None
            if mismatch is not None:
                pieces.append((f"总分 {format_number(score.total)}（{mismatch}）　等级 —", True))
            else:
                total = "—" if score.total is None else format_number(score.total)
                pieces.append((f"总分 {total}　等级 {score.grade or '—'}", False))
            pieces.append(("　｜　", False))
        explained = f"，已说明 {findings.explained} 个" if findings.explained else ""
        pieces.append((f"错误 {findings.errors} 个　警告 {findings.warnings} 个{explained}", False))
        return pieces

    def summary_text(self) -> str:
        return "".join(t for t, _red in self.summary_pieces())

    # navigation ---------------------------------------------------------------------------------
    def focus_problem(self, problem) -> None:
        """Put the cursor on the cell or field a problem points at, scrolled into view."""
        self.reveal(problem, focus=True)

    def settle(self) -> None:
        """Lay the editor out now — it may have been built a moment ago and not be laid out yet — so that what
        ``reveal`` scrolls to is where it will stay (the first header/grid split included)."""
        window = self.window()
        if window is not None and window.layout() is not None:
            window.layout().activate()
        self.layout().activate()
        if not self._split_applied and self.splitter.height() > 50:
            self._split_done = True
            self.apply_split()
        self.header_widget.layout().activate()

    def _open_header_for(self, widget) -> None:
        """The header pane is collapsed, or too low to show ``widget``: open it enough (the grid keeps the rest)."""
        sizes = self.splitter.sizes()
        total = sum(sizes)
        need = min(widget.height() + 24, self.header_natural_height())
        if sizes[0] >= min(need, int(total * self.HEADER_MAX)):
            return
        height = min(max(need, self._restore_height or 0, int(total * self.HEADER_SHARE)), int(total * self.HEADER_MAX))
        self.splitter.setSizes([height, total - height])
        self._update_toggle()
        self.header_widget.layout().activate()

    def _show_in_header(self, widget) -> None:
        """Scroll the header pane so all of ``widget`` shows (its top, when it is taller than the pane) — not only
        its text cursor, which is all QScrollArea.ensureWidgetVisible brings into view for an editor."""
        self._open_header_for(widget)
        margin = 8
        bar = self.header_area.verticalScrollBar()
        height = self.header_area.viewport().height()
        top = widget.mapTo(self.header_widget, widget.rect().topLeft()).y() - margin
        bottom = top + widget.height() + 2 * margin
        value = bar.value()
        if bottom > value + height:
            value = bottom - height
        if top < value:
            value = top
        bar.setValue(max(0, value))

    def clear_found(self) -> None:
        for field in self.fields.values():
            if field._found:
                field.set_found(False)

    def reveal(self, place, focus: bool = True, mark: bool = False) -> bool:
        """Bring a place — a problem or a find hit: ``field``, ``row``, ``key`` — into view: a header field is
        scrolled to in the header pane (opened when collapsed), a table cell becomes the current cell and is
        scrolled to. ``focus``: the keyboard goes there too (a jump from the problems panel); else it stays where it
        is (the find box). ``mark``: the field is outlined until the next find. False when the place is not shown."""
        self.settle()
        self.clear_found()
        if place.field == "indicators":
            model = self.indicator_model
            if place.row is not None:
                row = model.grid_row_of_indicator(place.row)
                col = next((i for i, c in enumerate(model.columns()) if c.key == place.key), 0)
            else:
                row = next((n for n, g in enumerate(model._rows) if g.level2.value == place.key), 0)
                col = next(i for i, c in enumerate(model.columns()) if c.key == "level2")
            self._set_cell(self.grid, model.index(row, col), focus)
            return True
        for view in self.tables[:-1]:
            model = view.model()
            if model.table_field == place.field:
                row = model.display_row_of(place.row) if place.row is not None else model.rowCount() - 1
                col = next((i for i, c in enumerate(model.columns()) if c.key == place.key), 0)
                self._show_in_header(view)
                self._set_cell(view, model.index(max(0, row or 0), col), focus)
                return True
        editor = self.fields.get(place.field)
        if editor is None or not editor.widget.isVisibleTo(self):
            return False
        self._show_in_header(editor.widget)
        if mark:
            editor.set_found(True)
        if focus:
            editor.widget.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _set_cell(self, view: FormTableView, index, focus: bool) -> None:
        if focus:
            view.setFocus(Qt.FocusReason.OtherFocusReason)
        view.setCurrentIndex(index)
        view.scrollTo(index)
        if view is not self.grid:
            self._show_in_header(view)
