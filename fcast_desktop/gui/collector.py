"""The cyclic garbage collector's full passes, moved to the moments the user pauses (issue 14).

A full pass walks every tracked object not set aside by ``gc.freeze`` (``document._settle_heap``). With a large
project open that takes 10–70 ms, and Python starts one on its own whenever enough objects have survived two younger
passes — in the middle of a keystroke, where it showed as the slowest keystrokes of the benchmark (and as 26 ms on a
bare QLineEdit beside it). Here Python's own full passes are switched off (the oldest generation's threshold is set
out of reach; the two young generations are collected as before, a few milliseconds at most) and a full pass runs
instead once no open project has changed for ``PAUSE_MS``, and at the latest every ``MAX_MS``.

Garbage without cycles is freed at once by reference counting, as always; only objects in cycles wait for the next
full pass.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

PAUSE_MS = 1_500  # no change for this long: the user has paused
MAX_MS = 60_000  # at the latest, whatever the user does
OUT_OF_REACH = 1 << 30  # Python's third threshold: its own full passes never start


class IdleCollector(QObject):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.passes = 0  # full passes run here (tests, the benchmark)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.timeout.connect(self.collect)
        self._latest = QTimer(self)
        self._latest.setInterval(MAX_MS)
        self._latest.timeout.connect(self.collect)
        self._latest.start()
        young, middle, _oldest = gc.get_threshold()
        gc.set_threshold(young, middle, OUT_OF_REACH)

    def note_change(self, *_args) -> None:
        """A project changed (every keystroke): the full pass waits until the changes pause."""
        self._pause.start(PAUSE_MS)

    def collect(self) -> None:
        """A full pass, if anything reached the oldest generation since the last one, and unless a whole-project
        read or check has paused the collector (``model.forms.paused_gc``)."""
        try:
            self._pause.stop()
            self._latest.start()
            if gc.get_count()[2] == 0 or not gc.isenabled():
                return
            gc.collect()
            self.passes += 1
        except Exception:  # noqa: BLE001 - a timer slot: never into Qt
            from .safety import report_later

            report_later()


def install(app) -> IdleCollector:
    """The application's one collector (kept as ``app.idle_collector``)."""
    collector = getattr(app, "idle_collector", None)
    if collector is None:
        collector = IdleCollector(app)
        app.idle_collector = collector
    return collector
