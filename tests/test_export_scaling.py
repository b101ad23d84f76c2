"""Export stays linear in the number of forms, without timing anything: the steps that used to be quadratic or
per-text are counted (calls, or Python lines executed — a count of work, not of seconds) at two sizes.

- the font file is looked up once per export, not once per printed text;
- sheet names for thousands of same-named forms are unique and valid, found with work proportional to the forms;
- openpyxl's own duplicate-title scan (all sheet names, for each new sheet) is not used;
- the hidden ``_fcast`` sheet is written in work proportional to its rows;
- the PDF export keeps one form's printed layout at a time, not the whole project's.
"""

from __future__ import annotations

import sys
import weakref

import openpyxl
import pytest

from fcast_desktop.exchange import fonts, pdf_export, xlsx_export
from fcast_desktop.exchange.xlsx_export import META_SHEET, export_xlsx, sheet_names
from fcast_desktop.model import Declaration, DepartmentOverall, SelfEvaluation

BAD_NAME_CHARS = set("[]:*?/\\")


def lines_executed(fn, *args, only: str | None = None) -> int:
    """How many Python lines ``fn(*args)`` executes (in files whose path contains ``only``, if given): a measure of
    work that does not depend on the machine's speed."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):
        if only is not None and only not in frame.f_code.co_filename:
            return None
        return local

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        fn(*args)
    finally:
        sys.settrace(previous)
    return count


# ---- fonts --------------------------------------------------------------------------------------------


def test_the_font_file_is_looked_up_once_per_export_not_once_per_text(seed_project, monkeypatch):
    forms = seed_project.forms[:6]
    texts = sum(1 for pf in pdf_export.printed_forms(seed_project, forms) for _ in pdf_export._printed_texts(pf))
    looked_up = []
    real = fonts.font_path
    monkeypatch.setattr(fonts, "font_path", lambda: looked_up.append(1) or real())
    assert pdf_export.render_pdf(seed_project, forms).startswith(b"%PDF")
    assert texts > 300
    # at most once for the character check and once to register the font with reportlab (first use in a process)
    assert len(looked_up) <= 2, f"font file looked up {len(looked_up)} times for {texts} texts"


# ---- sheet names --------------------------------------------------------------------------------------


def same_named_forms(n: int, name: str = "基层党建") -> list:
    return [Declaration(project_name=name) for _ in range(n)]


def assert_valid_unique(names: list[str]) -> None:
    assert len({n.casefold() for n in names} | {"history", META_SHEET.casefold()}) == len(names) + 2
    for n in names:
        assert 1 <= len(n) <= 31, n
        assert not set(n) & BAD_NAME_CHARS, n
        assert not n.startswith("'") and not n.endswith("'"), n


def test_two_thousand_forms_of_one_name_get_unique_valid_sheet_names():
    forms = same_named_forms(2000) + [SelfEvaluation(project_name="基层党建") for _ in range(3)]
    long_name = "深圳市福田区[政务服务]数据管理局:*?/\\" + "信息化运维项目" * 5
    forms += same_named_forms(1200, long_name) + [DepartmentOverall(department_name="") for _ in range(3)]
    names = sheet_names(forms)
    assert_valid_unique(names)
    assert names[:3] == ["基层党建", "基层党建(2)", "基层党建(3)"]
    assert names[1999] == "基层党建(2000)"
    assert names[2000:2003] == ["基层党建-绩效自评表", "基层党建-绩效自评表(2)", "基层党建-绩效自评表(3)"]
    long_names = names[2003:3203]
    assert long_names[0] == "深圳市福田区_政务服务_数据管理局_____信息化运维项目信息化"[:31]
    assert long_names[-1].endswith("(1200)") and len(long_names[-1]) == 31
    assert names[-3:] == ["部门整体支出", "部门整体支出(2)", "部门整体支出(3)"]


def test_sheet_naming_work_grows_linearly_with_same_named_forms():
    small = lines_executed(sheet_names, same_named_forms(400))
    large = lines_executed(sheet_names, same_named_forms(1600))
    assert large < 4 * small * 1.3, f"400 forms: {small} lines, 1,600 forms: {large} lines (quadratic: ~16×)"


def test_the_workbook_does_not_scan_all_sheet_names_for_each_new_sheet(seed_project, monkeypatch, tmp_path):
    """openpyxl checks a new sheet's title against every existing one (quadratic in sheets); the names from
    :func:`sheet_names` are unique already, and the workbook carries exactly them."""
    import openpyxl.workbook.child as child

    scans = []
    real = child.avoid_duplicate_name
    monkeypatch.setattr(child, "avoid_duplicate_name", lambda names, value: scans.append(value) or real(names, value))
    forms = [*seed_project.forms[:12]] + [seed_project.forms[0]] * 3
    out = tmp_path / "n.xlsx"
    export_xlsx(seed_project, forms, out)
    assert scans == []
    assert openpyxl.load_workbook(out).sheetnames == [*sheet_names(forms), META_SHEET]


# ---- the hidden round-trip sheet ----------------------------------------------------------------------


def metas(n: int) -> list[dict]:
    return [{"kind": "declaration", "base": {"project_name": f"项目{i}"}, "cells": [["A3", "project_name", "str"]],
             "keep": {}, "anchors": [["A1", "标题"]], "rows": 40, "sheet": f"项目{i}", "index": i} for i in range(n)]


def test_the_round_trip_sheet_is_written_in_linear_work():
    def write(n: int) -> int:
        from openpyxl import Workbook

        return lines_executed(xlsx_export._write_meta_sheet, Workbook(), metas(n))

    small, large = write(300), write(1200)
    assert large < 4 * small * 1.3, f"300 rows: {small} lines, 1,200 rows: {large} lines (quadratic: ~16×)"


# ---- memory per form ----------------------------------------------------------------------------------


def test_the_pdf_export_holds_one_printed_form_at_a_time(seed_project, monkeypatch):
    made: list[weakref.ref] = []
    most = []
    real = pdf_export.build_printed

    def tracked(*args, **kwargs):
        pf = real(*args, **kwargs)
        made.append(weakref.ref(pf))
        most.append(sum(1 for ref in made if ref() is not None))
        return pf

    monkeypatch.setattr(pdf_export, "build_printed", tracked)
    forms = seed_project.forms[:8]
    assert pdf_export.render_pdf(seed_project, forms).startswith(b"%PDF")
    assert len(most) >= len(forms) and max(most) <= 2, most


# ---- the sheets as openpyxl writes them ---------------------------------------------------------------


def test_the_sheets_are_written_byte_for_byte_as_openpyxl_writes_them(seed_project):
    """The rows and merges of each sheet are written as text (openpyxl's writer makes an element per cell, most
    of an export's time): the part is the one openpyxl's own ``WorksheetWriter`` writes, escapes included."""
    import io

    from openpyxl.worksheet._writer import WorksheetWriter

    odd = Declaration(project_name=" 水&电<费> ", project_code="440304221061500000999",
                      policy_basis="  前后有空格的政策依据 ", calculation_basis="=1+2 不是公式\n第二行 & <第三段>")
    forms = [*seed_project.forms, odd]
    # (two workbooks: writing a sheet once changes what openpyxl writes the second time)
    ours = xlsx_export.build_workbook(seed_project, forms).worksheets[:-1]
    theirs = xlsx_export.build_workbook(seed_project, forms).worksheets[:-1]
    for a, b in zip(ours, theirs, strict=True):
        writer = WorksheetWriter(b, out=io.BytesIO())
        writer.write()
        assert xlsx_export.sheet_xml(a) == writer.read(), a.title


def test_exports_leave_no_temporary_files(seed_project, tmp_path):
    from openpyxl.worksheet import _writer

    before = list(_writer.ALL_TEMP_FILES)
    export_xlsx(seed_project, seed_project.forms[:5], tmp_path / "a.xlsx")
    seen = []
    with pytest.raises(xlsx_export.ExportCancelled):
        export_xlsx(seed_project, seed_project.forms[:5], tmp_path / "b.xlsx", progress=lambda d, t: seen.append(d),
                    is_cancelled=lambda: len(seen) >= 3)
    assert _writer.ALL_TEMP_FILES == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]
    assert openpyxl.load_workbook(tmp_path / "a.xlsx").sheetnames == [*sheet_names(seed_project.forms[:5]), META_SHEET]
