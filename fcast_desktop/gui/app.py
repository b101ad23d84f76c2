"""Entry point of `fcast-desktop`: fonts, Chinese Qt translations, error handling, recovery, first window."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import cast

from ..paths import resources_dir


def register_font() -> str | None:
    """Register the bundled CJK font so Chinese renders on machines without one; returns its family."""
    from PySide6.QtGui import QFontDatabase

    for path in sorted((resources_dir() / "fonts").glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families = QFontDatabase.applicationFontFamilies(font_id)
            if families:
                return families[0]
    return None


# Texts Qt shows that its Chinese translation (qtbase_zh_CN) leaves in English: asked only when that translation
# has none (installed first, so searched last). (context, English) → Chinese.
QT_TEXT_OVERRIDES = {
    ("QFileDialog", "&Look in:"): "查找范围(&I)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QFileDialog", "Confirm Save As"): "确认另存为",
    ("QAbstractFileIconProvider", "Folder"): "文件夹",
    ("QAbstractFileIconProvider", "Drive"): "驱动器",
    ("QAbstractFileIconProvider", "File"): "文件",
    ("QAbstractFileIconProvider", "%1 File"): "%1 文件",
    ("QFileSystemModel", "%1 bytes"): "%1 字节",
    ("QPlatformTheme", "Don't Save"): "不保存",
    ("QPrintSettingsOutput", "Page &Set:"): "打印页面(&S)：",
    ("QPrintSettingsOutput", "All Pages"): "全部页面",
    ("QPrintSettingsOutput", "Odd Pages"): "奇数页",
    ("QPrintSettingsOutput", "Even Pages"): "偶数页",
}


def _override_translator(app):
    from PySide6.QtCore import QTranslator

    class ChineseOverrides(QTranslator):
        def translate(self, context, source, disambiguation=None, n=-1):  # Qt's signature
            return QT_TEXT_OVERRIDES.get((context, source), "")

        def isEmpty(self):
            return False

    return ChineseOverrides(app)


def install_translations(app) -> None:
    """Chinese for Qt's own texts: qtbase_zh_CN (from Qt, or bundled in resources/translations), and
    ``QT_TEXT_OVERRIDES`` for what it leaves in English."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    overrides = _override_translator(app)
    app.installTranslator(overrides)  # first: the translators installed later are searched before it
    app._fcast_translators = [overrides]  # kept alive with the application
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase_zh_CN",):
        translator = QTranslator(app)
        if translator.load(name, path) or translator.load(name, str(resources_dir() / "translations")):
            app.installTranslator(translator)
            app._fcast_translators.append(translator)


def create_application(argv: list[str], icon: bool = True):
    """The application: names, the bundled font, Chinese translations, the idle garbage collector and (unless
    ``icon`` is False: ``main`` sets it after the first paint, see ``set_window_icon``) the window icon."""
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from .. import APP_NAME

    app = cast(QApplication, QApplication.instance() or QApplication(argv))
    app.setApplicationName("fcast-desktop")
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("fcast")
    if icon:
        set_window_icon(app)
    family = register_font()
    if family:
        font = QFont(family)
        font.setPointSizeF(max(app.font().pointSizeF(), 10))
        app.setFont(font)
    install_translations(app)
    from .collector import install

    install(app)  # full garbage-collection passes while the user pauses, never in the middle of a keystroke
    return app


def set_window_icon(app) -> None:
    """The icon of every window (Qt makes its QIcon type on first use: 2 ms, after the first paint in ``main``)."""
    from PySide6.QtGui import QIcon

    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "app.png")))


def smoke_mark(text: str) -> None:
    """A start-up mark for the packaging smoke test and the start-up benchmark: on stdout when there is one (a
    windowed program on Windows has none), and appended to the file named by ``FCAST_SMOKE_REPORT``."""
    if sys.stdout is not None:
        print(text, flush=True)
    report = os.environ.get("FCAST_SMOKE_REPORT")
    if report:
        with open(report, "a", encoding="utf-8") as f:
            f.write(text + "\n")


