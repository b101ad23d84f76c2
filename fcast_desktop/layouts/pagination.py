"""A printed form laid out on A4 pages: the pages of the PDF export **and** of 打印 / 打印预览, which only draw
the :class:`Page` objects (text lines, boxes) that :func:`compose_pages` returns.

It fits labels, measures rows (with :mod:`.linebreak`) and paginates:

* the column header rows and the merged caption column of the indicator table are repeated on every page, and
  so are the title and column header rows of a block (its label then reading "…（续）"),
* the 一级/二级 cells of each page's rows come from :func:`~.cells.group_cells`, so a merged label is printed
  again on every page its group continues on,
* any other merged cell is cut and printed again, a form label with "（续）",
* a long text is split inside its cell, its label repeated with "（续）：",
* no widows or orphans: a table does not end with one row alone on a page, nor start with one row alone at the
  bottom of a page; a break inside a 二级 group leaves at least two of its rows on either side; the trailer row
  (the total) stays with the indicator rows; a section title or column header never ends a page,
* each page is signed "第 N 页 共 M 页", counted per form.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from ..model.skeleton import Level1, Level2
from .cells import PCell, PrintedForm, PRow, group_cells
from .linebreak import (
    BODY_SIZE,
    LEADING,
    MIN_LABEL_SIZE,
    TextMetrics,
    break_lines,
    clean_text,
    continued_label,
    fit_label,
)

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)

# page geometry (points)
MARGIN_X = 15 * MM
MARGIN_TOP = 12 * MM
MARGIN_BOTTOM = 14 * MM
FOOTER_Y = 7 * MM  # baseline of "第 N 页 共 M 页", from the bottom edge
FOOTER = "第 {number} 页 共 {count} 页"
"""The page footer of every printed form, counted per form: the PDF's and 打印's (:attr:`Page.footer`) and the
Excel sheets' (``page_footer("&P", pages)``: Excel fills in the page number)."""


def page_footer(number: int | str, count: int | str) -> str:
    """“第 N 页 共 M 页” (:data:`FOOTER`)."""
    return FOOTER.format(number=number, count=count)


# type
TITLE_SIZE = 18.0  # 小二
SUBTITLE_SIZE = 12.0
ASCENT = 0.88  # of the font (OS/2 typo ascender / em)
FOOTER_SIZE = 9.0
TITLE_GAP = 3 * MM  # between the title (or subtitle) and the first table

# cells
HPAD = 3.0
TOP_PAD = 2.5
BOTTOM_PAD = 3.0
MIN_ROW = 18.0
GRID_WIDTH = 0.5
BOX_WIDTH = 0.9
HEADER_FILL = "#EDEDED"

MIN_SPLIT_SPACE = 3 * BODY_SIZE * LEADING + TOP_PAD + BOTTOM_PAD  # split a long text if 3 lines fit on the page
EPS = 0.01


@dataclass(slots=True)
class PageText:
    """One line of text; ``x, y``: the start of its baseline, in points from the top left of the page."""

    x: float
    y: float
    text: str
    size: float
    bold: bool = False  # drawn filled and stroked (the app ships one regular font)


@dataclass(slots=True)
class PageBox:
    """A rectangle (points from the top left): filled with ``fill`` and/or outlined ``line_width`` wide."""

    x: float
    y: float
    w: float
    h: float
    line_width: float = 0.0
    fill: str = ""


@dataclass
class Page:
    width: float
    height: float
    form: int  # index of the form in the printed batch
    number: int = 0  # 第 N 页 of its form
    count: int = 0  # 共 M 页
    fills: list[PageBox] = field(default_factory=list)
    boxes: list[PageBox] = field(default_factory=list)
    texts: list[PageText] = field(default_factory=list)

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    @property
    def footer(self) -> str:
        return page_footer(self.number, self.count)


def page_size(landscape: bool) -> tuple[float, float]:
    return (A4[1], A4[0]) if landscape else A4


def frame_size(landscape: bool) -> tuple[float, float]:
    w, h = page_size(landscape)
    return w - 2 * MARGIN_X, h - MARGIN_TOP - MARGIN_BOTTOM


# ---- cells and rows of a grid --------------------------------------------------------------------------


