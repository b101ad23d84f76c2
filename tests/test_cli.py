"""`fcast` command line: `export --form` selects exactly one form (README, 命令行 `fcast`), `check` exit codes, and
the shape of `score --json`."""

from __future__ import annotations

import json

import pytest

from fcast_desktop.cli import main

SHARED = "440304221061500000046"  # seed 000 declaration (2023) and seed 003 self-evaluation (2022)


@pytest.fixture
def exported(monkeypatch):
    """Record the forms handed to the exporters instead of writing files (the exporters have their own tests)."""
    calls: list[list] = []
    import fcast_desktop.exchange.pdf_export as pdf_export
    import fcast_desktop.exchange.xlsx_export as xlsx_export

    monkeypatch.setattr(xlsx_export, "export_xlsx", lambda project, forms, out: calls.append(list(forms)))
    monkeypatch.setattr(pdf_export, "export_pdf", lambda project, forms, out: calls.append(list(forms)))
    return calls


def _export(project, form, tmp_path):
    return main(["export", str(project), "--xlsx", str(tmp_path / "o.xlsx"), "--form", form])


def test_ambiguous_code_exits_2_with_the_choices(seed_project_file, tmp_path, exported, capsys):
    assert _export(seed_project_file, SHARED, tmp_path) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1  # one line
    assert str(seed_project_file) in err and "对应 2 张表单" in err
    assert "表 0（目标申报表，2023年）" in err and "表 32（绩效自评表，2022年）" in err
    assert f"--form {SHARED}@declaration" in err and f"--form {SHARED}@self_evaluation" in err and "序号" in err
    assert exported == [] and not (tmp_path / "o.xlsx").exists()


@pytest.mark.parametrize("spec,kind,code", [
    (f"{SHARED}@declaration", "declaration", SHARED),
    (f"{SHARED}@self_evaluation", "self_evaluation", SHARED),
    ("32", "self_evaluation", SHARED),  # the number shown by `fcast list`
    ("440306231271500105016", "declaration", "440306231271500105016"),  # an unambiguous code, as before
    ("@department_overall", "department_overall", ""),
])
def test_form_selects_exactly_one(seed_project_file, tmp_path, exported, capsys, spec, kind, code):
    assert _export(seed_project_file, spec, tmp_path) == 0
    ((form,),) = exported
    assert form.kind == kind and getattr(form, "project_code", "") == code
    assert "已导出 1 张表单" in capsys.readouterr().err


@pytest.mark.parametrize("spec,words", [
    ("999999999999999999999", "没有项目编码为 999999999999999999999"),
    ("9999", "没有项目编码为 9999"),  # not a code, and no form of that number
    (f"{SHARED}@department_overall", "类型为 department_overall"),
    (f"{SHARED}@declration", "表单类型“declration”未知"),
])
def test_form_naming_no_form_exits_2(seed_project_file, tmp_path, exported, capsys, spec, words):
    assert _export(seed_project_file, spec, tmp_path) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and exported == []


def test_whole_project_without_form(seed_project_file, tmp_path, exported, capsys):
    assert main(["export", str(seed_project_file), "--pdf", str(tmp_path / "o.pdf")]) == 0
    assert len(exported[0]) == 44


def test_real_export_of_one_form(seed_project_file, tmp_path, capsys):
    out = tmp_path / "one.xlsx"
    assert main(["export", str(seed_project_file), "--xlsx", str(out), "--form", f"{SHARED}@self_evaluation"]) == 0
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert len([ws for ws in wb.worksheets if ws.sheet_state == "visible"]) == 1


def test_check_json_and_exit_code(seed_project_file, capsys):
    assert main(["check", "--json", str(seed_project_file)]) == 1  # 政务事项管理 has error-level problems
    entries = json.loads(capsys.readouterr().out)
    rules = {e["rule"] for e in entries}
    assert "calculation.truncated" in rules and "money.unit_trap" in rules
    assert all(set(e) == {"form", "form_type", "project_code", "severity", "rule", "field", "row", "column", "message"}
               for e in entries)


SCORE_KEYS = {"form", "project_code", "project_name", "year", "funds", "indicators", "total", "grade"}  # cli.md


def test_score_json_gives_no_grade_when_the_weights_are_wrong(seed_project_file, tmp_path, capsys):
    """Review: 资金分值 20 gave 总分 106.69 / 优 while `check` reported S4. 总分 stays as computed (the form's sum),
    the grade is null — nobody uploads a 优 the system rejects — and the JSON keeps the shape of cli.md."""
    from decimal import Decimal

    from fcast_desktop.store.project_file import load_project, save_project

    project = load_project(seed_project_file)
    n = next(i for i, f in enumerate(project.forms)
             if f.kind == "self_evaluation" and f.project_name == "其他一般管理事务")  # official 99.83
    project.forms[n].funds.weight = Decimal(20)
    path = tmp_path / "weights.fcast"
    save_project(project, path)
    assert main(["score", "--json", str(path)]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert all(set(e) == SCORE_KEYS for e in entries)
    by_form = {e["form"]: e for e in entries}
    assert by_form[n]["total"] == "109.66" and by_form[n]["grade"] is None
    # the other complete seed 003 tables keep their grade; the copied table that lost rows (政务事项管理) has none
    graded = {e["project_name"]: e["grade"] for e in entries if e["form"] != n}
    assert graded.pop("政务事项管理") is None and set(graded.values()) == {"优"} and len(graded) == 9
    assert main(["check", "--json", str(path)]) == 1
    assert any(e["form"] == n and e["rule"] == "evaluation.weights.total" for e in json.loads(capsys.readouterr().out))
