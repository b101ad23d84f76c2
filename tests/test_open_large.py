"""Opening a project reads it on a worker thread: the window keeps responding, 取消 works, errors read as before.

(How fast is measured by benchmarks/bench_open.py, not here.)"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox, QPushButton

from conftest import ROOT

pytestmark = pytest.mark.gui

SAMPLE = ROOT / "resources" / "samples" / "sample.fcast"
FORMS = 1500  # a few megabytes: reading takes a good part of a second


@pytest.fixture(scope="module")
def large_project(tmp_path_factory):
    """The sample's forms repeated to FORMS forms (new ids), saved by the store."""
    from fcast_desktop.store.project_file import load_project, save_project

    project = load_project(SAMPLE)
    base = list(project.forms)
    project.forms = [f.model_copy(update={"id": f"{f.id}-{n}"}, deep=True)
                     for n in range(FORMS // len(base) + 1) for f in base][:FORMS]
    path = tmp_path_factory.mktemp("large") / "large.fcast"
    save_project(project, path, keep_backup=False)
    return path


@pytest.fixture
def window(app, qtbot):
    from fcast_desktop.gui.main_window import MainWindow

    w = MainWindow(interactive=False)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.answers["unsaved"] = QMessageBox.StandardButton.Discard
    w.close()


def test_the_window_keeps_handling_events_while_a_project_is_read(window, large_project):
    seen = []
    QTimer.singleShot(0, lambda: seen.append((window._reading is not None,
                                              window.centralWidget().isEnabled(), window.menuBar().isEnabled())))
    assert window.open_path(large_project)
    assert seen == [(True, False, False)]  # ran while reading; the project about to be replaced took no input
    assert len(window.document.project.forms) == FORMS
    assert window.document.path == large_project and window.document.lock is not None
    assert window.centralWidget().isEnabled() and window.menuBar().isEnabled()
    assert not window.document.modified


def test_cancelling_an_open_keeps_the_project_shown_and_releases_the_file(window, large_project, seed_paths):
    from fcast_desktop.store.lock import read_lock

    window.import_paths([seed_paths["004"]])
    before = window.document
    shown = []

    def cancel() -> None:
        button = window.statusbar.findChild(QPushButton, "openingCancel")
        shown.append(window.statusbar.currentMessage())
        button.click()

    QTimer.singleShot(0, cancel)
    window.answers["unsaved"] = QMessageBox.StandardButton.Discard
    assert not window.open_path(large_project)
    assert shown == ["正在打开“large.fcast”…"]
    assert window.document is before and len(before.project.forms) == 1  # the unsaved import is still there
    assert before.modified
    assert read_lock(large_project) is None  # the lock taken for the open was given back
    assert window.statusbar.currentMessage() == "已取消打开“large.fcast”"
    assert window.centralWidget().isEnabled()
    assert not window.statusbar.findChild(QPushButton, "openingCancel").isVisible()
    assert window.open_path(large_project, check_unsaved=False)  # and it opens again
    assert len(window.document.project.forms) == FORMS


def test_a_broken_file_is_refused_with_the_stores_own_message(window, tmp_path):
    from fcast_desktop.store.project_file import ProjectFileError, load_project_stamped

    broken = tmp_path / "坏的.fcast"
    broken.write_bytes(SAMPLE.read_bytes()[:5000])  # cut off mid-form
    with pytest.raises(ProjectFileError) as refused:
        load_project_stamped(broken)
    before = window.document
    assert not window.open_path(broken)
    assert window.answers["_messages"][-1] == ("无法打开项目", str(refused.value), "")
    assert window.document is before


def test_closing_the_window_while_reading_cancels_then_closes(window, large_project, qtbot):
    QTimer.singleShot(0, window.close)
    assert not window.open_path(large_project)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
