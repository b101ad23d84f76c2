"""The window's own texts name the forms' places in the layouts' words (``fcast_desktop/layouts``): a label changed
in a layout changes the window's messages too; the model names places by key and leaves the words to its caller."""

from __future__ import annotations

from dataclasses import replace

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtWidgets import QMessageBox

from fcast_desktop.layouts import forms as layout_forms
from fcast_desktop.model import Declaration, Level2, SelfEvaluation
from fcast_desktop.model.evaluation_update import update_evaluation

Button = QMessageBox.StandardButton


def _pair() -> tuple[Declaration, SelfEvaluation]:
    declaration = Declaration(project_code="440304221061500000999", project_name="测试项目", applicant_unit="某单位",
                              annual_goal="完成任务", year=2025)
    declaration.indicators.append(_row(declaration))
    evaluation = SelfEvaluation(project_code=declaration.project_code, year=2025)
    return declaration, evaluation


def _row(declaration: Declaration):
    from fcast_desktop.model.completion import row_type

    return row_type(declaration)(level2=Level2.QUANTITY, name="次数", target="≥2次")


def test_the_evaluation_update_names_what_it_filled_by_path_and_leaves_the_words_to_the_caller():
    declaration, evaluation = _pair()
    update = update_evaluation(evaluation, declaration)
    assert ("project_name",) in update.filled and ("expected_goal",) in update.filled
    text = update.summary(lambda path: "<" + ".".join(str(p) for p in path) + ">")
    assert "补填<project_name>、<implementing_unit>" in text and "<expected_goal>" in text
    assert "<indicators.actual>" in text  # the kept columns are named by the caller too
    assert not any(word in text for word in ("项目名称", "实施单位", "预期目标", "实际完成值", "偏差原因"))


@pytest.fixture
def renamed(monkeypatch):
    """The self-evaluation's layout with other words for 项目名称 and 实际完成值 (a throwaway layout)."""
    layout = layout_forms.SELF_EVALUATION
    header = tuple(replace(f, label="项目全称X") if f.key == "project_name" else f for f in layout.header)
    columns = tuple(replace(c, title="*实际值X") if c.key == "actual" else c for c in layout.columns)
    changed = replace(layout, header=header, columns=columns)
    monkeypatch.setitem(layout_forms.LAYOUTS, "self_evaluation", changed)
    return changed


def test_the_update_message_takes_the_layouts_words(app, qtbot, renamed):
    from fcast_desktop.gui.main_window import MainWindow
    from fcast_desktop.model import Project

    window = MainWindow(interactive=False)
    qtbot.addWidget(window)
    window.answers["unsaved"] = Button.Discard
    declaration, evaluation = _pair()
    from fcast_desktop.gui.document import ProjectDocument

    window.set_document(ProjectDocument(Project(forms=[declaration, evaluation])))
    window.select_form(declaration.id)
    window.evaluation_from_declaration()
    asked = dict(window.answers["_asked"])["evaluation_update"]
    assert "实际值X" in asked and "实际完成值" not in asked
    message = window.statusbar.currentMessage()
    assert "补填项目全称X" in message and "实际值X" in message, message
    assert "项目名称" not in message and "实际完成值" not in message
