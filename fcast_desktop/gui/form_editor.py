"""The editor of one form: header fields as labelled editors, fund/task tables, long texts and the
indicator grid — all built from the form's layout description (``fcast_desktop.layouts``)."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..layouts import FieldSpec, layout_for
from ..model import AnyForm, Declaration, DepartmentOverall, SelfEvaluation
from ..model.editing import get_text
from ..model.money import format_number
from . import commands
from .table_models import FundsTableModel, IndicatorTableModel, TasksTableModel, problems_tooltip
from .table_view import FormTableView

ERROR_STYLE = "background:#f8d0d0;"
WARNING_STYLE = "background:#fbe7b5;"
HEADER_MIN_TEXT_LINES = 3


class FieldEditor:
    """Binds one header field (line edit, combo box or multi-line text) to a path of the form."""

    def __init__(self, editor_widget: FormEditor, spec: FieldSpec, widget):
        self.owner = editor_widget
        self.spec = spec
        self.widget = widget
        self.path = (spec.key,)
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(self._edited)
        elif isinstance(widget, QComboBox):
            widget.currentTextChanged.connect(self._edited)
        else:
            widget.textChanged.connect(lambda: self._edited(widget.toPlainText()))

    def _edited(self, text: str) -> None:
        if self.owner.updating:
            return
        self.owner.push_field(self.path, text, self.spec.label_for(self.owner.form).lstrip("*"))

    def text(self) -> str:
        if isinstance(self.widget, QLineEdit):
            return self.widget.text()
        if isinstance(self.widget, QComboBox):
            return self.widget.currentText()
        return self.widget.toPlainText()

    def refresh(self) -> None:
        value = get_text(self.owner.form, self.path)
        if value == self.text():
            return
        with QSignalBlocker(self.widget):
            if isinstance(self.widget, QLineEdit):
                self.widget.setText(value)
            elif isinstance(self.widget, QComboBox):
                self.widget.setCurrentText(value)
            else:
                self.widget.setPlainText(value)

    def show_problems(self, problems: list) -> None:
        style = ""
        if any(p.severity == "error" for p in problems):
            style = ERROR_STYLE
        elif problems:
            style = WARNING_STYLE
        self.widget.setStyleSheet(style)
        self.widget.setToolTip(problems_tooltip(problems))


class FormEditor(QWidget):
    """Everything of one form on one page; rebuilt when the user switches form."""

    statusMessage = Signal(str)

    def __init__(self, document, form_id: str, parent=None):
        super().__init__(parent)
        self.document = document
        self.form_id = form_id
        self.updating = False
        self.layout_ = layout_for(self.form)
        self.fields: dict[str, FieldEditor] = {}
        self.labels: dict[str, QLabel] = {}
        self.tables: list[FormTableView] = []

        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 0)
        title = QLabel(self.layout_.title)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(title)
        self.summary = QLabel()
        self.summary.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.summary.setObjectName("scoreSummary")
        outer.addWidget(self.summary)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        outer.addWidget(self.splitter, 1)
        header_area = QScrollArea()
        header_area.setWidgetResizable(True)
        header_area.setFrameShape(QFrame.Shape.NoFrame)
        header = QWidget()
        self.header_layout = QVBoxLayout(header)
        self.header_layout.setContentsMargins(0, 0, 0, 0)
        header_area.setWidget(header)
        self.splitter.addWidget(header_area)

        self._build_header()
        form = self.form
        if isinstance(form, SelfEvaluation):
            self._add_table(FundsTableModel(document, form_id, self), "资金使用情况（元）", self.header_layout, rows=4)
        if isinstance(form, DepartmentOverall):
            self.tasks_view = self._add_table(TasksTableModel(document, form_id, self), "年度主要任务（预算金额：元）",
                                              self.header_layout, rows=6, buttons=True)
        self._build_texts()
        self.header_layout.addStretch(1)

        grid_box = QWidget()
        grid_layout = QVBoxLayout(grid_box)
        grid_layout.setContentsMargins(0, 4, 0, 0)
        caption = QLabel("年度绩效指标" if not isinstance(form, Declaration) else "绩效指标")
        caption.setStyleSheet("font-weight:bold;")
        grid_layout.addWidget(caption)
        self.indicator_model = IndicatorTableModel(document, form_id, self)
        self.grid = FormTableView()
        self.grid.setObjectName("indicatorGrid")
        self.grid.setModel(self.indicator_model)
        self.grid.statusMessage.connect(self.statusMessage)
        self.tables.append(self.grid)
        grid_layout.addWidget(self.grid, 1)
        self.splitter.addWidget(grid_box)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([420, 600])

        document.formChanged.connect(self._on_form_changed)
        document.findingsChanged.connect(self._on_findings)
        self.refresh_all()
        QTimer.singleShot(0, self._size_columns)

    @property
    def form(self) -> AnyForm:
        return self.document.form(self.form_id)

    # building -----------------------------------------------------------------------------------
    def _make_widget(self, spec: FieldSpec):
        if spec.kind == "choice":
            combo = QComboBox()
            combo.setEditable(spec.editable_choices)
            combo.addItems(("",) + spec.choices)
            current = get_text(self.form, (spec.key,))
            if current and combo.findText(current) < 0:
                combo.addItem(current)  # keep what the form says even when it is not a listed choice
            return combo
        if spec.kind == "long_text":
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * HEADER_MIN_TEXT_LINES + 12)
            edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            return edit
        edit = QLineEdit()
        if spec.placeholder:
            edit.setPlaceholderText(spec.placeholder)
        if spec.kind == "money":
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        return edit

    def _build_header(self) -> None:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        form = self.form
        specs = [s for s in self.layout_.header if s.applies_to(form)]
        for n, spec in enumerate(specs):
            row, pair = divmod(n, 2)
            label = QLabel(spec.label_for(form) + "：")
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            widget = self._make_widget(spec)
            widget.setObjectName(f"field_{spec.key}")
            label.setBuddy(widget)
            grid.addWidget(label, row, pair * 2)
            grid.addWidget(widget, row, pair * 2 + 1)
            self.fields[spec.key] = FieldEditor(self, spec, widget)
            self.labels[spec.key] = label
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        if isinstance(form, Declaration):
            row = (len(specs) + 1) // 2
            variant = QComboBox()
            variant.setObjectName("field_variant")
            variant.addItem("政策依据 + 测算依据", "basis")
            variant.addItem("项目概况", "overview")
            variant.setCurrentIndex(0 if form.variant == "basis" else 1)
            variant.currentIndexChanged.connect(
                lambda _i: self.push_field(("variant",), variant.currentData(), "表式"))
            unit = QComboBox()
            unit.setObjectName("field_amount_unit")
            unit.addItems(["万元", "元"])
            unit.setCurrentText(form.amount_unit)
            unit.currentTextChanged.connect(lambda t: self.push_field(("amount_unit",), t, "金额单位"))
            for col, (text, w) in enumerate((("表式：", variant), ("金额单位：", unit))):
                lab = QLabel(text)
                lab.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                grid.addWidget(lab, row, col * 2)
                grid.addWidget(w, row, col * 2 + 1)
            self.variant_box, self.unit_box = variant, unit
        self.header_layout.addWidget(box)

    def _build_texts(self) -> None:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 4, 0, 0)
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
        label = QLabel(caption)
        label.setStyleSheet("font-weight:bold;")
        bar = QHBoxLayout()
        bar.addWidget(label)
        bar.addStretch(1)
        view = FormTableView()
        view.setModel(model)
        view.statusMessage.connect(self.statusMessage)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.setMinimumHeight(int(view.verticalHeader().defaultSectionSize() * (rows + 1.6)))
        if buttons:
            add = QPushButton("添加任务")
            add.clicked.connect(self.add_task)
            remove = QPushButton("删除任务")
            remove.clicked.connect(lambda: self.remove_task(view))
            bar.addWidget(add)
            bar.addWidget(remove)
        layout.addLayout(bar)
        layout.addWidget(view)
        self.tables.append(view)
        return view

    def _size_columns(self) -> None:
        if self.form is None:
            return
        width = max(900, self.grid.viewport().width())
        if width != getattr(self, "_sized_for", None):
            self._sized_for = width
            self.grid.set_column_widths(width)
            self.grid.resizeRowsToContents()  # wrapped text is measured at the final column widths

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self._size_columns()

    # edits --------------------------------------------------------------------------------------
    def push_field(self, path: tuple, text: str, label: str) -> None:
        if get_text(self.form, path) == text:
            return
        self.document.undo_stack.push(
            commands.SetTextCommand(self.document, self.form_id, path, text, label, merge=True)
        )

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
        self.summary.setText(self.summary_text())

    def summary_text(self) -> str:
        findings = self.document.findings(self.form_id)
        parts = []
        score = findings.score
        if score is not None:
            rate = "—" if score.execution_rate is None else format_number(score.execution_rate) + "%"
            funds = "—" if score.funds_score is None else format_number(score.funds_score)
            total = "—" if score.total is None else format_number(score.total)
            parts.append(f"执行率 {rate}　资金得分 {funds}　总分 {total}　等级 {score.grade or '—'}")
        parts.append(f"错误 {findings.errors} 个　警告 {findings.warnings} 个")
        return "　｜　".join(parts)

    # navigation ---------------------------------------------------------------------------------
    def focus_problem(self, problem) -> None:
        """Put the cursor on the cell or field a problem points at."""
        if problem.field == "indicators":
            model = self.indicator_model
            if problem.row is not None:
                row = model.grid_row_of_indicator(problem.row)
            else:
                row = next((n for n, g in enumerate(model._rows) if g.level2.value == problem.key), 0)
            col = next((i for i, c in enumerate(model.columns()) if c.key == problem.key), 0)
            if problem.row is None:
                col = next(i for i, c in enumerate(model.columns()) if c.key == "level2")
            self.grid.setFocus()
            self.grid.setCurrentIndex(model.index(row, col))
            self.grid.scrollTo(model.index(row, col))
            return
        for view in self.tables[:-1]:
            model = view.model()
            if model.table_field == problem.field:
                row = problem.row if problem.row is not None else model.rowCount() - 1
                col = next((i for i, c in enumerate(model.columns()) if c.key == problem.key), 0)
                view.setFocus()
                view.setCurrentIndex(model.index(max(0, row), col))
                return
        editor = self.fields.get(problem.field)
        if editor is not None:
            editor.widget.setFocus()
