"""The main window's size and panes: fitted to the screen it is on, remembered per screen."""

from __future__ import annotations

import re

from PySide6.QtCore import QByteArray, QTimer
from PySide6.QtGui import QGuiApplication

from .settings import settings
from .window_base import WindowBase

FIRST_SIZE = 0.9  # share of the screen's available width and height the window takes at its first start
SMALL_SCREEN = (1100, 800)  # on a screen smaller than this (logical pixels: 1366×768, 1920×1080 at 150 %) the
# window starts maximized: every pixel goes to the form


class WindowStateMixin(WindowBase):
    @staticmethod
    def screen_key(screen) -> str:
        """Settings key of a screen: its name and size (logical pixels, so a change of scaling counts as another
        screen) — a laptop alone and the same laptop at the office monitor each keep their own window geometry."""
        if screen is None:
            return "screen"
        size = screen.size()
        name = re.sub(r"[^0-9A-Za-z_.-]+", "_", screen.name() or "screen")
        return f"{name}-{size.width()}x{size.height()}"

    def _screen(self):
        return self.screen() or QGuiApplication.primaryScreen()

    def _restore_window_state(self) -> None:
        """The geometry and panes this window had when last closed on this screen; at the first start on a screen,
        FIRST_SIZE of its available area, centred. Never larger than the screen's available area."""
        s = settings()
        screen = self._screen()
        key = self.screen_key(screen)
        geometry = s.value(f"window/{key}/geometry")
        state = s.value(f"window/{key}/state")
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            self.keep_on_screen(screen)  # e.g. the same screen name at a larger scaling
        else:
            self.fit_to_screen(screen)
        self._state_restored = isinstance(state, QByteArray) and self.restoreState(state)

    start_maximized = False  # set by fit_to_screen on a small screen: show_first() maximizes

    def fit_to_screen(self, screen=None) -> None:
        """First start on a screen: FIRST_SIZE of its available area, centred; maximized on a small screen."""
        screen = screen or self._screen()
        if screen is None:
            return
        area = screen.availableGeometry()
        self.start_maximized = area.width() < SMALL_SCREEN[0] or area.height() < SMALL_SCREEN[1]
        share = 1.0 if self.start_maximized else FIRST_SIZE
        width, height = int(area.width() * share), int(area.height() * share)
        self.resize(width, height)
        self.move(area.x() + (area.width() - width) // 2, area.y() + max(0, (area.height() - height) // 3))

    def show_first(self) -> None:
        """Show the window as it starts: maximized at the first start on a small screen, else as sized."""
        if self.start_maximized:
            self.showMaximized()
        else:
            self.show()

    def keep_on_screen(self, screen=None) -> None:
        """No larger than the available area (less the window frame), and inside it."""
        screen = screen or self._screen()
        if screen is None or self.isMaximized() or self.isFullScreen():
            return
        area = screen.availableGeometry()
        frame = self.frameGeometry().size() - self.geometry().size() if self.isVisible() else None
        extra_w, extra_h = (frame.width(), frame.height()) if frame is not None else (0, 0)
        width = min(self.width(), area.width() - extra_w)
        height = min(self.height(), area.height() - extra_h)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        x = min(max(self.x(), area.x()), area.right() - width - extra_w + 1)
        y = min(max(self.y(), area.y()), area.bottom() - height - extra_h + 1)
        if (x, y) != (self.x(), self.y()):
            self.move(max(area.x(), x), max(area.y(), y))

    _state_restored = False
    _shown_once = False

    def showEvent(self, event):
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.fit_panes()

    def fit_panes(self) -> None:
        """Pane sizes for the window's size, unless the user's own layout was restored: on a small screen
        (1280×720) the forms list and the problems panel give the form editor as much room as they can."""
        if self._state_restored:
            return
        width = self.width()
        tree = max(180 if width < SMALL_SCREEN[0] else 220, min(320, int(width * 0.2)))
        self.mainSplitter.setSizes([tree, max(400, width - tree)])
        if self.document is not None:  # else finish_setup() does it (Qt's enums come with the core)
            self._fit_dock()
        QTimer.singleShot(0, self.projectTree, self._tree_from_top)

    def _fit_dock(self) -> None:
        """The problems panel: about a fifth of the window, between two and six problem rows."""
        if not self._state_restored:
            from PySide6.QtCore import Qt  # its enums are made on first use (16 ms): after the first paint

            height = self.height()
            self.resizeDocks([self.problemsDock], [max(100, min(200, int(height * 0.18)))], Qt.Orientation.Vertical)

    def _tree_from_top(self) -> None:
        """The forms list at its final size: from the top (a group header is never left just above the view),
        scrolled only as far as the current form needs."""
        self.projectTree.scrollToTop()
        self.reveal_in_tree(self.projectTree.currentIndex())

    def reveal_in_tree(self, index) -> None:
        """Scroll the forms list to a form; the first form of a group brings its group header (title and count)
        into view with it — also when the list is not laid out yet and is only a row or two high."""
        if not index.isValid():
            return
        self.projectTree.scrollTo(index)
        if index.row() == 0 and index.parent().isValid():
            self.projectTree.scrollTo(index.parent())

    def _save_window_state(self) -> None:
        s = settings()
        key = self.screen_key(self._screen())
        s.setValue(f"window/{key}/geometry", self.saveGeometry())
        s.setValue(f"window/{key}/state", self.saveState())
