"""Main windows for the GUI tests: made non-interactive (answers from ``window.answers``), opened on a project when
one is given, and closed without questions (unsaved changes discarded)."""

from __future__ import annotations

from pathlib import Path


def open_window(qtbot, path: Path | None = None):
    """A window (1200 × 800, shown) on the project at ``path``; without a path, an empty window, not shown."""
    from fcast_desktop.gui.main_window import MainWindow

    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    if path is not None:
        window.resize(1200, 800)
        assert window.open_path(path)
        window.show()
    return window


def close_window(window) -> None:
    from PySide6.QtWidgets import QMessageBox

    window.answers["unsaved"] = QMessageBox.StandardButton.Discard
    window.close()
