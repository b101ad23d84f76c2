"""Excel export (layout, print setup, number formats) and the round trip of our own xlsx back into forms."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import types
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from fcast_desktop.exchange import xlsx_import
from fcast_desktop.exchange.report import ImportFailed
from fcast_desktop.exchange.xlsx_export import (
    FORMAT_MARKER,
    LABEL_SHRINK,
    LINE_PT,
    META_SHEET,
    ONE_PAGE_SCALE,
    PAGE_HEIGHT_PT,
    ExportCancelled,
    build_workbook,
    export_xlsx,
    print_scale,
    sheet_names,
    text_lines,
    text_width_px,
)
from fcast_desktop.exchange.xlsx_import import import_xlsx
from fcast_desktop.layouts.forms import layout_for, level1_label, level2_label
from fcast_desktop.layouts.printed import (
    MONEY_FORMAT_GROUPED,
    MONEY_FORMAT_PLAIN,
    NO_LINE_END,
    NO_LINE_START,
    PCell,
    build_printed,
    sheet_grid,
)
from fcast_desktop.model import (
    LEVEL2_INFO,
    Declaration,
    DepartmentOverall,
    FundLine,
    Project,
    SelfEvaluation,
    form_title,
)
from fcast_desktop.rules import form_stars

BAD_NAME_CHARS = set("[]:*?/\\")


# ---- helpers ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_xlsx(tmp_path_factory, seed_project):
    out = tmp_path_factory.mktemp("xlsx") / "seeds.xlsx"
    export_xlsx(seed_project, seed_project.forms, out)
    return out


@pytest.fixture(scope="module")
def seed_book(seed_xlsx):
    return openpyxl.load_workbook(seed_xlsx)


def meta_docs(wb) -> list[dict]:
    rows = list(wb[META_SHEET].iter_rows(values_only=True))
    return [json.loads("".join(r[3 : 3 + r[2]])) for r in rows[1:]]


def cell_of(doc: dict, path: str) -> str:
    return next(ref for ref, p, _t in doc["cells"] if p == path)


def header_row(ws) -> int:
    return next(r[0].row for r in ws.iter_rows() if any(c.value == "三级指标" for c in r))


def top_left(ws, row: int, col: int):
    """The cell holding the value shown at (row, col): itself, or the top-left cell of its merge."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return ws.cell(rng.min_row, rng.min_col), rng
    return ws.cell(row, col), None


def shown(value):
    """A label as printed, without the line breaks the export puts in where it does not fit its cell."""
    return value.replace("\n", "") if isinstance(value, str) else value


def dumps(forms) -> list[dict]:
    return [f.model_dump(mode="json") for f in forms]


def sheet_column(form, key: str) -> int:
    """The sheet column (1-based) of the indicator column ``key`` (the sections share one grid of columns)."""
    pf = build_printed(form)
    s = next(i for i, section in enumerate(pf.sections) if section.kind == "indicators")
    return sheet_grid(pf).place(s, PCell("", pf.layout.column_index(key)))[0] + 1


def column_widths(ws) -> list[float]:
    return [ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in range(1, ws.max_column + 1)]


def runs(values: list) -> list[tuple[int, int]]:
    """(start, end) of each run of equal consecutive values."""
    out, start = [], 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            out.append((start, i))
            start = i
    return out


# ---- the exported workbook ------------------------------------------------------------------------


def test_one_sheet_per_form_named_after_the_project(seed_book, seed_project):
    names = seed_book.sheetnames
    assert names[-1] == META_SHEET and seed_book[META_SHEET].sheet_state == "hidden"
    assert len(names) == len(seed_project.forms) + 1 == 45
    assert len({n.casefold() for n in names}) == len(names)
    for name, form in zip(names, seed_project.forms, strict=False):
        assert 1 <= len(name) <= 31 and not (set(name) & BAD_NAME_CHARS)
        assert name.startswith(form_title(form)[:20].replace("/", "_"))
    assert all(ws.sheet_state == "visible" for ws in seed_book.worksheets[:-1])


