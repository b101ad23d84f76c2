"""Recovery files: the open project is written beside the user's settings every minute and when the user
pauses; after a crash the next start offers to restore it. A clean save or close removes it."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, QTimer

from ..store.project_file import dumps_project, load_project, write_atomically
from .settings import config_dir

INTERVAL_MS = 60_000
IDLE_MS = 5_000


def recovery_dir() -> Path:
    return config_dir() / "recovery"


def recovery_path_for(project_path: Path | None) -> Path:
    key = str(project_path.resolve()) if project_path else "未命名项目"
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    return recovery_dir() / f"{digest}.fcast"


def pending_recoveries() -> list[tuple[Path, dict]]:
    """Recovery files left by a session that did not end cleanly, newest first, with their metadata."""
    out = []
    directory = recovery_dir()
    if not directory.is_dir():
        return out
    for path in directory.glob("*.fcast"):
        meta_path = path.with_suffix(".json")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        out.append((path, meta))
    out.sort(key=lambda item: item[1].get("saved_at", 0), reverse=True)
    return out


def discard(path: Path) -> None:
    for p in (path, path.with_suffix(".json")):
        try:
            p.unlink()
        except OSError:
            pass


def load_recovery(path: Path):
    return load_project(path)


class Autosaver(QObject):
    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.save_now)
        self.timer.start()
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(IDLE_MS)
        self.idle.timeout.connect(self.save_now)
        document.undo_stack.indexChanged.connect(lambda _i: self.idle.start())
        document.undo_stack.cleanChanged.connect(self._clean_changed)
        self._written_index = None

    def path(self) -> Path:
        return recovery_path_for(self.document.path)

    def save_now(self) -> None:
        stack = self.document.undo_stack
        if stack.isClean() or stack.index() == self._written_index:
            return
        target = self.path()
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, dumps_project(self.document.project).encode("utf-8"), keep_backup=False)
        meta = {"project_path": str(self.document.path) if self.document.path else "", "saved_at": time.time()}
        write_atomically(target.with_suffix(".json"), json.dumps(meta, ensure_ascii=False).encode("utf-8"),
                         keep_backup=False)
        self._written_index = stack.index()

    def _clean_changed(self, clean: bool) -> None:
        if clean:
            self.remove()

    def remove(self) -> None:
        discard(self.path())
        self._written_index = None

    def stop(self) -> None:
        self.timer.stop()
        self.idle.stop()
