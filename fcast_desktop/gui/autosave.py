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
import threading
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
def _form_holder():
    """An empty project whose only form is swapped in (``_form_line``)."""
    from ..model import Project

    return Project()


_HOLDER = None


def _form_line(form) -> bytes:
    """The line of ``form`` in a project file, exactly as ``dumps_project`` writes it (the file holds one form per
    line): the third line of a project holding only that form. (A thin helper over the public ``dumps_project``;
    ``store.project_file`` could offer ``dumps_form``.)"""
    global _HOLDER
    if _HOLDER is None:
        _HOLDER = _form_holder()
    text = dumps_project(_HOLDER.model_copy(update={"forms": [form]}))
    return text.split("\n", 3)[2].encode("utf-8")


def _project_head(project) -> tuple[bytes, bytes]:
    """The file's text before the first form line and what ends it: ``dumps_project`` of the project without forms
    is the format line, the project line, and ``]}}``."""
    text = dumps_project(project.model_copy(update={"forms": []}))
    first, second, rest = text.split("\n", 2)
    return f"{first}\n{second}\n".encode(), rest.encode("utf-8")


@dataclass
class _Snapshot:
    """The recovery of one moment, as bytes built on the window's thread; joined and written by ``_write``."""

    count: int
    meta: dict
    head: bytes
    lines: list[bytes]
    tail: bytes
    meta_file: Path
    project_file: Path

    def data(self) -> bytes:
        if not self.lines:
            return self.head + self.tail
        return b"".join((self.head, b",\n".join(self.lines), b"\n", self.tail))


def _write(snapshot: _Snapshot) -> str:
    """Write a snapshot's metadata, then its project text, each atomically; "" or the error in the user's words."""
    try:
        data = snapshot.data()
        recovery_dir().mkdir(parents=True, exist_ok=True)
        _write_json(snapshot.meta_file, snapshot.meta)  # first: a recovery file is never without its owner
        write_atomically(snapshot.project_file, data, keep_backup=False)
    except Exception as exc:  # noqa: BLE001 - reported to the window (``last_error``), never raised
        from .messages import error_text

        return error_text(exc) or "无法写入恢复文件"  # shown in the error box: Chinese, not the system's English
    return ""