def test_sheet_names_are_valid_and_unique():
    forms = [
        Declaration(project_name="a/b:c*d?e[f]g\\h" + "长" * 40),
        Declaration(project_name="a/b:c*d?e[f]g\\h" + "长" * 40),
        SelfEvaluation(project_name="a/b:c*d?e[f]g\\h" + "长" * 40),
        Declaration(project_name="History"),
        Declaration(project_name="_FCAST"),
        Declaration(project_name="'引号'"),
        Declaration(project_name="水电费"),
        Declaration(project_name="水电费"),
        SelfEvaluation(project_name="水电费"),
        DepartmentOverall(department_name=""),
        Declaration(project_name=""),
    ]
    names = sheet_names(forms)
    assert len({n.casefold() for n in names} | {"history", "_fcast"}) == len(names) + 2
    for n in names:
        assert 1 <= len(n) <= 31 and not (set(n) & BAD_NAME_CHARS) and not n.startswith("'") and not n.endswith("'")
    assert names[6:9] == ["水电费", "水电费(2)", "水电费-绩效自评表"]
    assert names[9] == "部门整体支出"


def test_title_print_setup_and_fonts(seed_book, seed_project):
    for ws, form in zip(seed_book.worksheets, seed_project.forms, strict=False):
        layout = layout_for(form)
        ncols = len(sheet_grid(build_printed(form)).widths)  # the sections' columns on one grid
        assert ncols >= len(layout.columns)
        last = openpyxl.utils.get_column_letter(ncols)
        assert ws["A1"].value == layout.title
        assert f"A1:{last}1" in {str(r) for r in ws.merged_cells.ranges}
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
        assert ws.page_setup.orientation == ("landscape" if layout.landscape else "portrait")
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == (0 if ws.row_breaks.brk else 1)  # 1: shrunk to fit one page
        hr = header_row(ws)
        assert ws.print_title_rows == f"${hr}:${hr}"
        assert ws.oddFooter.center.text == f"第 &P 页 共 {len(ws.row_breaks.brk) + 1} 页"  # see test_footer_…
        assert ws["A1"].font.name == "宋体" and ws["A2"].font.name == "宋体"
        assert len(column_widths(ws)) == ncols and all(w > 3 for w in column_widths(ws))


def test_group_cells_are_merged_and_labelled(seed_book, seed_project):
    """Each indicator row shows its 一级/二级 label through a merged (or single) cell; a merge never mixes groups."""
    merged_groups = 0
    for ws, form in zip(seed_book.worksheets, seed_project.forms, strict=False):
        layout = layout_for(form)
        stars = form_stars(form, seed_project)
        l1, l2 = sheet_column(form, "level1"), sheet_column(form, "level2")
        first = header_row(ws) + 1
        for n, row in enumerate(form.indicators):
            info = LEVEL2_INFO[row.level2]
            cell, rng = top_left(ws, first + n, l1)
            assert shown(cell.value) == level1_label(layout, info.level1), (ws.title, n)
            cell, rng2 = top_left(ws, first + n, l2)
            assert shown(cell.value) == level2_label(layout, row.level2, stars), (ws.title, n)
            if rng2 is not None:
                merged_groups += 1
                covered = form.indicators[rng2.min_row - first : rng2.max_row - first + 1]
                assert {r.level2 for r in covered} == {row.level2}
        # the name column is never merged over rows
        rng = top_left(ws, first, sheet_column(form, "name"))[1]
        assert rng is None or rng.min_row == rng.max_row
    assert merged_groups > 50


def test_stars_follow_the_district_of_each_form(seed_book, seed_project):
    """福田 forms print *数量; 宝安 forms (项目编码 440306…, seed 002) print none, in a 福田 project too."""
    assert seed_project.profile == "shenzhen-futian"
    seen = set()
    for ws, form in zip(seed_book.worksheets, seed_project.forms, strict=False):
        if form.kind != "declaration":
            continue
        col = sheet_column(form, "level2")
        labels = [ws.cell(r, col).value for r in range(header_row(ws) + 1, ws.max_row + 1)]
        starred = any(isinstance(v, str) and v.startswith("*") for v in labels)
        assert starred == form.project_code.startswith("440304"), ws.title
        seen.add(starred)
    assert seen == {True, False}