def _log_error(text: str) -> None:
    """Unexpected errors go to stderr, or, in a windowed program without one, to ``error.log`` beside the settings."""
    if sys.stderr is not None:
        sys.stderr.write(text)
        return
    try:
        from .settings import config_dir

        folder = config_dir()
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "error.log", "a", encoding="utf-8") as f:
            f.write(text)
    except OSError:
        pass


def error_message(status: str, reason: str = "") -> str:
    """What the error box says about the user's work — only what really happened to it."""
    if status == "saved":
        return "发生了意外错误。您未保存的修改已写入恢复文件，可以继续工作；建议尽快保存项目。"
    if status == "current":
        return "发生了意外错误。您未保存的修改已在恢复文件中，可以继续工作；建议尽快保存项目。"
    if status == "nothing":
        return "发生了意外错误。项目没有未保存的修改。可以继续工作。"
    why = f"（{reason}）" if reason else ""
    return f"发生了意外错误，而且未能写入恢复文件{why}。请立即保存项目（或另存为）。"


_relays: list[object] = []


def install_excepthook(window) -> None:
    """One place for unexpected errors: log at once; then, after the Qt callback where it happened has returned,
    keep the user's work in a recovery file and say truthfully whether that worked (one box for a burst)."""
    from PySide6.QtCore import QObject, Qt, Signal

    class _Relay(QObject):
        raised = Signal()

    relay = _Relay()
    texts: list[str] = []

    def after() -> None:
        if not texts:
            return
        details = "\n".join(texts)
        texts.clear()
        status, reason = "failed", ""
        try:
            if window.autosaver is not None:
                status = window.autosaver.save_now()
                reason = window.autosaver.last_error
            elif window.document is None or not window.document.modified:
                status = "nothing"
        except Exception as exc:  # noqa: BLE001 - the error handler must not fail itself
            status, reason = "failed", str(exc)
        message = error_message(status, reason)
        if not window.interactive:
            window.answers.setdefault("_errors", []).append((message, details))
            return
        from PySide6.QtWidgets import QMessageBox

        try:
            box = QMessageBox(QMessageBox.Icon.Critical, "程序出错", message, QMessageBox.StandardButton.Ok, window)
        except RuntimeError:  # the window is gone (the program is ending): the error is in the log
            return
        box.setDetailedText(details)
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()

    relay.raised.connect(after, Qt.ConnectionType.QueuedConnection)  # after the callback, on the GUI thread

    def hook(exc_type, exc, tb):
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        _log_error(text)
        texts.append(text)
        relay.raised.emit()

    _relays.append(relay)  # kept alive with the hook
    sys.excepthook = hook


def install_termination_handler(app, window) -> None:
    """SIGTERM (shutdown, ``kill``) and the session manager's log-off: the recovery is written and the lock
    released before the program ends; nothing is asked. (A Python signal handler runs only when Python code
    runs: the signal wakes the Qt event loop through a pipe.)"""
    app.commitDataRequest.connect(lambda _manager: window.autosaver and window.autosaver.save_now())
    if sys.platform == "win32":
        return
    import signal

    from PySide6.QtCore import QSocketNotifier

    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    os.set_blocking(read_fd, False)
    signal.set_wakeup_fd(write_fd)
    requested: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, _frame: requested.append(signum))
    notifier = QSocketNotifier(read_fd, QSocketNotifier.Type.Read, app)

    def woken() -> None:
        try:
            os.read(read_fd, 512)
        except OSError:
            pass
        if requested:
            requested.clear()
            window.keep_recovery_and_quit()
            app.setProperty("terminating", True)  # ``main`` does not start the event loop after a start-up question
            app.exit(0)  # every running event loop, a start-up question's too (``quit`` does nothing before ``exec``)

    notifier.activated.connect(woken)


