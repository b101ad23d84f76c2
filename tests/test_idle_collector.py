"""Full garbage-collection passes wait for the user to pause (issue 14, ``gui/collector.py``): Python's own full
passes, which took 10–70 ms with a large project open and fell in the middle of keystrokes, are switched off while
the program runs; cycles are still collected, once the changes pause and at the latest every minute."""

from __future__ import annotations

import gc
import weakref

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtWidgets import QMessageBox

pytestmark = pytest.mark.gui


class Node:
    def __init__(self):
        self.me = self  # a cycle: only the cyclic collector frees it


def _cycle_in_the_oldest_generation():
    node = Node()
    ref = weakref.ref(node)
    for _ in range(3):
        gc.collect(1)  # survivors of the middle generation move to the oldest: only a full pass reaches them
    del node  # garbage now, in a cycle, in the oldest generation
    return ref


def test_python_starts_no_full_pass_of_its_own(app):
    assert gc.get_threshold()[2] >= 1 << 30
    ref = _cycle_in_the_oldest_generation()
    for _ in range(50):  # many young passes, as a long run of keystrokes makes
        gc.collect(0)
        gc.collect(1)
    assert ref() is not None


def test_a_cycle_is_collected_once_the_changes_pause(app, qtbot, monkeypatch):
    from fcast_desktop.gui import collector as module

    monkeypatch.setattr(module, "PAUSE_MS", 50)
    collector = app.idle_collector
    passes = collector.passes
    ref = _cycle_in_the_oldest_generation()
    collector.note_change()
    assert ref() is not None  # not while the user types
    qtbot.waitUntil(lambda: ref() is None, timeout=3000)
    assert collector.passes == passes + 1


def test_a_keystroke_in_the_window_postpones_the_full_pass(app, qtbot, tmp_path):
    from fcast_desktop.gui.main_window import MainWindow
    from fcast_desktop.paths import sample_project

    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    assert window.open_path(sample_project())
    form = next(f for f in window.document.project.forms if f.kind == "declaration")
    window.select_form(form.id)
    pause = app.idle_collector._pause
    pause.stop()
    field = window.editor.fields["project_name"].widget
    field.setText(field.text() + "字")
    field.textEdited.emit(field.text())
    assert pause.isActive()
    window.answers["unsaved"] = QMessageBox.StandardButton.Discard
    window.close()


def test_no_full_pass_while_a_whole_project_read_has_paused_the_collector(app):
    from fcast_desktop.model.forms import paused_gc

    collector = app.idle_collector
    ref = _cycle_in_the_oldest_generation()
    with paused_gc():
        collector.collect()
        assert ref() is not None
    collector.collect()
    assert ref() is None
