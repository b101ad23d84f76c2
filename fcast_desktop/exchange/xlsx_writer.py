"""One form on one sheet: the layout of the sheet (:func:`plan_form_sheet`) and its two writers.

:func:`plan_form_sheet` lays a form out as the printed form (:func:`~fcast_desktop.layouts.printed.build_printed`):
the sections on one column grid (:func:`~fcast_desktop.layouts.printed.sheet_grid`), merged where the layout
merges, labels broken into lines and row heights, widths and page breaks computed by :mod:`.xlsx_print`, and the
value of every cell with the round-trip metadata of :mod:`.xlsx_cells`. Two writers put that plan on a sheet:

* :func:`write_form_sheet` on an ordinary openpyxl worksheet (:func:`.xlsx_export.build_workbook`, the reference);
* :func:`form_sheet_xml`, the XML part of the sheet written as text, straight from the plan, byte for byte what
  openpyxl writes for the worksheet of :func:`write_form_sheet` (a test compares the two) — without making the ten
  thousand cell, style and merge objects of a district's export, which is where the time went. A sheet holding a
  value openpyxl would write otherwise (text that Excel reads as an error code, a cell written twice) is left to
  openpyxl (:func:`.xlsx_package.sheet_xml` of the worksheet).

The streamed export (:func:`.xlsx_export.export_xlsx`) writes each sheet into the package as soon as it is made
(:func:`archive_form_sheet`) and keeps only what the workbook part needs of it (:mod:`.xlsx_package`), so memory is
bounded per form.
"""

from __future__ import annotations

import math
from copy import copy
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, cast

from ..layouts.forms import FormLayout
from ..layouts.printed import PCell, PrintedForm, build_printed, group_cells, sheet_grid
from ..model import AnyForm
from .xlsx_cells import MAX_CELL_TEXT, Codec, display_value, is_number_cell
from .xlsx_package import archive_sheet, escape_text, new_sheet, next_sheet_path, sheet_classes
from .xlsx_print import (
    BETWEEN_BLOCKS,
    BETWEEN_GROUPS,
    FONT_NAME,
    FONT_SIZE,
    INSIDE_GROUP,
    LABEL_ROLES,
    MARGINS_IN,
    MAX_ROW_PT,
    Line,
    Slot,
    column_widths,
    fit_label_text,
    fits_one_page,
    footer_text,
    paginate,
    print_setup,
    row_heights,
)

TITLE_SIZE = 16
BOLD_ROLES = ("header", "section", "total")
ANCHOR_ROLES = ("label", "header", "section", "group", "total")


# ==================================================================================================
# styles


