"""Project files: one UTF-8 JSON document with a format name and a schema version.

Saving is atomic: the new content is written to a temporary file beside the target, flushed and synced,
the previous file is kept as ``<name>.bak``, and only then is the temporary file moved over the target.
A failed save leaves both the previous file and its backup untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from ..model import Project

FORMAT_NAME = "fcast-project"
SCHEMA_VERSION = 1
SUFFIX = ".fcast"
BACKUP_SUFFIX = ".bak"

Migration = Callable[[dict], dict]
MIGRATIONS: dict[int, Migration] = {}
"""``MIGRATIONS[n]`` turns a document of schema version ``n`` into version ``n + 1``."""


def migration(from_version: int) -> Callable[[Migration], Migration]:
    """Register a migration from ``from_version`` to ``from_version + 1``."""

    def register(fn: Migration) -> Migration:
        if from_version in MIGRATIONS:
            raise ValueError(f"migration from version {from_version} registered twice")
        MIGRATIONS[from_version] = fn
        return fn

    return register


class ProjectFileError(Exception):
    """A project file that cannot be used; the message is Chinese and names the file (and line)."""

    def __init__(self, path: str | os.PathLike, what: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.what = what
        where = f"{self.path}" + (f" 第 {line} 行" if line else "")
        super().__init__(f"{where}：{what}")


def backup_path(path: str | os.PathLike) -> Path:
    p = Path(path)
    return p.with_name(p.name + BACKUP_SUFFIX)


def dumps_project(project: Project) -> str:
    doc = {
        "format": FORMAT_NAME,
        "schema_version": SCHEMA_VERSION,
        "project": project.model_dump(mode="json"),
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def write_atomically(path: str | os.PathLike, data: bytes, keep_backup: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never half of one."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix="." + target.name + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, _mode_for(target))
        if keep_backup and target.exists():
            bak = backup_path(target)
            fd2, bak_tmp = tempfile.mkstemp(prefix="." + bak.name + ".", suffix=".tmp", dir=directory)
            os.close(fd2)
            try:
                shutil.copyfile(target, bak_tmp)
                os.replace(bak_tmp, bak)
            except BaseException:
                _silent_unlink(bak_tmp)
                raise
        os.replace(tmp_name, target)
    except BaseException:
        _silent_unlink(tmp_name)
        raise


def _mode_for(target: Path) -> int:
    """Keep the permissions of the file being replaced; a new file gets the usual 0666 & ~umask."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _silent_unlink(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def save_project(project: Project, path: str | os.PathLike, keep_backup: bool = True) -> None:
    write_atomically(path, dumps_project(project).encode("utf-8"), keep_backup=keep_backup)


def _is_truncated(text: str) -> bool:
    """True when the JSON text ends inside a string or with brackets still open: the file was cut off."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
    return in_string or depth > 0


def _describe_location(loc: tuple) -> str:
    """forms.3.indicators.5.weight → 第 4 个表单 › indicators 第 6 行 › weight"""
    parts: list[str] = []
    for i, p in enumerate(loc):
        if isinstance(p, int):
            parts[-1:] = [("第 %d 个表单" % (p + 1)) if parts[-1:] == ["forms"] else f"{parts[-1]} 第 {p + 1} 行"]
        else:
            parts.append(str(p))
    return " › ".join(parts)


def loads_project(text: str, path: str | os.PathLike = "<内存>") -> Project:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if _is_truncated(text):
            raise ProjectFileError(path, "文件不完整（可能被截断），无法读取", exc.lineno) from None
        raise ProjectFileError(path, f"文件已损坏，不是有效的 JSON（第 {exc.colno} 列：{exc.msg}）", exc.lineno) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise ProjectFileError(path, "这不是 fcast 项目文件（缺少格式标识 “fcast-project”）")
    version = doc.get("schema_version")
    if not isinstance(version, int) or version < 1:
        raise ProjectFileError(path, f"项目文件的格式版本无效：{version!r}")
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            path,
            f"此文件由更新版本的程序保存（格式版本 {version}，本程序支持到 {SCHEMA_VERSION}），请升级后再打开；文件未作任何改动",
        )
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise ProjectFileError(path, f"无法把格式版本 {version} 升级到 {SCHEMA_VERSION}")
        doc = step(doc)
        version += 1
        doc["schema_version"] = version
    body = doc.get("project")
    if not isinstance(body, dict):
        raise ProjectFileError(path, "项目文件缺少 “project” 内容")
    try:
        return Project.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _describe_location(first["loc"])
        more = f"（另有 {exc.error_count() - 1} 处）" if exc.error_count() > 1 else ""
        line = _line_of_location(text, first["loc"])
        raise ProjectFileError(path, f"项目内容不符合格式：{where}：{first['msg']}{more}", line) from None


def _line_of_location(text: str, loc: tuple) -> int | None:
    """Best effort: the line of the first key of ``loc`` after the previous one (list indexes are skipped)."""
    pos = text.find('"project":')
    for part in loc:
        if isinstance(part, str):
            found = text.find(json.dumps(part, ensure_ascii=False) + ":", pos)
            if found < 0:
                break
            pos = found
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def load_project(path: str | os.PathLike) -> Project:
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ProjectFileError(path, "文件不存在") from None
    except OSError as exc:
        raise ProjectFileError(path, f"无法读取文件：{exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ProjectFileError(path, "文件不是 UTF-8 文本，可能已损坏或不是项目文件", line) from None
    return loads_project(text, path)
