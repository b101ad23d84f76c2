"""Excel export: one sheet per form, laid out from ``layouts.printed`` like the PDF and the Qt grid.

This module is the public entry (:func:`export_xlsx`, :func:`build_workbook`, :func:`sheet_names`) and the hidden
round-trip sheet; the work is done in :mod:`.xlsx_writer` (a form's sheet and its XML), :mod:`.xlsx_print`
(widths, row heights, page breaks, print setup), :mod:`.xlsx_cells` (cell values ↔ model fields, shared with
:mod:`.xlsx_import`) and :mod:`.xlsx_package` (the sheets in the zip package, openpyxl's writer for the rest).

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
instead. The printed pages are made in :mod:`.xlsx_print`: a form that fits one page, or nearly
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
import re
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import cast

from .. import __version__
from ..model import FORM_KIND_SHORT, AnyForm, Project, form_title
from ..store.project_file import write_atomically
from .report import ExportCancelled, ExportError
from .xlsx_cells import FORMAT_MARKER, FORMAT_VERSION, MAX_CELL_TEXT, META_SHEET, as_read, parse_cell, resolve
from .xlsx_package import archive_sheet as _archive_sheet
from .xlsx_package import escape_text, sheet_classes, sheet_xml
from .xlsx_package import new_sheet as _new_sheet
from .xlsx_package import remove_sheet_files as _remove_sheet_files
from .xlsx_package import set_normal_font as _set_normal_font
from .xlsx_print import (
    BETWEEN_BLOCKS,
    BETWEEN_GROUPS,
    FONT_NAME,
    FONT_SIZE,
    LABEL_ROLES,
    LABEL_SHRINK,
    LINE_PT,
    MAX_ROW_PT,
    ONE_PAGE_SCALE,
    PAGE_HEIGHT_PT,
    fit_label_text,
    print_scale,
    text_lines,
    text_width_px,
)
from .xlsx_writer import Styles as _Styles
from .xlsx_writer import archive_form_sheet, plan_form_sheet, write_form_sheet

META_NOTE = "本工作表保存“绩效表单助手”导入此工作簿所需的信息，请勿修改或删除。"
MAX_SHEET_NAME = 31
META_CHUNK = 30000

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
    # the buffer itself, not a copy of it (a district's workbook is tens of MB); write_atomically only reads it
    write_atomically(Path(out_path), cast(bytes, buf.getbuffer()), keep_backup=False)
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
        wb.remove(wb.worksheets[0])  # the empty sheet a new workbook has
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
    from zipfile import ZIP_DEFLATED, ZipFile

    wb = _new_workbook(project, write_only=True)
    archive = ZipFile(out, "w", ZIP_DEFLATED, allowZip64=True)
    try:
        _fill_workbook(wb, project, forms, progress, is_cancelled, archive)
        wb.properties.modified = datetime.now(tz=timezone.utc).replace(tzinfo=None)  # as openpyxl's save does
        sheet_classes().ExcelWriter(wb, archive).save()  # closes the archive
    finally:
        archive.close()
        _remove_sheet_files(wb)  # (a sheet of openpyxl's own write-only kind, if one is ever added)


def _fill_workbook(wb, project: Project, forms: list[AnyForm], progress: Progress | None,
                   is_cancelled: Cancelled | None, archive=None) -> None:
    """One sheet per form, then the hidden round-trip sheet. With ``archive`` (:func:`_save_streamed`) each
    form's sheet is written into it as soon as it is made (:func:`.xlsx_writer.archive_form_sheet`) and
    replaced by what the workbook part needs of it."""
    # made first so that its rows can be written as the forms are; moved behind them below
    meta = _MetaSheet(wb) if archive is None else _StreamedMetaSheet(wb)
    try:
        _fill_sheets(wb, project, forms, progress, is_cancelled, archive, meta)
    finally:
        if isinstance(meta, _StreamedMetaSheet):
            meta.close()  # its temporary file, also when the export is cancelled or fails


def _fill_sheets(wb, project: Project, forms: list[AnyForm], progress: Progress | None,
                 is_cancelled: Cancelled | None, archive, meta) -> None:
    from ..rules import form_stars
    from ..rules.report import computed_values

    styles = _Styles()
    names = sheet_names(forms)
    for n, (form, name) in enumerate(zip(forms, names, strict=True)):
        if is_cancelled and is_cancelled():
            raise ExportCancelled()
        computed, stars = computed_values(form, project), form_stars(form, project)
        if archive is not None:
            plan = plan_form_sheet(form, computed, stars)
            archive_form_sheet(wb, name, plan, styles, archive)
            sheet_meta = plan.meta
        else:
            sheet_meta = write_form_sheet(_new_sheet(wb, name), form, computed, stars, styles)
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
    if isinstance(meta, _StreamedMetaSheet):
        meta.archive(archive)


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
# the hidden metadata sheet


class _MetaSheet:
    """The hidden round-trip sheet of :func:`build_workbook`, an ordinary worksheet, a row per form sheet."""

    def __init__(self, wb):
        self.ws = _new_sheet(wb, META_SHEET)
        self.ws.sheet_state = "hidden"
        self.rows = 0
        self._append(_meta_header())

    def add(self, meta: dict) -> None:
        self._append(_meta_row(meta))

    def _append(self, values: list) -> None:
        """One row at the end (without asking the sheet for its last row, which scans every cell); a text that
        starts with "=" stays text, never a formula."""
        self.rows += 1
        for col, value in enumerate(values, 1):
            c = self.ws.cell(row=self.rows, column=col, value=value)
            if c.data_type == "f":
                c.data_type = "s"


class _StreamedMetaSheet:
    """The hidden round-trip sheet of the streamed export, written as the forms are done a row at a time, as text,
    to a temporary file (no form's metadata waits in memory for the others), and copied into the package at the
    end (:meth:`archive`): the part openpyxl's write-only sheet would write for the same rows, without its cell
    objects. Its place in the workbook is taken at once (the first sheet; moved behind the forms at the end)."""

    HEAD = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetPr><outlinePr '
            'summaryBelow="1" summaryRight="1" /><pageSetUpPr /></sheetPr><sheetViews><sheetView workbookViewId="0">'
            '<selection activeCell="A1" sqref="A1" /></sheetView></sheetViews><sheetFormatPr baseColWidth="8" '
            'defaultRowHeight="15" /><sheetData>')
    TAIL = ('</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5" />'
            "</worksheet>")

    def __init__(self, wb):
        import tempfile

        self.wb = wb
        self.file = tempfile.TemporaryFile()
        self.rows = 0
        self.ws = sheet_classes().WrittenSheet(wb, META_SHEET, "", "hidden", None)
        wb._sheets.append(self.ws)
        self._append(_meta_header())

    def add(self, meta: dict) -> None:
        self._append(_meta_row(meta))

    def _append(self, values: list) -> None:
        from openpyxl.cell.cell import ERROR_CODES
        from openpyxl.utils import get_column_letter

        self.rows += 1
        r = self.rows
        out = [f'<row r="{r}">']
        for col, value in enumerate(values, 1):
            ref = f"{get_column_letter(col)}{r}"
            if isinstance(value, str):
                if value == "":
                    out.append(f'<c r="{ref}" t="inlineStr" />')
                elif value in ERROR_CODES:
                    out.append(f'<c r="{ref}" t="e"><v>{value}</v></c>')
                else:
                    space = ' xml:space="preserve"' if value.strip() and value != value.strip() else ""
                    out.append(f'<c r="{ref}" t="inlineStr"><is><t{space}>{escape_text(value)}</t></is></c>')
            else:
                out.append(f'<c r="{ref}" t="n"><v>{value}</v></c>')
        out.append("</row>")
        self.file.write("".join(out).encode("utf-8"))

    def archive(self, archive) -> None:
        """Copy the sheet into ``archive`` under the name openpyxl's writer gives it (its place now)."""
        import shutil

        index = self.wb._sheets.index(self.ws) + 1
        self.ws.written_path = f"xl/worksheets/sheet{index}.xml"
        self.file.seek(0)
        with archive.open(self.ws.written_path, "w", force_zip64=True) as part:
            part.write(self.HEAD.encode())
            shutil.copyfileobj(self.file, part, 1 << 20)
            part.write(self.TAIL.encode())
        self.close()

    def close(self) -> None:
        self.file.close()


def _meta_header() -> list:
    return [FORMAT_MARKER, FORMAT_VERSION, __version__, META_NOTE]


def _meta_row(meta: dict) -> list:
    """The round-trip document of one form sheet, in pieces a cell holds."""
    doc = json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
    chunks = [doc[i : i + META_CHUNK] for i in range(0, len(doc), META_CHUNK)] or [""]
    return [meta["sheet"], meta["index"], len(chunks), *chunks]


def _write_meta_sheet(wb, metas: list[dict]) -> None:
    """The round-trip sheet of ``metas`` (one per form sheet) as the last sheet of ``wb``."""
    sheet = _MetaSheet(wb)
    for meta in metas:
        sheet.add(meta)


__all__ = [
    "BETWEEN_BLOCKS",
    "BETWEEN_GROUPS",
    "FONT_NAME",
    "FONT_SIZE",
    "FORMAT_MARKER",
    "FORMAT_VERSION",
    "LABEL_ROLES",
    "LABEL_SHRINK",
    "LINE_PT",
    "MAX_CELL_TEXT",
    "MAX_ROW_PT",
    "META_SHEET",
    "ONE_PAGE_SCALE",
    "PAGE_HEIGHT_PT",
    "ExportCancelled",
    "ExportError",
    "as_read",
    "build_workbook",
    "export_xlsx",
    "fit_label_text",
    "parse_cell",
    "print_scale",
    "resolve",
    "sheet_names",
    "sheet_xml",
    "text_lines",
    "text_width_px",
    "write_form_sheet",
]
