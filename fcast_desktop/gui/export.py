"""导出 PDF / 导出 Excel from the GUI: on a worker thread, with a progress dialog that can cancel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog

from ..model import form_title

KINDS = {"pdf": ("PDF", "PDF 文件 (*.pdf)", ".pdf"), "xlsx": ("Excel", "Excel 工作簿 (*.xlsx)", ".xlsx")}


class ExportWorker(QObject):
    progress = Signal(int, int)
    finished = Signal(str)  # output path
    failed = Signal(str)  # Chinese message
    cancelled = Signal()

    def __init__(self, kind: str, project, forms: list, path: Path):
        super().__init__()
        self.kind, self.project, self.forms, self.path = kind, project, forms, Path(path)
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        try:
            if self.kind == "pdf":
                from ..exchange.pdf_export import export_pdf

                export: Callable[..., object] = export_pdf
            else:
                from ..exchange.xlsx_export import export_xlsx

                export = export_xlsx
            export(self.project, self.forms, self.path, progress=lambda d, t: self.progress.emit(d, t),
                   is_cancelled=self._cancel.is_set)
        except Exception as exc:  # noqa: BLE001 - every failure is reported to the user, nothing is lost
            if self._cancel.is_set():
                self.cancelled.emit()
            else:
                from .messages import error_text

                self.failed.emit(error_text(exc, self.path))  # Chinese, never a library's English
            return
        if self._cancel.is_set():
            self.cancelled.emit()
        else:
            self.finished.emit(str(self.path))


class ExportController(QObject):
    """Owns the thread, the worker and the progress dialog of one export."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.worker_thread: QThread | None = None
        self.worker: ExportWorker | None = None
        self.dialog: QProgressDialog | None = None
        self.result: str | None = None

    def run_dialog(self, kind: str, only_current: bool = False) -> None:
        """Which forms (the current one, or ask: 当前表单 / 整个项目), then where, then export. ``only_current``:
        the form shown, without asking (导出此表)."""
        window = self.window
        label, file_filter, suffix = KINDS[kind]
        forms = window.document.project.forms
        current = window.document.form(window.current_form_id() or "")
        scope = forms
        if only_current:
            scope = [current] if current is not None else []
        elif current is not None and len(forms) > 1:
            scope = self._ask_scope(label, current, forms)
            if scope is None:
                return
        if not scope:
            window.inform(f"导出 {label}", "项目中还没有表单。")
            return
        if not self._confirm_errors(label, scope):
            return
        base = window.document.path.stem if window.document.path else "绩效表单"
        if len(scope) == 1:
            base = form_title(scope[0])
        start = str(Path(window._last_dir()) / f"{base}{suffix}")
        path = self._choose_path(f"导出 {label}", start, file_filter)
        if path:
            if not path.lower().endswith(suffix):
                path += suffix
            self.start(kind, scope, Path(path))

    def _ask_scope(self, label: str, current, forms: list) -> list | None:
        """当前表单 / 整个项目 / 取消 (None); without dialogs (tests) ``answers["export_scope"]``: "current"/"all"."""
        window = self.window
        text = f"导出当前表单“{form_title(current)}”，还是整个项目的 {len(forms)} 张表单？"
        if not window.interactive:
            window.answers.setdefault("_asked", []).append(("export_scope", text))
            answer = window.answers.get("export_scope", "current")
            return None if answer == "cancel" else [current] if answer == "current" else forms
        box = QMessageBox(QMessageBox.Icon.Question, f"导出 {label}", text, QMessageBox.StandardButton.Cancel, window)
        box.button(QMessageBox.StandardButton.Cancel).setText("取消(&C)")
        one = box.addButton("当前表单(&F)", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("整个项目(&A)", QMessageBox.ButtonRole.AcceptRole)
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        if clicked is None or clicked == box.button(QMessageBox.StandardButton.Cancel):
            return None
        return [current] if clicked == one else forms

    def _confirm_errors(self, label: str, scope: list) -> bool:
        """Forms with errors are named, with how many, before they are exported: 仍然导出 / 取消
        (tests: ``answers["export_errors"]``)."""
        window = self.window
        try:
            counted = [(f, window.document.findings(f.id).errors) for f in scope]
        except Exception:  # noqa: BLE001 - a rules bug must not stop the export; the panel reports it
            return True
        faulty = [(f, n) for f, n in counted if n]
        if not faulty:
            return True
        total = sum(n for _f, n in faulty)
        names = [f"“{form_title(f)}”：{n} 处错误" for f, n in faulty[:10]]
        if len(faulty) > 10:
            names.append(f"……另有 {len(faulty) - 10} 张表单")
        text = (f"要导出的 {len(scope)} 张表单中，有 {len(faulty)} 张共 {total} 处错误尚未改正，导出的文件会带着这些"
                f"错误（超出分值的得分按分值计入总分并打印）。仍然导出吗？")
        button = QMessageBox.StandardButton
        answer = window.ask("export_errors", f"导出 {label}", text, button.Yes | button.Cancel, button.Cancel,
                            labels={button.Yes: "仍然导出(&E)", button.Cancel: "取消(&C)"}, details="\n".join(names))
        return answer == button.Yes

    def _choose_path(self, title: str, start: str, file_filter: str) -> str:
        """The save dialog (Chinese, file_dialogs.py); without dialogs (tests) ``answers["export_path"]``."""
        window = self.window
        if not window.interactive:
            window.answers.setdefault("_asked", []).append(("export_path", start))
            value = window.answers.get("export_path")
            return str(value) if value else ""
        from .file_dialogs import save_file_name

        return save_file_name(window, title, start, file_filter)

    def start(self, kind: str, forms: list, path: Path) -> None:
        window = self.window
        project = window.document.project.model_copy(deep=True)  # the user may keep typing meanwhile
        ids = {f.id for f in forms}
        forms = [f for f in project.forms if f.id in ids]
        self.worker_thread = QThread(self)
        self.worker = ExportWorker(kind, project, forms, path)
        self.worker.moveToThread(self.worker_thread)
        self.worker_thread.started.connect(self.worker.run)
        self.dialog = QProgressDialog(f"正在导出 {len(forms)} 张表单…", "取消", 0, len(forms), window)
        self.dialog.setWindowTitle(f"导出 {KINDS[kind][0]}")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.canceled.connect(self.worker.cancel)
        self.worker.progress.connect(self._progress)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.worker.cancelled.connect(self._cancelled)
        for signal in (self.worker.finished, self.worker.failed, self.worker.cancelled):
            signal.connect(self.worker_thread.quit)
        self.worker_thread.finished.connect(self.worker.deleteLater)
        self.worker_thread.start()

    def _progress(self, done: int, total: int) -> None:
        if self.dialog is not None:
            self.dialog.setMaximum(total)
            self.dialog.setValue(done)

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.close()

    def _finished(self, path: str) -> None:
        self._close_dialog()
        self.result = path
        self.window.statusbar.showMessage(f"已导出到 {path}", 8000)

    def _failed(self, message: str) -> None:
        self._close_dialog()
        self.result = None
        self.window.inform("导出失败", message, error=True)

    def _cancelled(self) -> None:
        self._close_dialog()
        self.result = None
        self.window.statusbar.showMessage("导出已取消，未生成文件", 5000)
