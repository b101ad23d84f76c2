"""One owner per project file: a lock file beside the project, seen by every PC that shares the folder.

The lock is a small JSON file named like LibreOffice's owner files (``.~lock.NAME.fcast#``) saying who holds the
project: user, computer, process id, since when, which program, and a session token unique to the holder (two
windows of one process hold two sessions). It is created complete or not at all: the content is written and
synced to a temporary file that is then hard-linked to the lock name (the link fails when a lock exists); where
the file system has no hard links it falls back to ``O_CREAT | O_EXCL``.

A lock whose process is gone (same computer, pid no longer running) is *stale* and may be taken over; a lock of
another computer is never judged stale automatically: only the user can decide that (``ProjectLock.take_over``).
"""

from __future__ import annotations

import datetime as _dt
import getpass
import hashlib
import json
import os
import platform
import re
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path

LOCK_FORMAT = "fcast-lock"
POLL_SECONDS = 0.1
UNREADABLE_STALE_AFTER = 30.0
"""An unreadable (empty or garbled) lock file older than this is stale: a live holder writes its lock in
milliseconds, so such a file is what a program killed while creating its lock leaves behind."""
DEBRIS_STALE_AFTER = 3600.0
"""Temporary files of another computer (or of an older version) are removed only after this many seconds."""

_LIVE_SESSIONS: set[str] = set()
"""Sessions held by ProjectLock objects of this process that are not released yet."""


def host_name() -> str:
    """This computer's name, as ``socket.gethostname()`` gives it (platform asks uname, or Windows)."""
    try:
        name = platform.node()
    except Exception:  # noqa: BLE001  never let a lock question fail on the name of the computer
        name = ""
    return name or os.environ.get("COMPUTERNAME", "") or "未知计算机"


_host = host_name


def _user() -> str:
    try:
        return getpass.getuser() or "未知用户"
    except Exception:  # noqa: BLE001  getpass raises OSError/KeyError/ImportError by platform
        return os.environ.get("USERNAME") or os.environ.get("USER") or "未知用户"


def host_tag() -> str:
    """A short tag of this computer, put into the names of temporary files so that a later run can tell its
    own computer's leftovers (whose process it can check) from another computer's."""
    return hashlib.sha1(_host().lower().encode("utf-8", "replace")).hexdigest()[:6]


def debris_name(base: str, suffix: str) -> str:
    """``.BASE.TAG-PID-RANDOM.SUFFIX``: a temporary file that :func:`is_debris_stale` can judge later."""
    return f".{base}.{host_tag()}-{os.getpid()}-{secrets.token_hex(4)}.{suffix}"


def is_debris_stale(tag: str | None, pid: int | None, mtime: float, in_flight: set[str], name: str) -> bool:
    """True when a temporary file named by :func:`debris_name` (or an older, untagged one) is a leftover."""
    if name in in_flight:
        return False
    if tag == host_tag() and pid is not None:
        if pid == os.getpid():
            return True  # ours but not in flight: an earlier save of this process that was interrupted
        return not pid_alive(pid)
    return time.time() - mtime > DEBRIS_STALE_AFTER


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this computer. Errs on the side of "alive" when unsure."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return _pid_alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to someone else
    except OSError:
        return True
    try:  # a killed child not yet reaped by its parent is a zombie: dead for our purposes
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
        return stat[stat.rfind(b")") + 2:][:1] not in (b"Z", b"X")
    except OSError:
        return True


def _pid_alive_windows(pid: int) -> bool:
    try:
        import ctypes
        from ctypes import wintypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
        kernel32.OpenProcess.restype = wintypes.HANDLE
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return bool(ctypes.get_last_error() != 87)  # type: ignore[attr-defined,unused-ignore]  # 87: no such process
        try:
            code = wintypes.DWORD()
            if kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return code.value == 259  # STILL_ACTIVE
            return True
        finally:
            kernel32.CloseHandle(handle)
    except Exception:  # noqa: BLE001  ctypes unavailable or a call failed: unsure, so "alive"
        return True


