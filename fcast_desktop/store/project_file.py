"""Project files: one UTF-8 JSON document with a format name and a schema version.

The file is line-oriented: the format line, the project header, then one form per line (``FIRST_FORM_LINE`` is
the line of the first form), each dumped by the C JSON encoder (``indent=`` would fall back to the slow pure-Python
encoder). Any JSON layout loads, including the ``indent=1`` files of earlier versions.

Saving is atomic (see :func:`write_atomically`): readers see the old or the new file, never half of one; the backup
``<name>.bak`` is replaced only after the new file is complete, synced and in place; temporary files never
survive a failure, and leftovers of earlier killed saves are removed on the next save.

Loading refuses what it cannot represent faithfully (duplicate names, absurd nesting or numbers, broken text)
with a Chinese message naming the line, and never writes anything.
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import re
import shutil
import stat as _stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from json.decoder import scanstring as _scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from ..model import Form, Project
from ..model.forms import paused_gc

if TYPE_CHECKING:
    from ..layouts.forms import FormLayout

FORMAT_NAME = "fcast-project"
SCHEMA_VERSION = 1
SUFFIX = ".fcast"
BACKUP_SUFFIX = ".bak"
FIRST_FORM_LINE = 3
MAX_INT_DIGITS = 20
"""No integer in a project file (years, versions) needs more digits; longer ones are refused, not converted."""
MAX_DEPTH_SHOWN = 100
REPLACE_RETRY_SECONDS = 2.0
"""Windows: how long the final rename is retried while an antivirus or indexer holds the file."""
_RETRY_REPLACE = os.name == "nt"

StrPath = str | os.PathLike[str]
Migration = Callable[[dict[str, Any]], dict[str, Any]]
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

    def __init__(self, path: StrPath, what: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.what = what
        where = f"{self.path}" + (f" 第 {line} 行" if line else "")
        super().__init__(f"{where}：{what}")


class ProjectChangedOnDisk(ProjectFileError):  # noqa: N818 (the name the GUI codes against)
    """The file differs from what was loaded: someone else saved it. Nothing was written."""

    def __init__(self, path: StrPath, what: str, expected: FileStamp, current: FileStamp | None):
        self.expected = expected
        self.current = current
        super().__init__(path, what)


class ProjectReadOnly(ProjectFileError):  # noqa: N818 (the name the GUI codes against)
    """The file (or its folder) may not be written. Nothing was written."""


@dataclass(frozen=True)
class FileStamp:
    """What a file was: size, modification time and content hash."""

    size: int
    mtime_ns: int
    sha256: str


def _stamp(data: bytes, st: os.stat_result) -> FileStamp:
    return FileStamp(size=len(data), mtime_ns=st.st_mtime_ns, sha256=hashlib.sha256(data).hexdigest())


def _read_with_stat(path: StrPath) -> tuple[bytes, os.stat_result]:
    with open(path, "rb") as fh:
        data = fh.read()
        st = os.fstat(fh.fileno())
    return data, st


def file_stamp(path: StrPath) -> FileStamp | None:
    """The stamp of the file as it is now; None when it does not exist."""
    try:
        data, st = _read_with_stat(path)
    except FileNotFoundError:
        return None
    return _stamp(data, st)


def backup_path(path: StrPath) -> Path:
    p = Path(path)
    return p.with_name(p.name + BACKUP_SUFFIX)


# ------------------------------------------------------------------------------------------------------------
# saving

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), allow_nan=False)


def dumps_project(project: Project) -> str:
    """The file text: format line, project header, one form per line (form ``k`` on line ``FIRST_FORM_LINE + k``).
    With the cyclic collector paused (``paused_gc``): the project's plain copy is a million new objects at 10,000
    forms, and the passes they set off walked the whole heap — half the time of a save (0.51 s → 1.04 s)."""
    with paused_gc():
        body = project.model_dump(mode="json")
        forms = body.pop("forms", [])
        head = _ENCODER.encode({"format": FORMAT_NAME, "schema_version": SCHEMA_VERSION})
        header = _ENCODER.encode(body)
        lines = [head[:-1] + ",", '"project": ' + (header[:-1] + ", " if body else "{") + '"forms": [']
        encode = _ENCODER.encode
        text = "\n".join(lines) + "\n" + ",\n".join([encode(f) for f in forms]) + ("\n" if forms else "") + "]}}\n"
        del body, forms  # freed while the collector is still paused
        return text


def _is_read_only(target: Path, st: os.stat_result) -> bool:
    if not _stat.S_ISREG(st.st_mode):
        return False
    return (st.st_mode & 0o222) == 0 or not os.access(target, os.W_OK)


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_OLD_TMP = re.compile(r"^\.(?P<base>.+)\.[a-z0-9_]{8}\.tmp$")  # tempfile.mkstemp names of earlier versions


def _clean_debris(target: Path) -> None:
    """Remove temporary files that earlier saves of ``target`` left when they were killed.

    When this process holds the project's lock every such file is a leftover; otherwise only those of dead
    processes on this computer, or older than an hour (another computer's, or of earlier versions)."""
    from . import lock as _lock  # here: reading commands (`fcast check`) never load the lock module

    names = (target.name, backup_path(target).name)
    try:
        entries = [e for e in os.scandir(target.parent) if e.name.endswith(".tmp") and e.name.startswith(".")]
    except OSError:
        return
    if not entries:
        return
    all_stale = _lock.held_here(target)
    for entry in entries:
        m = _lock._DEBRIS.match(entry.name)
        tag = pid = None
        if m and m["base"] in names:
            tag, pid = m["tag"], int(m["pid"])
        else:
            old = _OLD_TMP.match(entry.name)
            if not old or old["base"] not in names:
                continue
        if entry.name in _lock._IN_FLIGHT:
            continue
        try:
            if all_stale or _lock.is_debris_stale(tag, pid, entry.stat(follow_symlinks=False).st_mtime,
                                                  _lock._IN_FLIGHT, entry.name):
                os.unlink(entry.path)
        except OSError:
            pass


def _replace(src: Path, dst: Path) -> None:
    """os.replace; on Windows retried for a moment while another program (antivirus, indexer) holds ``dst``."""
    deadline = time.monotonic() + REPLACE_RETRY_SECONDS
    while True:
        try:
            os.replace(src, dst)
            return
        except PermissionError as exc:
            if not _RETRY_REPLACE:
                raise
            if time.monotonic() >= deadline:
                raise PermissionError(
                    exc.errno or errno.EACCES,
                    "文件正被其他程序占用（例如杀毒软件、索引或同步程序），"
                    f"{REPLACE_RETRY_SECONDS:g} 秒内多次重试仍无法替换；"
                    "原文件未改动，请稍后再保存",
                    str(dst),
                ) from None
            time.sleep(0.05)


def _describe_change(expected: FileStamp, current: FileStamp | None) -> str:
    if current is None:
        return "文件已被删除或移走"
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(current.mtime_ns / 1e9))
    if current.size != expected.size:
        return f"大小由 {expected.size:,} 字节变为 {current.size:,} 字节，修改于 {when}"
    return f"内容已不同，修改于 {when}"


