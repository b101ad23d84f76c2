"""Recovery files: what a window has not saved yet, kept beside the user's settings so a crash costs nothing.

One recovery per window session (a random id, not the project's path: two windows on one project, or two
never-saved projects, never share a file), in ``config_dir()/recovery``:

- ``<session>.fcast``: the project as the window holds it (the same format as a project file);
- ``<session>.json``: who wrote it (session, process id, computer, when the program started), the original file
  and what it was when loaded (size, time, SHA-256: saving a recovered project notices that it changed since),
  when the recovery was written and how many changes it holds;
- ``<session>.lock``: held (an operating-system file lock) while the session runs; the system releases it when the
  process ends, however it ends. Together with the process id it tells a running window from a crashed one, even
  after the process id was reused by another program.

The autosaver counts every change of the project — typing that merges into the previous undo step too — and
writes a few seconds after the typing pauses, and at least every 30 seconds while it goes on. A clean save or a
deliberate discard removes the session's recovery; nothing else ever deletes one, except the user's 放弃.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from PySide6.QtCore import QObject, QTimer

from ..store.project_file import dumps_project, load_project, write_atomically
from .settings import config_dir

RECOVERY_FORMAT = "fcast-recovery"
IDLE_MS = 3_000  # after the typing pauses
MAX_MS = 30_000  # at the latest, while the typing goes on

APP_STARTED = time.time()
_LIVE_SESSIONS: set[str] = set()  # sessions of this process whose window is open


def recovery_dir() -> Path:
    return config_dir() / "recovery"


def this_host() -> str:
    """This computer's name, as the project lock names it."""
    from ..store.lock import host_name

    return host_name()


def _pid_alive(pid: int) -> bool:
    from ..store.lock import pid_alive

    return pid_alive(pid)


# ---- the session's operating-system lock ----------------------------------------------------------------------
def _try_lock(fh) -> bool:
    """An exclusive, non-blocking lock on an open file: per open file (flock), so two sessions of one process
    exclude each other too. Released by the system when the process ends."""
    try:
        if sys.platform == "win32":
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _unlock(fh) -> None:
    try:
        if sys.platform == "win32":
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    except OSError:
        pass


def _lock_held_elsewhere(path: Path) -> bool | None:
    """True when another session holds the lock file ``path``; None when there is no such file."""
    try:
        fh = open(path, "r+b")
    except FileNotFoundError:
        return None
    except OSError:
        return True  # cannot tell: assume running (a running window's recovery is never offered)
    try:
        if _try_lock(fh):
            _unlock(fh)
            return False
        return True
    finally:
        fh.close()


class RecoverySession:
    """The recovery identity of one window, for the window's lifetime (``adopt`` takes over a crashed one)."""

    def __init__(self, session_id: str | None = None):
        self.id = session_id or uuid.uuid4().hex
        self._lock_file: IO[bytes] | None = None
        self._lock()

    def _lock(self) -> bool:
        directory = recovery_dir()
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fh = open(directory / f"{self.id}.lock", "a+b")
        except OSError:
            _LIVE_SESSIONS.add(self.id)
            return True  # no lock file: the process id alone marks the session as running
        if not _try_lock(fh):
            fh.close()
            return False
        self._lock_file = fh
        _LIVE_SESSIONS.add(self.id)
        return True

    def __del__(self):
        """A window deleted without closing (never in the program; tests do it): its lock file is closed, which
        lets the lock go, instead of being left to the garbage collector."""
        fh = getattr(self, "_lock_file", None)
        if fh is not None:
            try:
                fh.close()
            except OSError:
                pass

    def _unlock(self) -> None:
        _LIVE_SESSIONS.discard(self.id)
        if self._lock_file is not None:
            _unlock(self._lock_file)
            self._lock_file.close()
            self._lock_file = None

    @property
    def project_file(self) -> Path:
        return recovery_dir() / f"{self.id}.fcast"

    @property
    def meta_file(self) -> Path:
        return recovery_dir() / f"{self.id}.json"

    def adopt(self, recovery: Recovery) -> bool:
        """Continue a crashed session's recovery as this window's own: its file is kept (and updated by this
        window's autosave) until the restored project is saved or deliberately discarded. False when another
        window took it meanwhile."""
        old_id = self.id
        self._unlock()
        self.id = recovery.session
        if not self._lock():
            self.id = old_id
            self._lock()
            return False
        discard_session_files(old_id, keep_lock=False)
        meta = dict(recovery.meta)
        meta.update(_owner_meta(self.id))
        try:
            _write_json(self.meta_file, meta)  # claimed: a program started now sees a running owner
        except OSError:
            pass
        return True

    def close(self) -> None:
        """The window closed cleanly: its lock file goes too (its recovery, if any, was removed or is kept on
        purpose by the caller)."""
        self._unlock()
        try:
            (recovery_dir() / f"{self.id}.lock").unlink()
        except OSError:
            pass


