"""Issue 12, one edit door, the window's part: the row commands (插入行, 删除行, 设为不适用) and 由申报表更新自评表
write through ``ProjectDocument.edit``, and every form edit is one ``commands.EditCommand`` (``model.editing.apply``
and its exact undo)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QMessageBox

from fcast_desktop.gui import commands
from fcast_desktop.gui.document import ProjectDocument
from fcast_desktop.model import Declaration, Level2, Project
from fcast_desktop.model.completion import row_type
from fcast_desktop.model.editing import ReplaceRows, SetText
from test_gui import cell, select

Button = QMessageBox.StandardButton


@pytest.fixture
def window(app, qtbot, project_copy):
    from fcast_desktop.gui.main_window import MainWindow

    w = MainWindow(interactive=False)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    assert w.open_path(project_copy)
    w.show()
    yield w
    w.answers["unsaved"] = Button.Discard
    w.close()


def test_the_row_commands_write_through_the_documents_edit_door(window, monkeypatch):
    doors: list[tuple[str, ...]] = []
    edit = ProjectDocument.edit

    def counted(self, form_id, changes, *args, **kwargs):
        doors.append(tuple(type(c).__name__ for c in changes))
        return edit(self, form_id, changes, *args, **kwargs)

    monkeypatch.setattr(ProjectDocument, "edit", counted)
    editor = select(window, "离退休干部节日慰问金（科级及以下）", "declaration")
    form = editor.form
    before = [r.model_dump() for r in form.indicators]
    stack = window.document.undo_stack
    depth = stack.index()
    editor.grid.setCurrentIndex(cell(editor, "发放离退休干部慰问金人数", "name"))
    window.insert_row()
    editor.grid.setCurrentIndex(cell(editor, "有效提高对离退休干部关爱", "name"))
    window.answers["not_applicable"] = Button.Yes
    window.mark_not_applicable()
    index = cell(editor, "退休干部人员满意度", "name")
    editor.grid.setCurrentIndex(index)
    editor.grid.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    window.delete_rows()
    assert doors == [("ReplaceRows",)] * 3
    assert stack.index() == depth + 3  # one undo step each
    assert [stack.command(i).text() for i in range(depth, depth + 3)] == ["插入指标行", "设为不适用", "删除 1 行指标"]
    for _ in range(3):
        stack.undo()
    assert [r.model_dump() for r in form.indicators] == before


def test_an_edit_command_makes_rows_and_values_in_one_step_and_undoes_them_exactly(app):
    form = Declaration(project_name="原名")
    form.indicators.append(row_type(form)(level2=Level2.QUANTITY, name="次数", target="≥2次"))
    doc = ProjectDocument(Project(forms=[form]))
    before = form.model_dump()
    rows = [*form.indicators, row_type(form)(level2=Level2.QUALITY)]
    doc.undo_stack.push(commands.EditCommand(doc, form.id, [ReplaceRows("indicators", rows),
                                                           SetText(("indicators", 1, "name"), "合格率"),
                                                           SetText(("project_name",), "新名")], "修改"))
    assert doc.undo_stack.count() == 1
    assert [r.name for r in form.indicators] == ["次数", "合格率"] and form.project_name == "新名"
    doc.undo_stack.undo()
    assert form.model_dump() == before
    doc.undo_stack.redo()
    assert [r.name for r in form.indicators] == ["次数", "合格率"] and form.project_name == "新名"


def test_typing_merges_into_one_step_and_typing_back_to_the_old_text_makes_none(app):
    form = Declaration(project_name="原名")
    doc = ProjectDocument(Project(forms=[form]))
    stack = doc.undo_stack
    for text in ("原名a", "原名ab"):
        stack.push(commands.EditCommand(doc, form.id, [SetText(("project_name",), text)], f"修改“{text}”", merge=True))
    assert stack.count() == 1 and form.project_name == "原名ab" and stack.undoText() == "修改“原名ab”"
    stack.push(commands.EditCommand(doc, form.id, [SetText(("project_name",), "原名")], "修改", merge=True))
    assert stack.count() == 0 and form.project_name == "原名"  # back as it was: no undo step
    stack.push(commands.EditCommand(doc, form.id, [SetText(("project_name",), "原名")], "修改"))
    assert stack.count() == 0  # the same text again: nothing changed, no step
    command = commands.EditCommand(doc, form.id, [SetText(("project_name",), "甲")], "修改", merge=True)
    stack.push(command)
    command.sealed = True  # the field's editing finished: the next typing is a new step
    stack.push(commands.EditCommand(doc, form.id, [SetText(("project_name",), "甲乙")], "修改", merge=True))
    assert stack.count() == 2