class Styles:
    """Style objects shared by every cell of a workbook, each made once: openpyxl's Font, Border, Alignment and,
    per kind of cell (:meth:`array`), the StyleArray that indexes them in the workbook's style lists."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Border, Font, Side

        thin = Side(style="thin", color="000000")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.font = Font(name=FONT_NAME, size=FONT_SIZE, charset=134)
        self.bold = Font(name=FONT_NAME, size=FONT_SIZE, bold=True, charset=134)
        self.title = Font(name=FONT_NAME, size=TITLE_SIZE, bold=True, charset=134)
        self.subtitle = Font(name=FONT_NAME, size=FONT_SIZE + 1, charset=134)
        self._align: dict[tuple[str, str], Alignment] = {}
        self._cache: dict[tuple, object] = {}
        self._merged = None
        self._Alignment = Alignment
        self._xf: dict[tuple, int] = {}

    def align(self, horizontal: str, vertical: str = "center"):
        key = (horizontal, vertical)
        if key not in self._align:
            self._align[key] = self._Alignment(horizontal=horizontal, vertical=vertical, wrap_text=True)
        return self._align[key]

    def apply(self, c, key: tuple) -> None:
        """Style cell ``c`` (bold, align, numeric, number format); the style is built once per workbook and copied."""
        cached = self._cache.get(key)
        if cached is None:
            bold, align, numeric, number_format = key
            c.font = self.bold if bold else self.font
            c.border = self.border
            c.alignment = self.number_align(align) if numeric else self.align(align)
            if number_format:
                c.number_format = number_format
            self._cache[key] = copy(c._style)
        else:
            c._style = copy(cached)

    def merged_style(self, ws):
        """Style of the covered cells of a merge: the thin border only."""
        if self._merged is None:
            from openpyxl.styles.cell_style import StyleArray

            self._merged = StyleArray()
            self._merged.borderId = ws.parent._borders.add(self.border)
        return self._merged

    def number_align(self, horizontal: str):
        """Amounts do not wrap: a number too wide for its column is shrunk rather than shown as ###."""
        key = (horizontal, "number")
        if key not in self._align:
            self._align[key] = self._Alignment(horizontal=horizontal, vertical="center", shrink_to_fit=True)
        return self._align[key]

    # ---- for the XML writer: the same style arrays, made in the same order as the worksheet writer makes them

    def array(self, wb, key: tuple):
        """The StyleArray of a kind of cell: ``(bold, align, numeric, number format)`` as :meth:`apply`,
        ``("title",)`` / ``("subtitle",)`` for the heading lines, ``("merged",)`` for the covered cells of a
        merge. Made as the worksheet writer makes it, so that the workbook's style lists grow in the same order."""
        if key == ("merged",):
            return self.merged_style(_Stub(wb))
        cached = self._cache.get(key)
        if cached is None:
            from openpyxl.cell.cell import Cell

            # (openpyxl's type stubs know neither the stand-in nor ``_style``)
            c: Any = Cell(cast(Any, _Stub(wb)), row=1, column=1)
            if key[0] in ("title", "subtitle"):
                c.font = self.title if key[0] == "title" else self.subtitle
                c.alignment = self.align("center")
                cached = self._cache[key] = copy(c._style)
            else:
                self.apply(c, key)
                cached = self._cache[key]
        return cached

    def xf_id(self, wb, key: tuple) -> int:
        """The cell style index of a kind of cell (what ``cell.style_id`` gives), added to the workbook's list on
        first use like openpyxl's writer adds it."""
        xf = self._xf.get(key)
        if xf is None:
            xf = self._xf[key] = wb._cell_styles.add(self.array(wb, key))
        return xf


class _Stub:
    """Stands for a worksheet where openpyxl only asks a cell for its workbook (``cell.parent.parent``)."""

    def __init__(self, wb):
        self.parent = wb


# ==================================================================================================
# the plan of a form's sheet


@dataclass
class FormSheet:
    """A form laid out on a sheet, everything both writers write: the printed form, column widths, the cells
    (``slots`` with their ``values``: value, number format, bold), row heights, page breaks and print setup, and
    the round-trip metadata (``meta``, see :mod:`.xlsx_export`)."""

    pf: PrintedForm
    widths: list[float]
    slots: list[Slot]
    values: list[tuple[object, str, bool]]
    heights: dict[int, float]
    breaks: list[int]
    header_row: int | None
    one_page: bool
    meta: dict = field(default_factory=dict)


