"""At start: every recovery left by a window that no longer runs, in one list, each with 恢复 / 以后再说 / 放弃."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

RESTORE, LATER, DISCARD = "restore", "later", "discard"
CHOICES = ((RESTORE, "恢复"), (LATER, "以后再说"), (DISCARD, "放弃"))


class RecoveryDialog(QDialog):
    """A table: file, time written, how much it changed, and the choice for that entry (default 恢复).
    Nothing is deleted except the entries set to 放弃; closing the dialog (Esc) means 以后再说 for all."""

    def __init__(self, recoveries: list, parent=None):
        super().__init__(parent)
        self.setWindowTitle("恢复未保存的修改")
        self.recoveries = list(recoveries)
        layout = QVBoxLayout(self)
        intro = QLabel(f"上次有 {len(self.recoveries)} 个窗口没有正常结束，留下了未保存的修改。请为每一项选择："
                       "“恢复”在窗口中打开（仍是未保存状态，请检查后保存）；“以后再说”保留到下次启动；"
                       "“放弃”删除这份恢复文件。")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(len(self.recoveries), 4, self)
        self.table.setObjectName("recoveryTable")
        self.table.setHorizontalHeaderLabels(["项目文件", "保存时间", "修改", "处理"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.combos: list[QComboBox] = []
        for row, recovery in enumerate(self.recoveries):
            for col, text in enumerate((recovery.name(), recovery.when(), recovery.extent())):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
            combo = QComboBox()
            for key, label in CHOICES:
                combo.addItem(label, key)
            self.table.setCellWidget(row, 3, combo)
            self.combos.append(combo)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("全部以后再说")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760, 160 + 32 * min(len(self.recoveries), 8))
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_choice(self, row: int, choice: str) -> None:
        combo = self.combos[row]
        combo.setCurrentIndex(combo.findData(choice))

    def choices(self) -> list[tuple[object, str]]:
        return [(r, c.currentData()) for r, c in zip(self.recoveries, self.combos, strict=True)]


def choose(window, recoveries: list) -> list[tuple[object, str]]:
    """(recovery, choice) for each entry. Non-interactive (tests): ``window.answers["recovery"]`` maps a session
    id to a choice (or is one choice for all); missing entries are 以后再说, which keeps them."""
    if not window.interactive:
        answer = window.answers.get("recovery", {})
        window.answers.setdefault("_asked", []).append(("recovery", [r.session for r in recoveries]))
        if isinstance(answer, str):
            return [(r, answer) for r in recoveries]
        return [(r, answer.get(r.session, LATER)) for r in recoveries]
    dialog = RecoveryDialog(recoveries, window)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return [(r, LATER) for r in recoveries]
    return dialog.choices()
