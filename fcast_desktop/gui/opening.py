"""Projects in and out of the window: new, open (read off the GUI thread), save, save as; the file's lock, the
conflict questions, 最近的项目."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .. import APP_NAME
from .settings import settings
from .window_base import WindowBase

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ..model import Project
    from ..store.lock import ProjectLock
    from ..store.project_file import FileStamp
    from .loading import ProjectReading

MAX_RECENT = 8
LOCK_APP = "fcast-desktop"
FILE_FILTER = "绩效项目文件 (*.fcast);;所有文件 (*)"


class OpeningMixin(WindowBase):
    _session_released = False
    _waiting: list[QWidget] = []  # noqa: RUF012 - parts of the window disabled while a project is read

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current project (saved, discarded or nothing to save)."""
        self.commit_pending_edit()
        if self.document is None or not self.document.modified:
            return True
        from PySide6.QtWidgets import QMessageBox

        button = QMessageBox.StandardButton
        answer = self.ask("unsaved", APP_NAME, f"“{self.document.display_name()}”有未保存的修改，是否保存？",
                          button.Save | button.Discard | button.Cancel, button.Save)
        if answer == button.Save:
            return self.save()
        return answer == button.Discard

    def new_project(self) -> None:
        self.commit_pending_edit()
        if self.maybe_save():
            from ..model import Project
            from .document import ProjectDocument

            self._discard_recovery()
            self.set_document(ProjectDocument(Project()))

    def open_dialog(self) -> None:
        self.commit_pending_edit()
        if not self.maybe_save():
            return
        from .file_dialogs import open_file_name

        path = open_file_name(self, "打开项目", self._last_dir(), FILE_FILTER)
        if path:
            self.open_path(Path(path), check_unsaved=False)

    def open_sample(self) -> bool:
        """打开示例（副本）: the bundled sample project as an unsaved copy (start page)."""
        from ..paths import sample_project

        return self.open_path(sample_project())

    def open_path(self, path: Path, check_unsaved: bool = True) -> bool:
        """Open a project for writing: this window holds the file's lock while it shows it. When another window
        or computer holds it, the user chooses 只读打开 (saving goes to 另存为), 打开副本 (an unsaved copy with
        no file) or 取消."""
        self.commit_pending_edit()
        if check_unsaved and not self.maybe_save():
            return False
        path = Path(path)
        if _is_bundled_sample(path):
            return self._open_sample_copy(path)
        mode, lock = self._lock_for_opening(path)
        if mode is None:
            return False
        loaded = self._load(path, "无法打开项目")
        if loaded is None:
            if lock is not None and (self.document is None or lock is not self.document.lock):
                lock.release()
            return False
        project, stamp = loaded
        from .document import ProjectDocument

        document = ProjectDocument(project, None if mode == "copy" else path)
        document.loaded_stamp = stamp  # type: ignore[assignment]  # until ProjectDocument declares it (G2)
        document.lock = lock  # type: ignore[assignment]  # until ProjectDocument declares it (G2)
        document.read_only = mode == "read_only"
        document.copy_of = path if mode == "copy" else None
        self._discard_recovery()
        self.set_document(document)  # the forms list checks every form on the way
        if mode == "copy":
            document.undo_stack.resetClean()  # a copy exists in no file yet
            self._update_title()
        self._add_recent(path)
        if lock is not None and lock.took_over_from is not None:
            self.inform("已接管项目文件",
                        f"“{path.name}”上次由 {lock.took_over_from.describe()} 打开，那个程序已不在运行"
                        "（可能异常退出）。现在由本窗口打开。\n\n如果当时有未保存的修改，程序启动时会提供恢复。")
        elif mode == "read_only":
            self.statusbar.showMessage("只读打开：可以修改，但只能另存为新文件", 8000)
        elif mode == "copy":
            self.statusbar.showMessage("已打开副本：这是未保存的新项目，保存时请选择文件名", 8000)
        return True

    _reading: ProjectReading | None = None  # the project file being read (``_load``)
    _close_after_reading = False

    def _load(self, path: Path, title: str) -> tuple[Project, FileStamp] | None:
        """The project in ``path`` and the stamp of the bytes read, read on a worker thread (loading.py) while
        the window keeps responding: the status bar says what is being opened, with a 取消 button (Esc). The
        window's menus and panes wait meanwhile, so nothing can be typed into the project about to be replaced.
        None when the file cannot be read (told under ``title``, in the store's Chinese words) or the user
        cancelled."""
        from PySide6.QtCore import QEventLoop

        from .loading import ProjectReading

        reading = ProjectReading(path)
        loop = QEventLoop()
        reading.finished.connect(loop.quit)
        self._reading = reading
        busy = self._show_reading(path, reading)
        try:
            reading.start()
            if not reading.ended:
                loop.exec()
        finally:
            self._reading = None
            self._end_reading(busy)
        if self._close_after_reading:  # the window was closed meanwhile: it closes now
            self._close_after_reading = False
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self.close)
        if reading.cancelled:
            self.statusbar.showMessage(f"已取消打开“{path.name}”", 5000)
            return None
        if reading.error is not None or reading.result is None:
            from ..store.project_file import ProjectFileError
            from .messages import error_text

            error = reading.error  # the store's errors are Chinese and name the file and line
            self.inform(title, str(error) if isinstance(error, ProjectFileError)
                        else error_text(error or RuntimeError(), path), error=True)
            return None
        return reading.result

    def _show_reading(self, path: Path, reading: ProjectReading) -> list[QWidget]:
        """正在打开… with a busy bar and 取消 in the status bar; the rest of the window waits (``_load``)."""
        from PySide6.QtGui import QKeySequence
        from PySide6.QtWidgets import QProgressBar, QPushButton

        bar = QProgressBar()
        bar.setObjectName("openingProgress")
        bar.setRange(0, 0)  # busy: the store reads a file in one call
        bar.setMaximumWidth(160)
        cancel = QPushButton("取消")
        cancel.setObjectName("openingCancel")
        cancel.setToolTip("取消打开（Esc）")
        cancel.setShortcut(QKeySequence("Esc"))
        cancel.clicked.connect(reading.cancel)
        self.statusbar.showMessage(f"正在打开“{path.name}”…")
        self.statusbar.addWidget(bar)
        self.statusbar.addWidget(cancel)
        bar.show()
        cancel.show()
        self._waiting = [w for w in (self.menuBar(), self.mainToolBar, self.centralWidget(), self.problemsDock)
                         if w is not None and w.isEnabled()]
        for widget in self._waiting:
            widget.setEnabled(False)
        return [bar, cancel]

    def _end_reading(self, busy: list[QWidget]) -> None:
        for widget in busy:
            self.statusbar.removeWidget(widget)
            widget.hide()
            widget.deleteLater()
        for widget in self._waiting:
            widget.setEnabled(True)
        self._waiting = []
        self.statusbar.clearMessage()

    def cancel_opening(self) -> bool:
        """取消 the project being read (the window's close button while opening); True when one was."""
        if self._reading is None:
            return False
        self._reading.cancel()
        return True

    def _open_sample_copy(self, path: Path) -> bool:
        """The program's own sample opens as an unsaved copy: no file, no lock, not in 最近的项目 — the program
        folder is never written to (saving asks for a file name, in the user's documents folder)."""
        loaded = self._load(path, "无法打开示例项目")
        if loaded is None:
            return False
        from .document import ProjectDocument

        document = ProjectDocument(project=loaded[0], path=None)
        document.sample_copy = True
        self._discard_recovery()
        self.set_document(document)
        self.statusbar.showMessage("示例项目已作为副本打开：可以随意修改；保存时请选择文件名", 8000)
        return True

    def _lock_for_opening(self, path: Path) -> tuple[str | None, ProjectLock | None]:
        """(mode, lock): ("write", lock or None), ("read_only", None), ("copy", None), or (None, None) to cancel."""
        from ..store.lock import ProjectLock, ProjectLocked

        current = self.document
        if (current is not None and current.lock is not None and current.path is not None
                and _same_file(current.path, path) and current.lock.owns()):
            return "write", current.lock  # opened again in the window that holds it
        if _is_bundled_sample(path):  # the program's own sample: no lock file inside the program folder
            return "write", None
        try:
            lock = ProjectLock.acquire(path, app=LOCK_APP)
        except ProjectLocked as exc:
            from PySide6.QtWidgets import QMessageBox

            button = QMessageBox.StandardButton
            answer = self.ask(
                "lock", "项目文件已被打开",
                f"项目文件“{path}”已被 {exc.info.describe()} 打开。\n\n"
                "两处同时修改同一个文件，后保存的一方会覆盖先保存的一方。",
                button.Yes | button.No | button.Cancel, button.Yes,
                labels={button.Yes: "只读打开", button.No: "打开副本", button.Cancel: "取消"},
                details="只读打开：可以查看和修改，但只能另存为新文件，原文件不会被改动。\n"
                        "打开副本：作为未保存的新项目打开，保存时选择新的文件名。\n取消：不打开。")
            if answer == button.Yes:
                return "read_only", None
            if answer == button.No:
                return "copy", None
            return None, None
        except OSError as exc:  # e.g. a read-only folder: open anyway, the saves still check the file
            self.statusbar.showMessage(
                f"无法在“{path.parent}”中建立锁文件（{_os_reason(exc)}）：他人同时打开此文件时将无法提醒", 10000)
            return "write", None
        return "write", lock

    def choose_save_path(self, start: str) -> str:
        """The 另存为 file dialog; in non-interactive mode (tests) ``answers["save_as_path"]`` (none: cancelled)."""
        if not self.interactive:
            self.answers.setdefault("_asked", []).append(("save_as_path", start))
            value = self.answers.get("save_as_path")
            return str(value) if value else ""
        from .file_dialogs import save_file_name

        return save_file_name(self, "项目另存为", start, FILE_FILTER)

    def save(self) -> bool:
        self.commit_pending_edit()
        if self.document.path is None or self.document.read_only:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self) -> bool:
        self.commit_pending_edit()
        doc = self.document
        if doc.path is not None:
            start = doc.path if not doc.read_only else doc.path.with_name(doc.path.stem + "（我的修改）.fcast")
        elif doc.copy_of is not None and not _in_program_folder(doc.copy_of):
            start = doc.copy_of.with_name(doc.copy_of.stem + "（副本）.fcast")
        else:
            name = "示例项目.fcast" if getattr(doc, "sample_copy", False) else "绩效表单.fcast"
            start = Path(self._last_dir()) / name
        path = self.choose_save_path(str(start))
        if not path:
            return False
        if not path.endswith(".fcast"):
            path += ".fcast"
        if _in_program_folder(Path(path)):
            self.inform("不能保存到程序文件夹",
                        f"“{path}”在程序自己的文件夹中（示例项目所在处），程序更新时会被替换。请保存到其他文件夹，"
                        "例如“文档”。", error=True)
            return False
        return self._save_to(Path(path))

    def _ask_conflict(self, path: Path, why: str) -> str:
        """覆盖 / 另存为 / 取消 when saving would overwrite someone else's work: "overwrite", "save_as", "cancel"."""
        from PySide6.QtWidgets import QMessageBox

        button = QMessageBox.StandardButton
        answer = self.ask(
            "conflict", "项目文件已被修改", f"{why}\n\n文件：{path}",
            button.Yes | button.No | button.Cancel, button.No,
            labels={button.Yes: "覆盖", button.No: "另存为…", button.Cancel: "取消"},
            details="覆盖：用本窗口的内容替换这个文件，对方保存的修改会丢失。\n"
                    "另存为：保存为另一个文件，这个文件保持不变。\n取消：暂不保存。")
        return {button.Yes: "overwrite", button.No: "save_as"}.get(answer, "cancel")

    def _save_to(self, path: Path) -> bool:
        """Save, never over someone else's work without asking: the file must still be what this window loaded
        or last saved (size, time, content), and this window must still hold its lock."""
        from ..store.lock import ProjectLock, ProjectLocked
        from ..store.project_file import ProjectFileError, ProjectReadOnly, file_stamp

        doc = self.document
        same = doc.path is not None and not doc.read_only and _same_file(doc.path, path)
        new_lock = None
        origin = doc.path or doc.copy_of  # saving over the file it came from: it must still be as loaded
        expected = doc.loaded_stamp if origin is not None and _same_file(origin, path) else None
        if same and doc.lock is not None and not doc.lock.owns():
            from ..store.lock import read_lock

            holder = read_lock(path)
            who = holder.describe() if holder is not None else "其他程序"
            answer = self._ask_conflict(
                path, f"本窗口对这个文件的锁已失效，现在由 {who} 打开（锁曾被当作无人使用而接管）。"
                      "现在保存可能覆盖对方的修改。")
            if answer == "save_as":
                return self.save_as()
            if answer != "overwrite":
                self.statusbar.showMessage("未保存", 5000)
                return False
            expected = None
        if not same and not _is_bundled_sample(path):
            try:
                new_lock = ProjectLock.acquire(path, app=LOCK_APP)
            except ProjectLocked as exc:
                self.inform("不能保存到这个文件",
                            f"“{path}”已被 {exc.info.describe()} 打开，不能覆盖。请另选一个文件名。", error=True)
                return False
            except OSError:
                new_lock = None  # no lock possible there (read-only folder…): the save itself will tell
        try:
            stamp = self._write_checked(path, expected)
        except _SaveDeclined as declined:
            if new_lock is not None:
                new_lock.release()
            return self.save_as() if declined.save_as else False
        except ProjectReadOnly as exc:
            if new_lock is not None:
                new_lock.release()
            from PySide6.QtWidgets import QMessageBox

            button = QMessageBox.StandardButton
            answer = self.ask("read_only_file", "文件是只读的", f"{exc}\n\n是否另存为一个新文件？",
                              button.Yes | button.Cancel, button.Yes,
                              labels={button.Yes: "另存为…", button.Cancel: "取消"})
            return self.save_as() if answer == button.Yes else False
        except (ProjectFileError, OSError) as exc:
            if new_lock is not None:
                new_lock.release()
            from .messages import os_error_text

            reason = str(exc) if isinstance(exc, ProjectFileError) else os_error_text(exc, path)
            self.inform("保存失败", f"无法保存：{reason}\n原文件未被改动。", error=True)
            return False
        if not same:
            if doc.lock is not None:
                doc.lock.release()
            doc.lock = new_lock  # type: ignore[assignment]  # until ProjectDocument declares it (G2)
        doc.path = path
        doc.loaded_stamp = stamp if stamp is not None else file_stamp(path)  # type: ignore[assignment]  # until ProjectDocument declares it (G2)
        doc.read_only = False
        doc.copy_of = None
        doc.undo_stack.setClean()
        if self.autosaver:
            self.autosaver.remove()
        doc.pathChanged.emit()
        self._update_title()
        self._add_recent(path)
        self.statusbar.showMessage(f"已保存到 {path}", 5000)
        return True

    def _write_checked(self, path: Path, expected: FileStamp | None) -> FileStamp | None:
        """save_project with the conflict question when the file changed on disk; raises _SaveDeclined."""
        from ..store.project_file import ProjectChangedOnDisk, save_project

        try:
            return save_project(self.document.project, path, expected=expected)
        except ProjectChangedOnDisk:
            answer = self._ask_conflict(
                path, "这个文件在本窗口打开（或上次保存）之后已被修改：可能是别人、别的窗口或别的程序保存的。")
            if answer == "overwrite":
                return save_project(self.document.project, path, expected=None)
            raise _SaveDeclined(save_as=answer == "save_as") from None

    def _discard_recovery(self) -> None:
        if self.autosaver is not None:
            self.autosaver.remove()

    def release_session(self, keep_recovery: bool = False) -> None:
        """The window ends: its lock goes; its recovery goes too unless ``keep_recovery`` (ended by a signal, or
        the program quit without closing the window). Only the first call counts."""
        if self._session_released:
            return
        self._session_released = True
        if self.autosaver is not None:
            if not keep_recovery:
                self.autosaver.remove()
            self.autosaver.stop()
        if self.document is not None and self.document.lock is not None:
            self.document.lock.release()
            self.document.lock = None
        if self.session is not None:
            self.session.close()

    def _last_dir(self) -> str:
        """Where file dialogs start: the folder of the last project used, else the user's documents folder."""
        from .file_dialogs import documents_dir

        for recent in self.recent_files():
            folder = Path(recent).parent
            if folder.is_dir() and not _in_program_folder(folder):
                return str(folder)
        return documents_dir()

    def recent_files(self) -> list[str]:
        value = settings().value("recentFiles", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value if v] if isinstance(value, list) else []

    def _add_recent(self, path: Path) -> None:
        if _in_program_folder(path):
            return
        files = [str(path.resolve())] + [f for f in self.recent_files() if f != str(path.resolve())]
        settings().setValue("recentFiles", files[:MAX_RECENT])

    def _fill_recent_menu(self) -> None:
        self.menuRecent.clear()
        files = self.recent_files()
        for n, f in enumerate(files, 1):
            from PySide6.QtGui import QAction

            action = QAction(f"&{n} {f}", self.menuRecent)
            action.triggered.connect(lambda _c=False, p=f: self.open_path(Path(p)))
            action.setEnabled(os.path.exists(f))
            self.menuRecent.addAction(action)
        if not files:
            self.menuRecent.addAction("（无）").setEnabled(False)



class _SaveDeclined(Exception):  # noqa: N818 - a choice of the user's, not a fault
    def __init__(self, save_as: bool):
        super().__init__("save declined")
        self.save_as = save_as


def _same_file(a: Path, b: Path) -> bool:
    try:
        if os.path.exists(a) and os.path.exists(b):
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def _is_bundled_sample(path: Path) -> bool:
    from ..paths import sample_project

    return _same_file(Path(path), sample_project())


def _os_reason(exc: OSError) -> str:
    from .messages import os_reason

    return os_reason(exc)


def _in_program_folder(path: Path) -> bool:
    """Inside the program's own resources (the bundled sample's folder): nothing of the user's goes there."""
    from ..paths import resources_dir

    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(resources_dir()))
    except ValueError:
        return False
    return True
