"""The forms list (left) and the problems panel (bottom)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QRect, QSize, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..model import FORM_KIND_TITLES, form_code, form_title

FormIdRole = Qt.ItemDataRole.UserRole + 10
BadgeRole = Qt.ItemDataRole.UserRole + 11  # (errors, warnings) of a form, drawn by FormListDelegate
ERROR_COLOR = QColor("#b00020")
WARNING_COLOR = QColor("#8a5a00")
OK_COLOR = QColor("#1b6e20")
KIND_ORDER = ("declaration", "self_evaluation", "department_overall")


class ProjectTreeModel(QStandardItemModel):
    """Forms grouped by kind, each with a badge of its problem counts."""

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.items: dict[str, QStandardItem] = {}
        document.formsChanged.connect(self.rebuild)
        document.findingsChanged.connect(self.update_badges)
        self.rebuild()

    def rebuild(self) -> None:
        self.clear()
        self.items = {}
        groups = {}
        for kind in KIND_ORDER:
            item = QStandardItem(FORM_KIND_TITLES[kind])
            item.setEditable(False)
            item.setSelectable(False)
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            groups[kind] = item
            self.appendRow(item)
        for form in self.document.project.forms:
            item = QStandardItem()
            item.setEditable(False)
            item.setData(form.id, FormIdRole)
            groups[form.kind].appendRow(item)
            self.items[form.id] = item
        for kind, item in groups.items():
            item.setText(f"{FORM_KIND_TITLES[kind]}（{item.rowCount()}）")
        self.update_badges("")

    def update_badges(self, form_id: str = "") -> None:
        """The form's name as the item text; its problem counts in ``BadgeRole``, drawn right-aligned by
        ``FormListDelegate`` so they stay visible however long the name (the name is elided, never the badge)."""
        ids = [form_id] if form_id and form_id in self.items else list(self.items)
        for fid in ids:
            form = self.document.form(fid)
            if form is None:
                continue
            found = self.document.findings(fid)
            item = self.items[fid]
            year = getattr(form, "year", None)
            title = form_title(form)
            badge = (found.errors, found.warnings)
            counts = f"错误 {found.errors} 个，警告 {found.warnings} 个"
            tip = f"{title}\n项目编码：{form_code(form) or '—'}\n年度：{year or '—'}\n{counts}"
            if item.text() == title and item.data(BadgeRole) == badge and item.toolTip() == tip:
                continue  # typing that changes neither name nor counts repaints nothing
            item.setText(title)
            item.setData(badge, BadgeRole)
            item.setToolTip(tip)
            item.setData(f"{title}，{counts}", Qt.ItemDataRole.AccessibleTextRole)
            color = ERROR_COLOR if found.errors else (WARNING_COLOR if found.warnings else OK_COLOR)
            item.setForeground(QBrush(color))

    def index_of_form(self, form_id: str) -> QModelIndex:
        item = self.items.get(form_id)
        return item.index() if item else QModelIndex()


def badge_parts(badge) -> list[tuple[str, QColor]]:
    errors, warnings = badge
    parts = []
    if errors:
        parts.append((f"✖{errors}", ERROR_COLOR))
    if warnings:
        parts.append((f"⚠{warnings}", WARNING_COLOR))
    return parts or [("✓", OK_COLOR)]


class FormListDelegate(QStyledItemDelegate):
    """Draws a form's problem badge (✖3 ⚠1 or ✓) right-aligned in its row and elides the name before it."""

    GAP = 6

    def badge_width(self, option, index) -> int:
        badge = index.data(BadgeRole)
        if badge is None:
            return 0
        metrics = option.fontMetrics
        parts = badge_parts(badge)
        return sum(metrics.horizontalAdvance(t) for t, _c in parts) + self.GAP * len(parts)

    def paint(self, painter, option, index):
        width = self.badge_width(option, index)
        if not width:
            return super().paint(painter, option, index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        right = option.rect.right()
        opt.rect = QRect(option.rect.left(), option.rect.top(), max(0, option.rect.width() - width), option.rect.height())
        style = opt.widget.style() if opt.widget else QApplication.style()
        # the row's background and selection over the whole width, then the name in what is left of it
        full = QStyleOptionViewItem(opt)
        full.rect = option.rect
        full.text = ""
        full.icon = QIcon()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, full, painter, opt.widget)
        opt.backgroundBrush = QBrush()
        opt.state &= ~QStyle.StateFlag.State_HasFocus
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        x = right - width + self.GAP // 2
        for text, color in badge_parts(index.data(BadgeRole)):
            w = option.fontMetrics.horizontalAdvance(text)
            painter.setPen(option.palette.highlightedText().color() if selected else color)
            painter.drawText(QRect(x, option.rect.top(), w + self.GAP, option.rect.height()),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
            x += w + self.GAP
        painter.restore()

    def sizeHint(self, option, index):  # noqa: N802
        size = super().sizeHint(option, index)
        return QSize(size.width() + self.badge_width(option, index), size.height())


class ProblemsModel(QAbstractTableModel):
    """Every problem of the project: 级别, 表单, 位置, 说明, 规则."""

    COLUMNS = ("级别", "表单", "位置", "说明", "规则")

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.rows: list[tuple[str, object]] = []  # (form id, problem)
        document.findingsChanged.connect(self.refresh)
        document.formsChanged.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        rows = [(form.id, p) for form in self.document.project.forms for p in self.document.findings(form.id).problems]
        if rows == self.rows:
            return  # typing that changes no problem keeps the list, its selection and its scroll position
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 5:
            return self.COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        form_id, p = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return "错误" if p.severity == "error" else "警告"
            if col == 1:
                form = self.document.form(form_id)
                return form_title(form) if form else ""
            if col == 2:
                return p.column + (f" 第 {p.row + 1} 行" if p.row is not None else "")
            if col == 3:
                return p.message
            return rule_code(p.rule)
        if role == Qt.ItemDataRole.ForegroundRole and col == 0:
            return QBrush(ERROR_COLOR if p.severity == "error" else WARNING_COLOR)
        if role == Qt.ItemDataRole.ToolTipRole and col == 3:
            return p.message
        if role == Qt.ItemDataRole.ToolTipRole and col == 4:
            return f"规则 {rule_code(p.rule)}（{p.rule}），见使用说明中的规则列表"
        if role == Qt.ItemDataRole.UserRole:
            return p.severity
        if role == FormIdRole:
            return form_id
        return None

    def problem(self, row: int):
        return self.rows[row]


def rule_code(rule_id: str) -> str:
    """The code users see in the rule list of the help and the spec (D9, S7, N3…) for a catalogue id."""
    from ..rules import RULES

    rule = RULES.get(rule_id)
    return rule.code if rule else rule_id


class ProblemsFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.severity = ""
        self.form_id = ""

    def set_filter(self, severity: str, form_id: str) -> None:
        self.beginFilterChange()
        self.severity, self.form_id = severity, form_id
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row, parent):  # noqa: N802
        index = self.sourceModel().index(row, 0, parent)
        if self.severity and index.data(Qt.ItemDataRole.UserRole) != self.severity:
            return False
        if self.form_id and index.data(FormIdRole) != self.form_id:
            return False
        return True