def test_merged_groups_stay_whole_and_no_label_is_repeated(seed_book, seed_project):
    """On screen a group is one merged cell over all its rows, whatever the page breaks; every label is in one
    cell only (the 年度绩效指标 caption once per sheet, each 一级/二级 name once per group)."""
    split = 0
    for ws, form in zip(seed_book.worksheets, seed_project.forms, strict=False):
        first = header_row(ws) + 1
        rows = form.indicators
        for key, values in (("level1", [LEVEL2_INFO[r.level2].level1 for r in rows]),
                            ("level2", [r.level2 for r in rows])):
            col = sheet_column(form, key)
            for a, b in runs(values):
                cell, rng = top_left(ws, first + a, col)
                assert cell.row == first + a and cell.value, (ws.title, key, a)
                if b - a > 1:
                    assert rng is not None and (rng.min_row, rng.max_row) == (first + a, first + b - 1), (ws.title, key)
                breaks = {br.id for br in ws.row_breaks.brk}
                split += any(first + a <= br < first + b - 1 for br in breaks)
        texts = [shown(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        if form.kind != "declaration":
            assert texts.count("年度绩效指标") == 1, ws.title
            cell, rng = top_left(ws, first, 1)
            assert shown(cell.value) == "年度绩效指标" and rng.max_row == first + len(rows) - 1
        level1 = [LEVEL2_INFO[r.level2].level1 for r in rows]
        for value in set(level1):
            label = level1_label(layout_for(form), value)
            assert texts.count(label) == sum(1 for a, _b in runs(level1) if level1[a] == value), (ws.title, label)
    assert split >= 1  # some page break does run through a 一级 group (its cell stays merged)


def test_page_breaks_fall_between_groups(seed_book, seed_project):
    """No 二级 group of the seeds is taller than a page: a page break never cuts one, and no page is left with a
    single indicator row."""
    inside = 0
    for ws, form in zip(seed_book.worksheets, seed_project.forms, strict=False):
        first = header_row(ws) + 1
        rows = form.indicators
        breaks = [b.id for b in ws.row_breaks.brk]
        for b in breaks:
            i = b - first  # the last indicator row before the break
            if 0 <= i < len(rows) - 1:
                inside += 1
                assert rows[i].level2 != rows[i + 1].level2, (ws.title, b)
        pages = [first - 1, *breaks, ws.max_row]
        for a, z in itertools.pairwise(pages):
            on_page = [r for r in range(a + 1, z + 1) if first <= r < first + len(rows)]
            assert len(on_page) != 1, (ws.title, a, z)
    assert inside >= 3


def test_forms_that_fit_a_page_get_no_page_break(seed_book, seed_project):
    """A 宝安 declaration of 714 pt of rows fits the 748 pt of an A4 page: no break leaves 其他满意度 alone on a
    second page. A form up to 10 % taller (most 10-row self-evaluations) is printed on one page, a little smaller."""
    one_page = 0
    for ws, form in zip(seed_book.worksheets, seed_project.forms, strict=False):
        landscape = ws.page_setup.orientation == "landscape"
        height = sum(ws.row_dimensions[r].height for r in range(1, ws.max_row + 1))
        page = PAGE_HEIGHT_PT[landscape] / print_scale(column_widths(ws), landscape)
        breaks = ws.row_breaks.brk
        if height <= page:
            assert not breaks and ws.page_setup.fitToHeight == 1, ws.title
        elif height * ONE_PAGE_SCALE <= page * 0.99:
            assert not breaks and ws.page_setup.fitToHeight == 1, ws.title  # shrunk to one page
        elif height * ONE_PAGE_SCALE > page:
            assert breaks and ws.page_setup.fitToHeight == 0, ws.title
        one_page += not breaks
        baoan = form.kind == "declaration" and form.project_code.startswith("440306")
        short = form.kind == "self_evaluation" and len(form.indicators) <= 11
        if short or (baoan and height <= 720):
            assert not breaks, ws.title
    assert one_page >= 30


def test_self_evaluation_caption_column(seed_book, seed_project):
    for ws, form in zip(seed_book.worksheets, seed_project.forms, strict=False):
        if form.kind == "declaration":
            continue
        hr = header_row(ws)
        cell, rng = top_left(ws, hr, 1)
        assert shown(cell.value) == "年度绩效指标" and rng is not None and rng.min_row == hr


def test_merged_cells_have_borders_everywhere(seed_book, seed_xlsx):
    """Every cell of a merge carries the thin border in the file (openpyxl re-derives edges on load, so the
    file is read in read-only mode, which keeps each cell's own style)."""
    ranges = [r for r in seed_book.worksheets[0].merged_cells.ranges if r.min_row > 1]  # the title has no border
    raw = openpyxl.load_workbook(seed_xlsx, read_only=True).worksheets[0]
    cells = {(c.row, c.column): c for row in raw.iter_rows() for c in row if hasattr(c, "row")}
    checked = 0
    for rng in ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for col in range(rng.min_col, rng.max_col + 1):
                b = cells[(r, col)].border
                assert b.left.style == b.right.style == b.top.style == b.bottom.style == "thin", (r, col)
                checked += 1
    assert checked > 20


def test_amounts_and_scores_are_numbers_with_the_form_format(seed_book, seed_project):
    docs = meta_docs(seed_book)
    kinds = set()
    for ws, form, doc in zip(seed_book.worksheets, seed_project.forms, docs, strict=False):
        if form.kind == "declaration" and form.total_amount is not None:
            c = ws[cell_of(doc, "total_amount")]
            assert isinstance(c.value, (int, float)) and c.number_format == MONEY_FORMAT_GROUPED
            shown = form.total_amount / (10000 if form.amount_unit == "万元" else 1)
            assert Decimal(repr(float(c.value))) == shown.quantize(Decimal("0.01"))
            kinds.add(form.amount_unit)
        if form.kind == "self_evaluation":
            c = ws[cell_of(doc, "funds.total.executed")]
            assert Decimal(repr(float(c.value))) == form.funds.total.executed
            assert c.number_format == MONEY_FORMAT_PLAIN
            c = ws[cell_of(doc, "indicators.0.weight")]
            assert isinstance(c.value, (int, float)) and c.number_format == "General"  # not 0.##: Excel prints "10."
            kinds.add("score")
        if form.kind == "department_overall":
            c = ws[cell_of(doc, "tasks.0.total")]
            assert Decimal(c.value) == form.tasks[0].total and c.number_format == MONEY_FORMAT_PLAIN
            kinds.add("task")
    assert kinds == {"万元", "元", "score", "task"}
    # the code is text (21 digits would lose precision as a number)
    assert isinstance(seed_book.worksheets[0]["C2"].value, str)


def test_department_sum_row_is_a_value(seed_book, seed_project):
    ws = seed_book.worksheets[-2]
    form = seed_project.forms[-1]
    row = next(r for r in ws.iter_rows() if any(c.value == "金额合计：" for c in r))
    numbers = [c.value for c in row if isinstance(c.value, (int, float))]
    assert numbers[0] == pytest.approx(float(sum(t.total for t in form.tasks)))
    assert numbers[0] == 29141800


def test_no_formulas_anywhere(seed_book):
    for ws in seed_book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate)


def test_row_heights_fit_the_wrapped_text(seed_book, seed_project):
    for ws in seed_book.worksheets[:-1]:
        widths = dict(enumerate(column_widths(ws), 1))
        spans = {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges}
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if not isinstance(c.value, str) or c.alignment.wrap_text is not True:
                    continue
                rng = spans.get((c.row, c.column))
                if rng is not None and rng.max_row > rng.min_row:
                    continue
                ncols = rng.max_col - rng.min_col + 1 if rng else 1
                width = sum(widths[c.column + k] for k in range(ncols))
                height = ws.row_dimensions[c.row].height
                assert height is not None
                assert height >= min(409, text_lines(c.value, width) * LINE_PT), (ws.title, c.coordinate)
    # a long text really gets a tall row
    ws = seed_book.worksheets[1]
    label = next(c for r in ws.iter_rows() for c in r if c.value == "测算依据：")
    assert ws.row_dimensions[label.row].height > 5 * LINE_PT


def footer_pages(ws) -> int:
    m = re.fullmatch(r"第 &P 页 共 (\d+) 页", ws.oddFooter.center.text or "")
    assert m, (ws.title, ws.oddFooter.center.text)
    return int(m.group(1))


def test_footer_counts_the_pages_of_its_own_sheet(seed_book):
    """Each form is a document of its own: the footer says 共 M 页 with the sheet's own page count, written out
    (``&N`` counts every page of the workbook when it is printed or converted at once, "共 83 页"), and M is the
    number of pages the row breaks make — pages that do fit A4 at the fit-to-width scale, with the repeated
    column header, so that the spreadsheet program adds no break of its own."""
    multi = 0
    for ws in seed_book.worksheets[:-1]:
        breaks = sorted(b.id for b in ws.row_breaks.brk)
        assert footer_pages(ws) == len(breaks) + 1, ws.title
        if ws.page_setup.fitToHeight == 1:  # shrunk to one page
            assert not breaks, ws.title
            continue
        multi += bool(breaks)
        landscape = ws.page_setup.orientation == "landscape"
        page = PAGE_HEIGHT_PT[landscape] / print_scale(column_widths(ws), landscape)
        hr = header_row(ws)
        bounds = [0, *breaks, ws.max_row]
        for k, (a, z) in enumerate(itertools.pairwise(bounds)):
            used = sum(ws.row_dimensions[r].height for r in range(a + 1, z + 1))
            used += ws.row_dimensions[hr].height if k and hr <= a else 0.0
            assert used <= page, (ws.title, k)
    assert multi >= 3


def label_cells(wb):
    """(sheet, cell, text width in units) of every label the export wrote (the anchors but the title)."""
    for doc in meta_docs(wb):
        ws = wb[doc["sheet"]]
        widths = dict(enumerate(column_widths(ws), 1))
        spans = {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges}
        for ref, _text in doc["anchors"][1:]:
            c = ws[ref]
            rng = spans.get((c.row, c.column))
            ncols = rng.max_col - rng.min_col + 1 if rng else 1
            yield ws, c, sum(widths[c.column + k] for k in range(ncols))


def test_labels_break_only_where_the_rules_allow(seed_book):
    """A spreadsheet program breaks CJK text anywhere ("项目总金额（中期规划" / "，万元）："). A label too wide for
    its cell is written in lines that each fit the cell (so the program breaks none of them), broken by the PDF's
    rules (no line starts with ，、）：。 nor ends with （), or shrunk to one line when it is only a little too wide."""
    seen = {"项目总金额（中期规划，万元）：": 0}
    broken = shrunk = 0
    for ws, c, width in label_cells(seed_book):
        text = c.value
        assert isinstance(text, str) and text.strip(), (ws.title, c.coordinate)
        if shown(text) in seen:
            seen[shown(text)] += 1
        if c.alignment.shrink_to_fit:
            assert "\n" not in text and not c.alignment.wrap_text, (ws.title, c.coordinate)
            assert text_width_px(text) * LABEL_SHRINK <= width * 7 - 6, (ws.title, c.coordinate)
            shrunk += 1
            continue
        lines = text.split("\n")
        broken += len(lines) > 1
        for n, line in enumerate(lines):
            assert text_lines(line, width) == 1, (ws.title, c.coordinate, text)
            assert n == 0 or (line[:1] not in NO_LINE_START and lines[n - 1][-1:] not in NO_LINE_END), (
                ws.title, c.coordinate, text)
        assert shown(text) == text.replace("\n", "")
    assert all(seen.values()), seen
    assert broken >= 20 and shrunk >= 1


def test_total_amount_label_never_starts_a_line_with_the_comma(seed_project):
    """The declaration's 项目总金额 label, too wide for its cell, is broken by printed.break_lines: never before
    "，"."""
    form = next(f for f in seed_project.forms if f.kind == "declaration")
    wb = build_workbook(seed_project, [form])
    ws = wb.worksheets[0]
    cell = next(c for row in ws.iter_rows() for c in row if shown(c.value) == "项目总金额（中期规划，万元）：")
    lines = cell.value.split("\n")
    assert len(lines) >= 2 and not any(line.startswith("，") for line in lines)
    assert all(line[:1] not in NO_LINE_START for line in lines[1:])


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")), reason="needs LibreOffice and poppler")
def test_libreoffice_prints_each_form_with_its_own_page_numbers_and_keeps_the_label_lines(tmp_path, seed_xlsx,
                                                                                           seed_book):
    """The seed workbook converted by LibreOffice as a whole: page by page (pdftotext), every form counts 第 1 页
    共 M 页 … 第 M 页 共 M 页 with M as in its footer, and every line of every label is printed as written (not
    broken again, so never before ，万元）：). LibreOffice sees the bundled font through a private font folder and
    runs with a profile of its own."""
    root = Path(__file__).resolve().parents[1]
    fonts = tmp_path / "data" / "fonts"
    fonts.mkdir(parents=True)
    shutil.copy(root / "resources" / "fonts" / "FCastSansSC-Regular.ttf", fonts)
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    out = tmp_path / "pdf"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(seed_xlsx)],
                   check=True, capture_output=True, env=env, timeout=300)
    pdf = out / (seed_xlsx.stem + ".pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    footer = re.compile(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页")
    printed = [tuple(int(x) for x in footer.findall(page)[-1]) for page in pages]
    docs = meta_docs(seed_book)
    counts = [footer_pages(seed_book[doc["sheet"]]) for doc in docs]
    assert printed == [(p, m) for m in counts for p in range(1, m + 1)]
    assert any(m > 1 for m in counts)
    k = 0
    for doc, m in zip(docs, counts, strict=False):
        words = {w for page in pages[k:k + m] for w in page.split()}
        k += m
        for ref, label in doc["anchors"][1:]:
            for line in label.split("\n"):
                assert all(w in words for w in line.split()), (doc["sheet"], ref, label)
    assert not any(w.startswith("，万元") for page in pages for w in page.split())


