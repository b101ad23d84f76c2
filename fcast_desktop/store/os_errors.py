"""Operating-system errors in the user's words: Chinese, naming the file, without the system's or a library's
English ("Permission denied", "[Errno 28]"). Shared by the command line and the window."""

from __future__ import annotations

import errno
import os

_ERRNO_TEXT = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENOENT: "文件或文件夹不存在",
    errno.EROFS: "磁盘是只读的",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.EEXIST: "文件已存在",
    errno.EBUSY: "文件正被其他程序占用",
    errno.EIO: "读写磁盘出错",
    errno.ENAMETOOLONG: "文件名太长",
    errno.EINVAL: "文件名或参数无效",
    errno.EMFILE: "打开的文件太多",
}
if hasattr(errno, "EDQUOT"):
    _ERRNO_TEXT[errno.EDQUOT] = "超出磁盘配额"


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def os_reason(exc: OSError) -> str:
    """Why an operating-system call failed, in Chinese whatever the system's language."""
    text = exc.strerror or ""
    if has_chinese(text):
        return text
    if getattr(exc, "winerror", None) in (32, 33):  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
        return "文件正被其他程序占用"
    if not exc.errno:
        return "系统错误"
    return _ERRNO_TEXT.get(exc.errno, f"系统错误（错误号 {exc.errno}）")


def os_error_text(exc: OSError, path: str | os.PathLike[str] | None = None) -> str:
    """“文件：原因” for an operating-system error."""
    where = str(path or getattr(exc, "filename", "") or "")
    return f"{where}：{os_reason(exc)}" if where else os_reason(exc)
