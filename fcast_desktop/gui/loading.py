"""A project file read on a worker thread: the window keeps responding (repaints, moves, 取消) while a district's
ten thousand forms are parsed and validated; the project objects are handed to the GUI thread when complete.

Reading cannot be interrupted half-way (``store.project_file`` reads a file in one call): 取消 lets the window go
on at once and the result, when it comes, is dropped. The file itself is only read, never written.
"""

from __future__ import annotations

import atexit
import gc
import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot

if TYPE_CHECKING:
    from ..model import Project
    from ..store.project_file import FileStamp

QUIET_GC_BYTES = 4_000_000
"""From this file size on, the cyclic garbage collector waits until the project is read: its passes over the
objects being made would hold the interpreter for up to half a second each at 10,000 forms — on the reading
thread, but the window's own Python code waits for it just the same. (Setting a large project's objects aside from
later passes is the document's business: ``document._settle_heap``.)"""


class _Reader(QObject):
    done = Signal(object, object)  # (project, stamp) or None; the error (an exception) or None

    def __init__(self, path: Path):
        super().__init__()
        self.path = path

    @Slot()
    def run(self) -> None:
        try:
            quiet = os.path.getsize(self.path) >= QUIET_GC_BYTES
        except OSError:
            quiet = False  # the reading says why
        try:
            from ..store.project_file import load_project_stamped

            if quiet:
                gc.disable()
            try:
                result = load_project_stamped(self.path)
            finally:
                if quiet:
                    gc.enable()
        except Exception as exc:  # noqa: BLE001 - told to the user by the window (Chinese), never into Qt
            self.done.emit(None, exc)
        else:
            self.done.emit(result, None)
        finally:
            QThread.currentThread().quit()  # the thread ends with the reading, whether the window listens or not


_running: set[ProjectReading] = set()
"""Readings whose thread still runs (a cancelled one finishes in the background): kept alive until it ends."""


@atexit.register
def _wait_for_readings() -> None:
    """A reading cancelled just before the program ends is let finish: Qt aborts on a thread destroyed running."""
    for reading in list(_running):
        reading.wait()


class ProjectReading(QObject):
    """One project file read on its own thread. ``finished`` comes once, on the GUI thread: when the reading ended
    (``result`` or ``error`` set) or was cancelled (``cancelled``)."""

    finished = Signal()

    def __init__(self, path: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.result: tuple[Project, FileStamp] | None = None
        self.error: BaseException | None = None
        self.cancelled = False
        self.ended = False
        self._thread = QThread()
        self._thread.setObjectName("projectReading")
        self._reader = _Reader(self.path)
        self._reader.moveToThread(self._thread)
        self._thread.started.connect(self._reader.run)
        self._reader.done.connect(self._done)  # queued: runs on the GUI thread
        self._thread.finished.connect(self._thread_ended)

    def start(self) -> None:
        _running.add(self)
        self._thread.start()

    def cancel(self) -> None:
        """The window goes on without this project; the reading's result is dropped when it comes."""
        if self.ended:
            return
        self.cancelled = True
        self.ended = True
        self.finished.emit()

    def wait(self, ms: int = 60000) -> bool:
        """Until the thread ended (tests, the end of the program)."""
        return bool(self._thread.wait(ms))

    @Slot(object, object)
    def _done(self, result: tuple[Project, FileStamp] | None, error: BaseException | None) -> None:
        if self.ended:  # cancelled meanwhile
            return
        self.result, self.error = result, error
        self.ended = True
        self.finished.emit()

    @Slot()
    def _thread_ended(self) -> None:
        self._thread.wait()  # ``finished`` is sent just before the thread really ends
        self._reader.deleteLater()
        _running.discard(self)