def _write(path: StrPath, data: bytes, keep_backup: bool, expected: FileStamp | None,
           for_project: bool, write: Callable[[BinaryIO], None] | None = None) -> FileStamp:
    from . import lock as _lock

    target = Path(os.path.realpath(os.fspath(path)))  # through a symbolic link: the link stays a link
    directory = target.parent
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None and _is_read_only(target, st):
        what = "文件是只读的，未保存；请取消只读属性，或用“另存为”保存到别处"
        if for_project:
            raise ProjectReadOnly(path, what)
        raise PermissionError(errno.EACCES, what, str(path))
    _clean_debris(target)
    mode = (st.st_mode & 0o7777) if st is not None else _new_file_mode()
    new_file = directory / _lock.debris_name(target.name, "tmp")
    tmp: Path | None = new_file  # None once renamed into place
    bak_tmp: Path | None = None
    _lock._IN_FLIGHT.add(new_file.name)
    try:
        try:
            fd = os.open(new_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode & 0o777)
        except PermissionError:
            what = f"文件夹 {directory} 不允许写入，未保存；请用“另存为”保存到别处"
            if for_project:
                raise ProjectReadOnly(path, what) from None
            raise PermissionError(errno.EACCES, what, str(path)) from None
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            if write is None:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            else:
                with open(fd, "wb", closefd=False) as fh:  # flushed when closed, before the sync
                    write(fh)
            os.fsync(fd)
            written = os.fstat(fd)
        finally:
            os.close(fd)
        if os.name == "nt" and st is not None:
            os.chmod(new_file, mode)
        if expected is not None:
            try:
                current = file_stamp(target)
            except OSError:
                current = None
            if current is None or current.size != expected.size or current.sha256 != expected.sha256:
                raise ProjectChangedOnDisk(
                    path, f"此文件在打开后已被其他程序或其他人修改（{_describe_change(expected, current)}），未保存",
                    expected, current)
        if keep_backup and st is not None:
            bak_tmp = directory / _lock.debris_name(backup_path(target).name, "tmp")
            _lock._IN_FLIGHT.add(bak_tmp.name)
            try:
                os.link(target, bak_tmp)  # the old file itself, complete: no copy to sync
            except FileNotFoundError:
                bak_tmp = None
            except (OSError, NotImplementedError):  # no hard links on this file system: copy and sync
                shutil.copyfile(target, bak_tmp)
                with open(bak_tmp, "rb+") as fh:
                    os.fsync(fh.fileno())
        _replace(new_file, target)
        _lock._IN_FLIGHT.discard(new_file.name)
        tmp = None
        if bak_tmp is not None:
            try:
                _replace(bak_tmp, backup_path(target))  # only now: the new file is complete and in place
                bak_tmp = None
            except OSError:
                pass  # the project is saved; the older backup stays
        _lock._fsync_dir(directory)
    except OSError as exc:
        if exc.filename is not None and Path(exc.filename).name.endswith(".tmp") and exc.errno is not None:
            raise type(exc)(exc.errno, exc.strerror, str(path)) from None  # name the user's file, not ours
        raise
    finally:
        for leftover in (tmp, bak_tmp):
            if leftover is not None:
                try:
                    os.unlink(leftover)
                except OSError:
                    pass
                _lock._IN_FLIGHT.discard(leftover.name)
    if write is not None:
        return FileStamp(size=written.st_size, mtime_ns=written.st_mtime_ns, sha256="")
    return FileStamp(size=len(data), mtime_ns=written.st_mtime_ns, sha256=hashlib.sha256(data).hexdigest())


