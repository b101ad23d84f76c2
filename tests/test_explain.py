"""出错说明 (issue 15, item 3): a warning accepted with a 说明 travels with the project — `fcast check --json`
carries it and counts it apart, a change of the values it judged reopens the warning, exports print it (PDF appendix
page 审核说明, Excel sheet 审核说明); `fcast explain` takes the project's lock and refuses errors, hints and places
without such a warning."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from fcast_desktop import cli
from fcast_desktop.cli import main
from fcast_desktop.model import Project
from fcast_desktop.rules import check_form, load_profile
from fcast_desktop.rules.explanations import (
    explain,
    explainable,
    findings,
    fingerprint,
    form_findings,
    stale_explanations,
    unexplain,
)
from fcast_desktop.store.lock import ProjectLock
from fcast_desktop.store.project_file import load_project, save_project

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "samples" / "sample.fcast"
TRAP = "money.unit_trap"  # 表 0 (seed 000): 本年度项目金额 12,000.00万元 against 测算依据 共1.2万元
TEXT = "原表按元填写，已与财政核对：实际为 1.2 万元"


@pytest.fixture
def project_file(tmp_path) -> Path:
    path = tmp_path / "p.fcast"
    shutil.copy(SAMPLE, path)
    return path


def _check(path, capsys) -> tuple[int, list[dict], str]:
    code = main(["check", "--json", str(path)])
    return code, json.loads(capsys.readouterr().out), ""


def test_explained_warning_counts_apart_and_shows_in_check(project_file, capsys):
    _, before, _ = _check(project_file, capsys)
    assert main(["explain", str(project_file), "--form", "0", "--rule", TRAP, "--text", TEXT]) == 0
    assert "已添加 表 0（目标申报表，2023年）“本年度项目金额（万元）”的说明" in capsys.readouterr().err
    code, after, _ = _check(project_file, capsys)
    assert code == 1 and len(after) == len(before)  # still listed (greyed in the GUI), only counted apart
    (entry,) = [e for e in after if "explanation" in e]
    assert entry["form"] == 0 and entry["rule"] == TRAP and entry["explanation"] == TEXT
    assert [{k: v for k, v in e.items() if k != "explanation"} for e in after] == before
    main(["check", str(project_file)])
    captured = capsys.readouterr()
    assert f"警告（已说明）  [{TRAP}]" in captured.out and f"（说明：{TEXT}）" in captured.out
    warnings = sum(e["severity"] == "warning" for e in before)
    hints = sum(e["severity"] == "hint" for e in before)
    errors = sum(e["severity"] == "error" for e in before)
    assert (f"共 {len(before)} 个问题：错误 {errors} 个，警告 {warnings - 1} 个（已说明 1 个），提示 {hints} 个"
            in captured.err)
    # written into the project, with its place and fingerprint
    (e,) = load_project(project_file).explanations
    assert (e.rule, e.field, e.row, e.key, e.column, e.text) == (TRAP, "annual_amount", None, "annual_amount",
                                                               "本年度项目金额（万元）", TEXT)
    # --clear removes it
    assert main(["explain", str(project_file), "--form", "0", "--rule", TRAP, "--clear"]) == 0
    assert load_project(project_file).explanations == [] and "已删除" in capsys.readouterr().err


def test_a_change_of_the_judged_values_reopens_the_warning(project_file):
    project = load_project(project_file)
    form = project.forms[0]
    (trap,) = [p for p in check_form(form, None, project) if p.rule == TRAP]
    project.explanations = explain(project, form, trap, TEXT)
    assert [f.kind for f in findings(project) if f.problem.rule == TRAP and f.form == 0] == ["explained"]
    form.calculation_basis = form.calculation_basis.replace("共1.2万元", "共1.3万元")  # the figure the rule compared
    (still,) = [f for f in findings(project) if f.problem.rule == TRAP and f.form == 0]
    assert still.kind == "warning" and still.explanation is None
    assert stale_explanations(project) == project.explanations  # kept, not applied: nothing typed is lost
    form.calculation_basis = form.calculation_basis.replace("共1.3万元", "共1.2万元")
    assert [f.kind for f in findings(project) if f.problem.rule == TRAP and f.form == 0] == ["explained"]


def test_an_explanation_follows_its_row_when_a_row_is_inserted_above(project_file):
    project = load_project(project_file)
    form = project.forms[0]
    rows = [r.model_copy() for r in form.indicators]
    rows[1].target = "大概吧"  # 质量: an unrecognised 指标值 (a warning)
    form.indicators = rows
    (p,) = [p for p in check_form(form, None, project) if p.rule == "indicator.value.unrecognised"]
    assert p.row == 1
    project.explanations = explain(project, form, p, "原表如此，已与主管部门确认")
    rows = list(form.indicators)
    rows.insert(0, rows[0].model_copy(update={"name": "新增数量指标"}))  # a 数量 row above
    form.indicators = rows
    found = [f for f in findings(project, hints=False) if f.form == 0 and f.explanation is not None]
    assert [(f.problem.row, f.explanation.text) for f in found] == [(2, "原表如此，已与主管部门确认")]
    # another value of the same row reopens it (the rule judged the row)
    form.indicators[2].explanation = "改过的指标解释"
    assert not any(f.explanation for f in findings(project, hints=False) if f.form == 0)


def test_errors_and_hints_are_not_explained_unless_the_profile_allows(project_file, capsys):
    project = load_project(project_file)
    n = next(i for i, f in enumerate(project.forms) if f.kind == "self_evaluation" and f.project_name == "政务事项管理")
    form = project.forms[n]
    errors = [p for p in check_form(form, None, project) if p.severity == "error"]
    hint = next(p for p in check_form(project.forms[0], None, project, hints=True) if p.severity == "hint")
    assert errors and not any(explainable(p, form, project) for p in errors)
    with pytest.raises(ValueError, match="错误不能用说明代替改正"):
        explain(project, form, errors[0], "x")
    with pytest.raises(ValueError, match="提示不需要说明"):
        explain(project, project.forms[0], hint, "x")
    before = project_file.read_bytes()
    rule = errors[0].rule
    assert main(["explain", str(project_file), "--form", str(n), "--rule", "indicators.skeleton.missing",
                 "--text", "原表缺行"]) == 2
    assert "有 2 处：成本指标、经济效益指标" in capsys.readouterr().err
    assert main(["explain", str(project_file), "--form", str(n), "--rule", "indicators.skeleton.missing",
                 "--column", "成本指标", "--text", "原表缺行"]) == 2
    assert "是错误，错误须改正，规则配置不允许用说明代替" in capsys.readouterr().err
    assert main(["explain", str(project_file), "--form", "0", "--rule", "coach.cost_measures_spending",
                 "--text", "x"]) == 2
    assert "提示不需要说明" in capsys.readouterr().err
    assert project_file.read_bytes() == before
    # a profile may allow an error to be explained: it then counts as explained, not as an error
    allowing = replace(load_profile(None), explainable_errors=(rule,))
    import fcast_desktop.rules.explanations as module

    real = module.load_profile
    module.load_profile = lambda name=None: allowing
    try:
        assert explainable(errors[0], form, project)
        project.explanations = explain(project, form, errors[0], "原表如此，已报财政")
        kinds = [f.kind for f in form_findings(project, form, check_form(form, allowing, project), n)]
        assert kinds.count("explained") == 1
    finally:
        module.load_profile = real


@pytest.mark.parametrize("args,words", [
    (["--form", "0", "--rule", "indicator.required", "--text", "x"], "没有规则 indicator.required 的问题"),
    (["--form", "0", "--rule", "no.such.rule", "--text", "x"], "没有规则“no.such.rule”"),
    (["--form", "0", "--rule", TRAP, "--row", "3", "--text", "x"], "第 3 行没有规则"),
    (["--form", "0", "--rule", TRAP, "--text", "  "], "说明不能为空"),
    (["--form", "0", "--rule", TRAP, "--clear"], "没有规则 money.unit_trap 的说明"),
    (["--form", "9999", "--rule", TRAP, "--text", "x"], "没有项目编码为 9999"),
])
def test_explain_exits_2_without_such_an_open_warning(project_file, capsys, args, words):
    before = project_file.read_bytes()
    assert main(["explain", str(project_file), *args]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
    assert project_file.read_bytes() == before


def test_several_places_need_a_row(project_file, capsys):
    """seed 002's `不适应` typo: five rows of one form; --row (as `fcast check` prints it) picks one."""
    project = load_project(project_file)
    typos = [(n, p) for n, f in enumerate(project.forms) for p in check_form(f, None, project)
             if p.rule == "indicator.value.typo"]
    n = typos[0][0]
    assert main(["explain", str(project_file), "--form", str(n), "--rule", "indicator.value.typo", "--text", "x"]) == 2
    assert "有 5 处" in capsys.readouterr().err
    row = typos[1][1].row
    assert main(["explain", str(project_file), "--form", str(n), "--rule", "indicator.value.typo",
                 "--row", str(row + 1), "--text", "原表如此"]) == 0
    capsys.readouterr()
    (e,) = load_project(project_file).explanations
    assert e.row == row


