"""The 一级 labels of the self-evaluation, 产出指标(50分): the weight printed is the one of the form's profile in
the grid, the PDF and the Excel sheet alike (one source: the profile's ``level1_weights``), not a constant of the
layouts. A profile with other weights (产出 60, 效益 20) shows them everywhere."""

from __future__ import annotations

import json
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

from fcast_desktop.layouts.forms import SELF_EVALUATION, level1_name
from fcast_desktop.model import Project, SelfEvaluation
from fcast_desktop.model.skeleton import Level1

SEEDS = Path(__file__).resolve().parent / "data" / "seeds"
WEIGHTS = {"output": "60", "benefit": "20", "satisfaction": "10"}


def _labels() -> dict[Level1, str]:
    return {level1: f"{level1_name(level1)}({WEIGHTS[level1.value]}分)" for level1 in Level1}


@pytest.fixture
def other_weights(monkeypatch, tmp_path):
    """Both shipped profiles with the 一级 weights 60/20/10 instead of 50/30/10 (read from a copy of the profiles
    folder)."""
    from fcast_desktop.rules import profiles

    folder = tmp_path / "profiles"
    folder.mkdir()
    for path in profiles.profiles_dir().glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["level1_weights"] = dict(WEIGHTS)
        (folder / path.name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(profiles, "profiles_dir", lambda: folder)
    # fresh caches for the copies; the shipped profiles' cached objects come back afterwards untouched
    monkeypatch.setattr(profiles, "_load", lru_cache(maxsize=16)(profiles._load.__wrapped__))
    monkeypatch.setattr(profiles, "_district_profiles", lru_cache(maxsize=1)(profiles._district_profiles.__wrapped__))


@pytest.fixture
def project() -> Project:
    from fcast_desktop.exchange.importer import import_file

    forms = import_file(SEEDS / "003_8c6bbc88d7678e1b.txt").forms
    return Project(unit="测试单位", forms=[f for f in forms if isinstance(f, SelfEvaluation)][:1])


def test_the_default_profiles_print_their_own_weights(project):
    """Without the patch: 产出指标(50分), as before (the shipped profiles' weights)."""
    from fcast_desktop.rules.report import computed_values

    values = computed_values(project.forms[0], project)
    assert (values["weights.output"], values["weights.benefit"], values["weights.satisfaction"]) == ("50", "30", "10")


def test_the_pdf_prints_the_profiles_weights(other_weights, project, tmp_path):
    from fcast_desktop.exchange.pdf_export import export_pdf

    out = export_pdf(project, None, tmp_path / "out.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout.replace(" ", "")
    # the merged cell wraps the label (产出\n指标\n(60分)): the points are found whole
    assert "(60分)" in text and "(20分)" in text and "(10分)" in text
    assert "(50分)" not in text and "(30分)" not in text


def test_the_excel_sheet_shows_the_profiles_weights(other_weights, project, tmp_path):
    from openpyxl import load_workbook

    from fcast_desktop.exchange.xlsx_export import export_xlsx

    export_xlsx(project, project.forms, tmp_path / "out.xlsx")
    ws = load_workbook(tmp_path / "out.xlsx").worksheets[0]
    # (without the line breaks the export puts in a label that does not fit its cell)
    cells = {str(c.value).replace("\n", "") for row in ws.iter_rows() for c in row if c.value is not None}
    assert set(_labels().values()) <= cells
    assert f"{level1_name(Level1.OUTPUT)}(50分)" not in cells


def test_the_grid_shows_the_profiles_weights(other_weights, project, qtbot):
    from fcast_desktop.gui.document import ProjectDocument
    from fcast_desktop.gui.form_editor import FormEditor

    editor = FormEditor(ProjectDocument(project), project.forms[0].id)
    qtbot.addWidget(editor)
    model = editor.grid.model()
    col = next(i for i, c in enumerate(model.columns()) if c.key == "level1")
    shown = {model.label_text(row, col) for row in range(model.rowCount())}
    assert {label.replace("(", "\n(") for label in _labels().values()} <= shown  # (wrapped before the points)
    assert SELF_EVALUATION.level_style == "weighted"