def write_atomically(path: StrPath, data: bytes, keep_backup: bool = True) -> FileStamp:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never half of one.

    A temporary file beside the target is written and synced; with ``keep_backup`` the old file becomes
    ``<name>.bak`` only after the new one is in place; then the folder is synced. A symbolic link is written
    through; a read-only file is refused (PermissionError with a Chinese message); permissions are kept."""
    return _write(path, data, keep_backup, None, for_project=False)


def write_atomically_with(path: StrPath, write: Callable[[BinaryIO], None]) -> None:
    """Like :func:`write_atomically` (no backup), but ``write(file)`` writes the content into the temporary file,
    so that a large file is never held in memory whole. When ``write`` raises, the temporary file is removed,
    nothing is renamed and the exception propagates."""
    _write(path, b"", False, None, for_project=False, write=write)


def save_project(project: Project, path: StrPath, keep_backup: bool = True,
                 expected: FileStamp | None = None) -> FileStamp:
    """Save atomically; with ``expected`` (the stamp from loading) refuse when the file changed since
    (:class:`ProjectChangedOnDisk`). A read-only file or folder raises :class:`ProjectReadOnly`. Returns the
    stamp of what was written, to pass as ``expected`` next time."""
    return _write(path, dumps_project(project).encode("utf-8"), keep_backup, expected, for_project=True)


# ------------------------------------------------------------------------------------------------------------
# loading


class _Refused(Exception):  # noqa: N818 (internal signal, never seen)
    """Raised by the parser hooks for content that is refused rather than converted."""

    def __init__(self, kind: str, literal: str):
        self.kind = kind
        self.literal = literal


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d = dict(pairs)
    if len(d) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _Refused("duplicate", key)
            seen.add(key)
    return d


def _parse_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused("int", literal)
    return int(literal)


def _parse_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _Refused("float", literal)
    return value


def _parse_constant(name: str) -> NoReturn:
    raise _Refused("constant", name)


_JSON_MESSAGES = (
    ("Expecting value", "此处应有一个值"),
    ("Expecting property name enclosed in double quotes", "此处应有用双引号括起的名称"),
    ("Expecting ':' delimiter", "此处应有冒号“:”"),
    ("Expecting ',' delimiter", "此处应有逗号“,”"),
    ("Unterminated string", "文字缺少结尾的引号"),
    ("Invalid control character", "文字中有不允许的控制字符"),
    ("Invalid \\uXXXX escape", "“\\u”后应有 4 位十六进制数"),
    ("Invalid \\escape", "反斜杠“\\”后的字符无效"),
    ("Extra data", "完整的内容之后还有多余的字符"),
    ("Illegal trailing comma", "多了一个逗号"),
)


def _json_message(exc: json.JSONDecodeError) -> str:
    what = next((zh for en, zh in _JSON_MESSAGES if exc.msg.startswith(en)), "格式错误")
    if exc.msg.startswith("Invalid control character") and exc.pos < len(exc.doc):
        what += f"（U+{ord(exc.doc[exc.pos]):04X}）"
    return what


def _looks_truncated(exc: json.JSONDecodeError) -> bool:
    """The parser ran off the end of the text: the file was cut off."""
    if exc.msg.startswith("Unterminated string"):
        return True
    if exc.msg.startswith("Extra data"):
        return False
    rest = exc.doc[exc.pos:]
    return not rest.strip() or ("\n" not in rest and len(rest) <= 12 and '"' not in rest[1:])


_TOKEN = re.compile(r'[ \t\n\r]*(?:(")|([{}\[\]:,])|([^ \t\n\r{}\[\]:,"]+))')


def _tokens(text: str) -> Iterator[tuple[str, int, str]]:
    """(kind, position, value) of the JSON tokens of ``text``: kind is '"' (a string), a bracket or ':' ',' or
    'atom' (number, true, …). Stops at the first thing it cannot read. Used only to locate errors."""
    pos = 0
    match = _TOKEN.match
    while True:
        m = match(text, pos)
        if m is None:
            return
        if m.group(1):
            start = m.start(1)
            try:
                value, pos = _scanstring(text, start + 1, False)
            except ValueError:
                return
            yield '"', start, value
        elif m.group(2):
            yield m.group(2), m.start(2), m.group(2)
            pos = m.end()
        else:
            yield "atom", m.start(3), m.group(3)
            pos = m.end()


def _first_duplicate(text: str) -> tuple[int, str] | None:
    """Position and name of the first name that occurs twice in one object."""
    # (names of an object or None for an array, [expecting a name])
    stack: list[tuple[set[str] | None, list[bool]]] = []
    for kind, pos, value in _tokens(text):
        if kind == "{":
            stack.append((set(), [True]))
        elif kind == "[":
            stack.append((None, [False]))
        elif kind in ("]", "}"):
            if stack:
                stack.pop()
        elif kind == ",":
            if stack and stack[-1][0] is not None:
                stack[-1][1][0] = True
        elif kind == '"' and stack and stack[-1][0] is not None and stack[-1][1][0]:
            names = stack[-1][0]
            if value in names:
                return pos, value
            names.add(value)
            stack[-1][1][0] = False
    return None


def _atom_position(text: str, literal: str) -> int | None:
    for kind, pos, value in _tokens(text):
        if kind == "atom" and value == literal:
            return pos
    return None


def _too_deep_position(text: str, limit: int) -> int | None:
    depth = 0
    for kind, pos, _value in _tokens(text):
        if kind in ("{", "["):
            depth += 1
            if depth > limit:
                return pos
        elif kind in ("}", "]"):
            depth -= 1
    return None


_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _skip_ws(text: str, pos: int) -> int:
    """The position after the JSON whitespace at ``pos``."""
    m = _WS.match(text, pos)
    return pos if m is None else m.end()


def _value_position(text: str, loc: tuple[int | str, ...]) -> int | None:
    """Position of the value at ``loc`` (a pydantic error location) or of the deepest part of it that exists.
    Names that are not in the file (union tags such as ``self_evaluation``) are skipped. Siblings are skipped
    at C speed with ``raw_decode``."""
    pos = _skip_ws(text, 0)
    best: int | None = None
    try:
        if text[pos] != "{":
            return None
        found = _member(text, pos, "project")
        if found is None:
            return None
        pos = best = found
        for part in loc:
            ch = text[pos]
            if isinstance(part, int) and ch == "[":
                p = _skip_ws(text, pos + 1)
                if text[p] == "]":
                    break
                for _i in range(part):
                    _value, p = _DECODER.raw_decode(text, p)
                    p = _skip_ws(text, p)
                    if text[p] != ",":
                        return best
                    p = _skip_ws(text, p + 1)
                pos = best = p
            elif isinstance(part, str) and ch == "{":
                found = _member(text, pos, part)
                if found is not None:
                    pos = best = found
            elif isinstance(part, int):
                break
    except (ValueError, IndexError, RecursionError):
        pass
    return best


def _member(text: str, pos: int, name: str) -> int | None:
    """Position of the value named ``name`` in the object starting at ``pos``."""
    p = _skip_ws(text, pos + 1)
    while text[p] == '"':
        key, p = _scanstring(text, p + 1, False)
        p = _skip_ws(text, p)
        if text[p] != ":":
            return None
        p = _skip_ws(text, p + 1)
        if key == name:
            return p
        _value, p = _DECODER.raw_decode(text, p)
        p = _skip_ws(text, p)
        if text[p] != ",":
            return None
        p = _skip_ws(text, p + 1)
    return None


def _line_at(text: str, pos: int | None) -> int | None:
    return None if pos is None else text.count("\n", 0, pos) + 1


def _parse(text: str, path: StrPath) -> object:
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_int=_parse_int, parse_float=_parse_float,
                          parse_constant=_parse_constant)
    except json.JSONDecodeError as exc:
        if _looks_truncated(exc):
            raise ProjectFileError(path, "文件不完整（可能被截断），无法读取", exc.lineno) from None
        raise ProjectFileError(path, f"文件已损坏，不是有效的 JSON（第 {exc.colno} 列：{_json_message(exc)}）",
                               exc.lineno) from None
    except RecursionError:
        line = _line_at(text, _too_deep_position(text, MAX_DEPTH_SHOWN))
        raise ProjectFileError(
            path, f"括号嵌套层数过多（超过 {MAX_DEPTH_SHOWN} 层），不是本程序保存的项目文件，无法读取", line
        ) from None
    except _Refused as exc:
        if exc.kind == "duplicate":
            found = _first_duplicate(text)
            pos, name = found if found else (None, exc.literal)
            what = f"名称“{_short(name)}”在同一处出现了两次，无法确定以哪一个为准（文件可能被手工改动过）"
            raise ProjectFileError(path, what, _line_at(text, pos)) from None
        line = _line_at(text, _atom_position(text, exc.literal))
        if exc.kind == "int":
            what = f"整数位数过多（{len(exc.literal.lstrip('-')):,} 位），无法读取"
        elif exc.kind == "float":
            what = f"数字“{_short(exc.literal)}”超出范围，无法读取"
        else:
            what = f"“{exc.literal}”不是有效的数字，无法读取"
        raise ProjectFileError(path, what, line) from None
    except MemoryError:
        raise ProjectFileError(path, "文件太大，内存不足，无法读取") from None
    except ValueError:
        raise ProjectFileError(path, "文件已损坏，不是有效的 JSON") from None


def _short(text: str, limit: int = 40) -> str:
    text = str(text).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


# pydantic error types → Chinese (the library's own messages are English)
_PYDANTIC_MESSAGES = {
    "missing": "缺少此项",
    "extra_forbidden": "是多余的项，本程序不认识",
    "string_type": "应为文字",
    "string_unicode": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_parsing_size": "整数太大",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_max_digits": "数字位数过多",
    "decimal_max_places": "小数位数过多",
    "decimal_whole_digits": "数字位数过多",
    "finite_number": "应为有限的数字",
    "bool_type": "应为“是”或“否”",
    "bool_parsing": "应为“是”或“否”",
    "list_type": "应为一组项目（列表）",
    "dict_type": "应为一组名称和取值",
    "model_type": "应为一组名称和取值",
    "model_attributes_type": "应为一组名称和取值",
    "literal_error": "不是允许的取值",
    "enum": "不是允许的取值",
    "union_tag_invalid": "表单类型未知",
    "union_tag_not_found": "缺少表单类型",
    "none_required": "应为空",
    "recursion_loop": "嵌套层数过多",
}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _pydantic_message(err: ErrorDetails | dict[str, Any]) -> str:
    kind = err.get("type", "")
    what = _PYDANTIC_MESSAGES.get(kind)
    if kind in ("value_error", "assertion_error"):
        inner = str((err.get("ctx") or {}).get("error", ""))
        what = inner if _CJK.search(inner) else None
    if kind == "union_tag_invalid":
        what = f"表单类型“{_short(str((err.get('ctx') or {}).get('tag', '')), 30)}”未知"
    what = what or "取值不符合要求"
    value = err.get("input")
    shown = isinstance(value, (str, int, float)) and not isinstance(value, bool)
    if shown and kind not in ("missing", "extra_forbidden"):
        what += f"（文件中为“{_short(str(value))}”）"
    return what


_PROJECT_NAMES = {"unit": "单位", "year": "年度", "profile": "地区", "forms": "表单", "raw": "原文"}
_COMMON_NAMES = {
    "kind": "表单类型", "id": "表单标识", "source": "来源", "raw": "原文", "declaration_id": "对应的申报表",
    "variant": "表式", "amount_unit": "金额单位", "year": "年度", "indicators": "指标",
}


def _common_name(key: str) -> str | None:
    """A key of any form named in its words; the forms' own words (二级指标, 资金使用情况…) from the layouts."""
    from ..layouts.forms import DEPARTMENT_OVERALL, SELF_EVALUATION

    if key in ("level2", "name"):
        return SELF_EVALUATION.column(key).name
    if key == "funds" and SELF_EVALUATION.funds is not None:
        return SELF_EVALUATION.funds.title
    if key == "tasks" and DEPARTMENT_OVERALL.tasks is not None:
        return DEPARTMENT_OVERALL.tasks.caption
    return _COMMON_NAMES.get(key)