def test_export_cli(tmp_path, seed_project_file):
    from fcast_desktop.cli import main

    out = tmp_path / "all.xlsx"
    assert main(["export", str(seed_project_file), "--xlsx", str(out)]) == 0
    again = tmp_path / "again.fcast"
    assert main(["import", str(out), "-o", str(again)]) == 0
    from fcast_desktop.store.project_file import load_project

    assert dumps(load_project(again).forms) == dumps(load_project(seed_project_file).forms)


# ---- progress, cancel, atomic write ---------------------------------------------------------------


def test_progress_and_cancel(tmp_path, seed_project):
    forms = seed_project.forms[:5]
    calls = []
    out = tmp_path / "p.xlsx"
    export_xlsx(seed_project, forms, out, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(i, 6) for i in range(1, 7)]
    before = out.read_bytes()

    seen = []
    with pytest.raises(ExportCancelled):
        export_xlsx(seed_project, forms, out, progress=lambda d, t: seen.append(d), is_cancelled=lambda: len(seen) >= 2)
    assert out.read_bytes() == before  # the previous file is untouched
    fresh = tmp_path / "new.xlsx"
    with pytest.raises(ExportCancelled):
        export_xlsx(seed_project, forms, fresh, is_cancelled=lambda: True)
    assert not fresh.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.xlsx"]  # no temporary file left behind


