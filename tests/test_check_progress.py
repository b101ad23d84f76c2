"""The background check's progress in the status bar (issue 14): 正在检查 3,200/10,000 张表单… in its permanent part
(where the form and problem counts are shown once it is done: meanwhile they are partial), so that a message
shown meanwhile (导入 …, 已保存) stays readable; an import that changes the profile re-checks a large project in
the background, not at once."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWidgets")

from fcast_desktop.gui.document import ProjectDocument
from fcast_desktop.model import Declaration, Project
from windows import close_window, open_window

pytestmark = pytest.mark.gui


@pytest.fixture
def window(app, qtbot):
    w = open_window(qtbot)
    yield w
    close_window(w)


def test_the_status_bar_shows_the_progress_until_the_check_is_done(window):
    window.document.checkProgress.emit(3200, 10000)
    assert window.statusSummary.text() == "正在检查 3,200/10,000 张表单…"
    window.document.checkProgress.emit(10000, 10000)
    assert window.statusSummary.text() == "0 张表单　错误 0 个　警告 0 个"


def test_a_message_shown_meanwhile_stays(window):
    window.statusbar.showMessage("已保存", 5000)
    window.document.checkProgress.emit(1, 10)
    assert window.statusbar.currentMessage() == "已保存"
    assert window.statusSummary.text() == "正在检查 1/10 张表单…"


def test_a_large_project_shows_the_check_from_its_first_slice_to_the_end(window, qtbot, monkeypatch):
    monkeypatch.setattr(ProjectDocument, "BACKGROUND_FROM", 5)
    monkeypatch.setattr(ProjectDocument, "SLICE_SECONDS", 0.0)  # one form a slice: every step seen
    seen: list[str] = []
    document = ProjectDocument(Project(forms=[Declaration(project_name=f"项目{i}") for i in range(12)]))
    assert document.checking
    window.set_document(document)
    assert window.statusSummary.text().startswith("正在检查 ")  # at once, not at the next slice
    document.checkProgress.connect(lambda *_: seen.append(window.statusSummary.text()))
    qtbot.waitUntil(lambda: not document.checking, timeout=10000)
    assert any(m.startswith("正在检查 ") and m.endswith("/12 张表单…") for m in seen)
    assert window.statusSummary.text().startswith("12 张表单　错误 ")


def test_an_import_changing_the_profile_checks_a_large_project_in_the_background(window, seed_paths, monkeypatch):
    monkeypatch.setattr(ProjectDocument, "BACKGROUND_FROM", 3)
    window.set_document(ProjectDocument(Project(forms=[Declaration(project_name=f"项目{i}") for i in range(4)])))
    document = window.document
    checked_at_once: list[int] = []
    check_all = ProjectDocument.check_all

    def watched(self):
        check_all(self)
        checked_at_once.append(len(self._findings))

    monkeypatch.setattr(ProjectDocument, "check_all", watched)
    assert window.import_paths([seed_paths["002"]]) > 0
    assert document.project.profile == "shenzhen-baoan"
    assert checked_at_once and document.checking  # the pass runs on the event loop
    assert window.statusSummary.text().startswith("正在检查 ")