def _describe_location(loc: tuple[int | str, ...]) -> str:
    """('forms', 3, 'self_evaluation', 'indicators', 5, 'weight') → 第 4 张表单（绩效自评表） › 指标第 6 行 › 分值"""
    from ..layouts.forms import LAYOUTS
    from ..model import FORM_KIND_SHORT

    parts: list[str] = []
    layout = None
    section = "project"
    items = list(loc)
    i = 0
    while i < len(items):
        part = items[i]
        nxt = items[i + 1] if i + 1 < len(items) else None
        if section == "project" and part == "forms" and isinstance(nxt, int):
            i += 2
            tag = items[i] if i < len(items) else None
            kind = tag if isinstance(tag, str) and tag in FORM_KIND_SHORT else None
            if kind:
                i += 1
            parts.append(f"第 {nxt + 1} 张表单" + (f"（{FORM_KIND_SHORT[kind]}）" if kind else ""))
            layout = LAYOUTS.get(kind) if kind else None
            section = "form"
            continue
        if section == "form" and part in ("indicators", "tasks") and isinstance(nxt, int):
            table = "指标"
            if part == "tasks":
                table = (layout.tasks.caption if layout is not None and layout.tasks is not None
                         else _common_name("tasks") or part)
            parts.append(f"{table}第 {nxt + 1} 行")
            section = part
            i += 2
            continue
        if isinstance(part, int):
            parts.append(f"第 {part + 1} 项")
        else:
            parts.append(_field_name(section, layout, part))
            if section == "form" and part == "funds":
                section = "funds"
            elif section == "funds" and part != "weight":
                section = "fund_line"
        i += 1
    return " › ".join(parts) or "项目"


