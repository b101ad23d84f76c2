"""Importing into the open project: one undo step for the forms and the project header they complete."""

from __future__ import annotations

import pytest

from windows import close_window, open_window

pytestmark = pytest.mark.gui


@pytest.fixture
def empty_window(app, qtbot):
    w = open_window(qtbot)
    yield w
    close_window(w)


def _header(project) -> tuple:
    return project.unit, project.year, project.profile


def test_undoing_an_import_restores_the_project_header_and_redo_reapplies_it(empty_window, seed_paths):
    w = empty_window
    project = w.document.project
    before = _header(project)
    assert not w.isWindowModified()
    assert w.import_paths([seed_paths["002"]]) > 0
    after = _header(w.document.project)
    assert after != before  # 宝安's unit, year and profile
    assert after[2] == "shenzhen-baoan"
    assert w.document.modified and w.isWindowModified()
    assert w.document.undo_stack.count() == 1  # forms and header: one step

    w.undo()
    assert w.document.project.forms == []
    assert _header(w.document.project) == before
    assert not w.document.modified and not w.isWindowModified()

    w.redo()
    assert _header(w.document.project) == after
    assert len(w.document.project.forms) > 0
    assert w.document.modified and w.isWindowModified()


def test_an_import_into_a_project_with_a_unit_keeps_its_header(empty_window, seed_paths):
    w = empty_window
    w.import_paths([seed_paths["000"]])
    header = _header(w.document.project)
    w.import_paths([seed_paths["002"]])
    assert _header(w.document.project) == header
    w.undo()
    assert _header(w.document.project) == header
