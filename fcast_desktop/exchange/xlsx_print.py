"""Geometry and print setup of a form's sheet: text measurement, column widths, row heights, page breaks, A4 setup.

Excel and LibreOffice do not size rows of wrapped text written by a library, nor break CJK labels by the rules of
the printed form, so the widths, the line breaks of labels and the row heights are computed here from a text-width
estimate (:func:`text_lines`), and the printed pages are made here (:func:`paginate`): a form that fits one page, or
nearly (:data:`ONE_PAGE_SCALE`), is printed on one page; otherwise manual breaks fall between groups where the pages
stay reasonably full, inside a group only when it is taller than that, never inside another merged cell, and not so
that one indicator row is left alone on the last page. :func:`print_setup` sets A4 fitted to the page width and the
footer "第 &P 页 共 M 页", M being the sheet's own page count. No openpyxl import at module level.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from ..layouts.printed import (
    BODY_SIZE,
    MIN_LABEL_SIZE,
    PCell,
    TextMetrics,
    break_lines,
    clean_text,
    fit_label,
    page_footer,
)
from .xlsx_cells import clean_cell_text, is_number_cell

FONT_NAME = "宋体"  # SimSun: Excel/WPS on Windows; LibreOffice substitutes a CJK font
FONT_SIZE = 10.5  # 五号
FOOTER_FONT = f"{FONT_NAME},常规"
FOOTER_SIZE = 9

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
CACHED_TEXT = 200  # texts up to this long have their measures kept (labels repeat; long texts would fill memory)
ONE_PAGE_SCALE = 0.9  # a form that fits one page when printed this much smaller is printed on one page


@dataclass
class Slot:
    """A cell to write: its sheet row, the printed cell and the model path it shows ("" for labels)."""

    row: int
    cell: PCell
    path: str = ""
    shrink: bool = False  # one line, shrunk to fit (a label a little too wide for its cell)


@dataclass
class Line:
    """One sheet row of the form below the title."""

    slots: list[Slot]
    keep_next: bool = False  # no page break right after this row
    quality: int = BETWEEN_BLOCKS  # how good a page break right after this row is (see :func:`paginate`)
    indicator: bool = False


def text_width_px(text: str) -> float:
    return sum(map(_char_px, text))


def text_lines(text: str, width_units: float) -> int:
    """Wrapped line count of ``text`` in a cell ``width_units`` wide (CJK characters break anywhere)."""
    text = str(text)
    if len(text) <= CACHED_TEXT:
        return _text_lines(text, width_units)
    return _text_lines.__wrapped__(text, width_units)


@lru_cache(maxsize=8192)  # labels and short values repeat from form to form
def _text_lines(text: str, width_units: float) -> int:
    avail = max(WIDE_PX, width_units * UNIT_PX - CELL_PAD_PX)
    lines = 0
    for part in str(text).split("\n"):
        lines += 1
        if sum(map(_char_px, part)) <= avail:  # every line of a form but the long texts: no need to wrap
            continue
        x = 0.0
        for ch in part:
            w = _char_px(ch)
            if x + w > avail:
                lines += 1
                x = 0.0
            x += w
    return max(1, lines)


def column_widths(shares: list[float], landscape: bool, slots: list[Slot]) -> list[float]:
    """The sheet grid's width shares on the printable width; a column too narrow for the amounts it holds (which
    do not wrap) takes the width it needs from the others, in proportion to their width. An amount spanning
    several columns needs their sum; the last of them grows."""
    share = sum(shares) or 1
    widths = [w / share * TOTAL_WIDTH[landscape] for w in shares]
    need = [0.0] * len(widths)
    for slot in slots:
        c = slot.cell
        if is_number_cell(c):
            want = (text_width_px(c.text) + CELL_PAD_PX + 2) / UNIT_PX - sum(widths[c.col:c.col + c.colspan - 1])
            last = c.col + c.colspan - 1
            need[last] = max(need[last], want)
    deficit = sum(max(0.0, n - w) for n, w in zip(need, widths, strict=True))
    donors = [i for i, (n, w) in enumerate(zip(need, widths, strict=True)) if n < w]
    spare = sum(widths[i] - max(need[i], widths[i] * 0.6) for i in donors)
    if deficit <= 0 or spare <= 0:
        return widths
    take = min(1.0, deficit / spare)
    out = list(widths)
    for i, (n, w) in enumerate(zip(need, widths, strict=True)):
        if n > w:
            out[i] = w + (n - w) * min(1.0, spare / deficit)
        elif i in donors:
            out[i] = w - (w - max(n, w * 0.6)) * take
    return out


@cache  # a few thousand distinct characters at most; looked up for every character written
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
    return _shrinks_in(cell.text, cell.role, cell.rowspan, _text_px(cell, widths))


def _shrinks_in(text: str, role: str, rowspan: int, avail: float) -> bool:
    if role not in LABEL_ROLES or rowspan > 1 or "\n" in text:
        return False
    need = text_width_px(text)
    least = LABEL_SHRINK if len(text) <= 12 else MIN_LABEL_SIZE / BODY_SIZE
    return avail < need <= avail / least


def fit_label_text(cell: PCell, widths: list[float]) -> tuple[str, bool]:
    """The text to write for the label ``cell`` and whether it is shrunk to one line.

    A spreadsheet program breaks CJK text anywhere, also before "，" or "）". So a label that does not fit its
    cell on one line is broken here by the rules of the PDF (no line starts with a closing mark nor ends with an
    opening one, numbers are not cut; a column title into balanced lines, 一级 / 指标) and written with explicit
    line breaks, each line no wider than the cell by the estimate of :func:`text_lines` — which is also what the
    row height is made for. A label that is only a little too wide is shrunk to one line instead (see
    :func:`_shrinks`)."""
    fit = _fit_label if len(cell.text) <= CACHED_TEXT else _fit_label.__wrapped__
    return fit(cell.text, cell.role, cell.align, cell.rowspan, _text_px(cell, widths))


@lru_cache(maxsize=4096)  # the same labels in the same widths on every form of a kind
def _fit_label(raw: str, role: str, align: str, rowspan: int, avail: float) -> tuple[str, bool]:
    text = clean_text(raw)
    if not text.strip() or ("\n" not in text and text_width_px(text) <= avail):
        return text, False
    if _shrinks_in(text, role, rowspan, avail):
        return text, True
    if role in FITTED_ROLES or align == "center":
        fitted = fit_label(text, avail, _PX_METRICS)
        if fitted and len(fitted[0]) == 1:
            return text, True  # one line, shrunk by at most 10 %
        if fitted and fitted[1] >= BODY_SIZE:  # (several shrunk lines: a cell cannot wrap and shrink at once)
            return "\n".join(fitted[0]), False
    return "\n".join(break_lines(text, avail, _PX_METRICS, BODY_SIZE)), False


def row_heights(slots: list[Slot], widths: list[float], first: int, last: int) -> dict[int, float]:
    heights = dict.fromkeys(range(first, last + 1), MIN_ROW_PT)
    spans = []
    for slot in slots:
        c = slot.cell
        text = clean_cell_text(c.text)
        if not text or is_number_cell(c) or slot.shrink:
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


def paginate(heights: dict[int, float], last: int, keep: set[int], quality: dict[int, int],
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


def fits_one_page(heights: dict[int, float], widths: list[float], landscape: bool) -> bool:
    """Does the form fit one page when printed at most 10 % smaller than fitting the width needs?"""
    page_h = PAGE_HEIGHT_PT[landscape] / print_scale(widths, landscape) * PAGE_FILL
    return sum(heights.values()) <= page_h / ONE_PAGE_SCALE


def footer_text(pages: int) -> str:
    """The footer as openpyxl writes the one :func:`print_setup` sets (``&C``: centred; ``&P``: the page)."""
    return f'&C&"{FOOTER_FONT}"&{FOOTER_SIZE} {page_footer("&P", pages)}'


def print_setup(ws, pf, header_row: int | None, one_page: bool = False, pages: int = 1) -> None:
    """A4 fitted to the width; the footer "第 &P 页 共 M 页" with the sheet's own page count ``pages`` (from the
    manual breaks of :func:`paginate`): every form is a document of its own, also when the whole workbook is
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
    ws.oddFooter.center.text = page_footer("&P", pages)
    ws.oddFooter.center.size = FOOTER_SIZE
    ws.oddFooter.center.font = FOOTER_FONT
    ws.sheet_view.showGridLines = False