def _field_name(section: str, layout: FormLayout | None, key: str) -> str:
    name = None
    if section == "project":
        name = _PROJECT_NAMES.get(key)
    elif layout is not None:
        if section == "form":
            try:
                name = layout.field(key).name
            except StopIteration:
                name = None
        elif section == "indicators":
            name = next((c.title.lstrip("*") for c in layout.columns if c.key == key), None)
        elif section == "tasks" and layout.tasks is not None:
            name = next((c.title for c in layout.tasks.columns if c.key == key), None)
        elif section == "funds" and layout.funds is not None:
            name = next((c.title for c in layout.funds.columns if c.key == key) if key == "weight"
                        else (r.label for r in layout.funds.rows if r.key == key), None)
        elif section == "fund_line" and layout.funds is not None:
            name = next((c.title for c in layout.funds.columns if c.key == key), None)
    return name or _common_name(key) or f"“{_short(key, 30)}”"


_HEAD_LINE = _ENCODER.encode({"format": FORMAT_NAME, "schema_version": SCHEMA_VERSION})[:-1] + ",\n"
_PROJECT_KEY = '"project": '
_FORMS_KEY = '"forms": ['
_FORM_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_int=_parse_int, parse_float=_parse_float,
                                 parse_constant=_parse_constant)
_FORM = TypeAdapter(Form)