# ---- round trip -----------------------------------------------------------------------------------


def test_round_trip_of_the_44_seed_forms(seed_xlsx, seed_project):
    result = import_xlsx(seed_xlsx)
    assert result.notes == []
    assert len(result.forms) == 44
    for a, b in zip(seed_project.forms, result.forms, strict=False):
        assert b.model_dump() == a.model_dump()
    assert dumps(result.forms) == dumps(seed_project.forms)


def edge_forms(seed_project) -> list:
    d = next(f for f in seed_project.forms if f.kind == "declaration" and f.amount_unit == "万元").model_copy(deep=True)
    d.project_name = "a/b:c*d?e[f]g\\h 很长的项目名称超过三十一个字符的情况需要截断"
    d.variant = "overview"
    d.overview = "概况\r\n第二行\x07响铃"
    d.policy_basis = "未打印的政策依据"  # kept although the overview variant does not print it
    d.total_amount = Decimal("12345.67")  # 1.234567 万元: printed 1.23
    d.annual_amount = None
    d.raw["annual_amount"] = "约十万"
    d.duration_years = None
    d.raw["duration_years"] = "三年"
    d.year = None
    d.raw["year"] = "二〇二三"
    d.indicators[0].name = "=SUM(A1)"
    d.indicators[1].target = "  前后空格  "
    d.annual_goal = "第一段\n第二段"
    yuan = next(f for f in seed_project.forms
                if f.kind == "declaration" and f.amount_unit == "元").model_copy(deep=True)
    yuan.total_amount = Decimal("0.10")
    s = next(f for f in seed_project.forms if f.kind == "self_evaluation").model_copy(deep=True)
    s.funds.weight = Decimal("10.00")
    s.indicators[0].weight = None
    s.indicators[0].raw["weight"] = "十"
    s.indicators[1].score = None
    s.indicators[2].score = Decimal("7.5")
    s.funds.total.executed = Decimal("123456789012.34")
    s.year = None
    s.raw["year"] = "2022年度"
    s.funds.other = FundLine(initial_budget=Decimal("0.1"), raw={"executed": "未知"})
    s.declaration_id = "abc123"
    dep = next(f for f in seed_project.forms if f.kind == "department_overall").model_copy(deep=True)
    dep.tasks[0].total = None
    dep.tasks[0].raw["total"] = "待定"
    return [d, d.model_copy(deep=True), yuan, s, dep, Declaration(), SelfEvaluation(), DepartmentOverall()]