def plan_form_sheet(form: AnyForm, computed: dict[str, str], stars: bool) -> FormSheet:
    """Lay ``form`` out on a sheet (see the module docstring).

    The sections are placed on one column grid (a block with a grid of its own, the funds or the tasks, spans the
    sheet columns its cells cover). Merged cells stay whole on the sheet — each 一级/二级 group and the caption of
    the indicators is one merged cell, every label is in one cell — and the sheet is paginated
    (:func:`.xlsx_print.paginate`): a page break falls between groups where it can, inside a group only when the
    page would otherwise be left half empty, never inside the other merged cells.
    """
    from openpyxl.utils import get_column_letter

    pf = build_printed(form, computed, stars)
    layout = pf.layout
    grid = sheet_grid(pf)
    first = 3 if pf.subtitle else 2
    lines: list[Line] = []
    header_row = None
    keep = set(range(1, first))  # the title stays with the first row
    place = grid.place
    for s, section in enumerate(pf.sections):

        def placed(cell: PCell, s=s) -> PCell:
            col, span = place(s, cell)
            return cell if (col, span) == (cell.col, cell.colspan) else replace(cell, col=col, colspan=span)

        if section.kind != "indicators":
            for prow in section.rows:
                r = first + len(lines)
                lines.append(Line([Slot(r, placed(c), c.source) for c in prow.cells]))
                for c in prow.cells:  # a merged block cell (the funds' or the tasks' caption) is never cut
                    keep.update(range(r, r + c.rowspan - 1))
            continue
        top = first + len(lines)
        header_row = header_row or top
        lines += [Line([Slot(0, placed(c)) for c in prow.cells], keep_next=True) for prow in section.repeat]
        start = len(lines)
        for n, prow in enumerate(section.rows):
            lines.append(Line([Slot(0, placed(c), c.source or _indicator_path(layout, form, n, c))
                               for c in prow.cells], indicator=True))
        rows = section.rows
        # whole groups: one merged cell each, 产出指标(50分) with the weights of the form's profile
        for i, cells in enumerate(group_cells(layout, rows, pf.stars, pf.weights)):
            lines[start + i].slots += [Slot(0, placed(c)) for c in cells]
            if i + 1 < len(rows):
                nxt = rows[i + 1]
                lines[start + i].quality = (BETWEEN_BLOCKS if nxt.level1 != rows[i].level1
                                            else BETWEEN_GROUPS if nxt.level2 != rows[i].level2 else INSIDE_GROUP)
        if section.caption:
            span = len(section.repeat) + len(rows)
            lines[top - first].slots.append(
                Slot(0, placed(PCell(section.caption, 0, rowspan=span, role="label", align="center"))))
        if section.trailer and lines:
            lines[-1].keep_next = True
        lines += [Line([Slot(0, placed(c)) for c in prow.cells]) for prow in section.trailer]
    last = first + len(lines) - 1
    quality: dict[int, int] = {}
    indicator_rows: set[int] = set()
    for i, line in enumerate(lines):
        r = first + i
        for slot in line.slots:
            slot.row = r
        if line.keep_next:
            keep.add(r)
        quality[r] = line.quality
        if line.indicator:
            indicator_rows.add(r)
    slots = [slot for line in lines for slot in line.slots]
    widths = column_widths(grid.widths, pf.landscape, slots)
    for slot in slots:
        if not slot.path and slot.cell.role in LABEL_ROLES and not is_number_cell(slot.cell):
            text, slot.shrink = fit_label_text(slot.cell, widths)
            if text != slot.cell.text:
                slot.cell = replace(slot.cell, text=text)
    title_heights = {1: 32.0, 2: 20.0} if pf.subtitle else {1: 32.0}
    heights = row_heights(slots, widths, first, last) | title_heights
    one_page = fits_one_page(heights, widths, pf.landscape)
    breaks = [] if one_page else paginate(heights, last, keep, quality, indicator_rows, header_row, pf.landscape,
                                          widths)

    anchors: list[list] = [["A1", pf.title]]
    codec = Codec(form)
    values: list[tuple[object, str, bool]] = []
    letters = [get_column_letter(i) for i in range(1, len(widths) + 1)]
    for slot in slots:
        cell = slot.cell
        ref = f"{letters[cell.col]}{slot.row}"
        if slot.path:
            value, fmt = codec.cell(ref, cell, slot.path)
            bold = False
        else:
            value, fmt = display_value(cell)
            bold = cell.role in BOLD_ROLES
            if cell.role in ANCHOR_ROLES and isinstance(value, str):
                anchors.append([ref, value])
        values.append((value, fmt, bold))
    meta = {
        "kind": form.kind,
        "base": codec.base(),
        "cells": codec.cells,
        "keep": codec.keep,
        "anchors": anchors,
        "rows": last,
    }
    return FormSheet(pf, widths, slots, values, heights, breaks, header_row, one_page, meta)


def _indicator_path(layout: FormLayout, form: AnyForm, n: int, cell: PCell) -> str:
    """A computed cell in an editable indicator column (得分 suggested by the rules) reads back as the user's entry
    when it was changed in Excel."""
    if cell.role != "computed" or cell.col >= len(layout.columns):
        return ""
    spec = layout.columns[cell.col]
    if not spec.editable or spec.computed:
        return ""
    rows = getattr(form, "indicators", [])
    if n < len(rows) and spec.key in type(rows[n]).model_fields:
        return f"indicators.{n}.{spec.key}"
    return ""