def _load_lines(text: str) -> Project | None:
    """A file exactly as ``dumps_project`` writes it (current schema), read one form line at a time: each form is
    parsed with the same safety hooks and validated by the same schema as in the whole document, and its parsed
    text is dropped once it is a model, so the file's JSON objects never all exist at once (memory). None for
    any other layout, and at the first thing that is not clean: the whole-document path then reads the file
    and words the message exactly as it always did."""
    if not text.startswith(_HEAD_LINE) or not text.startswith(_PROJECT_KEY, len(_HEAD_LINE)):
        return None
    start = len(_HEAD_LINE) + len(_PROJECT_KEY)
    end = text.find("\n", start)
    if end < 0 or not text.endswith(_FORMS_KEY, start, end):
        return None
    try:
        header = _FORM_DECODER.decode(text[start:end] + "]}")  # the project's own names, "forms": [] among them
        if not isinstance(header, dict):
            return None
        forms = []
        pos = end + 1
        scan = _FORM_DECODER.raw_decode
        validate = _FORM.validate_python
        if not text.startswith("]}}", pos):
            while True:
                doc, pos = scan(text, pos)
                forms.append(validate(doc))
                if text.startswith(",\n", pos):
                    pos += 2
                elif text.startswith("\n]}}", pos):
                    pos += 1
                    break
                else:
                    return None
        if text[pos + 3:].strip(" \t\n\r"):
            return None
        project = Project.model_validate(header)
    except (ValueError, _Refused, ValidationError, RecursionError, TypeError, ArithmeticError, KeyError,
            AttributeError, IndexError):
        return None
    project.__dict__["forms"] = forms  # each form validated above by the field's own schema (``Form``)
    return project