def _process_started_after(pid: int, when: _dt.datetime) -> bool:
    """Linux: the process with this id started clearly after ``when`` (the id was reused by a newer process)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        start_ticks = int(fields[19])
        with open("/proc/stat", "rb") as fh:
            btime = next(int(line.split()[1]) for line in fh if line.startswith(b"btime"))
        started = btime + start_ticks / os.sysconf("SC_CLK_TCK")
        return started > when.timestamp() + 2.0
    except (OSError, ValueError, IndexError, StopIteration, AttributeError):
        return False


@dataclass(frozen=True)
class LockInfo:
    user: str
    host: str
    pid: int
    since: str  # ISO local time
    app: str  # "fcast-desktop" or "fcast"
    session: str  # unique token per holder; empty when the lock file could not be read

    @property
    def readable(self) -> bool:
        return bool(self.session)

    def since_time(self) -> _dt.datetime | None:
        try:
            return _dt.datetime.fromisoformat(self.since)
        except (TypeError, ValueError):
            return None

    def describe(self) -> str:
        """张三 在计算机 PC-01 上（fcast-desktop，进程 1234，自 2026-12-07 10:00 起）"""
        when = self.since_time()
        since = when.strftime("%Y-%m-%d %H:%M") if when else (self.since or "时间不明")
        if not self.readable:
            return f"未知的程序（锁文件内容无法读取，文件时间 {since}）"
        return f"{self.user} 在计算机 {self.host} 上（{self.app}，进程 {self.pid}，自 {since} 起）"

    def to_json(self) -> str:
        doc = {"format": LOCK_FORMAT, "user": self.user, "host": self.host, "pid": self.pid, "since": self.since,
               "app": self.app, "session": self.session}
        return json.dumps(doc, ensure_ascii=False) + "\n"


def _now_iso() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


def _new_info(app: str) -> LockInfo:
    return LockInfo(user=_user(), host=_host(), pid=os.getpid(), since=_now_iso(), app=app,
                    session=secrets.token_hex(16))


def _real(project: str | os.PathLike[str]) -> Path:
    """The file a project path names, through symbolic links (two links to one file share one lock)."""
    return Path(os.path.realpath(os.fspath(project)))


def lock_path(project: str | os.PathLike[str]) -> Path:
    p = _real(project)
    return p.with_name(f".~lock.{p.name}#")


def _parse(data: bytes, mtime: float) -> LockInfo:
    try:
        doc = json.loads(data.decode("utf-8"))
        if not isinstance(doc, dict):
            raise ValueError
        pid = doc["pid"]
        if not isinstance(pid, int) or isinstance(pid, bool) or not str(doc["session"]):
            raise ValueError
        return LockInfo(user=str(doc.get("user", "")) or "未知用户", host=str(doc["host"]), pid=pid,
                        since=str(doc.get("since", "")), app=str(doc.get("app", "")) or "未知程序",
                        session=str(doc["session"]))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
        since = _dt.datetime.fromtimestamp(mtime).isoformat(timespec="seconds") if mtime else ""
        return LockInfo(user="", host="", pid=0, since=since, app="", session="")


def _read_raw(path: Path) -> tuple[LockInfo, bytes] | None:
    try:
        with open(path, "rb") as fh:
            data = fh.read(64 * 1024)
            mtime = os.fstat(fh.fileno()).st_mtime
    except FileNotFoundError:
        return None
    except OSError:
        return LockInfo(user="", host="", pid=0, since="", app="", session=""), b"\0unreadable"
    return _parse(data, mtime), data


def read_lock(project: str | os.PathLike[str]) -> LockInfo | None:
    """Who holds ``project``; None when nobody does. Never raises: an unreadable lock is "held by unknown"."""
    try:
        found = _read_raw(lock_path(project))
    except Exception:  # noqa: BLE001  documented: never raises (e.g. a path the OS cannot resolve)
        return LockInfo(user="", host="", pid=0, since="", app="", session="")
    return found[0] if found else None


def _same_host(host: str) -> bool:
    return host.lower() == _host().lower()


def is_stale(info: LockInfo) -> bool:
    """A lock left behind: its process no longer runs on this computer. Another computer's lock: never."""
    if not info.readable:
        when = info.since_time()
        return when is not None and (_dt.datetime.now() - when).total_seconds() > UNREADABLE_STALE_AFTER
    if not _same_host(info.host):
        return False
    if info.pid == os.getpid():
        return info.session not in _LIVE_SESSIONS
    if not pid_alive(info.pid):
        return True
    when = info.since_time()
    return when is not None and _process_started_after(info.pid, when)


