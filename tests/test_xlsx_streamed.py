"""The Excel export writes each form's sheet as text straight from its plan (``xlsx_writer.form_sheet_xml``), not
through openpyxl's cell objects — and what it writes is what openpyxl writes for the same sheet.

- every sheet part is byte for byte the part openpyxl's own ``WorksheetWriter`` writes for the worksheet the
  reference writer (``write_plan``) makes: the sample project (portrait and landscape forms, with and without
  page breaks, the department form with its subtitle), the seed forms, and forms with text that needs escaping;
- the exported file, read back with openpyxl, equals :func:`build_workbook` (the ordinary openpyxl workbook) in
  every cell's value, number format, font, fill, border and alignment, in merges, column widths, row heights,
  print setup, print titles, page breaks, footers and sheet names;
- no openpyxl cell object is made per cell of a form (the work that made 1,000 forms take 10 s);
- what openpyxl would write otherwise (text Excel reads as an error code) goes through openpyxl, unchanged.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.xml.functions import tostring

from fcast_desktop.exchange import xlsx_export
from fcast_desktop.exchange.xlsx_export import build_workbook, export_xlsx
from fcast_desktop.exchange.xlsx_package import new_sheet
from fcast_desktop.exchange.xlsx_writer import Styles, form_sheet_xml, plan_form_sheet, write_plan
from fcast_desktop.model import Declaration, EvaluationIndicator, Level2, SelfEvaluation
from fcast_desktop.rules import form_stars
from fcast_desktop.rules.report import computed_values

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "samples" / "sample.fcast"


@pytest.fixture(scope="module")
def sample_project():
    from fcast_desktop.store.project_file import load_project

    return load_project(SAMPLE)


def odd_forms() -> list:
    """Text that must be escaped, kept with its spaces, or is not what it looks like."""
    return [
        Declaration(project_name=" 水&电<费> ", project_code="440304221061500000999",
                    policy_basis="  前后有空格的政策依据 ", calculation_basis="=1+2 不是公式\n第二行 & <第三段>"),
        SelfEvaluation(project_name="引号\"与'撇号'", indicators=[
            EvaluationIndicator(level2=Level2.QUANTITY, name="数量", target="≥10", actual=" 12 ")]),
    ]


def both_ways(project, forms):
    """(form, the sheet part as text from the plan, the part openpyxl writes for the reference worksheet) per
    form; two workbooks that each see the forms in the same order, so their style lists grow alike."""
    streamed = xlsx_export._new_workbook(project, write_only=True)
    reference = xlsx_export._new_workbook(project, write_only=False)
    s1, s2 = Styles(), Styles()
    for form in forms:
        computed, stars = computed_values(form, project), form_stars(form, project)
        ours = form_sheet_xml(streamed, plan_form_sheet(form, computed, stars), s1)
        ws = new_sheet(reference, "表")
        write_plan(ws, plan_form_sheet(form, computed, stars), s2)
        writer = WorksheetWriter(ws, out=io.BytesIO())
        writer.write()
        yield form, ours, writer.read()


def test_the_sample_projects_sheets_are_written_as_openpyxl_writes_them(sample_project):
    kinds = set()
    for form, ours, theirs in both_ways(sample_project, sample_project.forms):
        assert ours == theirs, form.project_name
        kinds.add((form.kind, b"<rowBreaks" in theirs))
    # the sample has every kind of sheet: portrait and landscape, one page and several
    assert {("declaration", False), ("declaration", True), ("self_evaluation", False),
            ("self_evaluation", True), ("department_overall", True)} <= kinds


def test_the_seed_forms_and_odd_text_are_written_as_openpyxl_writes_them(seed_project):
    forms = [*seed_project.forms, *odd_forms()]
    for form, ours, theirs in both_ways(seed_project, forms):
        assert ours == theirs, form.project_name


# ---- the file as a whole, read back ------------------------------------------------------------------


def sheet_facts(ws) -> dict:
    cells = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is None and not c.has_style:
                continue
            cells[c.coordinate] = (type(c).__name__, c.value, c.data_type, c.number_format, repr(c.font),
                                   repr(c.fill), repr(c.border), repr(c.alignment), repr(c.protection))
    return {
        "cells": cells,
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "cols": {k: (d.width, d.customWidth, d.min, d.max) for k, d in ws.column_dimensions.items()},
        "rows": {k: (d.height, d.customHeight) for k, d in ws.row_dimensions.items()},
        "print": (repr(ws.print_options), repr(ws.page_setup), repr(ws.page_margins), repr(ws.sheet_properties),
                  tostring(ws.HeaderFooter.to_tree()), ws.print_title_rows, ws.print_title_cols, ws.print_area),
        "breaks": [(b.id, b.min, b.max, b.man) for b in ws.row_breaks.brk],
        "view": (repr(ws.sheet_view), repr(ws.sheet_format), ws.sheet_state, ws.dimensions),
    }


def assert_same_workbooks(a, b) -> None:
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        fa, fb = sheet_facts(a[name]), sheet_facts(b[name])
        for key in fa:
            assert fa[key] == fb[key], (name, key)
    assert (a.properties.creator, a.properties.title, a.active.title) == (b.properties.creator,
                                                                          b.properties.title, b.active.title)


def test_the_exported_file_reads_back_as_the_openpyxl_workbook(sample_project, tmp_path):
    forms = [*sample_project.forms[:20], *odd_forms()]
    export_xlsx(sample_project, forms, tmp_path / "streamed.xlsx")
    build_workbook(sample_project, forms).save(tmp_path / "reference.xlsx")
    assert_same_workbooks(openpyxl.load_workbook(tmp_path / "streamed.xlsx"),
                          openpyxl.load_workbook(tmp_path / "reference.xlsx"))


# ---- no cell objects ---------------------------------------------------------------------------------


def test_no_cell_object_is_made_per_cell_of_a_form(sample_project, tmp_path, monkeypatch):
    """Making ~90 openpyxl cells (and their styles, merges and dimensions) per form was most of the export's time;
    the cells of the hidden round-trip sheet (a few per form) are all that is left."""
    from openpyxl.cell import cell as cell_module

    made = []
    real = cell_module.Cell.__init__

    def counted(self, *args, **kwargs):
        made.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(cell_module.Cell, "__init__", counted)
    forms = sample_project.forms[:10]
    export_xlsx(sample_project, forms, tmp_path / "out.xlsx")
    # the round-trip sheet: a row per form of sheet name, index, count and the document's pieces (was ~90 per form)
    assert len(made) <= 10 * (len(forms) + 1), len(made)
    monkeypatch.setattr(cell_module.Cell, "__init__", real)
    assert [f.model_dump() for f in xlsx_export_import(tmp_path / "out.xlsx")] == [f.model_dump() for f in forms]


def xlsx_export_import(path):
    from fcast_desktop.exchange.xlsx_import import import_xlsx

    return import_xlsx(path).forms


# ---- what openpyxl writes otherwise --------------------------------------------------------------------


def test_text_excel_reads_as_an_error_code_goes_through_openpyxl(tmp_path):
    from fcast_desktop.model import Project

    form = Declaration(project_name="#N/A", project_code="440304221061500000998")
    project = Project(unit="单位", year=2024, forms=[form])
    plan = plan_form_sheet(form, computed_values(form, project), form_stars(form, project))
    assert form_sheet_xml(xlsx_export._new_workbook(project, write_only=True), plan, Styles()) is None
    export_xlsx(project, [form], tmp_path / "streamed.xlsx")
    build_workbook(project, [form]).save(tmp_path / "reference.xlsx")
    assert_same_workbooks(openpyxl.load_workbook(tmp_path / "streamed.xlsx"),
                          openpyxl.load_workbook(tmp_path / "reference.xlsx"))


# ---- measures kept for labels only ---------------------------------------------------------------------------


def test_long_texts_are_measured_without_being_kept():
    """Labels repeat from form to form and their measures are kept; a long 测算依据 is not (10,000 of them would
    fill the memory), and kept or not, the measure is the same."""
    from fcast_desktop.exchange import xlsx_print

    long_text = "测算依据，" * 2560  # 12,800 characters
    before = xlsx_print._text_lines.cache_info().currsize
    assert xlsx_print.text_lines(long_text, 40.0) == xlsx_print._text_lines.__wrapped__(long_text, 40.0) > 100
    assert xlsx_print._text_lines.cache_info().currsize == before
    label = "只在此测试中出现的标签（万元）"
    assert xlsx_print.text_lines(label, 3.25) == xlsx_print._text_lines.__wrapped__(label, 3.25) > 1
    assert xlsx_print._text_lines.cache_info().currsize == before + 1