def loads_project(text: str, path: StrPath = "<内存>") -> Project:
    if text.startswith("\ufeff"):  # saved by Windows Notepad
        text = text[1:]
    with paused_gc():
        project = _load_lines(text)
        if project is not None:
            return project
        return _loads_document(text, path)


def _loads_document(text: str, path: StrPath) -> Project:
    doc = _parse(text, path)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise ProjectFileError(path, "这不是 fcast 项目文件（缺少格式标识 “fcast-project”）")
    version = doc.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ProjectFileError(path, f"项目文件的格式版本无效：“{_short(json.dumps(version, ensure_ascii=False))}”")
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            path,
            f"此文件由更新版本的程序保存（格式版本 {version}，本程序支持到 {SCHEMA_VERSION}），"
            "请升级后再打开；文件未作任何改动",
        )
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise ProjectFileError(path, f"无法把格式版本 {version} 升级到 {SCHEMA_VERSION}")
        try:
            doc = step(doc)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            raise ProjectFileError(
                path, f"无法把格式版本 {version} 的内容升级到 {version + 1}：内容不完整或已损坏") from None
        version += 1
        doc["schema_version"] = version
    body = doc.get("project")
    if not isinstance(body, dict):
        raise ProjectFileError(path, "项目文件缺少 “project” 内容")
    try:
        return Project.model_validate(body)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        more = f"（另有 {len(errors) - 1} 处）" if len(errors) > 1 else ""
        line = _line_at(text, _value_position(text, tuple(first["loc"])))
        where = _describe_location(tuple(first["loc"]))
        raise ProjectFileError(path, f"项目内容不符合格式：{where}：{_pydantic_message(first)}{more}", line) from None
    except RecursionError:
        raise ProjectFileError(path, "项目内容嵌套层数过多，无法读取") from None
    except (ValueError, TypeError, ArithmeticError, KeyError, AttributeError, IndexError):
        # a validator that could not cope with a value: refuse the file rather than pass the error on
        raise ProjectFileError(path, "项目内容中有无法读取的取值，可能已损坏") from None