def test_round_trip_keeps_raw_text_variants_units_and_ids(tmp_path, seed_project):
    forms = edge_forms(seed_project)
    out = tmp_path / "edge.xlsx"
    export_xlsx(seed_project, forms, out)
    result = import_xlsx(out)
    assert result.notes == []
    assert dumps(result.forms) == dumps(forms)
    assert [f.id for f in result.forms] == [f.id for f in forms]


def test_a_value_corrected_in_excel_is_imported(tmp_path, seed_project):
    forms = edge_forms(seed_project)[:4]
    out = tmp_path / "edit.xlsx"
    export_xlsx(seed_project, forms, out)
    wb = openpyxl.load_workbook(out)
    docs = meta_docs(wb)
    decl, s = wb.worksheets[0], wb.worksheets[3]
    # visible edits, found by what the sheet shows
    target = next(c for r in decl.iter_rows() for c in r if c.value == forms[0].indicators[2].target)
    target.value = "≥12个"
    decl[cell_of(docs[0], "total_amount")].value = 2.5  # 万元
    decl[cell_of(docs[0], "annual_amount")].value = "3.5"
    decl[cell_of(docs[0], "duration_years")].value = 5
    s[cell_of(docs[3], "indicators.0.weight")].value = 12
    s[cell_of(docs[3], "indicators.1.score")].value = "九"
    s[cell_of(docs[3], "funds.total.executed")].value = "1,000.5"
    s[cell_of(docs[3], "project_name")].value = "改过的名称"
    wb.save(out)
    result = import_xlsx(out)
    d, s2 = result.forms[0], result.forms[3]
    assert d.indicators[2].target == "≥12个"
    assert d.total_amount == Decimal("25000.00") and "total_amount" not in d.raw
    assert d.annual_amount == Decimal("35000.00") and "annual_amount" not in d.raw
    assert d.duration_years == 5 and "duration_years" not in d.raw
    assert d.amount_unit == "万元" and d.variant == "overview" and d.id == forms[0].id
    assert s2.indicators[0].weight == Decimal(12) and s2.indicators[0].raw == {}
    assert s2.indicators[1].score is None and s2.indicators[1].raw == {"score": "九"}
    assert s2.funds.total.executed == Decimal("1000.50")
    assert s2.project_name == "改过的名称"
    # untouched forms and fields are unchanged
    assert dumps(result.forms[1:3]) == dumps(forms[1:3])
    assert d.indicators[3] == forms[0].indicators[3]


