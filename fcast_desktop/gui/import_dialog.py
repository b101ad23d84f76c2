"""导入结果: what an import did, one line per form and per note — 文件, 行, 情况, 说明 — with a summary (imported,
skipped as already in the project, failed), a button that copies the table (to paste into Excel or a mail) and a
jump to the form a line is about (double-click, Enter or 转到表单)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

COLUMNS = ("文件", "行", "情况", "说明")
OUTCOME_COLORS = {"无法导入": "#b00020", "无法读取": "#b00020", "注意": "#8a5a00", "未导入": "#5f6b7a"}


@dataclass(frozen=True)
class ImportLine:
    """One line of the result table."""

    path: str  # the file imported (full path: the table shows its name, the tooltip all of it)
    line: int | None  # line in that file, when known
    outcome: str  # 已导入 / 未导入 / 无法导入 / 无法读取 / 注意 / 说明
    text: str
    form_id: str | None = None  # the form the line is about: double-click shows it

    def cells(self) -> tuple[str, str, str, str]:
        return (Path(self.path).name, "" if self.line is None else str(self.line), self.outcome, self.text)


def note_form(forms_by_file: dict[str, list[tuple[int, str]]], path: str, line: int | None) -> str | None:
    """The form of a file a note at ``line`` is about: the last one starting at or before that line."""
    starts = forms_by_file.get(Path(path).name, [])
    if line is None or not starts:
        return None
    found = None
    for start, form_id in sorted(starts):
        if start <= line:
            found = form_id
    return found


def summary_text(imported: int, skipped: int, failed_files: int) -> str:
    """"导入 11 张表单；跳过 2 张（已在项目中）；1 个文件无法导入"."""
    return f"导入 {imported} 张表单；跳过 {skipped} 张（已在项目中，未重复导入）；{failed_files} 个文件无法导入"


class ImportResultDialog(QDialog):
    formRequested = Signal(str)  # form id

    def __init__(self, summary: str, lines: list[ImportLine], parent=None):
        super().__init__(parent)
        self.setObjectName("importResult")
        self.setWindowTitle("导入结果")
        self.lines = lines
        layout = QVBoxLayout(self)
        self.summary = QLabel(summary)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-weight:bold;")
        layout.addWidget(self.summary)
        hint = QLabel("双击一行（或选中后按回车）转到相应的表单。")
        hint.setStyleSheet("color:#5f6b7a;")
        layout.addWidget(hint)
        self.table = QTableWidget(len(lines), len(COLUMNS))
        self.table.setObjectName("importLines")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        for row, line in enumerate(lines):
            for col, text in enumerate(line.cells()):
                item = QTableWidgetItem(text)
                item.setToolTip(line.path if col == 0 else text)
                if col == 2 and line.outcome in OUTCOME_COLORS:
                    item.setForeground(QBrush(QColor(OUTCOME_COLORS[line.outcome])))
                if col == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
        header = self.table.horizontalHeader()
        for col in (0, 1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        self.table.itemActivated.connect(lambda item: self.go_to(item.row()))  # Enter (and, by style, a click)
        self.table.itemDoubleClicked.connect(lambda item: self.go_to(item.row()))
        self.table.currentCellChanged.connect(lambda *_a: self._update_buttons())
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("复制全部(&C)")
        self.copy_button.setToolTip("把上面的表格复制到剪贴板（可粘贴到 Excel 或邮件中）")
        self.copy_button.clicked.connect(self.copy)
        self.go_button = QPushButton("转到表单(&G)")
        self.go_button.clicked.connect(lambda: self.go_to(self.table.currentRow()))
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.go_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(close, QDialogButtonBox.ButtonRole.AcceptRole)
        layout.addWidget(buttons)
        self.resize(900, 420)
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.table.currentRow()
        self.go_button.setEnabled(0 <= row < len(self.lines) and self.lines[row].form_id is not None)

    def text(self) -> str:
        """The table as tab-separated text, with the summary first."""
        rows = ["\t".join(COLUMNS)] + ["\t".join(c.replace("\t", " ").replace("\n", " ") for c in line.cells())
                                       for line in self.lines]
        return self.summary.text() + "\n" + "\n".join(rows) + "\n"

    def copy(self) -> None:
        QApplication.clipboard().setText(self.text())

    def go_to(self, row: int) -> bool:
        if 0 <= row < len(self.lines) and self.lines[row].form_id:
            self.formRequested.emit(self.lines[row].form_id)
            return True
        return False
