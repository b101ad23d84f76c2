"""The forms' official words in the grid, the forms list, the rules' coach and report, the project file's messages
and the Excel writer come from the layouts (``fcast_desktop/layouts``), not from copies: these files write no
official word (the label scan of tests/test_layout_spec.py, run on them alone), and a word changed in a layout
shows in what they say."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from fcast_desktop.layouts import forms as layout_forms
from fcast_desktop.layouts.forms import DECLARATION, DEPARTMENT_OVERALL, LAYOUTS, SELF_EVALUATION
from test_layout_spec import scan

PACKAGE = Path(__file__).resolve().parents[1] / "fcast_desktop"
CLEAN = {
    "gui/panels.py", "gui/score_summary.py", "gui/table_models.py", "gui/table_view.py",
    "rules/checks.py", "rules/coach.py", "rules/index.py", "rules/report.py",
    "store/project_file.py", "model/forms.py", "exchange/xlsx_export.py", "exchange/xlsx_writer.py",
}


def test_these_files_write_no_official_word():
    found = [f for f in scan(PACKAGE, set()) if f.split(":")[0] in CLEAN]
    assert not found, "official words written outside layouts/ (read them from the layout):\n" + "\n".join(found)


def test_the_model_keeps_no_form_titles():
    """The titles are the layouts' (``layouts.form_kind_title``); the model keeps keys only."""
    import fcast_desktop.model as model

    assert not hasattr(model, "FORM_KIND_TITLES")


def test_the_project_files_messages_name_blocks_in_the_layouts_words(monkeypatch):
    """A damaged project file is described with the forms' words (第 1 张表单 › 资金使用情况 › …), also for a form
    of an unknown kind: a word changed in the layout changes there too."""
    from fcast_desktop.store.project_file import _describe_location

    assert SELF_EVALUATION.funds is not None and DEPARTMENT_OVERALL.tasks is not None
    funds = replace(SELF_EVALUATION.funds, title="资金情况（试）")
    tasks = replace(DEPARTMENT_OVERALL.tasks, caption="主要任务（试）")
    columns = tuple(replace(c, title="指标名称（试）") if c.key == "name" else c for c in SELF_EVALUATION.columns)
    monkeypatch.setattr(layout_forms, "SELF_EVALUATION", replace(SELF_EVALUATION, funds=funds, columns=columns))
    monkeypatch.setattr(layout_forms, "DEPARTMENT_OVERALL", replace(DEPARTMENT_OVERALL, tasks=tasks))
    assert _describe_location(("forms", 0, "funds")) == "第 1 张表单 › 资金情况（试）"
    assert _describe_location(("forms", 0, "tasks", 2)) == "第 1 张表单 › 主要任务（试）第 3 行"
    assert _describe_location(("forms", 0, "name")) == "第 1 张表单 › 指标名称（试）"


@pytest.fixture
def renamed(monkeypatch):
    """The declaration's title and the indicator tables' 三级指标 column in other words."""
    def columns(layout):
        words = {"name": "指标名称（试）"}
        return tuple(replace(c, title=words.get(c.key, c.title)) for c in layout.columns)

    for kind, layout in list(LAYOUTS.items()):
        changed = replace(layout, columns=columns(layout))
        if kind == "declaration":
            changed = replace(changed, title="项目申报表（试）")
        monkeypatch.setitem(LAYOUTS, kind, changed)
    return LAYOUTS


def _project():
    from fcast_desktop.exchange.importer import import_file
    from fcast_desktop.model import Project

    seeds = Path(__file__).resolve().parent / "data" / "seeds"
    forms = import_file(seeds / "003_8c6bbc88d7678e1b.txt").forms
    return Project(unit="测试单位", forms=forms)


def test_the_forms_list_groups_under_the_layouts_titles(renamed, qtbot):
    from fcast_desktop.gui.document import ProjectDocument
    from fcast_desktop.gui.panels import ProjectTreeModel

    model = ProjectTreeModel(ProjectDocument(_project()))
    groups = [model.item(i).toolTip() for i in range(model.rowCount())]
    assert groups[0].startswith("项目申报表（试）：") and DECLARATION.title not in "".join(groups)


def test_the_grid_names_its_rows_and_columns_in_the_layouts_words(renamed, qtbot):
    from fcast_desktop.gui.document import ProjectDocument
    from fcast_desktop.gui.form_editor import FormEditor
    from fcast_desktop.model import SelfEvaluation

    project = _project()
    form = next(f for f in project.forms if isinstance(f, SelfEvaluation))
    editor = FormEditor(ProjectDocument(project), form.id)
    qtbot.addWidget(editor)
    grid = editor.grid
    menu = [a.text() for a in grid.context_menu().actions()]
    assert "插入指标名称（试）行（上方）(&A)" in menu