def _decode(data: bytes, path: StrPath) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if exc.end >= len(data) and "end of data" in exc.reason:
            raise ProjectFileError(path, "文件不完整（可能被截断，最后一个字不完整），无法读取", line) from None
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise ProjectFileError(path, "文件是 UTF-16 编码，不是 UTF-8 文本，可能被其他程序另存过", 1) from None
        raise ProjectFileError(path, "文件不是 UTF-8 文本，可能已损坏或不是项目文件", line) from None


def _read_project(path: StrPath, stamped: bool) -> tuple[Project, FileStamp | None]:
    try:
        data, st = _read_with_stat(path)
    except FileNotFoundError:
        raise ProjectFileError(path, "文件不存在") from None
    except IsADirectoryError:
        raise ProjectFileError(path, "这是一个文件夹，不是项目文件") from None
    except PermissionError:
        raise ProjectFileError(path, "没有读取此文件的权限") from None
    except MemoryError:
        raise ProjectFileError(path, "文件太大，内存不足，无法读取") from None
    except OSError as exc:
        raise ProjectFileError(path, f"无法读取文件（系统错误号 {exc.errno}）") from None
    stamp = _stamp(data, st) if stamped else None  # (SHA-256 of the whole file: only for those who save it back)
    text = _decode(data, path)
    del data  # the file's bytes are not needed once decoded (memory: 34 MB at 10,000 forms)
    return loads_project(text, path), stamp


def load_project_stamped(path: StrPath) -> tuple[Project, FileStamp]:
    """The project and the stamp of exactly the bytes it was read from (pass it to ``save_project(expected=)``)."""
    project, stamp = _read_project(path, stamped=True)
    assert stamp is not None
    return project, stamp


def load_project(path: StrPath) -> Project:
    """The project only (reading commands, exports): no stamp is computed."""
    return _read_project(path, stamped=False)[0]