class ProblemsPanel(QWidget):
    """Sortable, filterable list of problems; double-click (or Enter) jumps to the cell."""

    problemActivated = Signal(str, object)  # form id, problem

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.current_form_id = ""
        self.model = ProblemsModel(document, self)
        self.proxy = ProblemsFilter(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.severity = QComboBox()
        self.severity.setObjectName("severityFilter")
        self.severity.addItem("全部", "")
        self.severity.addItem("仅错误", "error")
        self.severity.addItem("仅警告", "warning")
        self.only_current = QCheckBox("只看当前表单")
        self.only_current.setObjectName("onlyCurrentForm")
        self.count = QLabel()
        bar.addWidget(QLabel("显示："))
        bar.addWidget(self.severity)
        bar.addWidget(self.only_current)
        bar.addStretch(1)
        bar.addWidget(self.count)
        layout.addLayout(bar)
        self.view = QTableView()
        self.view.setObjectName("problemsView")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 50), (1, 200), (2, 150), (4, 70)):
            self.view.setColumnWidth(col, width)
        layout.addWidget(self.view)
        self.severity.currentIndexChanged.connect(self._apply_filter)
        self.only_current.toggled.connect(self._apply_filter)
        self.view.activated.connect(self._activated)
        self.view.doubleClicked.connect(self._activated)
        self.model.modelReset.connect(self._update_count)
        self._update_count()

    def set_current_form(self, form_id: str) -> None:
        self.current_form_id = form_id
        self._apply_filter()

    def _apply_filter(self, *_args) -> None:
        self.proxy.set_filter(self.severity.currentData(), self.current_form_id if self.only_current.isChecked() else "")
        self._update_count()

    def _update_count(self) -> None:
        errors = sum(p.severity == "error" for _f, p in self.model.rows)
        self.count.setText(f"共 {len(self.model.rows)} 个问题（错误 {errors} 个）；显示 {self.proxy.rowCount()} 个")

    def _activated(self, index) -> None:
        source = self.proxy.mapToSource(index)
        form_id, problem = self.model.problem(source.row())
        self.problemActivated.emit(form_id, problem)
