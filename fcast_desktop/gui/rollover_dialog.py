"""文件 → 新年度申报…: next year's draft declarations from this year's (issue 15, item 2).

The user picks the year and the source forms, reads the change list (表单, 位置, 原文 → 新文) and unticks the changes
not wanted; nothing is written before OK, and the drafts then go in as one undo step (``MainWindow.new_year``).
The dialog only calls :func:`fcast_desktop.rules.rollover.rollover`: with no change skipped to list them, then
with the unticked ones in ``skip`` to make the drafts.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..layouts import DEPARTMENT_OVERALL
from ..model import form_title
from ..rules.rollover import Rollover, RolloverError, default_sources, rollover

ChangeIdRole = Qt.ItemDataRole.UserRole + 1


def default_year(project) -> int:
    """The latest year of the project's declarations plus one (no declaration with a year: of the department
    forms)."""
    for kind in ("declaration", "department_overall"):
        years = [f.year for f in project.forms if f.kind == kind and f.year is not None]
        if years:
            return max(years) + 1
    from datetime import date

    return date.today().year + 1


def _where(change) -> str:
    if change.row is None:
        return change.column
    tasks = DEPARTMENT_OVERALL.tasks
    table = tasks.caption if change.field == "tasks" and tasks is not None else (change.level2 or "指标")
    return f"{table} 第 {change.row + 1} 行 · {change.column}"


class RolloverDialog(QDialog):
    def __init__(self, project, parent=None):
        super().__init__(parent)
        self.setObjectName("rolloverDialog")
        self.setWindowTitle("新年度申报")
        self.project = project
        self.preview: Rollover | None = None
        self.error = ""
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("申报年度(&Y)："))
        self.year = QSpinBox()
        self.year.setObjectName("rolloverYear")
        self.year.setRange(2000, 2100)
        self.year.setValue(default_year(project))
        top.itemAt(0).widget().setBuddy(self.year)
        top.addWidget(self.year)
        top.addStretch(1)
        layout.addLayout(top)
        layout.addWidget(QLabel("由这些表单生成（申报表和部门整体表）："))
        self.sources = QListWidget()
        self.sources.setObjectName("rolloverSources")
        self.sources.setMaximumHeight(140)
        for n, form in enumerate(project.forms):
            if form.kind not in ("declaration", "department_overall"):
                continue
            item = QListWidgetItem(f"表 {n}　{form_title(form)}　{form.year or '年度未填'}")
            item.setData(Qt.ItemDataRole.UserRole, n)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.sources.addItem(item)
        layout.addWidget(self.sources)
        layout.addWidget(QLabel("新表单中的改动（取消勾选的改动不做，保留原文）："))
        self.changes = QTableWidget(0, 4)
        self.changes.setObjectName("rolloverChanges")
        self.changes.setHorizontalHeaderLabels(["表单", "位置", "原文", "改为"])
        self.changes.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.changes.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.changes.verticalHeader().hide()
        header = self.changes.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.changes.setColumnWidth(0, 220)
        self.changes.setColumnWidth(1, 220)
        layout.addWidget(self.changes, 1)
        self.note = QLabel()
        self.note.setObjectName("rolloverNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("生成草稿(&O)")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消(&C)")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout.addWidget(buttons)
        self.resize(1000, 640)
        self._check_defaults()
        self.year.valueChanged.connect(self._year_changed)
        self.sources.itemChanged.connect(lambda _item: self.refresh())
        self.refresh()

    # ---- state ----------------------------------------------------------------------------------------

    def _check_defaults(self) -> None:
        chosen = set(default_sources(self.project, self.year.value()))
        self.sources.blockSignals(True)
        for i in range(self.sources.count()):
            item = self.sources.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.sources.blockSignals(False)

    def _year_changed(self, _year: int) -> None:
        self._check_defaults()
        self.refresh()

    def set_year(self, year: int) -> None:
        self.year.setValue(year)

    def chosen_forms(self) -> list[int]:
        return [self.sources.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.sources.count())
                if self.sources.item(i).checkState() == Qt.CheckState.Checked]

    def set_sources(self, numbers) -> None:
        numbers = set(numbers)
        self.sources.blockSignals(True)
        for i in range(self.sources.count()):
            item = self.sources.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in numbers
                               else Qt.CheckState.Unchecked)
        self.sources.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        """The change list for the year and forms chosen, every change ticked."""
        self.error = ""
        try:
            self.preview = rollover(self.project, self.year.value(), self.chosen_forms())
        except RolloverError as exc:
            self.preview, self.error = None, str(exc)
        changes = self.preview.changes if self.preview else []
        self.changes.setRowCount(len(changes))
        for r, change in enumerate(changes):
            form = self.project.forms[change.form]
            first = QTableWidgetItem(f"表 {change.form}　{form_title(form)}")
            first.setData(ChangeIdRole, change.id)
            first.setToolTip(change.line())
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if change.optional:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            else:
                first.setToolTip("年度必须改为新年度，不能取消")
            first.setFlags(flags)
            first.setCheckState(Qt.CheckState.Checked)
            self.changes.setItem(r, 0, first)
            for c, text in enumerate((_where(change), change.before, change.after), start=1):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.changes.setItem(r, c, item)
        notes = list(self.preview.notes) if self.preview else []
        if self.preview is not None:
            if not self.preview.drafts:
                notes.append("没有选择表单：请勾选要生成新年度申报的表单")
            elif self.preview.reviews:
                notes.append(f"金额保留原值，共 {len(self.preview.reviews)} 处标记为待核对，改过后标记消失")
        self.note.setText("\n".join([self.error] if self.error else notes))
        self.ok_button.setEnabled(self.preview is not None and bool(self.preview.drafts))

    def change_ids(self) -> list[tuple]:
        return [self.changes.item(r, 0).data(ChangeIdRole) for r in range(self.changes.rowCount())]

    def set_change_checked(self, change_id: tuple, checked: bool) -> None:
        for r in range(self.changes.rowCount()):
            item = self.changes.item(r, 0)
            if item.data(ChangeIdRole) == change_id and item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def skipped(self) -> frozenset:
        """The unticked changes (``Change.id``)."""
        return frozenset(self.changes.item(r, 0).data(ChangeIdRole) for r in range(self.changes.rowCount())
                         if self.changes.item(r, 0).checkState() != Qt.CheckState.Checked)

    def result_rollover(self) -> Rollover | None:
        """The drafts to add: the rollover made again without the unticked changes (None: nothing to add)."""
        if self.preview is None or not self.preview.drafts:
            return None
        try:
            return rollover(self.project, self.year.value(), self.chosen_forms(), skip=self.skipped())
        except RolloverError as exc:
            self.error = str(exc)
            return None

    def _accept(self) -> None:
        if self.preview is not None and self.preview.drafts:
            self.accept()