def _owner_meta(session_id: str) -> dict:
    return {"format": RECOVERY_FORMAT, "session": session_id, "pid": os.getpid(), "host": this_host(),
            "app_started": APP_STARTED}


def _write_json(path: Path, doc: dict) -> None:
    write_atomically(path, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"), keep_backup=False)


# ---- recoveries left behind ---------------------------------------------------------------------------------
@dataclass
class Recovery:
    """A recovery file and what its metadata says."""

    session: str
    project_file: Path
    meta: dict

    @property
    def original_path(self) -> Path | None:
        value = self.meta.get("original_path") or self.meta.get("project_path")  # (the latter: earlier versions)
        return Path(value) if value else None

    @property
    def copy_of(self) -> Path | None:
        value = self.meta.get("copy_of")
        return Path(value) if value else None

    @property
    def saved_at(self) -> float:
        value = self.meta.get("saved_at")
        if isinstance(value, (int, float)):
            return float(value)
        try:
            return self.project_file.stat().st_mtime
        except OSError:
            return 0.0

    @property
    def modifications(self) -> int | None:
        value = self.meta.get("modifications")
        return value if isinstance(value, int) else None

    @property
    def original_stamp(self):
        """The original file's FileStamp when it was loaded (None for a new project or an old recovery)."""
        stamp = self.meta.get("original_stamp")
        if not isinstance(stamp, dict):
            return None
        try:
            from ..store.project_file import FileStamp

            return FileStamp(size=int(stamp["size"]), mtime_ns=int(stamp["mtime_ns"]), sha256=str(stamp["sha256"]))
        except (ImportError, KeyError, TypeError, ValueError):
            return None

    @property
    def foreign_host(self) -> str | None:
        host = self.meta.get("host")
        return host if host and host.lower() != this_host().lower() else None

    def name(self) -> str:
        if self.original_path:
            return str(self.original_path)
        if self.copy_of:
            return f"{self.copy_of} 的副本（未保存）"
        return "未命名项目（从未保存）"

    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved_at)) if self.saved_at else "时间不明"

    def extent(self) -> str:
        """How much the recovery holds that is not in the original file."""
        count = self.modifications
        text = f"{count} 处修改" if count is not None else "修改数不明"
        if self.foreign_host:
            text += f"（来自计算机 {self.foreign_host}）"
        return text


def owner_running(meta: dict, session: str) -> bool:
    """Whether the window that writes this recovery still runs. Another computer's process cannot be checked:
    its recovery is offered (and kept unless the user discards it)."""
    host = meta.get("host")
    if isinstance(host, str) and host and host.lower() != this_host().lower():
        return False
    pid = meta.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool):
        held = _lock_held_elsewhere(recovery_dir() / f"{session}.lock")
        return bool(held)
    if pid == os.getpid():
        return session in _LIVE_SESSIONS
    if not _pid_alive(pid):
        return False
    held = _lock_held_elsewhere(recovery_dir() / f"{session}.lock")
    return held is not False  # no lock file: trust the process id; an unheld lock: the id now names another program


def pending_recoveries() -> list[Recovery]:
    """Every recovery whose window no longer runs, newest first. A running window's recovery is never listed."""
    out: list[Recovery] = []
    directory = recovery_dir()
    if not directory.is_dir():
        return out
    for project_file in directory.glob("*.fcast"):
        session = project_file.stem
        meta_file = project_file.with_suffix(".json")
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            if not isinstance(meta, dict):
                meta = {}
        except (OSError, ValueError):
            meta = {}
        if owner_running(meta, session):
            continue
        out.append(Recovery(session, project_file, meta))
    _clean_orphan_locks(directory)
    out.sort(key=lambda r: r.saved_at, reverse=True)
    return out