def test_computed_values_are_values_and_a_typed_score_wins(tmp_path, seed_project, monkeypatch):
    """With the rules engine present, 执行率/得分/总分 are written as numbers; a suggested 得分 overwritten in
    Excel comes back as the user's score, an untouched one stays a suggestion."""
    form = next(f for f in seed_project.forms if f.kind == "self_evaluation").model_copy(deep=True)
    form.indicators[0].score = None
    form.indicators[1].score = None
    fake = types.ModuleType("fcast_desktop.rules.report")
    fake.computed_values = lambda f, p: {
        "funds.execution_rate": "98.28", "funds.score": "9.83", "total": "99.83", "weight_total": "100",
        "rows.0.score": "9.5", "rows.1.score": "10",
    }
    monkeypatch.setitem(sys.modules, "fcast_desktop.rules.report", fake)
    out = tmp_path / "c.xlsx"
    export_xlsx(seed_project, [form], out)
    ws = openpyxl.load_workbook(out).worksheets[0]
    values = [c.value for r in ws.iter_rows() for c in r]
    assert 98.28 in values and 9.83 in values and 99.83 in values
    wb = openpyxl.load_workbook(out)
    doc = meta_docs(wb)[0]
    wb.worksheets[0][cell_of(doc, "indicators.1.score")].value = 8
    assert wb.worksheets[0][cell_of(doc, "indicators.0.score")].value == 9.5
    wb.save(out)
    back = import_xlsx(out).forms[0]
    assert back.indicators[0].score is None
    assert back.indicators[1].score == Decimal(8)
    assert back.funds == form.funds


def test_percentages_and_dates_typed_in_excel(tmp_path, seed_project):
    import datetime

    form = next(f for f in seed_project.forms if f.kind == "declaration").model_copy(deep=True)
    out = tmp_path / "t.xlsx"
    export_xlsx(seed_project, [form], out)
    wb = openpyxl.load_workbook(out)
    doc = meta_docs(wb)[0]
    ws = wb.worksheets[0]
    ws[cell_of(doc, "indicators.0.target")].value = 0.9
    ws[cell_of(doc, "indicators.0.target")].number_format = "0%"
    ws[cell_of(doc, "indicators.1.target")].value = datetime.datetime(2023, 12, 31)
    wb.save(out)
    result = import_xlsx(out)
    assert result.forms[0].indicators[0].target == "90%"
    assert result.forms[0].indicators[1].target == "2023年12月31日"
    assert any("日期" in n.message for n in result.notes)