def test_explain_takes_the_lock(project_file, monkeypatch, capsys):
    monkeypatch.setattr(cli, "LOCK_WAIT_SECONDS", 0.2)
    before = project_file.read_bytes()
    with ProjectLock.acquire(project_file, app="fcast-desktop") as window:
        assert main(["explain", str(project_file), "--form", "0", "--rule", TRAP, "--text", TEXT]) == 2
        err = capsys.readouterr().err
        assert window.info.describe() in err and "未写入" in err and "写入说明" in err
    assert project_file.read_bytes() == before


def test_unexplain_and_fingerprint_are_pure(project_file):
    project = load_project(project_file)
    form = project.forms[0]
    (trap,) = [p for p in check_form(form, None, project) if p.rule == TRAP]
    first = fingerprint(form, trap)
    assert first == fingerprint(form, trap) and len(first) == 24
    new = explain(project, form, trap, "a")
    assert project.explanations == []  # the caller assigns (the GUI: one undo step)
    project.explanations = new
    assert len(explain(project, form, trap, "b")) == 1  # replaced at the same place
    assert unexplain(project, form, trap) == []


# ---- exports ----------------------------------------------------------------------------------------------------


def _explained(project_file) -> Project:
    assert main(["explain", str(project_file), "--form", "0", "--rule", TRAP, "--text", TEXT]) == 0
    return load_project(project_file)


