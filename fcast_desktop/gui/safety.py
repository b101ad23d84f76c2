"""No exception may reach PySide6 from a Qt callback (an undo command's ``redo()``, a model's ``setData``, a slot):
an exception raised inside a C++-called virtual can take the whole process down (typing a 30-digit amount used to
end in SIGSEGV). The callback catches it, keeps the document consistent, and the error goes to the application's
one error handler (``sys.excepthook``, see ``app.install_excepthook``) *after* the callback has returned."""

from __future__ import annotations

import functools
import sys

from PySide6.QtCore import QCoreApplication, QTimer


def report_later(exc_info=None) -> None:
    """Hand the current (or given) exception to ``sys.excepthook`` from the event loop, once the Qt callback that
    caught it has returned; without a running application (scripts, tests without Qt) report at once."""
    exc_type, exc, tb = exc_info or sys.exc_info()
    if exc_type is None or exc is None:
        return
    if QCoreApplication.instance() is None:
        sys.excepthook(exc_type, exc, tb)
        return
    QTimer.singleShot(0, lambda: sys.excepthook(exc_type, exc, tb))


def guarded(default=None):
    """Decorator for Python code Qt calls (virtual overrides, slots): an exception is reported later and
    ``default`` is returned to Qt instead."""

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception:  # noqa: BLE001 - reported, never raised into Qt
                report_later()
                return default

        return inner

    return wrap