def held_here(project: str | os.PathLike[str]) -> bool:
    """True when a ProjectLock of this process holds ``project``."""
    info = read_lock(project)
    return info is not None and info.session in _LIVE_SESSIONS


class ProjectLocked(Exception):  # noqa: N818 (the name the GUI codes against)
    """The project is held by someone else; ``str(exc)`` is a Chinese sentence naming the holder."""

    def __init__(self, info: LockInfo, path: str | os.PathLike[str]):
        self.info = info
        self.path = Path(path)
        super().__init__(f"项目文件 {self.path} 已被 {info.describe()}打开，暂时不能写入")


def _fsync_dir(directory: Path) -> None:
    if os.name == "nt":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_IN_FLIGHT: set[str] = set()
_DEBRIS = re.compile(r"^\.(?P<base>.+)\.(?P<tag>[0-9a-f]{6})-(?P<pid>\d+)-[0-9a-f]{8}\.(?:tmp|broken)$")


def _create(lockp: Path, info: LockInfo) -> None:
    """Create the lock file with its whole content, or raise FileExistsError."""
    data = info.to_json().encode("utf-8")
    tmp = lockp.with_name(debris_name(lockp.name, "tmp"))
    _IN_FLIGHT.add(tmp.name)
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
        except OSError as exc:  # e.g. a read-only folder: name the lock file, not our temporary file
            raise type(exc)(exc.errno, exc.strerror, str(lockp)) from None
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, lockp)
            linked = True
        except FileExistsError:
            raise
        except (OSError, NotImplementedError, AttributeError):  # no hard links here (FAT, some shares)
            linked = False
        if not linked:
            fd = os.open(lockp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        _IN_FLIGHT.discard(tmp.name)
    _fsync_dir(lockp.parent)


def _clean_lock_debris(lockp: Path) -> None:
    """Temporary files of lock attempts killed half-way (``.~lock.NAME#.TAG-PID-RANDOM.tmp``)."""
    prefix = "." + lockp.name + "."
    try:
        entries = list(os.scandir(lockp.parent))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        m = _DEBRIS.match(entry.name)
        if not m or m["base"] != lockp.name:
            continue
        try:
            mtime = entry.stat(follow_symlinks=False).st_mtime
            if is_debris_stale(m["tag"], int(m["pid"]), mtime, _IN_FLIGHT, entry.name):
                os.unlink(entry.path)
        except OSError:
            pass


def _break(lockp: Path, seen: bytes) -> bool:
    """Remove the lock file if it still is the one read as ``seen``. Moving it aside first makes this safe when
    two programs break the same stale lock at once: only one of them can move a given file."""
    aside = lockp.with_name(debris_name(lockp.name, "broken"))
    _IN_FLIGHT.add(aside.name)
    try:
        try:
            os.rename(lockp, aside)
        except FileNotFoundError:
            return True
        except OSError:
            return False  # held open (Windows) or not ours to move: try again later
        found = _read_raw(aside)
        if found is not None and found[1] != seen:  # somebody took it over meanwhile: put theirs back
            try:
                os.link(aside, lockp)
            except OSError:
                pass
            return False
        return True
    finally:
        try:
            os.unlink(aside)
        except OSError:
            pass
        _IN_FLIGHT.discard(aside.name)


class ProjectLock:
    """Holding the lock of one project file. Use as a context manager or call :meth:`release`."""

    def __init__(self, project: Path, path: Path, info: LockInfo, took_over_from: LockInfo | None):
        self.project = project
        self.path = path
        self.info = info
        self.took_over_from = took_over_from
        self._released = False
        _LIVE_SESSIONS.add(info.session)

    @classmethod
    def acquire(cls, project: str | os.PathLike[str], *, app: str, wait: float = 0.0,
                take_stale: bool = True) -> ProjectLock:
        """Take the lock, waiting up to ``wait`` seconds for a live holder; raise :class:`ProjectLocked`.

        A stale holder (a dead process on this computer) is taken over when ``take_stale``; the lock then says so
        in ``took_over_from``. OSError (e.g. a read-only folder) is passed on."""
        project_path = Path(project)
        lockp = lock_path(project)
        deadline = time.monotonic() + max(wait, 0.0)
        took_over: LockInfo | None = None
        vanished = 0
        while True:
            made = cls._try_create(project_path, lockp, app, took_over)
            if made is not None:
                return made
            found = _read_raw(lockp)
            if found is None:  # released between our attempt and our look: try again at once
                vanished += 1
                if vanished > 100:
                    time.sleep(POLL_SECONDS)
                continue
            holder, raw = found
            if take_stale and is_stale(holder):
                if _break(lockp, raw):
                    took_over = holder
                    continue
            took_over = None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ProjectLocked(holder, project_path)
            time.sleep(min(POLL_SECONDS, remaining))

    @classmethod
    def take_over(cls, project: str | os.PathLike[str], *, app: str) -> ProjectLock:
        """Take the lock whoever holds it (the user confirmed that the holder is gone)."""
        project_path = Path(project)
        lockp = lock_path(project)
        took_over: LockInfo | None = None
        holder: LockInfo | None = None
        for _attempt in range(50):
            made = cls._try_create(project_path, lockp, app, took_over)
            if made is not None:
                return made
            found = _read_raw(lockp)
            if found is None:
                continue
            holder, raw = found
            if _break(lockp, raw):
                took_over = holder
            else:
                time.sleep(POLL_SECONDS)
        raise ProjectLocked(holder or LockInfo("", "", 0, "", "", ""), project_path)

    @classmethod
    def _try_create(cls, project_path: Path, lockp: Path, app: str,
                    took_over: LockInfo | None) -> ProjectLock | None:
        """One attempt to create the lock file: the lock, or None when a lock file is already there."""
        info = _new_info(app)
        try:
            _create(lockp, info)
        except FileExistsError:
            return None
        _clean_lock_debris(lockp)
        return cls(project_path, lockp, info, took_over)

    def owns(self) -> bool:
        """The lock file still carries our session (nobody broke or took over our lock)."""
        if self._released:
            return False
        found = _read_raw(self.path)
        return found is not None and found[0].session == self.info.session

    def release(self) -> None:
        """Remove the lock file if it is still ours. Calling it again does nothing."""
        if self._released:
            return
        self._released = True
        _LIVE_SESSIONS.discard(self.info.session)
        found = _read_raw(self.path)
        if found is not None and found[0].session == self.info.session:
            try:
                os.unlink(self.path)
            except OSError:  # gone already, or the folder became read-only: the lock stays, stale for the next
                pass

    def move_to(self, new_project: str | os.PathLike[str]) -> ProjectLock:
        """For 另存为: hold ``new_project`` instead (raises ProjectLocked and keeps the old lock when taken)."""
        if lock_path(new_project) == self.path and self.owns():
            self.project = Path(new_project)
            return self
        new = ProjectLock.acquire(new_project, app=self.info.app, wait=0.0, take_stale=True)
        self.release()
        return new

    def __enter__(self) -> ProjectLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"<ProjectLock {self.path} {self.info.session[:8]}{' released' if self._released else ''}>"