def recovery_command(session: str) -> tuple[str, list[str]]:
    """The program and arguments that open one recovery in a window of its own."""
    if getattr(sys, "frozen", False):
        return sys.executable, ["--recover", session]
    return sys.executable, ["-m", "fcast_desktop.gui.app", "--recover", session]


def start_detached(program: str, arguments: list[str]) -> bool:
    from PySide6.QtCore import QProcess

    return bool(QProcess.startDetached(program, arguments))


def restore_recovery(window, recovery) -> bool:
    """Open a recovery in ``window`` as an unsaved project whose file is the original one (saving checks that the
    original did not change meanwhile: 覆盖 / 另存为 / 取消). The window takes over the recovery's session, so
    the recovery file stays until the project is saved or deliberately discarded."""
    from ..store.project_file import FileStamp, ProjectFileError, file_stamp
    from . import autosave
    from .document import ProjectDocument

    try:
        project = autosave.load_recovery(recovery)
    except ProjectFileError as exc:
        window.inform("无法恢复", f"恢复文件无法读取，已保留：{exc}", error=True)
        return False
    original = recovery.original_path
    mode, lock = ("write", None)
    if original is not None and original.parent.is_dir():
        mode, lock = window._lock_for_opening(original)
        if mode is None:
            return False  # cancelled: the recovery stays for the next start
    if not window.session.adopt(recovery):
        if lock is not None:
            lock.release()
        window.inform("无法恢复", f"“{recovery.name()}”的恢复文件已在另一个窗口中打开。")
        return False
    document = ProjectDocument(project, None if mode == "copy" else original)
    # the original as it was when loaded: saving over it asks if it changed since (gone: it is simply written;
    # not recorded: the first save asks, as nobody can tell)
    stamp = recovery.original_stamp
    if original is None or not original.exists():
        stamp = None
    elif stamp is None:
        stamp = FileStamp(size=-1, mtime_ns=0, sha256="")
    document.loaded_stamp = stamp
    document.lock = lock
    document.read_only = mode == "read_only"
    document.copy_of = original if mode == "copy" else recovery.copy_of
    document.modifications = recovery.modifications or 1
    window.set_document(document)
    document.check_all()
    document.undo_stack.resetClean()  # differs from the file on disk: unsaved until the user saves
    window._update_title()
    notes = []
    if original is not None:
        if not original.exists():
            notes.append(f"原文件“{original}”已不存在；保存时会重新建立。")
        else:
            try:
                now = file_stamp(original)
            except OSError:
                now = None
            if stamp.size >= 0 and now is not None and now.sha256 != stamp.sha256:
                notes.append(f"原文件“{original}”在当时打开之后已被修改（可能是别人或别的程序保存的）。"
                             "恢复的内容不含这些修改；保存时会询问：覆盖、另存为或取消。")
            elif stamp.size < 0:
                notes.append("这份恢复文件没有记录原文件当时的状态，无法判断原文件后来是否被修改；"
                             "保存时会询问：覆盖、另存为或取消。")
    summary = (f"已恢复“{recovery.name()}”中未保存的修改（{recovery.extent()}，{recovery.when()} 写入）。"
               "项目尚未保存，请检查后保存。")
    if notes:  # something the user must know before saving: a message box
        window.inform("已恢复未保存的修改", summary + "\n\n" + "\n".join(notes))
    window.statusbar.showMessage(summary, 15000)
    return True


