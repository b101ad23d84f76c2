"""The start page: what the editor area shows while the project has no form — at the first start, after 新建项目 —
instead of opening (and letting the user overwrite) the sample in the program folder:
新建 (a form of each kind, 导入公开表格), 打开…, 最近的项目, 打开示例（副本）."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from .. import APP_NAME
from ..layouts import form_kind_title

PathRole = Qt.ItemDataRole.UserRole + 1


class StartPage(QScrollArea):
    """Buttons with access keys (Alt+letter) and a list of recent projects (Enter or double-click opens one)."""

    def __init__(self, window):
        super().__init__()
        self.main_window = window
        self.setObjectName("startPage")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.setWidget(body)
        outer = QHBoxLayout(body)
        outer.addStretch(1)
        column = QVBoxLayout()
        column.setSpacing(10)
        outer.addLayout(column, 4)
        outer.addStretch(1)

        title = QLabel(APP_NAME)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        column.addSpacing(12)
        column.addWidget(title)
        intro = QLabel(f"编制{form_kind_title('declaration')}、{form_kind_title('self_evaluation')}和"
                       "部门整体支出绩效目标申报表。从新建表单或导入已公开的表格开始，也可以打开已有的项目。")
        intro.setWordWrap(True)
        column.addWidget(intro)

        self.buttons: dict[str, QPushButton] = {}
        column.addWidget(self._caption("新建项目"))
        new_grid = QGridLayout()
        new_grid.setHorizontalSpacing(8)
        for n, (key, text, tip, slot) in enumerate((
            ("declaration", "新建目标申报表(&D)", f"新建{form_kind_title('declaration')}",
             lambda: window.new_form("declaration")),
            ("self_evaluation", "新建绩效自评表(&P)", f"新建{form_kind_title('self_evaluation')}",
             lambda: window.new_form("self_evaluation")),
            ("department_overall", "新建部门整体目标表(&T)", f"新建{form_kind_title('department_overall')}",
             lambda: window.new_form("department_overall")),
            ("import", "导入公开表格(&I)…", "导入公开表格文本（.txt）或本程序导出的 Excel（.xlsx）",
             window.import_dialog),
        )):
            new_grid.addWidget(self._button(key, text, tip, slot), n // 2, n % 2)
        column.addLayout(new_grid)

        column.addWidget(self._caption("打开"))
        open_row = QHBoxLayout()
        open_row.addWidget(self._button("open", "打开项目(&O)…", "打开项目文件（.fcast）", window.open_dialog))
        open_row.addWidget(self._button("sample", "打开示例（副本）(&S)",
                                        "打开程序自带的示例项目：作为未保存的副本打开，保存时另选文件名，示例本身不会被改动",
                                        window.open_sample))
        column.addLayout(open_row)

        recent_caption = self._caption("最近的项目(&R)")
        column.addWidget(recent_caption)
        self.recent = QListWidget()
        self.recent.setObjectName("recentProjects")
        self.recent.setAlternatingRowColors(True)
        self.recent.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.recent.setMinimumHeight(90)
        self.recent.itemActivated.connect(self._open_item)
        recent_caption.setBuddy(self.recent)
        column.addWidget(self.recent, 1)
        self.no_recent = QLabel("（还没有最近打开的项目）")
        self.no_recent.setStyleSheet("color:#5f6b7a;")
        column.addWidget(self.no_recent)
        column.addSpacing(12)

    @staticmethod
    def _caption(text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet("font-weight:bold; margin-top:6px;")
        return label

    def _button(self, key: str, text: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(f"start_{key}")
        button.setToolTip(tip)
        button.setMinimumHeight(button.sizeHint().height() + 8)
        button.clicked.connect(slot)
        self.buttons[key] = button
        return button

    def refresh(self) -> None:
        """The recent projects as they are now: name and folder; a file that is gone is shown but cannot open."""
        self.recent.clear()
        files = self.main_window.recent_files()
        for f in files:
            path = Path(f)
            exists = os.path.exists(f)
            item = QListWidgetItem(f"{path.name}　—　{path.parent}" + ("" if exists else "（文件已不存在）"))
            item.setData(PathRole, f)
            item.setToolTip(f)
            if not exists:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.recent.addItem(item)
        self.recent.setVisible(bool(files))
        self.no_recent.setVisible(not files)
        if files:
            self.recent.setCurrentRow(0)

    def _open_item(self, item: QListWidgetItem) -> None:
        path = item.data(PathRole)
        if path and os.path.exists(path):
            self.main_window.open_path(Path(path))
