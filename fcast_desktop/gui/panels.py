"""The forms list (left) and the problems panel (bottom)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..model import FORM_KIND_TITLES, form_code, form_title

FormIdRole = Qt.ItemDataRole.UserRole + 10
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
        ids = [form_id] if form_id and form_id in self.items else list(self.items)
        for fid in ids:
            form = self.document.form(fid)
            if form is None:
                continue
            found = self.document.findings(fid)
            badge = []
            if found.errors:
                badge.append(f"✖{found.errors}")
            if found.warnings:
                badge.append(f"⚠{found.warnings}")
            item = self.items[fid]
            year = getattr(form, "year", None)
            text = form_title(form) + (f"  {' '.join(badge)}" if badge else "  ✓")
            item.setText(text)
            item.setToolTip(f"{form_title(form)}\n项目编码：{form_code(form) or '—'}\n年度：{year or '—'}\n"
                            f"错误 {found.errors} 个，警告 {found.warnings} 个")
            color = "#b00020" if found.errors else ("#8a5a00" if found.warnings else "#1b6e20")
            item.setForeground(QBrush(QColor(color)))

    def index_of_form(self, form_id: str) -> QModelIndex:
        item = self.items.get(form_id)
        return item.index() if item else QModelIndex()


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
            return p.rule
        if role == Qt.ItemDataRole.ForegroundRole and col == 0:
            return QBrush(QColor("#b00020" if p.severity == "error" else "#8a5a00"))
        if role == Qt.ItemDataRole.ToolTipRole and col == 3:
            return p.message
        if role == Qt.ItemDataRole.UserRole:
            return p.severity
        if role == FormIdRole:
            return form_id
        return None

    def problem(self, row: int):
        return self.rows[row]


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
        for col, width in ((0, 50), (1, 200), (2, 150), (4, 190)):
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