def offer_recovery(window, requested: Path | None = None) -> bool:
    """At start: list every recovery whose window no longer runs (one dialog, 恢复 / 以后再说 / 放弃 each).
    Nothing is deleted but the entries the user discards. A recovery opens beside, never instead of, the file
    the user asked for: when ``requested`` is given, this window opens it and every recovery chosen opens in a
    window of its own — except a recovery of that very file, which opens here (the file plus its unsaved
    changes); without a request, the first recovery opens here and the others in new windows.
    Returns True when this window got a recovered project."""
    from . import autosave
    from .recovery_dialog import DISCARD, RESTORE, choose

    pending = autosave.pending_recoveries()
    if not pending:
        return False
    choices = cast("list[tuple[autosave.Recovery, str]]", choose(window, pending))
    for recovery, choice in choices:
        if choice == DISCARD:
            autosave.discard(recovery)
    chosen = [recovery for recovery, choice in choices if choice == RESTORE]
    if not chosen:
        return False
    here: autosave.Recovery | None
    if requested is None:
        here = chosen[0]
    else:
        from .opening import _same_file

        here = next((r for r in chosen if r.original_path is not None and _same_file(r.original_path, requested)),
                    None)
    others = [r for r in chosen if r is not here]
    failed = [r for r in others if not start_detached(*recovery_command(r.session))]
    if failed:
        window.inform("无法打开新窗口", "以下恢复未能在新窗口中打开，已保留到下次启动：\n"
                      + "\n".join(r.name() for r in failed), error=True)
    return restore_recovery(window, here) if here is not None else False


def _parse_args(argv: list[str]) -> tuple[list[str], str | None]:
    """(files, session of ``--recover``)."""
    files, recover = [], None
    rest = iter(argv[1:])
    for arg in rest:
        if arg == "--recover":
            recover = next(rest, None)
        elif arg.startswith("--recover="):
            recover = arg.split("=", 1)[1]
        elif not arg.startswith("-"):
            files.append(arg)
    return files, recover


def main(argv: list[str] | None = None) -> int:
    """Show the window first (Qt and the Designer file only), then load the core and the project: the window is
    on screen about as fast as a bare Qt window, the project follows a quarter of a second later."""
    argv = list(sys.argv if argv is None else argv)
    app = create_application(argv, icon=False)
    from .main_window import MainWindow

    window = MainWindow(deferred=True)
    window.statusbar.showMessage("正在打开…")
    window.show_first()
    app.processEvents()  # paint the window now, before the heavy imports
    smoke_ms = os.environ.get("FCAST_SMOKE_QUIT_MS")
    if smoke_ms:
        smoke_mark("FCAST_WINDOW_FIRST_PAINT")
    set_window_icon(app)
    window.finish_setup()
    install_excepthook(window)
    install_termination_handler(app, window)
    # quitting without the window's close (app.quit, smoke test): the lock goes, unsaved work stays recoverable
    app.aboutToQuit.connect(lambda: window.release_session(keep_recovery=True))
    args, recover = _parse_args(argv)
    requested = Path(args[0]) if args else None
    if recover is not None:  # a window opened for one recovery (offer_recovery in the first window)
        from . import autosave

        recovery = autosave.find_recovery(recover)
        if recovery is None:
            window.inform("无法恢复", "这份恢复文件已不存在，或已在另一个窗口中打开。")
        else:
            restore_recovery(window, recovery)
    elif not offer_recovery(window, requested) and requested is not None:
        # without a file the start page shows (新建 / 打开 / 最近的项目 / 打开示例（副本）): the bundled sample is
        # never opened in place, where Ctrl+S would overwrite it in the program folder
        if requested.exists():
            window.open_path(requested, check_unsaved=False)
        else:
            window.inform("无法打开项目", f"{requested}：文件不存在", error=True)
    if smoke_ms:  # packaging smoke test and start-up benchmark: report the shown project, then quit
        from PySide6.QtCore import QTimer

        app.processEvents()
        smoke_mark(f"FCAST_WINDOW_SHOWN {len(window.document.project.forms)}")
        window.document.undo_stack.setClean()
        QTimer.singleShot(int(smoke_ms), app.quit)
    if app.property("terminating"):  # ended (SIGTERM) while a start-up question was shown
        return 0
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
