"""Entry point of `fcast-desktop`: fonts, Chinese Qt translations, error handling, recovery, first window."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from ..paths import resources_dir, sample_project


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


def install_translations(app) -> None:
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase_zh_CN",):
        translator = QTranslator(app)
        if translator.load(name, path) or translator.load(name, str(resources_dir() / "translations")):
            app.installTranslator(translator)


def create_application(argv: list[str]):
    from PySide6.QtGui import QFont, QIcon
    from PySide6.QtWidgets import QApplication

    from .. import APP_NAME

    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("fcast-desktop")
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("fcast")
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "app.png")))
    family = register_font()
    if family:
        font = QFont(family)
        font.setPointSizeF(max(app.font().pointSizeF(), 10))
        app.setFont(font)
    install_translations(app)
    return app


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


def install_excepthook(window) -> None:
    """One place for unexpected errors: keep the user's work in a recovery file, tell them, keep running."""

    def hook(exc_type, exc, tb):
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        _log_error(text)
        try:
            if window.autosaver is not None:
                window.autosaver.save_now()
        except Exception:  # noqa: BLE001
            pass
        if window.interactive:
            from PySide6.QtWidgets import QMessageBox

            box = QMessageBox(QMessageBox.Icon.Critical, "程序出错",
                              "发生了意外错误。您的修改已保存到恢复文件，可以继续工作；建议尽快保存项目。",
                              QMessageBox.StandardButton.Ok, window)
            box.setDetailedText(text)
            box.setModal(False)
            box.show()

    sys.excepthook = hook


def offer_recovery(window) -> bool:
    """After a crash: offer to restore the newest recovery file. Returns True when restored."""
    from PySide6.QtWidgets import QMessageBox

    from ..store.project_file import ProjectFileError
    from . import autosave
    from .document import ProjectDocument

    pending = autosave.pending_recoveries()
    if not pending:
        return False
    path, meta = pending[0]
    origin = meta.get("project_path") or "未命名项目"
    Button = QMessageBox.StandardButton
    answer = window.ask("recover", "恢复未保存的修改",
                        f"上次程序没有正常退出。是否恢复“{origin}”中未保存的修改？", Button.Yes | Button.No, Button.Yes)
    if answer != Button.Yes:
        for p, _m in pending:
            autosave.discard(p)
        return False
    try:
        project = autosave.load_recovery(path)
    except ProjectFileError as exc:
        window.inform("无法恢复", str(exc), error=True)
        return False
    document = ProjectDocument(project, Path(origin) if meta.get("project_path") else None)
    window.set_document(document)
    document.check_all()
    # the restored content differs from the file on disk: mark it unsaved until the user saves
    document.undo_stack.resetClean()
    window._update_title()
    for p, _m in pending:
        autosave.discard(p)
    window.statusbar.showMessage("已恢复未保存的修改，请检查后保存", 8000)
    return True


def main(argv: list[str] | None = None) -> int:
    """Show the window first (Qt and the Designer file only), then load the core and the project: the window is
    on screen about as fast as a bare Qt window, the project follows a quarter of a second later."""
    argv = list(sys.argv if argv is None else argv)
    app = create_application(argv)
    from .main_window import MainWindow

    window = MainWindow(deferred=True)
    window.statusbar.showMessage("正在打开…")
    window.show()
    app.processEvents()  # paint the window now, before the heavy imports
    smoke_ms = os.environ.get("FCAST_SMOKE_QUIT_MS")
    if smoke_ms:
        smoke_mark("FCAST_WINDOW_FIRST_PAINT")
    window.finish_setup()
    install_excepthook(window)
    args = [a for a in argv[1:] if not a.startswith("-")]
    if not offer_recovery(window):
        target = Path(args[0]) if args else sample_project()
        if target.exists():
            window.open_path(target, check_unsaved=False)
        elif args:
            window.inform("无法打开项目", f"{target}：文件不存在", error=True)
    if smoke_ms:  # packaging smoke test and start-up benchmark: report the shown project, then quit
        from PySide6.QtCore import QTimer

        app.processEvents()
        smoke_mark(f"FCAST_WINDOW_SHOWN {len(window.document.project.forms)}")
        window.document.undo_stack.setClean()
        QTimer.singleShot(int(smoke_ms), app.quit)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
