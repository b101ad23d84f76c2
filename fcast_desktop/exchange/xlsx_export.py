"""Excel export with openpyxl: one sheet per form, laid out from ``layouts.printed`` like the PDF and the Qt grid.

Every sheet is the printed form (:func:`~fcast_desktop.layouts.printed.build_printed`): the same cells, the
sections on one column grid (:func:`~fcast_desktop.layouts.printed.sheet_grid`), merged where the layout merges,
with thin borders, wrapped text and row heights computed here (Excel and LibreOffice do not size rows of wrapped
text written by a library), A4 print setup fitted to the page width, the indicator header row repeated on every
printed page and a "第 &P 页 共 M 页" footer, M being the sheet's own page count from the pagination below
(``&N`` would count the pages of the whole workbook when it is printed or converted at once). Amounts and scores
are numbers with the form's number format; computed values (执行率, 得分, 总分) are written as values. 福田 stars
on the 二级指标 labels by the district of each form (``rules.form_stars``).

On screen the sheet is the form, whole: each 一级/二级 group is one merged cell and every label is in one cell —
nothing is cut or repeated at a page break. Labels are broken into lines here, by the line-breaking rules of
the PDF (:func:`~fcast_desktop.layouts.printed.fit_label`, :func:`~fcast_desktop.layouts.printed.break_lines`),
and written with explicit line breaks, each line narrower than the cell, so that the spreadsheet program never
breaks them itself (it would start a line with "，万元）："); a label a little too wide is shrunk to one line
instead. The printed pages are made here (:func:`_paginate`): a form that fits one page, or nearly
(:data:`ONE_PAGE_SCALE`), is printed on one page; otherwise manual breaks fall between groups where the pages stay
reasonably full, inside a group only when it is taller than that, never inside another merged cell, and not so
that one indicator row is left alone on the last page.

Round trip (read back by :mod:`.xlsx_import`): a hidden sheet ``_fcast`` holds a format marker and version and, per
form sheet, one JSON document with

* ``base``: the form as ``model_dump(mode="json")`` **without** the fields printed on the sheet (id, variant,
  万元/元 unit, 预算年度, 二级指标 of each row, texts of the other variant, raw text of unprinted fields …);
* ``cells``: ``[cell, model path, type]`` for every printed cell that shows a model field (from ``PCell.source``),
  so the importer reads those values back **from the visible cells** — a value corrected in Excel is imported;
* ``keep``: for the few cells whose written value cannot be read back exactly (an amount in 万元 rounded to the
  printed cents, ``10.00`` that reads back as ``10``, characters a worksheet cannot hold), the value as written and
  the original: if the cell still holds what was written, the original is restored, otherwise the cell wins;
* ``anchors``: the labels of the sheet, checked on import so that inserted or deleted rows are noticed instead of
  silently reading the wrong cells.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import re
import unicodedata
from copy import copy
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import get_args

from .report import ExportCancelled, ExportError
from .. import __version__
from ..layouts.forms import FormLayout, layout_for
from ..layouts.printed import (
    BODY_SIZE,
    MIN_LABEL_SIZE,
    SCORE_FORMAT,
    PCell,
    TextMetrics,
    break_lines,
    build_printed,
    clean_text,
    fit_label,
    group_cells,
    sheet_grid,
)
from ..model import AnyForm, Declaration, FORM_KIND_SHORT, FundLine, Project, Task, form_title
from ..model.money import WAN_YUAN, YUAN, TEN_THOUSAND, format_number, parse_decimal, parse_money, round_half_up
from ..store.project_file import write_atomically

FORMAT_MARKER = "fcast-xlsx"
FORMAT_VERSION = 1
META_SHEET = "_fcast"
META_NOTE = "本工作表保存“绩效表单助手”导入此工作簿所需的信息，请勿修改或删除。"

FONT_NAME = "宋体"  # SimSun: Excel/WPS on Windows; LibreOffice substitutes a CJK font
FONT_SIZE = 10.5  # 五号
NORMAL_FONT = "Arial"
TITLE_SIZE = 16

MAX_SHEET_NAME = 31
MAX_CELL_TEXT = 32767
META_CHUNK = 30000

# column widths in Excel units (one unit ≈ the width of "0", ≈ half a CJK character at 10.5 pt): the printable
# width of A4 with the margins below, so that fit-to-width prints at about 100 %
TOTAL_WIDTH = {False: 94.0, True: 138.0}  # portrait, landscape
LINE_PT = 15.3  # height of one wrapped line at 10.5 pt (CJK fonts have tall line spacing)
ROW_PAD_PT = 3.5
MIN_ROW_PT = 18.5
UNIT_PX = 7.0  # pixels per width unit
WIDE_PX = 14.0  # a CJK character at 10.5 pt
NARROW_PX = 7.6  # a Latin letter or digit
CELL_PAD_PX = 6.0
MAX_ROW_PT = 409.0  # Excel's largest row height
MARGINS_IN = dict(left=0.5, right=0.5, top=0.6, bottom=0.7, header=0.3, footer=0.35)
PAGE_WIDTH_PT = {False: 595.3 - 72, True: 841.9 - 72}  # A4 minus the left and right margins
PAGE_HEIGHT_PT = {False: 841.9 - 93.6, True: 595.3 - 93.6}  # minus the top and bottom margins
PAGE_FILL = 0.99  # room for the spreadsheet program's rounding of row heights and borders
# how good a page break right after a row is: between blocks or 一级 groups, between 二级 groups (the 一级 cell
# runs on), inside a 二级 group (both merged labels run on); a break is worth this much of a page more
BETWEEN_BLOCKS, BETWEEN_GROUPS, INSIDE_GROUP = 3, 2, 1
BREAK_BONUS = {BETWEEN_BLOCKS: 0.50, BETWEEN_GROUPS: 0.35, INSIDE_GROUP: 0.0}
WIDOW_PENALTY = 0.30  # a break that leaves a single indicator row (and the 总分 row) for the last page
LABEL_SHRINK = 0.85  # a short label is shrunk by at most this much rather than wrapped (a longer one as the PDF's)
LABEL_ROLES = ("label", "header", "group", "caption", "section", "total")
FITTED_ROLES = ("header", "group", "caption", "section", "total")  # fitted like a column title (as in the PDF)
ONE_PAGE_SCALE = 0.9  # a form that fits one page when printed this much smaller is printed on one page

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


# ==================================================================================================
# public API


def export_xlsx(
    project: Project,
    forms: list[AnyForm],
    out_path,
    progress: Progress | None = None,
    is_cancelled: Cancelled | None = None,
) -> None:
    """Write ``forms`` (of ``project``) to ``out_path`` as one workbook, one sheet per form.

    ``progress(done, total)`` is called after each sheet and once more after the file is written
    (``total = len(forms) + 1``). When ``is_cancelled()`` returns true the export stops, no file is written (an
    existing file is left as it was) and :class:`ExportCancelled` is raised. The file is written atomically.
    """
    total = len(forms) + 1
    buf = io.BytesIO()
    _save_streamed(project, forms, buf, progress=lambda d, _t: progress and progress(d, total),
                   is_cancelled=is_cancelled)
    if is_cancelled and is_cancelled():
        raise ExportCancelled()
    write_atomically(Path(out_path), buf.getvalue(), keep_backup=False)
    if progress:
        progress(total, total)


def build_workbook(project: Project, forms: list[AnyForm], progress: Progress | None = None,
                   is_cancelled: Cancelled | None = None):
    """The workbook of :func:`export_xlsx` as an ordinary openpyxl Workbook in memory (not saved): the same
    sheets, cells and settings; :func:`export_xlsx` writes each sheet out as soon as it is made instead."""
    wb = _new_workbook(project, write_only=False)
    _fill_workbook(wb, project, forms, progress, is_cancelled)
    return wb


def _new_workbook(project: Project, write_only: bool):
    from openpyxl import Workbook

    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    _set_normal_font(wb)
    wb.properties.creator = "绩效表单助手 fcast-desktop " + __version__
    wb.properties.title = project.unit or "绩效表单"
    return wb


def _save_streamed(project: Project, forms: list[AnyForm], out, progress: Progress | None,
                   is_cancelled: Cancelled | None) -> None:
    """The workbook of :func:`build_workbook` saved to the file object ``out``, one sheet at a time: each form's
    sheet is made, compressed into the package at once (``xl/worksheets/sheetN.xml``) and dropped, the hidden
    round-trip sheet goes row by row to its temporary file (openpyxl's write-only sheet), and openpyxl's own
    writer adds the workbook part, the styles and the rest at the end. Memory is bounded per form."""
    from datetime import timezone
    from zipfile import ZIP_DEFLATED, ZipFile

    wb = _new_workbook(project, write_only=True)
    archive = ZipFile(out, "w", ZIP_DEFLATED, allowZip64=True)
    try:
        _fill_workbook(wb, project, forms, progress, is_cancelled, archive)
        wb.properties.modified = datetime.now(tz=timezone.utc).replace(tzinfo=None)  # as openpyxl's save does
        _sheet_classes().ExcelWriter(wb, archive).save()  # closes the archive
    finally:
        archive.close()
        _remove_sheet_files(wb)


def _fill_workbook(wb, project: Project, forms: list[AnyForm], progress: Progress | None,
                   is_cancelled: Cancelled | None, archive=None) -> None:
    """One sheet per form, then the hidden round-trip sheet. With ``archive`` (:func:`_save_streamed`) each
    form's sheet is written into it as soon as it is made and replaced by what the workbook part needs of it."""
    from ..rules import form_stars
    from ..rules.report import computed_values

    styles = _Styles()
    meta = _MetaSheet(wb)  # made first so that its rows can be written as the forms are; moved behind them below
    names = sheet_names(forms)
    for n, (form, name) in enumerate(zip(forms, names)):
        if is_cancelled and is_cancelled():
            raise ExportCancelled()
        ws = _new_sheet(wb, name)
        sheet_meta = write_form_sheet(ws, form, computed_values(form, project), form_stars(form, project), styles)
        if archive is not None:
            _archive_sheet(wb, ws, archive)
        sheet_meta["sheet"] = name
        sheet_meta["index"] = n
        meta.add(sheet_meta)
        if progress:
            progress(n + 1, len(forms))
    if not forms:
        ws = _new_sheet(wb, "说明")
        ws["A1"] = "项目中没有表单。"
        if archive is not None:
            _archive_sheet(wb, ws, archive)
    from .checklist import add_explanation_sheet  # 审核说明 of the exported forms that have explanations (issue 15)

    add_explanation_sheet(wb, project, forms, styles, names, archive)
    wb._sheets.append(wb._sheets.pop(0))  # the round-trip sheet last, as it always was
    wb.active = 0


def _set_normal_font(wb) -> None:
    """Arial 10 as the workbook's Normal font: its digit is 7 px wide in Excel, as Calibri 11 (so column widths
    mean the same), and LibreOffice has a metric-compatible font for it (Liberation Sans) where it has none for
    Calibri and would make every column a third wider."""
    from openpyxl.styles import Font
    from openpyxl.utils.indexed_list import IndexedList

    font = Font(name=NORMAL_FONT, size=10)
    wb._fonts = IndexedList([font])
    wb._named_styles["Normal"].font = font


def _new_sheet(wb, name: str, cls=None):
    """A new last sheet ``name`` of ``wb`` (an ordinary worksheet unless ``cls`` says otherwise). The names are
    unique and valid already (:func:`sheet_names`), so openpyxl's title check is skipped: it compares each new
    title with the title of every sheet before it, quadratic in sheets."""
    if cls is None:
        from openpyxl.worksheet.worksheet import Worksheet

        cls = Worksheet
    ws = cls(None, None)  # without its workbook, the title setter checks nothing
    ws._parent = wb
    ws._WorkbookChild__title = name
    wb._add_sheet(ws)
    return ws


def _archive_sheet(wb, ws, archive) -> None:
    """Write the finished sheet ``ws`` (the last of ``wb``) into ``archive`` under the name openpyxl's writer
    will give it, and keep only what the workbook part needs of it (:class:`_WrittenSheet`)."""
    index = len(wb._sheets) - 1  # its place once the round-trip sheet (now first) is moved behind the forms
    path = f"xl/worksheets/sheet{index}.xml"
    archive.writestr(path, sheet_xml(ws))
    wb._sheets[-1] = _sheet_classes().WrittenSheet(ws, path)


def sheet_xml(ws) -> bytes:
    """The XML part of worksheet ``ws``, byte for byte what openpyxl's ``WorksheetWriter`` writes: the parts
    around the cells by that writer itself, the rows and cells (nearly all of the time it takes) as text here
    (:func:`_rows_xml`). A sheet holding cells of another kind (formulas, dates, comments, links — the export
    writes none) is left to openpyxl entirely."""
    from openpyxl.worksheet._writer import WorksheetWriter

    rows = _rows_xml(ws)
    if rows is None:
        writer = WorksheetWriter(ws, out=io.BytesIO())
        writer.write()
        return writer.read()
    writer = _sheet_classes().TopAndTailWriter(ws, out=io.BytesIO())  # all but the rows and the merges
    writer.write()
    data = writer.read()
    # the marks are elements: nothing else in the part can read so (text is escaped)
    data = data.replace(b"<sheetData />", b"<sheetData>" + rows.encode("utf-8") + b"</sheetData>", 1)
    merged = ws.merged_cells.ranges
    if merged:  # as openpyxl's MergeCells element, in the order of the same set
        refs = "".join(f'<mergeCell ref="{ref.coord}" />' for ref in merged)
        data = data.replace(b"<mergeCells />", f'<mergeCells count="{len(merged)}">{refs}</mergeCells>'.encode(), 1)
    return data


def _rows_xml(ws) -> str | None:
    """The content of ``<sheetData>`` as openpyxl writes it (rows in order with their dimensions; each cell with
    a value or a style, ``<is><t>`` for text), or None if a cell is of a kind written otherwise."""
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.compat import safe_string

    rows: dict[int, list] = {}
    for (r, _c), cell in sorted(ws._cells.items()):
        rows.setdefault(r, []).append(cell)
    for r in ws.row_dimensions.keys() - rows.keys():  # styled rows without cells
        rows[r] = []
    dims = ws.row_dimensions
    out: list[str] = []
    for r, cells in sorted(rows.items()):
        attrs = {"r": f"{r}"}
        attrs.update(dims.get(r, {}))
        out.append(f"<row{_attributes(attrs)}>")
        for cell in cells:
            if type(cell) not in (Cell, MergedCell) or getattr(cell, "_comment", None) is not None \
                    or getattr(cell, "_hyperlink", None) is not None:
                return None
            styled = cell.has_style
            value = cell._value
            if value is None and not styled:
                continue
            kind = cell.data_type
            if kind not in ("s", "n"):
                return None
            # what openpyxl.cell._writer._set_attributes makes of a text or number cell
            attrs = f' r="{cell.coordinate}" s="{cell.style_id}"' if styled else f' r="{cell.coordinate}"'
            attrs += ' t="inlineStr"' if kind == "s" else ' t="n"'
            if value is None or value == "":
                out.append(f"<c{attrs} />")
            elif kind == "s":
                if not isinstance(value, str):  # rich text
                    return None
                space = ' xml:space="preserve"' if value.strip() and value != value.strip() else ""
                out.append(f"<c{attrs}><is><t{space}>{_escape_text(value)}</t></is></c>")
            else:
                out.append(f"<c{attrs}><v>{_escape_text(safe_string(value))}</v></c>")
        out.append("</row>")
    return "".join(out)


def _attributes(attrs: dict) -> str:
    return "".join(f' {k}="{_escape_attribute(str(v))}"' for k, v in attrs.items())


def _escape_text(text: str) -> str:
    """As ElementTree escapes character data."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _escape_attribute(text: str) -> str:
    """As ElementTree escapes attribute values."""
    from xml.etree.ElementTree import _escape_attrib

    return _escape_attrib(text) if _ATTRIBUTE_SPECIAL.search(text) else text


_ATTRIBUTE_SPECIAL = re.compile('[&<>"\r\n\t]')


@cache
def _sheet_classes():
    """The openpyxl subclasses of the streamed export, made on first use (openpyxl is imported only then)."""
    import types

    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.worksheet.worksheet import Worksheet
    from openpyxl.writer.excel import ExcelWriter as _ExcelWriter
    from openpyxl.xml.functions import Element

    class TopAndTailWriter(WorksheetWriter):
        """openpyxl's sheet writer with an empty ``<sheetData />`` where the rows go (:func:`sheet_xml`)."""

        def write_rows(self):
            self.xf.send(Element("sheetData"))

        def write_merged_cells(self):
            if self.ws.merged_cells:
                self.xf.send(Element("mergeCells"))

    class WrittenSheet(Worksheet):
        """What the workbook keeps of a sheet already in the package: its name, state, print titles and
        relations — what the workbook part and the package list still read — and no cells, merges or settings
        (an empty openpyxl worksheet alone takes ~12 kB; a district's export has 10,000 sheets)."""

        closed = True
        legacy_drawing = None
        _drawing = None

        def __init__(self, sheet, path: str):  # no Worksheet.__init__: nothing to set up
            from openpyxl.packaging.relationship import RelationshipList

            self._parent = sheet._parent
            self._WorkbookChild__title = sheet.title
            self.written_path = path
            self._rels = RelationshipList()
            self.sheet_state = sheet.sheet_state
            self._print_rows, self._print_cols, self._print_area = (sheet._print_rows, sheet._print_cols,
                                                                    sheet._print_area)
            self.defined_names = sheet.defined_names
            self.auto_filter = sheet.auto_filter
            self._tables = sheet._tables
            self._charts, self._images, self._comments, self._pivots = [], [], [], []

    class ExcelWriter(_ExcelWriter):
        """openpyxl's package writer, for sheets already in the package only listing them."""

        def write_worksheet(self, ws):
            if isinstance(ws, WrittenSheet):
                if ws.path[1:] != ws.written_path:  # the sheets were reordered after being written
                    raise RuntimeError(f"sheet {ws.written_path} would be listed as {ws.path}")
                self.manifest.append(ws)
                return
            super().write_worksheet(ws)

    return types.SimpleNamespace(TopAndTailWriter=TopAndTailWriter, WrittenSheet=WrittenSheet,
                                 ExcelWriter=ExcelWriter)


def _remove_sheet_files(wb) -> None:
    """Close and delete the temporary file of the round-trip sheet if it is left (an export cancelled or failed
    before saving; saving deletes it itself)."""
    for ws in wb._sheets:
        if not getattr(ws, "closed", True):  # the round-trip sheet, still open
            try:
                ws.close()
            except Exception:  # noqa: BLE001 — a stream that cannot be finished cleanly: its file goes anyway
                pass
        writer = getattr(ws, "_writer", None)
        if writer is not None:
            try:
                writer.cleanup()
            except (OSError, ValueError):  # already deleted by the save
                pass


# ==================================================================================================
# sheet names


_BAD_NAME_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
_RESERVED_NAMES = {META_SHEET.casefold(), "history"}  # Excel reserves "History"


def _clean_sheet_name(text: str) -> str:
    name = _BAD_NAME_CHARS.sub("_", text or "").strip().strip("'").strip()
    return name or "表单"


def sheet_names(forms: list[AnyForm]) -> list[str]:
    """One valid (≤ 31 characters, none of ``[]:*?/\\``, not empty) and unique sheet name per form.

    A name is the project name (部门（单位）名称 for the department form). When another kind of form of the same
    project already has the name, the form kind is appended (``信息化运维项目-绩效自评表``); otherwise a number
    (``水电费(2)``).
    """
    used: set[str] = set(_RESERVED_NAMES)
    first_kind: dict[str, str] = {}
    # candidates of a name already taken: the next form of that name goes on from there (a district's 2,000 基层党建
    # forms cost 2,000 steps, not 2,000 × 2,000 / 2); the names taken never become free, so the result is the same
    taken: dict[tuple[str, str], int] = {}
    out = []
    for form in forms:
        base = _clean_sheet_name(form_title(form))
        owner = first_kind.setdefault(base, form.kind)
        stem = "" if owner == form.kind else "-" + FORM_KIND_SHORT[form.kind]
        for k in itertools.count(taken.get((base, stem), 0)):
            suffix = f"{stem}({k + 1})" if k else stem  # 水电费, 水电费(2), 水电费(3) …
            name = base[: MAX_SHEET_NAME - len(suffix)].rstrip().rstrip("'") + suffix
            if name.casefold() not in used:
                break
        taken[(base, stem)] = k + 1
        used.add(name.casefold())
        out.append(name)
    return out


# ==================================================================================================
# one form on one sheet


class _Styles:
    """Style objects shared by every cell (openpyxl deduplicates them, creating them once is cheaper)."""

    def __init__(self):
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


@dataclass
class _Slot:
    """A cell to write: its sheet row, the printed cell and the model path it shows ("" for labels)."""

    row: int
    cell: PCell
    path: str = ""
    shrink: bool = False  # one line, shrunk to fit (a label a little too wide for its cell)


@dataclass
class _Line:
    """One sheet row of the form below the title."""

    slots: list[_Slot]
    keep_next: bool = False  # no page break right after this row
    quality: int = BETWEEN_BLOCKS  # how good a page break right after this row is (see :func:`_paginate`)
    indicator: bool = False


def write_form_sheet(ws, form: AnyForm, computed: dict[str, str], stars: bool, styles: _Styles) -> dict:
    """Lay ``form`` out on ``ws``; return the round-trip metadata of the sheet (see the module docstring).

    The sections are placed on one column grid (:func:`~fcast_desktop.layouts.printed.sheet_grid`: a block with
    a grid of its own, 资金使用情况 or 年度主要任务, spans the sheet columns its cells cover). Merged cells stay
    whole on the sheet — each 一级/二级 group and the 年度绩效指标 caption is one merged cell, every label is in
    one cell — and the sheet is paginated here (A4 at the fit-to-width scale, see :func:`_paginate`): a page
    break falls between groups where it can, inside a group only when the page would otherwise be left half
    empty, never inside the other merged cells.
    """
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break

    pf = build_printed(form, computed, stars)
    layout = pf.layout
    grid = sheet_grid(pf)
    first = 3 if pf.subtitle else 2
    lines: list[_Line] = []
    header_row = None
    keep = set(range(1, first))  # the title stays with the first row
    for s, section in enumerate(pf.sections):

        def placed(cell: PCell, s=s) -> PCell:
            col, span = grid.place(s, cell)
            return replace(cell, col=col, colspan=span)

        if section.kind != "indicators":
            for prow in section.rows:
                r = first + len(lines)
                lines.append(_Line([_Slot(r, placed(c), c.source) for c in prow.cells]))
                for c in prow.cells:  # a merged block cell (项目资金（元）, 年度主要任务) is never cut
                    keep.update(range(r, r + c.rowspan - 1))
            continue
        top = first + len(lines)
        header_row = header_row or top
        lines += [_Line([_Slot(0, placed(c)) for c in prow.cells], keep_next=True) for prow in section.repeat]
        start = len(lines)
        for n, prow in enumerate(section.rows):
            lines.append(_Line([_Slot(0, placed(c), c.source or _indicator_path(layout, form, n, c))
                                for c in prow.cells], indicator=True))
        rows = section.rows
        for i, cells in enumerate(group_cells(layout, rows, pf.stars)):  # whole groups: one merged cell each
            lines[start + i].slots += [_Slot(0, placed(c)) for c in cells]
            if i + 1 < len(rows):
                nxt = rows[i + 1]
                lines[start + i].quality = (BETWEEN_BLOCKS if nxt.level1 != rows[i].level1
                                            else BETWEEN_GROUPS if nxt.level2 != rows[i].level2 else INSIDE_GROUP)
        if section.caption:
            span = len(section.repeat) + len(rows)
            lines[top - first].slots.append(
                _Slot(0, placed(PCell(section.caption, 0, rowspan=span, role="label", align="center"))))
        if section.trailer and lines:
            lines[-1].keep_next = True
        lines += [_Line([_Slot(0, placed(c)) for c in prow.cells]) for prow in section.trailer]
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
    widths = _column_widths(grid.widths, pf.landscape, slots)
    for slot in slots:
        if not slot.path and slot.cell.role in LABEL_ROLES and not _is_number_cell(slot.cell):
            text, slot.shrink = fit_label_text(slot.cell, widths)
            slot.cell = replace(slot.cell, text=text)
    title_heights = {1: 32.0, 2: 20.0} if pf.subtitle else {1: 32.0}
    heights = _row_heights(slots, widths, first, last) | title_heights
    one_page = _fits_one_page(heights, widths, pf.landscape)
    breaks = [] if one_page else _paginate(heights, last, keep, quality, indicator_rows, header_row, pf.landscape,
                                           widths)

    # ---- write
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = round(w, 2)
    ncols = len(widths)
    end = get_column_letter(ncols)
    ws["A1"] = pf.title
    ws["A1"].font = styles.title
    ws["A1"].alignment = styles.align("center")
    ws.merge_cells(f"A1:{end}1")
    anchors: list[list] = [["A1", pf.title]]
    if pf.subtitle:
        ws["A2"] = pf.subtitle
        ws["A2"].font = styles.subtitle
        ws["A2"].alignment = styles.align("center")
        ws.merge_cells(f"A2:{end}2")
    codec = _Codec(form)
    for slot in slots:
        cell = slot.cell
        ref = f"{get_column_letter(cell.col + 1)}{slot.row}"
        if slot.path:
            value, fmt = codec.cell(ref, cell, slot.path)
            bold = False
        else:
            value, fmt = _display_value(cell)
            bold = cell.role in ("header", "section", "total")
            if cell.role in ("label", "header", "section", "group", "total") and isinstance(value, str):
                anchors.append([ref, value])
        _put(ws, styles, slot.row, cell, value, fmt, bold, shrink=slot.shrink)
    for r, h in heights.items():
        ws.row_dimensions[r].height = round(min(h, MAX_ROW_PT), 1)
    for b in breaks:
        ws.row_breaks.append(Break(id=b))
    _print_setup(ws, pf, header_row, one_page, pages=len(breaks) + 1)
    return {
        "kind": form.kind,
        "base": codec.base(),
        "cells": codec.cells,
        "keep": codec.keep,
        "anchors": anchors,
        "rows": last,
    }


def _put(ws, st: _Styles, row: int, cell: PCell, value, number_format: str, bold: bool,
         shrink: bool = False) -> None:
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
                    m = MergedCell(ws, row=r, column=cc)
                    m._style = copy(st.merged_style(ws))
                    ws._cells[(r, cc)] = m


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


def _display_value(cell: PCell):
    """Value and number format of a cell that shows no model field (labels, computed values, sums)."""
    if cell.number is not None:
        return _number(cell.number), _excel_format(cell.number_format)
    if cell.role in ("computed", "total") and cell.text:
        d = parse_decimal(cell.text)
        if d is not None:
            return _number(d), "General"
    return _clean_text(cell.text) or None, ""


def _excel_format(number_format: str) -> str:
    """Excel shows ``10`` in the score format ``0.##`` as "10." (a trailing point); General shows ``10``, ``9.9``
    and ``9.83``, which is what the form prints."""
    return "General" if number_format in ("", SCORE_FORMAT) else number_format


def _is_number_cell(cell: PCell) -> bool:
    return cell.number is not None or (cell.role in ("computed", "total") and parse_decimal(cell.text) is not None)


# ---- widths, heights, pages ------------------------------------------------------------------------


def text_width_px(text: str) -> float:
    return sum(_char_px(ch) for ch in text)


def text_lines(text: str, width_units: float) -> int:
    """Wrapped line count of ``text`` in a cell ``width_units`` wide (CJK characters break anywhere)."""
    avail = max(WIDE_PX, width_units * UNIT_PX - CELL_PAD_PX)
    lines = 0
    for part in str(text).split("\n"):
        lines += 1
        x = 0.0
        for ch in part:
            w = _char_px(ch)
            if x + w > avail:
                lines += 1
                x = 0.0
            x += w
    return max(1, lines)


def _column_widths(shares: list[float], landscape: bool, slots: list[_Slot]) -> list[float]:
    """The sheet grid's width shares on the printable width; a column too narrow for the amounts it holds (which
    do not wrap) takes the width it needs from the others, in proportion to their width. An amount spanning
    several columns needs their sum; the last of them grows."""
    share = sum(shares) or 1
    widths = [w / share * TOTAL_WIDTH[landscape] for w in shares]
    need = [0.0] * len(widths)
    for slot in slots:
        c = slot.cell
        if _is_number_cell(c):
            want = (text_width_px(c.text) + CELL_PAD_PX + 2) / UNIT_PX - sum(widths[c.col:c.col + c.colspan - 1])
            last = c.col + c.colspan - 1
            need[last] = max(need[last], want)
    deficit = sum(max(0.0, n - w) for n, w in zip(need, widths))
    donors = [i for i, (n, w) in enumerate(zip(need, widths)) if n < w]
    spare = sum(widths[i] - max(need[i], widths[i] * 0.6) for i in donors)
    if deficit <= 0 or spare <= 0:
        return widths
    take = min(1.0, deficit / spare)
    out = list(widths)
    for i, (n, w) in enumerate(zip(need, widths)):
        if n > w:
            out[i] = w + (n - w) * min(1.0, spare / deficit)
        elif i in donors:
            out[i] = w - (w - max(n, w * 0.6)) * take
    return out


def _char_px(ch: str) -> float:
    return WIDE_PX if unicodedata.east_asian_width(ch) in "WFA" else NARROW_PX


# the estimate of text_lines for printed.break_lines / fit_label: widths in pixels at BODY_SIZE
_PX_METRICS = TextMetrics(lambda ch: _char_px(ch) / BODY_SIZE)


def _text_px(cell: PCell, widths: list[float]) -> float:
    """Width for the text of ``cell`` in pixels (its columns less the paddings), as :func:`text_lines` has it."""
    return max(WIDE_PX, sum(widths[cell.col:cell.col + cell.colspan]) * UNIT_PX - CELL_PAD_PX)


def _shrinks(cell: PCell, widths: list[float]) -> bool:
    """A label a little too wide for its cell (一级预算单位： in 10 % of the width) is shrunk to one line rather
    than wrapped into a second one: a short one (≤ 12 characters) by up to 15 %, a longer one as in the PDF."""
    if cell.role not in LABEL_ROLES or cell.rowspan > 1 or "\n" in cell.text:
        return False
    avail = _text_px(cell, widths)
    need = text_width_px(cell.text)
    least = LABEL_SHRINK if len(cell.text) <= 12 else MIN_LABEL_SIZE / BODY_SIZE
    return avail < need <= avail / least


def fit_label_text(cell: PCell, widths: list[float]) -> tuple[str, bool]:
    """The text to write for the label ``cell`` and whether it is shrunk to one line.

    A spreadsheet program breaks CJK text anywhere, also before "，" or "）". So a label that does not fit its
    cell on one line is broken here by the rules of the PDF (no line starts with a closing mark nor ends with an
    opening one, numbers are not cut; a column title into balanced lines, 一级 / 指标) and written with explicit
    line breaks, each line no wider than the cell by the estimate of :func:`text_lines` — which is also what the
    row height is made for. A label that is only a little too wide is shrunk to one line instead (see
    :func:`_shrinks`)."""
    text = clean_text(cell.text)
    avail = _text_px(cell, widths)
    if not text.strip() or ("\n" not in text and text_width_px(text) <= avail):
        return text, False
    if _shrinks(replace(cell, text=text), widths):
        return text, True
    if cell.role in FITTED_ROLES or cell.align == "center":
        fitted = fit_label(text, avail, _PX_METRICS)
        if fitted and len(fitted[0]) == 1:
            return text, True  # one line, shrunk by at most 10 %
        if fitted and fitted[1] >= BODY_SIZE:  # (several shrunk lines: a cell cannot wrap and shrink at once)
            return "\n".join(fitted[0]), False
    return "\n".join(break_lines(text, avail, _PX_METRICS, BODY_SIZE)), False


def _row_heights(slots: list[_Slot], widths: list[float], first: int, last: int) -> dict[int, float]:
    heights = {r: MIN_ROW_PT for r in range(first, last + 1)}
    spans = []
    for slot in slots:
        c = slot.cell
        text = _clean_text(c.text)
        if not text or _is_number_cell(c) or slot.shrink:
            need = MIN_ROW_PT
        else:
            need = text_lines(text, sum(widths[c.col : c.col + c.colspan])) * LINE_PT + ROW_PAD_PT
        if c.rowspan == 1:
            heights[slot.row] = max(heights[slot.row], need)
        else:
            spans.append((slot, need))
    for slot, need in spans:
        rows = [r for r in range(slot.row, slot.row + slot.cell.rowspan) if r in heights]
        have = sum(heights[r] for r in rows)
        if rows and have < need:
            for r in rows:
                heights[r] += (need - have) / len(rows)
    return {r: min(h, MAX_ROW_PT) for r, h in heights.items()}


def print_scale(widths: list[float], landscape: bool) -> float:
    """The fit-to-width scale the spreadsheet program prints at (Excel rounds it down to a whole percent)."""
    sheet_width_pt = sum(w * UNIT_PX * 0.75 for w in widths)
    return min(100, math.floor(100 * PAGE_WIDTH_PT[landscape] / sheet_width_pt)) / 100


def _paginate(heights: dict[int, float], last: int, keep: set[int], quality: dict[int, int],
              indicator_rows: set[int], header_row: int | None, landscape: bool, widths: list[float]) -> list[int]:
    """Rows after which a page ends. A page holds as many rows as fit; when the next row does not, the page ends
    after the row that scores best — the fill of the page plus :data:`BREAK_BONUS` for a break between blocks or
    groups, less :data:`WIDOW_PENALTY` if a single indicator row would be left for the last page — and never
    right after a row in ``keep`` (unless a page holds nothing else). The repeated column header counts on every
    later page."""
    page_h = PAGE_HEIGHT_PT[landscape] / print_scale(widths, landscape) * PAGE_FILL
    breaks: list[int] = []
    page_start, used, r = 1, 0.0, 1
    while r <= last:
        h = heights.get(r, MIN_ROW_PT)
        if used + h > page_h and r > page_start:
            best, best_score = r - 1, -1.0
            fill = used
            for b in range(r - 1, page_start - 1, -1):
                if b not in keep:
                    score = fill / page_h + BREAK_BONUS.get(quality.get(b, BETWEEN_BLOCKS), 0.0)
                    rest = range(b + 1, last + 1)
                    if len(rest) <= 2 and sum(1 for x in rest if x in indicator_rows) == 1:
                        score -= WIDOW_PENALTY
                    if score > best_score:
                        best, best_score = b, score
                fill -= heights.get(b, MIN_ROW_PT)
            breaks.append(best)
            page_start = r = best + 1
            used = heights.get(header_row, 0.0) if header_row and header_row < page_start else 0.0
            continue
        used += h
        r += 1
    return breaks


def _fits_one_page(heights: dict[int, float], widths: list[float], landscape: bool) -> bool:
    """Does the form fit one page when printed at most 10 % smaller than fitting the width needs?"""
    page_h = PAGE_HEIGHT_PT[landscape] / print_scale(widths, landscape) * PAGE_FILL
    return sum(heights.values()) <= page_h / ONE_PAGE_SCALE


def _print_setup(ws, pf, header_row: int | None, one_page: bool = False, pages: int = 1) -> None:
    """A4 fitted to the width; the footer "第 &P 页 共 M 页" with the sheet's own page count ``pages`` (from the
    manual breaks of :func:`_paginate`): every form is a document of its own, also when the whole workbook is
    printed or converted, where ``&N`` would count every page of the workbook."""
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if pf.landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0  # 0: as many pages as the rows need
    ws.page_setup.firstPageNumber = 1  # every form starts at 第 1 页, also when the whole workbook is printed
    ws.page_setup.useFirstPageNumber = True
    ws.page_margins = PageMargins(**MARGINS_IN)
    ws.print_options.horizontalCentered = True
    if header_row:
        ws.print_title_rows = f"{header_row}:{header_row}"
    ws.oddFooter.center.text = f"第 &P 页 共 {pages} 页"
    ws.oddFooter.center.size = 9
    ws.oddFooter.center.font = f"{FONT_NAME},常规"
    ws.sheet_view.showGridLines = False


# ==================================================================================================
# cell values ↔ model fields (shared with xlsx_import)


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _clean_text(text: str) -> str:
    """What a worksheet can hold: no control characters, at most 32767 characters."""
    return _ILLEGAL.sub("", text or "")[:MAX_CELL_TEXT]


def _number(d: Decimal):
    return int(d) if d == d.to_integral_value() and abs(d) < 10**15 else float(d)


def as_read(value):
    """The value openpyxl reads back for a value written to a cell (numbers go through "%.16g")."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.replace("\r\n", "\n").replace("\r", "\n")
        return text or None
    if isinstance(value, bool):
        return value
    s = "%.16g" % value
    return float(s) if ("." in s or "e" in s or "E" in s) else int(s)


def resolve(obj, path: str):
    """``funds.total.executed`` → (form.funds.total, "executed"); works on models and on dumped dicts."""
    *parts, attr = path.split(".")
    for p in parts:
        obj = obj[int(p)] if isinstance(obj, list) else (obj[p] if isinstance(obj, dict) else getattr(obj, p))
    return obj, attr


def field_type(form: AnyForm, path: str) -> str:
    """``str``, ``int``, ``dec`` (scores) or ``money:元`` / ``money:万元`` for the field at ``path``."""
    owner, attr = resolve(form, path)
    annotation = type(owner).model_fields[attr].annotation
    types_ = set(get_args(annotation)) or {annotation}
    if Decimal in types_:
        money = isinstance(owner, (FundLine, Task))
        if owner is form:
            spec = next((f for f in layout_for(form).fields_for(form) if f.key == attr), None)
            money = spec is not None and spec.kind == "money"
        if money:
            unit = form.amount_unit if isinstance(form, Declaration) else YUAN
            return f"money:{unit}"
        return "dec"
    if int in types_:
        return "int"
    return "str"


def _dec(value) -> Decimal:
    return Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))


def _number_text(value, number_format: str = "") -> str:
    d = _dec(value)
    if "%" in (number_format or ""):
        return format_number(d * 100) + "%"
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_cell(value, ftype: str, number_format: str = "") -> tuple[object, str | None, str | None]:
    """A cell value read by openpyxl → (field value in JSON form, raw text or None, note or None).

    Invalid typed input is kept as raw text, as everywhere in the model.
    """
    note = None
    if isinstance(value, bool):
        value = "TRUE" if value else "FALSE"
    if isinstance(value, (datetime, date, time)):
        midnight = isinstance(value, datetime) and value.time() == time(0)
        if midnight or (isinstance(value, date) and not isinstance(value, datetime)):
            value = f"{value.year}年{value.month}月{value.day}日"
        else:
            value = str(value)
        note = f"单元格被 Excel 识别为日期或时间，已按“{value}”读取，请核对"
    if ftype == "str":
        if value is None:
            return "", None, note
        if isinstance(value, (int, float)):
            return _number_text(value, number_format), None, note
        return value, None, note
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None, note
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, str(value), note
        d = _dec(value)
        if ftype.startswith("money:"):
            factor = TEN_THOUSAND if ftype.endswith(WAN_YUAN) else Decimal(1)
            return str(round_half_up(d * factor)), None, note
        if ftype == "int":
            if d == d.to_integral_value():
                return int(d), None, note
            return None, _number_text(value), note
        return str(d), None, note
    text = str(value)
    if ftype.startswith("money:"):
        d = parse_money(text, WAN_YUAN if ftype.endswith(WAN_YUAN) else YUAN)
        return (str(d), None, note) if d is not None else (None, text, note)
    d = parse_decimal(text)
    if ftype == "int":
        if d is not None and d == d.to_integral_value():
            try:
                return int(d), None, note
            except (OverflowError, InvalidOperation, ValueError):
                pass
        return None, text, note
    return (str(d), None, note) if d is not None else (None, text, note)


def _same(parsed_value, parsed_raw, orig_value, orig_raw) -> bool:
    if (parsed_raw or None) != (orig_raw if orig_raw is not None else None):
        return False
    if parsed_value is None or orig_value is None:
        return parsed_value is None and orig_value is None
    return type(parsed_value) is type(orig_value) and str(parsed_value) == str(orig_value)


class _Codec:
    """Writes model fields to cells and records how to read them back."""

    def __init__(self, form: AnyForm):
        self.form = form
        self.dump = form.model_dump(mode="json")
        self.cells: list[list] = []
        self.keep: dict[str, list] = {}
        self.paths: list[str] = []

    def cell(self, ref: str, cell: PCell, path: str):
        ftype = field_type(self.form, path)
        owner_dump, attr = resolve(self.dump, path)
        orig_value = owner_dump.get(attr)
        orig_raw = (owner_dump.get("raw") or {}).get(attr)
        fmt = ""
        if cell.number is not None:
            value, fmt = _number(cell.number), _excel_format(cell.number_format)
        elif cell.role == "computed":
            value, fmt = _display_value(cell)
        elif ftype == "int" and isinstance(orig_value, int) and orig_raw is None and cell.text == str(orig_value):
            value = orig_value
            fmt = "0"
        else:
            value = _clean_text(cell.text) or None
        written = as_read(value)
        parsed_value, parsed_raw, _ = parse_cell(written, ftype, fmt)
        if not _same(parsed_value, parsed_raw, orig_value, orig_raw):
            self.keep[path] = [written, {"v": orig_value, "r": orig_raw}]
        self.cells.append([ref, path, ftype])
        self.paths.append(path)
        return value, fmt

    def base(self) -> dict:
        """The dump without the fields that are read back from cells."""
        base = json.loads(json.dumps(self.dump, ensure_ascii=False))
        for path in self.paths:
            owner, attr = resolve(base, path)
            owner.pop(attr, None)
            raw = owner.get("raw")
            if raw and attr in raw:
                del raw[attr]
                if not raw:
                    del owner["raw"]
        return base


# ==================================================================================================
# the hidden metadata sheet


class _MetaSheet:
    """The hidden round-trip sheet, written a row at a time as the forms are done: in a write-only workbook
    straight to its temporary file, so that no form's metadata waits in memory for the others."""

    def __init__(self, wb):
        from openpyxl.worksheet._write_only import WriteOnlyWorksheet
        from openpyxl.worksheet.worksheet import Worksheet

        self.ws = _new_sheet(wb, META_SHEET, WriteOnlyWorksheet if wb.write_only else Worksheet)
        self.ws.sheet_state = "hidden"
        self.rows = 0
        self._append([FORMAT_MARKER, FORMAT_VERSION, __version__, META_NOTE])

    def add(self, meta: dict) -> None:
        doc = json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
        chunks = [doc[i : i + META_CHUNK] for i in range(0, len(doc), META_CHUNK)] or [""]
        self._append([meta["sheet"], meta["index"], len(chunks), *chunks])

    def _append(self, values: list) -> None:
        """One row at the end (without asking the sheet for its last row, which scans every cell); a text that
        starts with "=" stays text, never a formula."""
        self.rows += 1
        if self.ws.parent.write_only:
            from openpyxl.cell import WriteOnlyCell

            cells = [WriteOnlyCell(self.ws, value=v) for v in values]
            for c in cells:
                if c.data_type == "f":
                    c.data_type = "s"
            self.ws.append(cells)
            return
        for col, value in enumerate(values, 1):
            c = self.ws.cell(row=self.rows, column=col, value=value)
            if c.data_type == "f":
                c.data_type = "s"


def _write_meta_sheet(wb, metas: list[dict]) -> None:
    """The round-trip sheet of ``metas`` (one per form sheet) as the last sheet of ``wb``."""
    sheet = _MetaSheet(wb)
    for meta in metas:
        sheet.add(meta)


__all__ = [
    "ExportCancelled",
    "FORMAT_MARKER",
    "FORMAT_VERSION",
    "META_SHEET",
    "build_workbook",
    "export_xlsx",
    "parse_cell",
    "sheet_names",
    "text_lines",
]