def test_inserted_rows_are_noticed(tmp_path, seed_project):
    forms = seed_project.forms[:2]
    out = tmp_path / "ins.xlsx"
    export_xlsx(seed_project, forms, out)
    wb = openpyxl.load_workbook(out)
    wb.worksheets[0].insert_rows(5)
    wb.save(out)
    result = import_xlsx(out)
    assert [f.id for f in result.forms] == [forms[1].id]
    assert any(n.level == "error" and "结构" in n.message for n in result.notes)


def test_renamed_sheet_is_found_by_position(tmp_path, seed_project):
    forms = seed_project.forms[:2]
    out = tmp_path / "ren.xlsx"
    export_xlsx(seed_project, forms, out)
    wb = openpyxl.load_workbook(out)
    wb.worksheets[0].title = "改名"
    wb.save(out)
    assert dumps(import_xlsx(out).forms) == dumps(forms)


def test_empty_project_exports_and_imports(tmp_path):
    out = tmp_path / "empty.xlsx"
    export_xlsx(Project(), [], out)
    result = import_xlsx(out)
    assert result.forms == []


# ---- refusals -------------------------------------------------------------------------------------


def test_refuses_a_foreign_workbook(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "项目名称"
    path = tmp_path / "foreign.xlsx"
    wb.save(path)
    with pytest.raises(ImportFailed, match="不是本程序导出"):
        import_xlsx(path)


def test_refuses_a_missing_or_newer_marker(tmp_path, seed_project):
    out = tmp_path / "m.xlsx"
    export_xlsx(seed_project, seed_project.forms[:1], out)
    wb = openpyxl.load_workbook(out)
    wb[META_SHEET]["B1"] = 99
    wb.save(out)
    with pytest.raises(ImportFailed, match="较新版本"):
        import_xlsx(out)
    wb[META_SHEET]["A1"] = "something-else"
    wb.save(out)
    with pytest.raises(ImportFailed, match="不是本程序导出"):
        import_xlsx(out)
    del wb[META_SHEET]
    wb.save(out)
    with pytest.raises(ImportFailed, match="不是本程序导出"):
        import_xlsx(out)


def test_refuses_truncated_and_non_zip_files(tmp_path, seed_xlsx):
    data = seed_xlsx.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFailed, match="已损坏"):
        import_xlsx(cut)
    text = tmp_path / "text.xlsx"
    text.write_text("项目名称\t信息化运维项目\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="已损坏"):
        import_xlsx(text)
    with pytest.raises(ImportFailed, match="不存在"):
        import_xlsx(tmp_path / "missing.xlsx")


def test_refuses_a_damaged_member(tmp_path, seed_xlsx):
    """A zip whose sheet XML is garbage is refused with a message, not a traceback."""
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(seed_xlsx) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                data = data[: len(data) // 2]
            dst.writestr(info, data)
    with pytest.raises(ImportFailed, match="已损坏"):
        import_xlsx(bad)


def _bomb(path: Path, size: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<a>" + b"0" * size + b"</a>")


def test_refuses_a_zip_bomb_before_parsing(tmp_path, monkeypatch):
    import openpyxl as opx

    def never(*a, **k):
        raise AssertionError("openpyxl must not open a zip bomb")

    monkeypatch.setattr(opx, "load_workbook", never)
    bomb = tmp_path / "bomb.xlsx"
    _bomb(bomb, 30 * 1024 * 1024)  # 30 MB of zeros in about 30 kB
    assert bomb.stat().st_size < 200_000
    with pytest.raises(ImportFailed, match="压缩炸弹"):
        import_xlsx(bomb)
    # total size limit, whatever the ratio
    monkeypatch.setattr(xlsx_import, "MAX_TOTAL_BYTES", 1024 * 1024)
    monkeypatch.setattr(xlsx_import, "MAX_RATIO", 10**9)
    small = tmp_path / "big.xlsx"
    _bomb(small, 2 * 1024 * 1024)
    with pytest.raises(ImportFailed, match="解压后过大"):
        import_xlsx(small)


def test_openpyxl_parses_with_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


def test_marker_is_first_cell_of_the_hidden_sheet(seed_book):
    assert seed_book[META_SHEET]["A1"].value == FORMAT_MARKER
