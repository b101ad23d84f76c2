"""The editor of one form: header fields as labelled editors, fund/task tables, long texts and the
indicator grid — all built from the form's layout description (``fcast_desktop.layouts``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..layouts import FieldSpec, layout_for
from ..model import AnyForm, Declaration, DepartmentOverall, SelfEvaluation, Task
from ..model.editing import ReplaceRows, SetText, get_text
from ..model.money import format_money, normalise_digits
from . import commands
from .field_binding import FieldEditor, TextField, choice_list
from .form_geometry import EditorGeometry
from .safety import guarded
from .score_summary import ScoreSummary
from .table_models import FundsTableModel, IndicatorTableModel, TasksTableModel
from .table_view import FormTableView

_HEADER_HEIGHTS: dict[str, int] = {}  # header pane height the user chose, per form kind, for this session


def _colon(caption: str) -> str:
    """预算金额（元） → 预算金额：元 (inside the caption's own brackets)."""
    return caption.replace("（", "：").removesuffix("）")


def select_quoted(field: QPlainTextEdit, message: str) -> bool:
    """Select in ``field`` the expression a 测算依据 problem quotes (D9, ``rules.arithmetic.quoted_expression``) and
    scroll to it: in a text of a hundred lines the user sees at once which one is meant. Where normalising the digits
    changed the text's length, the whole line holding it is selected."""
    from ..rules.arithmetic import quoted_expression

    raw = field.toPlainText()
    place = quoted_expression(raw, message)
    if place is None:
        return False
    begin, finish, line = place
    cursor = field.textCursor()
    normalised = normalise_digits(raw)
    if len(normalised) == len(raw) and normalise_digits(raw[begin:finish]) == normalised[begin:finish]:
        cursor.setPosition(begin)
        cursor.setPosition(finish, cursor.MoveMode.KeepAnchor)
    else:
        block = field.document().findBlockByNumber(line - 1)
        cursor.setPosition(block.position())
        cursor.movePosition(cursor.MoveOperation.EndOfBlock, cursor.MoveMode.KeepAnchor)
    field.setTextCursor(cursor)
    field.centerCursor()
    return True


class FormEditor(EditorGeometry, ScoreSummary):
    """Everything of one form on one page; rebuilt when the user switches form.

    Built here: the title bar, the header fields (``field_binding``), the fund/task tables, the long texts and the
    indicator grid; laid out by ``form_geometry.EditorGeometry``; the score line by ``score_summary.ScoreSummary``.
    Every edit goes through the document's edit door (``ProjectDocument.edit``).

    Layout: a one-line title bar; then a vertical splitter whose upper pane is the header block (fields, the
    fund/task table, the long texts) in a scroll area and whose lower pane is the indicator grid. The grid gets
    the space: the header pane starts at most about 40 % of the height (less when the header is short), can be
    dragged or collapsed ("收起表头"), and the choice is kept for the session per form kind.
    """

    statusMessage = Signal(str)

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
        funds, tasks = self.layout_.funds, self.layout_.tasks
        if isinstance(form, SelfEvaluation) and funds is not None:
            self.funds_view = self._add_table(FundsTableModel(document, form_id, self), f"{funds.title}（元）",
                                              self.header_layout, rows=4)
        if isinstance(form, DepartmentOverall) and tasks is not None:
            self.tasks_view = self._add_table(TasksTableModel(document, form_id, self),
                                              f"{tasks.caption}（{_colon(tasks.amount_caption)}）", self.header_layout,
                                              rows=8,
                                              buttons=True)
        self._build_texts()
        self.header_layout.addStretch(1)

        grid_box = QWidget()
        grid_layout = QVBoxLayout(grid_box)
        grid_layout.setContentsMargins(0, 2, 0, 0)
        grid_layout.setSpacing(2)
        bar = self.grid_bar = QHBoxLayout()
        caption = QLabel(self.layout_.table_caption or "绩效指标")
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

    def chosen_heights(self) -> dict[str, int]:
        """The header pane height the user chose per form kind this session (``form_geometry``)."""
        return _HEADER_HEIGHTS

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
        box = self.header_fields = QWidget()
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
            words = self.layout_.field
            variant.addItem(f"{words('policy_basis').name} + {words('calculation_basis').name}", "basis")
            variant.addItem(words("overview").name, "overview")
            variant.setCurrentIndex(0 if form.variant == "basis" else 1)
            variant.currentIndexChanged.connect(self._variant_changed)
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
            goals = self.layout_.goals
            caption = QLabel(f"{goals.title} — {goals.caption}" if goals is not None else "")
            caption.setStyleSheet("font-weight:bold;")
            self.header_layout.addWidget(caption)
        self.header_layout.addWidget(box)

    # edits --------------------------------------------------------------------------------------
    def end_typing(self, path: tuple) -> None:
        stack = self.document.undo_stack
        top = stack.command(stack.index() - 1) if stack.index() > 0 else None
        if isinstance(top, commands.EditCommand) and top.form_id == self.form_id and top.path == path:
            top.sealed = True

    def _variant_changed(self, _index: int) -> None:
        if not self.updating:
            self.push_field(("variant",), self.variant_box.currentData(), "表式")

    def push_field(self, path: tuple, text: str, label: str = "") -> None:
        """A keystroke in a header field: through the edit door, merged with the typing before it."""
        self.document.edit(self.form_id, [SetText(path, text)], merge=True, label=label)

    @guarded()
    def change_unit(self, unit: str) -> None:
        """金额单位 changed in the combo box. With amounts filled in, ask whether the digits were typed in the new
        unit (keep the digits: the amounts are divided or multiplied by 10,000) or the amounts stay (the digits are
        converted); cancel puts the combo box back. Either way one undo step."""
        if self.updating:
            return
        form = self.form
        if not isinstance(form, Declaration):
            return
        old = form.amount_unit
        if unit == old:
            return
        filled = [(self.layout_.field(key).name, get_text(form, (key,)), getattr(form, key))
                  for key in ("total_amount", "annual_amount") if get_text(form, (key,))]
        keep_digits = False
        if filled:
            button = QMessageBox.StandardButton
            shown = "，".join(f"{label} {text} {old}" for label, text, _v in filled)
            converted = "，".join(f"{label} {format_money(value, unit)} {unit}"
                                  for label, _t, value in filled if value is not None)
            text = f"把金额单位从“{old}”改为“{unit}”。现填：{shown}。\n\n这些数字本来就是按“{unit}”填写的吗？"
            scale = "万分之一" if unit == "元" else " 10,000 倍"
            details = (f"保留所填数字：数字不变，按“{unit}”计（金额变为原来的{scale}）。\n"
                       f"保留金额：金额不变，数字换算为“{unit}”显示" + (f"：{converted}。" if converted else "。"))
            ask = self.ask or (lambda _k, _t, _x, _b, default, **_kw: default)
            # Enter takes the choice that changes no amount (保留金额); rescaling by 10,000 must be picked deliberately
            answer = ask("amount_unit", "更改金额单位", text, button.Yes | button.No | button.Cancel, button.No,
                         labels={button.Yes: "保留所填数字", button.No: "保留金额", button.Cancel: "取消"},
                         details=details)
            if answer not in (button.Yes, button.No):
                with QSignalBlocker(self.unit_box):
                    self.unit_box.setCurrentText(old)
                return
            keep_digits = answer == button.Yes
        changes, text = commands.unit_change(form, unit, keep_digits)
        self.document.edit(self.form_id, changes, text)
        if keep_digits:
            self.statusMessage.emit(f"金额单位已改为“{unit}”，保留所填的数字（可按 Ctrl+Z 撤销）")

    def add_task(self) -> None:
        form = self.form
        if isinstance(form, DepartmentOverall):
            self.document.edit(self.form_id, [ReplaceRows("tasks", [*form.tasks, Task()])], "添加任务")

    def remove_task(self, view: FormTableView) -> None:
        form = self.form
        if not isinstance(form, DepartmentOverall):
            return
        rows_selected = sorted({i.row() for i in view.selectionModel().selectedIndexes()}
                               or {view.currentIndex().row()})
        keep = [t for i, t in enumerate(form.tasks) if i not in rows_selected]
        if len(keep) == len(form.tasks):
            return
        self.document.edit(self.form_id, [ReplaceRows("tasks", keep)], "删除任务")

    # refresh ------------------------------------------------------------------------------------
    def _on_form_changed(self, form_id: str) -> None:
        if form_id == self.form_id and self.form is not None:
            paths = self.document.changed_paths
            if paths and all(len(p) > 1 for p in paths):  # table cells only: no header field, label or unit changed
                return
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
            editor.show_problems(findings.by_cell.get((key, None, None), [])
                                 + findings.by_cell.get((key, None, key), []))
        self.show_summary()

    # navigation ---------------------------------------------------------------------------------
    def focus_problem(self, problem) -> None:
        """Put the cursor on the cell or field a problem points at, scrolled into view."""
        self.reveal(problem, focus=True)

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
            table: Any = view.model()  # a FormTableModel
            if table.table_field == place.field:
                shown = table.display_row_of(place.row) if place.row is not None else table.rowCount() - 1
                col = next((i for i, c in enumerate(table.columns()) if c.key == place.key), 0)
                self._show_in_header(view)
                self._set_cell(view, table.index(max(0, shown or 0), col), focus)
                return True
        editor = self.fields.get(place.field)
        if editor is None or not editor.widget.isVisibleTo(self):
            return False
        self._show_in_header(editor.widget)
        if mark:
            editor.set_found(True)
        if focus:
            editor.widget.setFocus(Qt.FocusReason.OtherFocusReason)
        if str(getattr(place, "rule", "")).startswith("calculation.") and isinstance(editor.widget, QPlainTextEdit):
            select_quoted(editor.widget, place.message)
        return True

    def _set_cell(self, view: FormTableView, index, focus: bool) -> None:
        if focus:
            view.setFocus(Qt.FocusReason.OtherFocusReason)
        view.setCurrentIndex(index)
        view.scrollTo(index)
        if view is not self.grid:
            self._show_in_header(view)