def _clean_orphan_locks(directory: Path) -> None:
    """Lock files of sessions that ended without a recovery (a crash before any change) and are not held."""
    for lock in directory.glob("*.lock"):
        if lock.with_suffix(".fcast").exists() or lock.with_suffix(".json").exists():
            continue
        if lock.stem in _LIVE_SESSIONS or _lock_held_elsewhere(lock) is not False:
            continue
        try:
            lock.unlink()
        except OSError:
            pass


def find_recovery(session: str) -> Recovery | None:
    return next((r for r in pending_recoveries() if r.session == session), None)


def discard_session_files(session: str, keep_lock: bool = True) -> None:
    names = [f"{session}.fcast", f"{session}.json"] + ([] if keep_lock else [f"{session}.lock"])
    for name in names:
        try:
            (recovery_dir() / name).unlink()
        except OSError:
            pass


def discard(recovery: Recovery) -> None:
    """The user chose 放弃 for this recovery: only its own files go."""
    discard_session_files(recovery.session, keep_lock=False)


def load_recovery(recovery: Recovery):
    return load_project(recovery.project_file)


# ---- writing ------------------------------------------------------------------------------------------------
class Autosaver(QObject):
    """Writes the document's recovery when it changed: ``IDLE_MS`` after the last change, and at the latest
    ``MAX_MS`` after the first change not yet written."""

    def __init__(self, document, session: RecoverySession, parent=None):
        super().__init__(parent)
        self.document = document
        self.session = session
        self.last_error = ""
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self.save_now)
        self.deadline = QTimer(self)
        self.deadline.setSingleShot(True)
        self.deadline.timeout.connect(self.save_now)
        self._written = document.modifications  # what the recovery (or the file) already holds
        self._stopped = False
        document.modificationsChanged.connect(self._modified)
        document.undo_stack.cleanChanged.connect(self._clean_changed)

    def _modified(self, _count: int) -> None:
        if self._stopped:
            return
        self.idle.start(IDLE_MS)
        if not self.deadline.isActive():
            self.deadline.start(MAX_MS)

    def save_now(self) -> str:
        """Write the recovery if the project changed since. Returns "saved", "current" (the recovery already
        holds every change), "nothing" (nothing unsaved) or "failed" (``last_error`` says why)."""
        self.idle.stop()
        self.deadline.stop()
        if self._stopped:
            return "nothing"
        document = self.document
        if not document.modified:
            return "nothing"
        count = document.modifications
        if count == self._written and self.session.project_file.exists():
            return "current"
        try:
            data = dumps_project(document.project).encode("utf-8")
            meta = _owner_meta(self.session.id)
            stamp = document.loaded_stamp
            meta.update({
                "original_path": str(document.path) if document.path else None,
                "copy_of": str(document.copy_of) if document.copy_of else None,
                "original_stamp": ({"size": stamp.size, "mtime_ns": stamp.mtime_ns, "sha256": stamp.sha256}
                                   if stamp is not None else None),
                "saved_at": time.time(),
                "modifications": count,
                "forms": len(document.project.forms),
            })
            recovery_dir().mkdir(parents=True, exist_ok=True)
            _write_json(self.session.meta_file, meta)  # first: a recovery file is never without its owner
            write_atomically(self.session.project_file, data, keep_backup=False)
        except Exception as exc:  # noqa: BLE001 - a timer slot: never raise into Qt; say it when asked
            from .messages import error_text

            self.last_error = error_text(exc)  # shown in the error box: Chinese, not the system's English
            return "failed"
        self._written = count
        self.last_error = ""
        return "saved"

    def _clean_changed(self, clean: bool) -> None:
        if clean and not self._stopped:
            self.remove()

    def remove(self) -> None:
        """The project was saved or deliberately discarded: this session's recovery goes (no other)."""
        self.idle.stop()
        self.deadline.stop()
        discard_session_files(self.session.id)
        self._written = self.document.modifications if not self._stopped else self._written

    def stop(self) -> None:
        """The window lets this document go: no timer and no signal of its (soon deleted) undo stack may reach
        this object any more."""
        if self._stopped:
            return
        self._stopped = True
        self.idle.stop()
        self.deadline.stop()
        for signal, slot in ((self.document.modificationsChanged, self._modified),
                             (self.document.undo_stack.cleanChanged, self._clean_changed)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