def test_pdf_appendix_page_follows_the_form(project_file, capsys):
    from fcast_desktop.exchange.pdf_export import form_pages

    project = _explained(project_file)
    pages = form_pages(project, project.forms[:2])
    first = [p for p in pages if p.form == 0]
    assert len(first) == 2 and [p.form for p in pages].count(1) == 1
    texts = ["".join(t.text for t in p.texts) for p in first]
    assert "审核说明" in texts[1] and TEXT in texts[1] and "本年度项目金额（万元）" in texts[1]
    assert [p.footer for p in first] == ["第 1 页 共 2 页", "第 2 页 共 2 页"]
    assert sum(t.text == "第 2 页 共 2 页" for t in first[1].texts) == 1
    assert not any(t.text == "第 1 页 共 1 页" for p in first for t in p.texts)
    # a form without explanations keeps its pages
    assert len(form_pages(project, [project.forms[1]])) == 1


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_export_prints_the_appendix(project_file, tmp_path, capsys):
    _explained(project_file)
    out = tmp_path / "o.pdf"
    assert main(["export", str(project_file), "--pdf", str(out), "--form", "0"]) == 0
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    assert "审核说明" in pages[1] and "第 2 页 共 2 页" in pages[1] and "原表按元填写" in pages[1]


def test_excel_export_has_the_sheet_and_still_imports(project_file, tmp_path, capsys):
    from openpyxl import load_workbook

    _explained(project_file)
    out = tmp_path / "o.xlsx"
    assert main(["export", str(project_file), "--xlsx", str(out)]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames[-2:] == ["审核说明", "_fcast"]
    ws = wb["审核说明"]
    values = [v for row in ws.iter_rows(values_only=True) for v in row if v]
    assert TEXT in values and "本年度项目金额（万元）" in values and ws.oddFooter.center.text == "第 &P 页 共 1 页"
    assert ws["A4"].font.name == "宋体"
    capsys.readouterr()
    back = tmp_path / "back.fcast"
    assert main(["import", str(out), "-o", str(back)]) == 0
    assert len(load_project(back).forms) == 64


def test_old_project_files_are_unchanged_without_explanations(project_file):
    """No new keys in a file without explanations or review marks: older versions still open it."""
    from fcast_desktop.store.project_file import dumps_project

    text = dumps_project(load_project(project_file))
    assert '"explanations"' not in text and '"review"' not in text
    assert not re.search(r'"review"', SAMPLE.read_text(encoding="utf-8"))
    project = load_project(project_file)
    form = project.forms[0]
    (trap,) = [p for p in check_form(form, None, project) if p.rule == TRAP]
    project.explanations = explain(project, form, trap, TEXT)
    save_project(project, project_file)
    assert load_project(project_file).explanations == project.explanations


class _CountingList(list):
    """A list that counts how often it is walked through."""

    walks = 0

    def __iter__(self):
        type(self).walks += 1
        return super().__iter__()


def test_findings_read_the_explanations_once_not_once_per_form(project_file):
    """Issue 14: many forms with 说明 must not make the whole-project findings quadratic (each form used to walk
    every explanation of the project)."""
    project = _explained(project_file)
    assert project.explanations and len(project.forms) > 10
    expected = findings(project)
    counting = _CountingList(project.explanations)
    object.__setattr__(project, "explanations", counting)
    _CountingList.walks = 0
    got = findings(project)
    assert [(f.problem, f.explanation) for f in got] == [(f.problem, f.explanation) for f in expected]
    walks, forms = _CountingList.walks, len(project.forms)
    assert walks <= 2, f"project.explanations walked {walks} times for {forms} forms"
