"""导入 in the window: published text and our own Excel files, chosen in a dialog or dropped on the window.

The forms are merged by the core (``exchange.merge``, as `fcast import` does) and added as one undo step together
with the project header they complete; what happened is shown file by file, line by line (import_dialog.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .window_base import WindowBase

if TYPE_CHECKING:
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    from ..exchange.merge import Merge
    from ..exchange.report import ImportResult
    from .import_dialog import ImportLine

IMPORT_FILTER = ("公开表格文本或本程序导出的 Excel (*.txt *.xlsx);;公开表格文本 (*.txt);;Excel 工作簿 (*.xlsx);;"
                 "所有文件 (*)")
NOTE_LABELS = {"error": "无法读取", "warning": "注意", "info": "说明"}


class ImportingMixin(WindowBase):
    def import_dialog(self) -> None:
        self.commit_pending_edit()
        from .file_dialogs import open_file_names

        paths = open_file_names(self, "导入公开表格", self._last_dir(), IMPORT_FILTER)
        if paths:
            self.import_paths([Path(p) for p in paths])

    def import_paths(self, paths: list[Path]) -> int:
        """Import the files (one undo step, the project header it completes included) and show what happened,
        line by line (import_dialog.py). Returns the number of forms added."""
        from ..exchange.importer import import_file
        from ..exchange.merge import merge_forms
        from ..exchange.report import ImportFailed
        from .commands import MergeCommand
        from .import_dialog import ImportLine, ImportResultDialog, summary_text
        from .messages import error_text

        self.commit_pending_edit()
        read: list[tuple[Path, ImportResult]] = []
        failures: list[ImportLine] = []
        for path in paths:
            try:
                read.append((path, import_file(path)))
            except ImportFailed as exc:
                what = str(exc).split("：", 1)[1] if "：" in str(exc) else str(exc)
                failures.append(ImportLine(str(path), exc.line, "无法导入", what))
            except Exception as exc:  # noqa: BLE001 - an unreadable file is reported, it never ends the import
                if not isinstance(exc, OSError):
                    from .safety import report_later

                    report_later()
                failures.append(ImportLine(str(path), None, "无法导入", error_text(exc)))
        project = self.document.project
        merge = merge_forms(project, (form for _path, result in read for form in result.forms),
                            complete_header=not project.unit)  # a project with a unit keeps its header
        lines = failures + [line for path, result in read for line in self._import_lines(path, result, merge)]
        if merge.added:
            self.document.undo_stack.push(MergeCommand(
                self.document, merge, f"导入 {len(merge.added)} 张表单", select=merge.added[0].id,
                previous=self.current_form_id()))
        summary = summary_text(len(merge.added), len(merge.skipped), len(failures))
        self.statusbar.showMessage(summary, 8000)
        dialog = ImportResultDialog(summary, lines, self)
        dialog.formRequested.connect(self.select_form)
        if self.import_result is not None:
            self.import_result.close()
            self.import_result.deleteLater()
        self.import_result = dialog
        if not self.interactive:
            self.answers.setdefault("_messages", []).append(("导入结果", summary, dialog.text()))
        else:
            dialog.show()  # not modal: the user can go from line to line and look at each form
            dialog.raise_()
        return len(merge.added)

    @staticmethod
    def _import_lines(path: Path, result: ImportResult, merge: Merge) -> list[ImportLine]:
        """One file's lines of the import result, in the file's order: each form (imported, or already in the
        project: the line leads to the form kept) and each note (leading to the form it is about)."""
        from ..layouts import layout_for
        from ..model import form_title
        from .import_dialog import ImportLine, note_form

        starts: dict[str, list[tuple[int, str]]] = {}
        lines = []
        for form in result.forms:
            name, _, line = (form.source or "").rpartition(":")
            number = int(line) if line.isdigit() else None
            what = f"{layout_for(form.kind).title}“{form_title(form)}”"
            shown = merge.kept_as(form)
            if merge.was_skipped(form):
                lines.append(ImportLine(str(path), number, "未导入", f"{what}已在项目中，未重复导入", shown))
            else:
                lines.append(ImportLine(str(path), number, "已导入", what, form.id))
            if number is not None:
                starts.setdefault(name or Path(path).name, []).append((number, shown))
        for note in result.notes:
            lines.append(ImportLine(note.path, note.line, NOTE_LABELS.get(note.level, "说明"), note.message,
                                    note_form(starts, note.path, note.line)))
        lines.sort(key=lambda ln: (ln.line is None, ln.line or 0))
        return lines

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        projects = [p for p in paths if p.suffix == ".fcast"]
        if projects:
            self.open_path(projects[0])
        others = [p for p in paths if p.suffix != ".fcast"]
        if others:
            self.import_paths(others)
        event.acceptProposedAction()