class Autosaver(QObject):
    """Writes the document's recovery when it changed: ``IDLE_MS`` after the last change, and at the latest
    ``MAX_MS`` after the first change not yet written.

    The recovery is the project file's text, one form per line: each form's line is kept (``_lines``, with the
    form's ``ProjectDocument.form_version``), so a snapshot encodes only the forms changed since the last one, on
    the window's thread — the snapshot is the project of one moment. Joining the lines and writing the files happen
    on a worker thread, one write at a time. A large project's lines are made first, in slices of a few
    milliseconds on the event loop once the document's background check has ended (``WARM_SECONDS``), or at
    once when a change is to be written; an autosave due meanwhile waits for them. ``save_now`` (quitting, a
    crash) does everything at once and waits for the worker."""

    WARM_SECONDS = 0.005  # encoding per slice while a project's lines are first made
    WARM_FROM = 200  # a project with more forms than this gets its lines made in slices
    WAIT_MS = 200  # while the document's background check runs, the lines wait (looked at this often)
    POLL_MS = 20  # how often the window looks whether the write has ended (no signal crosses the threads)

    def __init__(self, document, session: RecoverySession, parent=None):
        super().__init__(parent)
        self.document = document
        self.session = session
        self.last_error = ""
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self._autosave)
        self.deadline = QTimer(self)
        self.deadline.setSingleShot(True)
        self.deadline.timeout.connect(self._autosave)
        self._written = document.modifications  # what the recovery (or the file) already holds
        self._stopped = False
        # id(form) → (the form, its id and version when its line was made, the line)
        self._lines: dict[int, tuple[object, str, tuple, bytes]] = {}
        # the last snapshot's lines in the order of the project's forms, that list of forms, where each form id is
        # in it, the document's structure then, and the forms changed since (``ProjectDocument.take_changed_forms``)
        self._aligned: list[bytes] | None = None
        self._aligned_forms: list | None = None
        self._positions: dict[str, list[int]] = {}
        self._structure: tuple[int, int] = (-1, -1)
        self._changed: set[str] = set()
        self._warm_timer: QTimer | None = None
        self._warm_position = 0
        self._due = False  # an autosave waits for the lines being made, or for the write in progress
        self._worker: threading.Thread | None = None
        self._result: tuple[int, str] | None = None  # (count written, error) of the worker's last write
        self._poll = QTimer(self)
        self._poll.setInterval(self.POLL_MS)
        self._poll.timeout.connect(self._collect)
        document.modificationsChanged.connect(self._modified)
        document.undo_stack.cleanChanged.connect(self._clean_changed)
        if len(document.project.forms) > self.WARM_FROM:
            self._start_warming()  # after the background check: the first autosave then encodes only the changes

    def _modified(self, _count: int) -> None:
        if self._stopped:
            return
        self.idle.start(IDLE_MS)
        if not self.deadline.isActive():
            self.deadline.start(MAX_MS)
        if len(self.document.project.forms) > self.WARM_FROM and len(self._lines) < len(self.document.project.forms):
            self._start_warming()

    # ---- the snapshot -------------------------------------------------------------------------------------
    def _snapshot(self, count: int, limit: int | None) -> _Snapshot | None:
        """The project as it is now, as bytes: the forms changed since their line was made are encoded again, the
        others' lines are reused. None when more than ``limit`` forms would need encoding (their lines are being
        made in slices)."""
        document = self.document
        project = document.project
        forms = project.forms
        self._changed |= document.take_changed_forms()
        lines = self._changed_lines(forms) if self._aligned_with(forms) else self._all_lines(forms, limit)
        if lines is None:
            return None
        self._changed = set()
        head, tail = _project_head(project)
        meta = _owner_meta(self.session.id)
        stamp = document.loaded_stamp
        meta.update({
            "original_path": str(document.path) if document.path else None,
            "copy_of": str(document.copy_of) if document.copy_of else None,
            "original_stamp": ({"size": stamp.size, "mtime_ns": stamp.mtime_ns, "sha256": stamp.sha256}
                               if stamp is not None else None),
            "saved_at": time.time(),
            "modifications": count,
            "forms": len(forms),
        })
        return _Snapshot(count, meta, head, lines, tail, self.session.meta_file, self.session.project_file)

    def _aligned_with(self, forms: list) -> bool:
        """Whether the last snapshot's lines are those of ``forms``, one by one, but for the forms changed since:
        no form was added, removed, replaced or moved (the document's structure version), and every changed form
        is still where it was."""
        if self._aligned is None or forms is not self._aligned_forms or len(forms) != len(self._aligned) \
                or self._structure != (self.document.structure_version, self.document.form_version("")[0]):
            return False
        positions = self._positions
        return all(fid in positions and all(forms[p].id == fid for p in positions[fid]) for fid in self._changed)

    def _changed_lines(self, forms: list) -> list[bytes]:
        """The last snapshot's lines with those of the changed forms encoded again (a new list: the worker may
        still be joining the last one)."""
        lines = list(self._aligned or [])
        version = self.document.form_version
        for fid in self._changed:
            for p in self._positions[fid]:
                form = forms[p]
                entry = (form, fid, version(fid), _form_line(form))
                self._lines[id(form)] = entry
                lines[p] = entry[3]
        self._aligned = lines
        return lines

    def _all_lines(self, forms: list, limit: int | None) -> list[bytes] | None:
        """Every form's line, from those made before when the form is the same and unchanged since."""
        document = self.document
        version = document.form_version
        cached = self._lines
        entries = []
        missing = 0
        for form in forms:
            entry = cached.get(id(form))
            fid = form.id
            v = version(fid)
            if entry is None or entry[0] is not form or entry[1] != fid or entry[2] != v:
                missing += 1
                if limit is not None and missing > limit:
                    return None
                entry = (form, fid, v, _form_line(form))
            entries.append(entry)
        self._lines = {id(e[0]): e for e in entries}  # forms removed meanwhile are let go
        positions: dict[str, list[int]] = {}
        for p, form in enumerate(forms):
            positions.setdefault(form.id, []).append(p)
        self._positions = positions
        self._aligned = [e[3] for e in entries]
        self._aligned_forms = forms
        self._structure = (document.structure_version, document.form_version("")[0])
        return self._aligned

    def _start_warming(self) -> None:
        if self._warm_timer is None:
            self._warm_timer = QTimer(self)
            self._warm_timer.setInterval(0)
            self._warm_timer.timeout.connect(self._warm_slice)
        if not self._warm_timer.isActive():
            self._warm_position = 0
            self._warm_timer.start(0)

    def _warm_slice(self) -> None:
        """Make the lines of the next forms without one, for ``WARM_SECONDS``; at the end an autosave due runs."""
        try:
            if getattr(self.document, "checking", False) and not self._due:  # the rules' pass first
                if self._warm_timer is not None:
                    self._warm_timer.start(self.WAIT_MS)
                return
            if self._warm_timer is not None and self._warm_timer.interval():
                self._warm_timer.start(0)
            start = time.perf_counter()
            forms = self.document.project.forms
            version = self.document.form_version
            while self._warm_position < len(forms):
                form = forms[self._warm_position]
                self._warm_position += 1
                entry = self._lines.get(id(form))
                fid = form.id
                v = version(fid)
                if entry is None or entry[0] is not form or entry[1] != fid or entry[2] != v:
                    self._lines[id(form)] = (form, fid, v, _form_line(form))
                if time.perf_counter() - start >= self.WARM_SECONDS:
                    return
        except Exception:  # noqa: BLE001 - a timer slot: the autosave then encodes what is missing itself
            from .safety import report_later

            report_later()
        if self._warm_timer is not None:
            self._warm_timer.stop()
        if self._due and not self._stopped:
            self._autosave(after_warming=True)

    # ---- writing --------------------------------------------------------------------------------------------
    @property
    def writing(self) -> bool:
        """A write is in progress on the worker thread."""
        return self._worker is not None and self._worker.is_alive()

    def _autosave(self, after_warming: bool = False) -> None:
        """The timers' autosave: the snapshot is taken now; it is joined and written on the worker thread."""
        try:
            self.idle.stop()
            self.deadline.stop()
            self._collect()
            if self._stopped or not self.document.modified:
                self._due = False
                return
            if self.writing:
                self._due = True  # written again when this write ends (``_collect``)
                return
            count = self.document.modifications
            if count == self._written and self.session.project_file.exists():
                self._due = False
                return
            warming = self._warm_timer is not None and self._warm_timer.isActive()
            snapshot = self._snapshot(count, None if after_warming or not warming else self.WARM_FROM)
            if snapshot is None:
                self._due = True  # the lines are being made: written when they are (``_warm_slice``)
                if self._warm_timer is not None:
                    self._warm_timer.start(0)  # now, even while the rules' pass runs
                return
            self._due = False
            self._result = None
            worker = threading.Thread(target=self._work, args=(snapshot,), name="fcast-autosave")
            worker.start()  # (kept only once started: a thread that never ran cannot be waited for)
            self._worker = worker
            self._poll.start()
        except Exception:  # noqa: BLE001 - a timer slot: never raise into Qt
            from .safety import report_later

            report_later()

    def _work(self, snapshot: _Snapshot) -> None:
        """On the worker thread: write and keep the outcome (the window takes it in: ``_collect``)."""
        self._result = (snapshot.count, _write(snapshot))

    def _collect(self) -> None:
        """Take in the outcome of a finished write (polled while it runs, and before anything that needs it)."""
        worker = self._worker
        if worker is None:
            self._poll.stop()
            return
        if worker.is_alive():
            return
        self._poll.stop()
        worker.join()
        self._worker = None
        result, self._result = self._result, None
        if result is not None:
            count, error = result
            if error:
                self.last_error = error
            else:
                self._written = max(self._written, count)
                self.last_error = ""
        if self._due and not self._stopped:
            self._autosave()

    def _wait(self) -> None:
        """Wait for the write in progress, and take in its outcome."""
        worker = self._worker
        if worker is not None:
            worker.join()
            due, self._due = self._due, False
            self._collect()
            self._due = due

    def save_now(self) -> str:
        """Write the recovery if the project changed since, at once (after the write in progress). Returns "saved",
        "current" (the recovery already holds every change), "nothing" (nothing unsaved) or "failed"
        (``last_error`` says why)."""
        self.idle.stop()
        self.deadline.stop()
        if self._stopped:
            return "nothing"
        self._wait()
        self._due = False
        document = self.document
        if not document.modified:
            return "nothing"
        count = document.modifications
        if count == self._written and self.session.project_file.exists():
            return "current"
        try:
            snapshot = self._snapshot(count, None)
        except Exception as exc:  # noqa: BLE001 - called from Qt and from the error handler: never raise
            from .messages import error_text

            self.last_error = error_text(exc)
            return "failed"
        assert snapshot is not None
        error = _write(snapshot)
        if error:
            self.last_error = error
            return "failed"
        self._written = count
        self.last_error = ""
        return "saved"

    def _clean_changed(self, clean: bool) -> None:
        if clean and not self._stopped:
            self.remove()

    def remove(self) -> None:
        """The project was saved or deliberately discarded: this session's recovery goes (no other) — after the
        write in progress, which would otherwise bring it back."""
        self.idle.stop()
        self.deadline.stop()
        self._wait()
        self._due = False
        discard_session_files(self.session.id)
        self._written = self.document.modifications if not self._stopped else self._written

    def stop(self) -> None:
        """The window lets this document go: no timer and no signal of its (soon deleted) undo stack may reach
        this object any more."""
        if self._stopped:
            return
        self._wait()  # no write of this session may end after the window let the document go
        self._stopped = True
        self._due = False
        self.idle.stop()
        self.deadline.stop()
        if self._warm_timer is not None:
            self._warm_timer.stop()
        self._lines, self._aligned, self._aligned_forms = {}, None, None
        for signal, slot in ((self.document.modificationsChanged, self._modified),
                             (self.document.undo_stack.cleanChanged, self._clean_changed)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
