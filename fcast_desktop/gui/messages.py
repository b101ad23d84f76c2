"""Messages about errors the user can see: Chinese, naming the file, without the operating system's or a library's
English ("Permission denied", "[Errno 28]")."""

from __future__ import annotations

from ..store.os_errors import has_chinese, os_error_text, os_reason

__all__ = ["error_text", "has_chinese", "os_error_text", "os_reason"]


def error_text(exc: BaseException, path=None) -> str:
    """What to tell the user about an exception: its own message when it is Chinese (our errors are), a Chinese
    line for an operating-system error, else a plain statement that names the error for the maintainers."""
    if isinstance(exc, OSError):
        return os_error_text(exc, path)
    message = str(exc)
    if has_chinese(message):
        return message
    where = f"“{path}”：" if path else ""
    return f"{where}发生了意外错误（{type(exc).__name__}），请把此信息告诉维护人员"