# ==================================================================================================
# writer 1: an openpyxl worksheet


def write_form_sheet(ws, form: AnyForm, computed: dict[str, str], stars: bool, styles: Styles) -> dict:
    """Lay ``form`` out on the openpyxl worksheet ``ws`` (:func:`plan_form_sheet`); return the round-trip
    metadata of the sheet (see :mod:`.xlsx_export`)."""
    plan = plan_form_sheet(form, computed, stars)
    write_plan(ws, plan, styles)
    return plan.meta


def write_plan(ws, plan: FormSheet, styles: Styles) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break

    pf = plan.pf
    for i, w in enumerate(plan.widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = round(w, 2)
    end = get_column_letter(len(plan.widths))
    ws["A1"] = pf.title
    ws["A1"].font = styles.title
    ws["A1"].alignment = styles.align("center")
    ws.merge_cells(f"A1:{end}1")
    if pf.subtitle:
        ws["A2"] = pf.subtitle
        ws["A2"].font = styles.subtitle
        ws["A2"].alignment = styles.align("center")
        ws.merge_cells(f"A2:{end}2")
    for slot, (value, fmt, bold) in zip(plan.slots, plan.values, strict=True):
        put_cell(ws, styles, slot.row, slot.cell, value, fmt, bold, shrink=slot.shrink)
    for r, h in plan.heights.items():
        ws.row_dimensions[r].height = round(min(h, MAX_ROW_PT), 1)
    for b in plan.breaks:
        ws.row_breaks.append(Break(id=b))
    print_setup(ws, pf, plan.header_row, plan.one_page, pages=len(plan.breaks) + 1)


def put_cell(ws, st: Styles, row: int, cell: PCell, value, number_format: str, bold: bool,
             shrink: bool = False) -> None:
    """Write one printed cell at ``row`` of ``ws``: value, style, and the merge it spans."""
    from openpyxl.cell.cell import MergedCell
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.merge import MergedCellRange

    col = cell.col + 1
    c = ws.cell(row=row, column=col)
    c.value = value
    if c.data_type == "f":  # text starting with "=" is text, never a formula
        c.data_type = "s"
    numeric = isinstance(value, (int, float)) or shrink  # one line, shrunk to fit rather than wrapped
    st.apply(c, (bold, cell.align, numeric, number_format))
    if cell.rowspan > 1 or cell.colspan > 1:
        # what ws.merge_cells() does, without its slow per-edge border arithmetic: every cell of the merge gets
        # the full thin border (Excel draws borders per cell)
        end_row, end_col = row + cell.rowspan - 1, col + cell.colspan - 1
        # (the range is named without creating its last cell: openpyxl would merge that cell's default border into
        # the first cell's, a costly no-op)
        # (and added without MultiCellRange.add's search of the sheet's merges: the layout never merges twice)
        ws.merged_cells.ranges.add(MergedCellRange(ws, f"{c.coordinate}:{get_column_letter(end_col)}{end_row}"))
        for r in range(row, end_row + 1):
            for cc in range(col, end_col + 1):
                if r != row or cc != col:
                    m: Any = MergedCell(ws, row=r, column=cc)
                    m._style = copy(st.merged_style(ws))
                    ws._cells[(r, cc)] = m


# ==================================================================================================
# writer 2: the sheet's XML, straight from the plan


class _UnusualError(Exception):
    """The plan holds something the XML writer leaves to openpyxl."""


def _check_text(text: str) -> None:
    """Text that openpyxl stores as text as it is: not an error code (``#N/A`` is written as one), no character
    a worksheet cannot hold, not longer than a cell holds (openpyxl refuses or cuts those)."""
    error_codes, illegal = _openpyxl_text_rules()
    if text in error_codes or len(text) > MAX_CELL_TEXT or illegal.search(text):
        raise _UnusualError


@cache
def _openpyxl_text_rules():
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

    return frozenset(ERROR_CODES), ILLEGAL_CHARACTERS_RE


_EMPTY = ' t="n" />'  # what follows the reference and style of a cell without a value
_MERGED = ("merged",)


def _cell_tail(value) -> str:
    """What openpyxl writes for a cell after its reference and style: the type and the value."""
    if value is None:
        return _EMPTY
    if isinstance(value, str):
        if value == "":
            return ' t="inlineStr" />'
        _check_text(value)
        space = ' xml:space="preserve"' if value.strip() and value != value.strip() else ""
        return f' t="inlineStr"><is><t{space}>{escape_text(value)}</t></is></c>'
    if type(value) not in (int, float):
        raise _UnusualError
    return f' t="n"><v>{_number_text(value)}</v></c>' if math.isfinite(value) else ' t="n"><v></v></c>'


def form_sheet_xml(wb, plan: FormSheet, styles: Styles) -> bytes | None:
    """The XML part of the sheet of ``plan`` in workbook ``wb``: byte for byte what openpyxl writes for the
    worksheet :func:`write_plan` makes (cells as inline strings, styles indexed in ``wb``'s lists in the same
    order), or None when the plan holds a value that openpyxl would write otherwise."""
    from openpyxl.utils import get_column_letter

    pf = plan.pf
    ncols = len(plan.widths)
    letters = [get_column_letter(i) for i in range(1, max(ncols, 1) + 1)]
    # (row, col) → (style key, what follows the cell's style) in the order write_plan creates the cells; None: a
    # covered cell of a merge without a style (the heading lines' merges are made by ws.merge_cells, which styles
    # nothing when the first cell has no border)
    cells: dict[tuple[int, int], tuple[tuple, str] | None] = {}
    merges: list[tuple[int, int, int, int]] = []
    merged = False

    def heading(row: int, text: str, key: tuple) -> None:
        if not isinstance(text, str) or text.startswith("="):
            raise _UnusualError
        cells[(row, 1)] = (key, _cell_tail(text))
        styles.array(wb, key)  # the fonts, borders … in the order write_plan adds them
        merges.append((row, 1, row, ncols))
        for cc in range(2, ncols + 1):
            if (row, cc) not in cells:
                cells[(row, cc)] = None

    try:
        heading(1, pf.title, ("title",))
        if pf.subtitle:
            heading(2, pf.subtitle, ("subtitle",))
        for slot, (value, fmt, bold) in zip(plan.slots, plan.values, strict=True):
            row, col, cell = slot.row, slot.cell.col + 1, slot.cell
            if (row, col) in cells:  # written twice: openpyxl's own rules apply
                raise _UnusualError
            key = (bold, cell.align, isinstance(value, (int, float)) or slot.shrink, fmt)
            cells[(row, col)] = (key, _cell_tail(value))
            styles.array(wb, key)
            if cell.rowspan > 1 or cell.colspan > 1:
                end_row, end_col = row + cell.rowspan - 1, col + cell.colspan - 1
                merges.append((row, col, end_row, end_col))
                covered = (_MERGED, _EMPTY)
                for r in range(row, end_row + 1):
                    for cc in range(col, end_col + 1):
                        if r != row or cc != col:
                            cells[(r, cc)] = covered
                            merged = True
    except _UnusualError:
        return None
    if merged:
        styles.array(wb, _MERGED)

    rows: dict[int, list[int]] = {}
    for r, c in cells:
        rows.setdefault(r, []).append(c)
    for r in plan.heights:
        rows.setdefault(r, [])
    xf: dict[tuple, int] = {}
    out: list[str] = []
    add = out.append
    for r in sorted(rows):
        h = plan.heights.get(r)
        add(f'<row r="{r}" ht="{round(min(h, MAX_ROW_PT), 1):.16g}" customHeight="1">' if h is not None
            else f'<row r="{r}">')
        for c in sorted(rows[r]):
            entry = cells[(r, c)]
            if entry is None:
                continue
            key, tail = entry
            s = xf.get(key)
            if s is None:
                s = xf[key] = styles.xf_id(wb, key)
            add(f'<c r="{letters[c - 1]}{r}" s="{s}"{tail}')
        add("</row>")

    all_rows = [r for r, _c in cells] or [1]
    all_cols = [c for _r, c in cells] or [1]
    dimension = (f"{get_column_letter(min(all_cols))}{min(all_rows)}:"
                 f"{get_column_letter(max(all_cols))}{max(all_rows)}")
    cols = "".join(f'<col width="{round(w, 2):.16g}" customWidth="1" min="{i}" max="{i}" />'
                   for i, w in enumerate(plan.widths, 1))
    parts = [
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetPr><outlinePr summaryBelow="1" summaryRight="1" /><pageSetUpPr fitToPage="1" /></sheetPr>',
        f'<dimension ref="{dimension}" />',
        '<sheetViews><sheetView showGridLines="0" workbookViewId="0"><selection activeCell="A1" sqref="A1" />'
        '</sheetView></sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15" />',
        f"<cols>{cols}</cols>" if cols else "",
        "<sheetData>", "".join(out), "</sheetData>",
    ]
    if merges:  # in the order of openpyxl's set of merged ranges (hashed as these tuples)
        refs = "".join(f'<mergeCell ref="{_range_ref(letters, *m)}" />' for m in set_order(merges))
        parts.append(f'<mergeCells count="{len(merges)}">{refs}</mergeCells>')
    margins = " ".join(f'{k}="{v:.16g}"' for k, v in MARGINS_IN.items())
    orientation = "landscape" if pf.landscape else "portrait"
    fit_height = 1 if plan.one_page else 0
    footer = escape_text(footer_text(len(plan.breaks) + 1))
    parts += [
        f'<printOptions horizontalCentered="1" /><pageMargins {margins} />',
        f'<pageSetup orientation="{orientation}" paperSize="9" fitToHeight="{fit_height}" fitToWidth="1" '
        'firstPageNumber="1" useFirstPageNumber="1" />',
        f"<headerFooter><oddHeader /><oddFooter>{footer}</oddFooter><evenHeader /><evenFooter /><firstHeader />"
        "<firstFooter /></headerFooter>",
    ]
    if plan.breaks:
        brks = "".join(f'<brk id="{b}" min="0" max="16383" man="1" />' for b in plan.breaks)
        parts.append(f'<rowBreaks count="{len(plan.breaks)}" manualBreakCount="{len(plan.breaks)}">{brks}'
                     "</rowBreaks>")
    parts.append("</worksheet>")
    return "".join(parts).encode("utf-8")


def set_order(items: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """``items`` in the order a set built by adding them one by one iterates them (openpyxl keeps a sheet's
    merged ranges in a set, each hashed as such a tuple, and writes them in its order)."""
    ranges: set[tuple[int, int, int, int]] = set()
    for item in items:  # one at a time, as openpyxl adds them: the table grows, and so orders, the same way
        ranges.add(item)
    return list(ranges)


def _range_ref(letters: list[str], r1: int, c1: int, r2: int, c2: int) -> str:
    """As openpyxl names a range (one cell: its name alone)."""
    start = f"{letters[c1 - 1]}{r1}"
    return start if (r1, c1) == (r2, c2) else f"{start}:{letters[c2 - 1]}{r2}"


def _number_text(value: float) -> str:
    """As openpyxl writes a finite number (``safe_string``: "%.16g"; an infinite one as nothing)."""
    return f"{value:.16g}"


def archive_form_sheet(wb, name: str, plan: FormSheet, styles: Styles, archive) -> None:
    """Write the sheet ``name`` of ``plan`` into ``archive`` as the next sheet of ``wb`` — as text
    (:func:`form_sheet_xml`), or through an openpyxl worksheet if the plan holds something unusual."""
    data = form_sheet_xml(wb, plan, styles)
    if data is None:
        ws = new_sheet(wb, name)
        write_plan(ws, plan, styles)
        archive_sheet(wb, ws, archive)
        return
    path = next_sheet_path(wb)
    archive.writestr(path, data)
    rows = None
    if plan.header_row:
        from openpyxl.worksheet.print_settings import RowRange

        rows = RowRange(f"{plan.header_row}:{plan.header_row}")  # as ws.print_title_rows = "11:11" sets it
    wb._sheets.append(sheet_classes().WrittenSheet(wb, name, path, "visible", rows))
