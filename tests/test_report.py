"""上报前检查清单 (issue 15, item 4): `fcast report --json` of the sample project counts what `fcast check --json`
counts; the status of each form; the PDF and the workbook in the forms' font and footer; OUT never a project."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from fcast_desktop.cli import check_counts, main
from fcast_desktop.exchange.checklist import checklist_printed
from fcast_desktop.layouts.printed import compose_pages
from fcast_desktop.rules.checklist import checklist
from fcast_desktop.store.project_file import load_project

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "samples" / "sample.fcast"
KINDS = ("errors", "warnings", "explained", "hints")


@pytest.fixture
def project_file(tmp_path) -> Path:
    path = tmp_path / "p.fcast"
    shutil.copy(SAMPLE, path)
    return path


def _json(capsys, *args) -> object:
    main(list(args))
    return json.loads(capsys.readouterr().out)


def _assert_counts_agree(report: dict, entries: list[dict]) -> None:
    by_form: dict[int, list[dict]] = {}
    for e in entries:
        by_form.setdefault(e["form"], []).append(e)
    for f in report["forms"]:
        counted = check_counts(by_form.get(f["form"], []))
        assert {k: f[k] for k in KINDS} == counted, f
        assert f["status"] == ("errors" if counted["errors"] else "warnings" if counted["warnings"] else "ready")
    assert {k: report["totals"][k] for k in KINDS} == check_counts(entries)
    assert report["totals"]["forms"] == len(report["forms"])
    assert report["totals"]["ready"] == sum(f["status"] == "ready" for f in report["forms"])
    for k in ("forms", "ready", *KINDS):
        assert sum(u[k] for u in report["units"]) == report["totals"][k]


def test_report_counts_equal_check_counts_on_the_sample(project_file, capsys):
    report = _json(capsys, "report", "--json", str(project_file))
    entries = _json(capsys, "check", "--json", str(project_file))
    assert set(report) == {"forms", "totals", "units"} and len(report["forms"]) == 64
    assert all(set(f) == {"form", "form_type", "project_code", "project_name", "unit", "status", *KINDS}
               for f in report["forms"])
    _assert_counts_agree(report, entries)
    t = report["totals"]
    assert t["errors"] > 0 and t["warnings"] > 0 and t["hints"] > 0 and t["explained"] == 0
    statuses = Counter(f["status"] for f in report["forms"])
    assert statuses["errors"] == 1 and statuses["ready"] + statuses["warnings"] == 63
    # one unit written `（本级）` and `(本级)` in different forms is one line
    assert len({u["unit"] for u in report["units"]}) == len(report["units"]) == 4


def test_explained_warnings_make_a_form_ready(project_file, capsys):
    report = _json(capsys, "report", "--json", str(project_file))
    (first,) = [f for f in report["forms"] if f["form"] == 0]
    assert first["status"] == "warnings" and first["warnings"] == 1
    assert main(["explain", str(project_file), "--form", "0", "--rule", "money.unit_trap", "--text", "已核对"]) == 0
    capsys.readouterr()
    report = _json(capsys, "report", "--json", str(project_file))
    (first,) = [f for f in report["forms"] if f["form"] == 0]
    assert first["status"] == "ready" and first["warnings"] == 0 and first["explained"] == 1 and first["hints"] == 2
    _assert_counts_agree(report, _json(capsys, "check", "--json", str(project_file)))


def test_status_texts():
    c = checklist(load_project(SAMPLE))
    texts = {s.status_text for s in c.forms}
    assert "可上报" in texts and "1 个未说明的警告" in texts
    assert any(t.startswith("4 个错误") for t in texts)  # 政务事项管理: two missing 二级指标, two S4 sums


def test_printed_checklist_lists_every_open_finding():
    project = load_project(SAMPLE)
    c = checklist(project)
    pf = checklist_printed(c)
    texts = [cell.text for s in pf.sections for row in s.rows for cell in row.cells]
    open_findings = [f for s in c.forms for f in s.open]
    for f in open_findings:
        assert f.problem.message in texts
    assert "上报前检查清单" == pf.title and "一、汇总" in texts and "四、审核说明" in texts and "没有说明。" in texts
    from fcast_desktop.exchange.pdf_export import pdf_metrics

    pages = compose_pages(pf, pdf_metrics())
    assert len(pages) > 5 and pages[-1].footer == f"第 {len(pages)} 页 共 {len(pages)} 页"


def test_report_pdf_and_xlsx(project_file, tmp_path, capsys):
    from openpyxl import load_workbook

    pdf, xlsx = tmp_path / "清单.pdf", tmp_path / "清单.xlsx"
    assert main(["report", str(project_file), "--pdf", str(pdf)]) == 0
    assert "已导出上报前检查清单" in capsys.readouterr().err and pdf.read_bytes().startswith(b"%PDF")
    assert main(["report", str(project_file), "--xlsx", str(xlsx)]) == 0
    capsys.readouterr()
    wb = load_workbook(xlsx)
    (ws,) = wb.worksheets
    assert ws.title == "上报前检查清单" and ws["A1"].value == "上报前检查清单"
    assert ws.oddFooter.center.text.startswith("第 &P 页 共 ") and ws.oddFooter.center.font == "宋体,常规"
    values = [v for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert "一、汇总" in values and "合计" in values and "可上报" in values
    assert ws["A4"].font.name == "宋体"
    pages = int(ws.oddFooter.center.text.split("共 ")[1].split(" ")[0])
    assert pages == len(ws.row_breaks.brk) + 1 > 1
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        first = text.split("\f")[0]
        assert "上报前检查清单" in first and "第 1 页 共" in first and "可上报" in first


@pytest.mark.parametrize("option", ["--pdf", "--xlsx"])
def test_report_never_writes_over_a_project(project_file, tmp_path, capsys, option):
    other = tmp_path / "other.fcast"
    shutil.copy(project_file, other)
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    for target in (project_file, other):
        assert main(["report", str(project_file), option, str(target)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "未写入" in err
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before