@dataclass(eq=False, frozen=True)
class _Lines:
    """A cell's text broken into lines (shared by every cell showing the same text at the same width: frozen)."""

    lines: list[str]
    size: float = BODY_SIZE
    leading: float = field(init=False)
    height: float = field(init=False)

    def __post_init__(self) -> None:  # asked for at every measure of every page slice: computed once
        object.__setattr__(self, "leading", self.size * LEADING)
        object.__setattr__(self, "height", len(self.lines) * self.leading)

    def split(self, space: float) -> tuple[_Lines, _Lines] | None:
        k = int((space + EPS) // self.leading)
        if k <= 0 or k >= len(self.lines):
            return None
        return _Lines(self.lines[:k], self.size), _Lines(self.lines[k:], self.size)


@dataclass(eq=False, slots=True)
class _Cell:
    col: int
    colspan: int
    rowspan: int
    text: str
    role: str
    align: str
    content: _Lines | None = None  # None: an empty cell
    height: float = -1.0  # natural height (text + paddings); -1: not measured yet
    valign: str = "middle"

    def spanning(self, rowspan: int) -> _Cell:
        """This cell over ``rowspan`` rows (what ``replace(cell, rowspan=…)`` makes, without its overhead)."""
        return _Cell(self.col, self.colspan, rowspan, self.text, self.role, self.align, self.content, self.height,
                     self.valign)

    def measure(self) -> float:
        if self.height < 0:
            text = self.content.height if self.content is not None else 0.0
            self.height = max(MIN_ROW, text + TOP_PAD + BOTTOM_PAD)
        return self.height


@dataclass(eq=False)
class _Row:
    cells: list[_Cell]  # the cells that start on this row
    level1: Level1 | None = None
    level2: Level2 | None = None
    splittable: bool = False  # a long text: may be split inside
    keep_with_next: bool = False  # a section title or column header row: never the last row on a page


_LABEL_ROLES = ("header", "group", "caption", "section", "total")


def _cell(p: PCell, metrics: TextMetrics, widths: list[float]) -> _Cell:
    text = p.text or ""
    kind = _FIT if p.role in _LABEL_ROLES or (p.role == "label" and p.align == "center") else \
        _FORM_LABEL if p.role == "label" else _WRAP
    key = (text, kind, sum(widths[p.col:p.col + p.colspan]))
    memo = metrics.memo
    content = memo.get(key, _UNSEEN)
    if content is _UNSEEN:
        content = _content(text, kind, key[2] - 2 * HPAD, metrics)
        metrics.remember(key, content)
    return _Cell(p.col, p.colspan, p.rowspan, p.text, p.role, p.align, content)  # type: ignore[arg-type]


_FIT, _FORM_LABEL, _WRAP = 0, 1, 2  # how a cell's text is fitted: a short label, a form label (项目编码：), wrapped
_UNSEEN = object()


def _content(text: str, kind: int, width: float, metrics: TextMetrics) -> _Lines | None:
    """The lines of a cell's text in a cell ``width`` wide (paddings taken off): what :func:`_cell` measures, once
    per text, kind and width for a whole export (remembered by ``metrics``: the same label, column title or value
    comes back on every form)."""
    text = clean_text(text)
    if not text.strip():
        return None
    fitted = None
    if kind == _FIT:
        fitted = fit_label(text, width, metrics)
    elif kind == _FORM_LABEL:  # one line, shrunk a little rather than wrapped
        size = min(BODY_SIZE, int(BODY_SIZE * width / max(metrics.width(text, BODY_SIZE), EPS) * 10) / 10)
        if size >= MIN_LABEL_SIZE:
            fitted = [text], size
    if fitted:
        return _Lines(fitted[0], fitted[1])
    return _Lines(break_lines(text, width - 0.5, metrics, BODY_SIZE), BODY_SIZE)


def _row(r: PRow, metrics: TextMetrics, widths: list[float], splittable: bool) -> _Row:
    cells = [_cell(c, metrics, widths) for c in r.cells]
    # a section title or column header row (beside the merged label it starts, 项目资金（元）) ends no page
    shown = [c for c in cells if c.text.strip()]
    keep = any(c.role in ("header", "section") for c in shown) and all(
        c.role in ("header", "section") or (c.role == "label" and c.rowspan > 1) for c in shown)
    long_text = any(len(c.text) > 60 for c in cells)
    return _Row(cells, r.level1, r.level2, splittable=splittable and long_text and not keep, keep_with_next=keep)


_NUMBER = re.compile(r"^[\d,.%\-+]+$")


def _fit_widths(rows: list[PRow], widths: list[float], metrics: TextMetrics) -> list[float]:
    """Column widths for a block: its grid, except that a column holding an amount too wide for it takes room
    from columns with slack, so that an amount is never broken over two lines (a safety net: the block grids
    are made wide enough for the amounts of the seeds)."""
    need = [0.0] * len(widths)
    for row in rows:
        for c in row.cells:
            text = c.text.strip()
            if c.colspan == 1 and text and (c.number is not None or _NUMBER.match(text)):
                need[c.col] = max(need[c.col], metrics.width(text, BODY_SIZE) + 2 * HPAD + 1)
    deficit = sum(max(0.0, n - w) for n, w in zip(need, widths, strict=False))
    if deficit <= 0:
        return widths
    slack = [max(0.0, w - max(n, 0.6 * w)) if n <= w else 0.0 for n, w in zip(need, widths, strict=False)]
    total = sum(slack)
    if total <= 0:
        return widths
    moved = min(deficit, total)
    return [
        w - s * moved / total if n <= w else w + (n - w) * moved / deficit
        for n, w, s in zip(need, widths, slack, strict=False)
    ]


@dataclass
class _Slice:
    """The rows of a grid placed on one page: cells by starting row, row heights, column widths."""

    rows: list[list[_Cell]]
    heights: list[float]
    widths: list[float]

    @property
    def height(self) -> float:
        return sum(self.heights)


class _Grid:
    """Rows on a column grid that cut themselves into page-sized slices. ``head`` rows (column titles) and a
    ``caption`` column repeat on every page, ``tail`` rows come after the last body row, ``grouper`` adds the
    merged 一级/二级 cells of a page's rows."""

    def __init__(self, widths: list[float], rows: list[_Row], metrics: TextMetrics, frame_height: float,
                 head: list[_Row] | None = None, tail: list[_Row] | None = None, caption: _Cell | None = None,
                 grouper: Callable[[list[_Row]], list[list[_Cell]]] | None = None, continued: bool = False):
        self.widths = widths
        self.rows = rows
        self.metrics = metrics
        self.frame_height = frame_height
        self.head = head or []
        self.tail = tail or []
        self.caption = caption
        self.grouper = grouper
        self.continued = continued  # the rest of a grid cut at the end of the previous page
        if continued:  # a merged label of the repeated header reads "年度主要任务（续）"
            self.head = [replace(r, cells=[self._continued(c, c.rowspan) for c in r.cells]) for r in self.head]

    # ---- measuring

    def _assemble(self, body: list[_Row], with_tail: bool) -> _Slice:
        """Cells by starting row, and row heights, for a page holding ``body`` (merged cells cut to the page)."""
        rows: list[list[_Cell]] = [list(r.cells) for r in self.head]
        nhead = len(rows)
        rows += [list(r.cells) for r in body]
        if self.grouper and body:
            for i, extra in enumerate(self.grouper(body)):
                rows[nhead + i].extend(extra)
        if self.caption is not None and rows:
            rows[0].append(self.caption.spanning(len(rows)))
        if with_tail:
            rows += [list(r.cells) for r in self.tail]
        n = len(rows)
        heights = [MIN_ROW] * n
        spans = []
        for r, cells in enumerate(rows):
            for k, c in enumerate(cells):
                if r + c.rowspan > n:
                    c = cells[k] = c.spanning(n - r)
                if c.rowspan == 1:
                    heights[r] = max(heights[r], c.measure())
                else:
                    spans.append((c.rowspan, r, c))
        for span, r, c in sorted(spans, key=lambda s: s[0]):
            need = c.measure() - sum(heights[r:r + span])
            if need > 0:  # a merged label taller than its rows: the last row grows
                heights[r + span - 1] += need
        return _Slice(rows, heights, self.widths)

    def _height(self, body: list[_Row], with_tail: bool) -> float:
        return self._assemble(body, with_tail).height

    # ---- pagination

    def take(self, avail: float, fresh: bool) -> tuple[_Slice | None, _Grid | None]:
        """What goes on a page with ``avail`` points left (``fresh``: nothing else is on it yet): a slice, and
        the grid of the rows left for the next page (None when all are placed)."""
        avail -= EPS
        body = self.rows
        whole = self._assemble(body, True)
        if whole.height <= avail or (not body and fresh):
            return whole, None
        if not body:
            return None, self
        # the largest number of body rows that fit (the height grows with the number of rows: bisect)
        lo, hi = 0, len(body) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._height(body[:mid], with_tail=False) <= avail:
                lo = mid
            else:
                hi = mid - 1
        n = lo
        while n > 0 and body[n - 1].keep_with_next:
            n -= 1
        nxt = body[n]
        used = self._height(body[:n], with_tail=False) if (n or self.head) else 0.0
        never_fits = self._height([nxt], with_tail=False) > self.frame_height - EPS
        if (nxt.splittable or never_fits) and avail - used >= MIN_SPLIT_SPACE:
            parts = self._split_row(n, avail - used)
            if parts is not None:
                return parts
        n = self._no_widows(n, fresh)
        if n == 0:
            if not fresh:
                return None, self
            n = 1  # a row taller than a page that cannot be split: it overflows rather than loop
        return self._cut(body[:n], body[n:])

    def _no_widows(self, n: int, fresh: bool) -> int:
        """Move the page end up by a row or two so that no row stands alone: the last row of the table on the
        next page, the first row of the table at the bottom of this page, a 二级 group cut one row from its
        start or end. ``n`` (rows that fit) is kept when no nearby break is better."""
        body = self.rows
        total = len(body)
        short = 3 * MIN_ROW  # a tall row (a long text) standing alone is no widow

        def alone(k: int) -> bool:
            if total - k == 1 and total >= 3 and self._height([body[k]], False) - self._height([], False) < short:
                return True  # the last row alone on the next page
            first = self._height([body[0]], False) - self._height([], False) if k == 1 else 0.0
            if k == 1 and total >= 3 and not self.continued and first < short:
                return True  # the first row alone under the column header
            for key in ("level2", "level1"):  # a group cut one row from its start or its end
                value = getattr(body[k - 1], key)
                if value is None or getattr(body[k], key) != value:
                    continue
                before = 1
                while k - before - 1 >= 0 and getattr(body[k - before - 1], key) == value:
                    before += 1
                after = 1
                while k + after < total and getattr(body[k + after], key) == value:
                    after += 1
                if before == 1 or after == 1:
                    return True
            return False

        for k in range(n, max(0, n - 3), -1):
            if k < n and self._height(body[k:n], False) - self._height([], False) > self.frame_height / 4:
                break  # moving these rows would leave too much of the page empty
            if not alone(k):
                return k
        if n == 1 and not fresh and not self.continued and total >= 3:
            return 0  # the table starts on the next page
        return n

    def _cut(self, done: list[_Row], rest: list[_Row]) -> tuple[_Slice, _Grid]:
        """A slice for ``done`` (this page) and a grid for ``rest``; merged cells of ``done`` that run into
        ``rest`` are cut there and printed again at the top of ``rest``."""
        page = self._assemble(done, with_tail=False)
        n = len(done)
        carried = [
            self._continued(c, r + c.rowspan - n)
            for r, row in enumerate(done)
            for c in row.cells
            if r + c.rowspan > n
        ]
        if carried and rest:
            rest = [replace(rest[0], cells=carried + list(rest[0].cells)), *rest[1:]]
        grid = _Grid(self.widths, rest, self.metrics, self.frame_height, self.head, self.tail, self.caption,
                     self.grouper, continued=True)
        return page, grid

    def _continued(self, c: _Cell, rowspan: int) -> _Cell:
        """A cell printed again on the next page; a form label reads "年度总体目标（续）"."""
        if c.role != "label" or c.content is None:
            return replace(c, rowspan=rowspan)
        align: Literal["left", "center", "right"] = "right" if c.align == "right" else \
            "center" if c.align == "center" else "left"
        copy = _cell(PCell(continued_label(c.text), c.col, c.colspan, rowspan, "label", align), self.metrics,
                     self.widths)
        copy.valign = c.valign
        return copy

    def _split_row(self, i: int, space: float) -> tuple[_Slice, _Grid] | None:
        """Split body row ``i`` in two so that its first part fills ``space``; None if it cannot be split."""
        row = self.rows[i]
        a_cells: list[_Cell] = []
        b_cells: list[_Cell] = []
        split_any = False
        for c in row.cells:
            if c.rowspan > 1:  # a merged cell starting here: whole in the first part, carried to the next page
                a_cells.append(replace(c, rowspan=c.rowspan + 1))
                continue
            if c.content is None or c.measure() <= space:
                a_cells.append(c)
                if c.content is not None and c.role in ("label", *_LABEL_ROLES):
                    b_cells.append(self._continued(c, 1))
                else:
                    b_cells.append(_Cell(c.col, c.colspan, 1, "", c.role, c.align))
                continue
            pieces = c.content.split(space - TOP_PAD - BOTTOM_PAD)
            if pieces is None:
                return None
            split_any = True
            a_cells.append(_Cell(c.col, c.colspan, 1, c.text, c.role, c.align, pieces[0], valign="top"))
            b_cells.append(_Cell(c.col, c.colspan, 1, c.text, c.role, c.align, pieces[1], valign="top"))
        if not split_any:
            return None
        # merged cells of the rows above that covered row i now cover its two parts
        above = [
            replace(r, cells=[replace(c, rowspan=c.rowspan + 1) if k + c.rowspan > i else c for c in r.cells])
            for k, r in enumerate(self.rows[:i])
        ]
        a = replace(row, cells=a_cells, keep_with_next=False)
        b = replace(row, cells=b_cells)
        return self._cut(above + [a], [b] + self.rows[i + 1:])


# ---- a printed form → grids → pages -------------------------------------------------------------------


def _grids(pf: PrintedForm, metrics: TextMetrics, frame_w: float, frame_h: float) -> list[_Grid]:
    out = []
    for section in pf.sections:
        shares = pf.section_widths(section)
        widths = [frame_w * w / sum(shares) for w in shares]
        if section.kind != "indicators":
            widths = _fit_widths(section.rows, widths, metrics)
            rows = [_row(r, metrics, widths, splittable=True) for r in section.rows]
            k = 0  # the block's title and column header rows are repeated on the pages it continues on
            while k < len(rows) - 1 and rows[k].keep_with_next:
                k += 1
            out.append(_Grid(widths, rows[k:], metrics, frame_h, head=rows[:k]))
            continue
        body = [_row(r, metrics, widths, splittable=False) for r in section.rows]
        head = [_row(r, metrics, widths, splittable=False) for r in section.repeat]
        tail = [_row(r, metrics, widths, splittable=False) for r in section.trailer]
        caption = _cell(PCell(section.caption, 0, role="caption", align="center"), metrics, widths) \
            if section.caption else None
        out.append(_Grid(widths, body, metrics, frame_h, head=head, tail=tail, caption=caption,
                         grouper=_grouper(pf, metrics, widths)))
    return out


def _grouper(pf: PrintedForm, metrics: TextMetrics, widths: list[float]) -> Callable[[list[_Row]], list[list[_Cell]]]:
    labels: dict[tuple[object, ...], _Cell] = {}  # one measured cell per label, copied with the rowspan of each page

    def grouper(rows: list[_Row]) -> list[list[_Cell]]:
        prows = [PRow([], level1=r.level1, level2=r.level2) for r in rows]
        out = []
        for cells in group_cells(pf.layout, prows, pf.stars, pf.weights):
            line = []
            for c in cells:
                key = (c.text, c.col, c.colspan, c.align, c.role)
                if key not in labels:
                    labels[key] = _cell(replace(c, rowspan=1), metrics, widths)
                line.append(labels[key].spanning(c.rowspan))
            out.append(line)
        return out

    return grouper


def compose_pages(pf: PrintedForm, metrics: TextMetrics, form: int = 0) -> list[Page]:
    """The A4 pages of one printed form (``form``: its index in the batch, recorded on each page)."""
    width, height = page_size(pf.landscape)
    frame_w, frame_h = frame_size(pf.landscape)
    pages: list[Page] = []

    def new_page() -> Page:
        page = Page(width, height, form)
        pages.append(page)
        return page

    page = new_page()
    y = 0.0  # from the top of the frame
    for text, size, bold in ((pf.title, TITLE_SIZE, True), (pf.subtitle, SUBTITLE_SIZE, False)):
        if text:
            w = metrics.width(text, size)
            page.texts.append(PageText(MARGIN_X + (frame_w - w) / 2, MARGIN_TOP + y + 1.1 * size, text, size, bold))
            y += size * 1.5
    y += TITLE_GAP
    fresh = False  # the title stands at the top: the first table is never pushed off the first page alone
    for first in _grids(pf, metrics, frame_w, frame_h):
        grid: _Grid | None = first
        while grid is not None:
            placed, rest = grid.take(frame_h - y, fresh)
            if placed is not None:
                _draw_slice(page, placed, MARGIN_X + (frame_w - sum(placed.widths)) / 2, MARGIN_TOP + y, metrics)
                y += placed.height
                fresh = False
            if rest is not None:
                page, y, fresh = new_page(), 0.0, True
            grid = rest
    for n, p in enumerate(pages, 1):
        p.number, p.count = n, len(pages)
        w = metrics.width(p.footer, FOOTER_SIZE)
        p.texts.append(PageText((width - w) / 2, height - FOOTER_Y, p.footer, FOOTER_SIZE))
    return pages


def _draw_slice(page: Page, s: _Slice, x0: float, y0: float, metrics: TextMetrics) -> None:
    xs = list(itertools.accumulate(s.widths, initial=x0))
    ys = list(itertools.accumulate(s.heights, initial=y0))
    n, ncols = len(s.rows), len(s.widths)
    covered = [[False] * ncols for _ in range(n)]
    cells: list[tuple[int, _Cell]] = []
    for r, row in enumerate(s.rows):
        for c in row:
            cells.append((r, c))
            first, last = c.col, min(ncols, c.col + c.colspan)
            if last > first:
                span = [True] * (last - first)
                for rr in range(r, min(n, r + c.rowspan)):
                    covered[rr][first:last] = span
    for r in range(n):  # grid positions no cell covers still get their borders
        done = covered[r]
        if not all(done):
            cells += [(r, _Cell(cc, 1, 1, "", "value", "left")) for cc in range(ncols) if not done[cc]]
    fills, boxes, texts = page.fills, page.boxes, page.texts
    width = metrics.width
    for r, c in cells:
        x, y = xs[c.col], ys[r]
        w, h = xs[c.col + c.colspan] - x, ys[min(n, r + c.rowspan)] - y
        if c.role in ("header", "section"):
            fills.append(PageBox(x, y, w, h, fill=HEADER_FILL))
        boxes.append(PageBox(x, y, w, h, GRID_WIDTH))
        lines = c.content
        if lines is None:
            continue
        leading, size = lines.leading, lines.size
        if c.valign == "top":
            top = y + TOP_PAD
        else:
            top = y + TOP_PAD + (h - TOP_PAD - BOTTOM_PAD - lines.height) / 2
        base = top + (leading - size) / 2 + ASCENT * size
        align = c.align
        for line in lines.lines:
            if line:
                if align == "left":
                    tx = x + HPAD
                else:
                    tw = width(line, size)
                    tx = x + w - HPAD - tw if align == "right" else x + (w - tw) / 2
                texts.append(PageText(tx, base, line, size))
            base += leading
    boxes.append(PageBox(xs[0], ys[0], xs[-1] - xs[0], ys[-1] - ys[0], BOX_WIDTH))


__all__ = [
    "A4",
    "ASCENT",
    "FOOTER",
    "FOOTER_SIZE",
    "FOOTER_Y",
    "MARGIN_X",
    "Page",
    "PageBox",
    "PageText",
    "compose_pages",
    "frame_size",
    "page_footer",
    "page_size",
]
