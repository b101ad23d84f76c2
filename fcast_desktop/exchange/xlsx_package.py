"""Sheets in the package: what the streamed export needs of openpyxl beyond the cells.

The streamed export (:func:`.xlsx_export.export_xlsx`) writes each sheet into the zip package as soon as it is
made and keeps in the workbook only what the workbook part and the package list still read of it
(:class:`WrittenSheet`, made by :func:`sheet_classes`); openpyxl's own writer (:class:`ExcelWriter`) adds the
workbook part, the styles and the rest at the end. A sheet made as an openpyxl worksheet (the explanation sheet,
a form sheet :mod:`.xlsx_writer` leaves to openpyxl) is written by :func:`sheet_xml`: byte for byte what openpyxl
writes, the rows as text. No openpyxl import at module level.
"""

from __future__ import annotations

import io
import re
from functools import cache
from typing import Any, cast

NORMAL_FONT = "Arial"


def set_normal_font(wb) -> None:
    """Arial 10 as the workbook's Normal font: its digit is 7 px wide in Excel, as Calibri 11 (so column widths
    mean the same), and LibreOffice has a metric-compatible font for it (Liberation Sans) where it has none for
    Calibri and would make every column a third wider."""
    from openpyxl.styles import Font
    from openpyxl.utils.indexed_list import IndexedList

    font = Font(name=NORMAL_FONT, size=10)
    wb._fonts = IndexedList([font])
    wb._named_styles["Normal"].font = font


def new_sheet(wb, name: str, cls=None):
    """A new last sheet ``name`` of ``wb`` (an ordinary worksheet unless ``cls`` says otherwise). The names are
    unique and valid already (:func:`.xlsx_export.sheet_names`), so openpyxl's title check is skipped: it compares
    each new title with the title of every sheet before it, quadratic in sheets."""
    if cls is None:
        from openpyxl.worksheet.worksheet import Worksheet

        cls = Worksheet
    ws = cls(None, None)  # without its workbook, the title setter checks nothing
    ws._parent = wb
    ws._WorkbookChild__title = name
    wb._add_sheet(ws)
    return ws


def next_sheet_path(wb) -> str:
    index = len(wb._sheets)  # its place once the round-trip sheet (now first) is moved behind the forms
    return f"xl/worksheets/sheet{index}.xml"


def archive_sheet(wb, ws, archive) -> None:
    """Write the finished sheet ``ws`` (the last of ``wb``) into ``archive`` under the name openpyxl's writer
    will give it, and keep only what the workbook part needs of it (:class:`WrittenSheet`)."""
    wb._sheets.pop()
    path = next_sheet_path(wb)
    archive.writestr(path, sheet_xml(ws))
    wb._sheets.append(sheet_classes().WrittenSheet(wb, ws.title, path, ws.sheet_state, ws._print_rows))


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
    writer = sheet_classes().TopAndTailWriter(ws, out=io.BytesIO())  # all but the rows and the merges
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
            attrs_ = f' r="{cell.coordinate}" s="{cell.style_id}"' if styled else f' r="{cell.coordinate}"'
            attrs_ += ' t="inlineStr"' if kind == "s" else ' t="n"'
            if value is None or value == "":
                out.append(f"<c{attrs_} />")
            elif kind == "s":
                if not isinstance(value, str):  # rich text
                    return None
                space = ' xml:space="preserve"' if value.strip() and value != value.strip() else ""
                out.append(f"<c{attrs_}><is><t{space}>{escape_text(value)}</t></is></c>")
            else:
                out.append(f"<c{attrs_}><v>{escape_text(safe_string(value))}</v></c>")
        out.append("</row>")
    return "".join(out)


def _attributes(attrs: dict) -> str:
    return "".join(f' {k}="{_escape_attribute(str(v))}"' for k, v in attrs.items())


def escape_text(text: str) -> str:
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
    from xml.etree.ElementTree import _escape_attrib  # type: ignore[attr-defined]

    return _escape_attrib(text) if _ATTRIBUTE_SPECIAL.search(text) else text


_ATTRIBUTE_SPECIAL = re.compile('[&<>"\r\n\t]')


@cache
def sheet_classes() -> Any:
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

    from openpyxl.packaging.relationship import RelationshipList
    from openpyxl.workbook.defined_name import DefinedNameDict
    from openpyxl.worksheet.filters import AutoFilter

    class WrittenSheet(Worksheet):
        """What the workbook keeps of a sheet already in the package: its name, state and print titles — what the
        workbook part and the package list still read — and no cells, merges or settings (an empty openpyxl
        worksheet alone takes ~12 kB; a district's export has 10,000 sheets). What every such sheet has alike
        (no relations, names, filter, tables, drawings; the writer only reads them) is shared by all of them."""

        closed = True
        legacy_drawing = None
        _drawing = None
        _rels = RelationshipList()
        defined_names = DefinedNameDict()
        auto_filter = AutoFilter()
        _print_cols = None
        _tables: Any = types.MappingProxyType({})
        _charts: tuple = ()
        _images: tuple = ()
        _comments: tuple = ()
        _pivots: tuple = ()
        print_area: Any = None  # (Worksheet's property would make a PrintArea object per sheet)

        def __init__(self, wb, title: str, path: str, state: str, print_rows):
            # no Worksheet.__init__: nothing to set up
            self._parent = wb
            self._WorkbookChild__title = title
            self.written_path = path
            self.sheet_state = cast(Any, state)
            self._print_rows = print_rows

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


def remove_sheet_files(wb) -> None:
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
