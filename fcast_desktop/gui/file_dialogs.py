"""Open and save dialogs that speak Chinese everywhere.

On Windows and macOS the system's own dialog is used: it speaks the system's language. Elsewhere (Linux) Qt's own
dialog is used, and Qt's Chinese translation leaves parts of it in English ("Look in:", "Files of type:") while its
file list takes sizes ("bytes"), kinds ("Folder") and dates ("7 12 2026") from the system locale, which on an
office Linux box is often C/English. So the dialog gets its labels set here and its file list shown through
``ChineseFileModel``. Where the dialog starts: the folder asked for, else the user's documents folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QIdentityProxyModel, QModelIndex, QStandardPaths, Qt
from PySide6.QtWidgets import QFileDialog, QFileSystemModel

USE_SYSTEM_DIALOG = sys.platform in ("win32", "darwin")

LABELS = {
    QFileDialog.DialogLabel.LookIn: "查找范围(&I)：",
    QFileDialog.DialogLabel.FileName: "文件名(&N)：",
    QFileDialog.DialogLabel.FileType: "文件类型(&T)：",
    QFileDialog.DialogLabel.Reject: "取消",
}
HEADERS = ("名称", "大小", "类型", "修改日期")
KINDS = {"fcast": "项目文件", "xlsx": "Excel 工作簿", "txt": "文本文件", "pdf": "PDF 文件", "bak": "备份文件"}


def documents_dir() -> str:
    """The user's documents folder (where a new user's files belong), else the home folder."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if found and Path(found).is_dir():
        return found
    return str(Path.home())


def size_text(size: int) -> str:
    """A file size the way Chinese Windows shows it: 字节 below 1 KB, then KB/MB/GB with one decimal."""
    if size < 1024:
        return f"{size} 字节"
    value, unit = size / 1024, "KB"
    for bigger in ("MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    text = f"{value:,.1f}"
    return f"{text[:-2] if text.endswith('.0') else text} {unit}"


class ChineseFileModel(QIdentityProxyModel):
    """The dialog's file list with Chinese column titles, sizes (字节/KB/MB), kinds (文件夹, FCAST 文件) and
    dates (2026-07-12 18:26), whatever the system locale."""

    def _source_info(self, index: QModelIndex):
        source = self.mapToSource(index)
        model = self.sourceModel()
        return model.fileInfo(source) if isinstance(model, QFileSystemModel) else None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 4:
            return HEADERS[section]
        return super().headerData(section, orientation, role)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and index.isValid() and index.column() in (1, 2, 3):
            info = self._source_info(index)
            if info is not None:
                if index.column() == 1:
                    return "" if info.isDir() else size_text(info.size())
                if index.column() == 2:
                    if info.isDir():
                        return "文件夹"
                    suffix = info.suffix()
                    return KINDS.get(suffix.lower()) or (f"{suffix.upper()} 文件" if suffix else "文件")
                modified = info.lastModified()
                return modified.toString("yyyy-MM-dd HH:mm") if modified.isValid() else ""
        return super().data(index, role)


def make_dialog(parent, title: str, directory: str, file_filter: str, mode: str) -> QFileDialog:
    """A file dialog (``mode``: "open", "open_many", "save") with every label in Chinese."""
    dialog = QFileDialog(parent, title, directory or documents_dir(), file_filter)
    dialog.setObjectName("fileDialog")
    if mode == "save":
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    else:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles if mode == "open_many"
                           else QFileDialog.FileMode.ExistingFile)
    if not USE_SYSTEM_DIALOG:
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        for label, text in LABELS.items():
            dialog.setLabelText(label, text)
        dialog.setLabelText(QFileDialog.DialogLabel.Accept, "保存(&S)" if mode == "save" else "打开(&O)")
        dialog.setProxyModel(ChineseFileModel(dialog))
    return dialog


def _run(dialog: QFileDialog) -> list[str]:
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted:
            return []
        return list(dialog.selectedFiles())
    finally:
        dialog.deleteLater()


def open_file_name(parent, title: str, directory: str, file_filter: str) -> str:
    files = _run(make_dialog(parent, title, directory, file_filter, "open"))
    return files[0] if files else ""


def open_file_names(parent, title: str, directory: str, file_filter: str) -> list[str]:
    return _run(make_dialog(parent, title, directory, file_filter, "open_many"))


def save_file_name(parent, title: str, start: str, file_filter: str) -> str:
    """``start``: a folder, or a suggested file path (its folder is opened, its name filled in)."""
    start_path = Path(start) if start else Path(documents_dir())
    directory, name = (str(start_path), "") if start_path.is_dir() else (str(start_path.parent), start_path.name)
    dialog = make_dialog(parent, title, directory, file_filter, "save")
    if name:
        dialog.selectFile(name)
    files = _run(dialog)
    return files[0] if files else ""
