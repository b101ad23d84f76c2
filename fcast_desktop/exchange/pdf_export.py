"""PDF export with reportlab platypus, laid out from ``layouts.printed`` like the Excel export and the Qt grid.

Import this module only when exporting (reportlab costs ~150 ms to import).

Every form starts on a new A4 page, portrait or landscape as its layout says: the title (centred, drawn
"bold-ish" by stroking the glyph outlines, since the app ships one regular font), the subtitle, then each printed
section as a bordered table on the layout's column grid. The only font is the bundled one
(:mod:`.fonts`), embedded; never the non-embedded STSong-Light.

Chinese line breaking is done here (:func:`break_lines`): a line never starts with a closing mark (，。：）》”…)
nor ends with an opening one (（《“…), and a number or Latin word (3,500.00, 80%-100%, PDA) is not cut. Each
cell holds its text already broken into lines (:class:`_Lines`), which also spares reportlab's slower CJK
wrapping. Short labels (column titles, 一级/二级 names, captions) are fitted: one line; else broken before a
parenthesis (产出指标 / (50分)); else shrunk by at most 10 %; else in balanced lines (一级 / 指标).

Pagination is done here as well: platypus never splits a vertically merged cell, and a group taller than a page
makes its build fail. :class:`_Grid` is a flowable that, when it does not fit, cuts its rows where the page ends:

* the column header rows and the merged caption column (年度绩效指标) are repeated on the next page,
* :func:`~fcast_desktop.layouts.printed.group_cells` gives the 一级/二级 cells of each page's rows, so a merged
  label is printed again on every page its group continues on,
* any other merged cell (年度主要任务, 项目资金（元）) is cut and printed again, "年度主要任务（续）",
* the 总分 row stays with at least one indicator row; a section title or header row never ends a page,
* a long text (测算依据, 年度总体目标 …) is split inside its cell instead of being pushed to the next page (or
  failing when it is taller than a page); its label is repeated as "测算依据（续）：".

Page numbers "第 N 页 共 M 页" count the pages **of each form** (a printed stack is signed form by form); they are
drawn when the document is saved, once the page count of every form is known.

Before any layout every printed text is checked against the font: characters it lacks raise
:class:`MissingCharactersError` naming the form, the field and the characters — nothing is printed as a box.
The file is written atomically (temporary file beside the target, then ``os.replace``): a cancelled or failed
export leaves no file behind, and an existing file stays as it was.
"""

from __future__ import annotations

import io
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .report import ExportCancelled, ExportError
from .. import __version__
from ..layouts.forms import FormLayout
from ..layouts.printed import PCell, PrintedForm, PRow, Section, build_printed, group_cells
from ..model import FORM_KIND_TITLES, AnyForm, Project, form_title
from ..store.project_file import write_atomically
from .fonts import IGNORABLE, describe_characters, missing_characters, register_reportlab_font

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)

# page geometry (points)
MARGIN_X = 15 * MM
MARGIN_TOP = 14 * MM
MARGIN_BOTTOM = 16 * MM
FOOTER_Y = 8 * MM

# type
TITLE_SIZE = 18.0  # 小二
SUBTITLE_SIZE = 12.0
BODY_SIZE = 10.0  # table text (五号 is 10.5; 10 keeps the 9-column landscape tables readable)
LEADING = 1.36  # line height, in font sizes
ASCENT = 0.88  # of the font (OS/2 typo ascender / em)
FOOTER_SIZE = 9.0
MIN_LABEL_SIZE = 9.0  # a label is shrunk by at most 10 % to stay on one line

# cells
HPAD = 3.0
TOP_PAD = 3.0
BOTTOM_PAD = 3.5
MIN_ROW = 20.0
GRID_WIDTH = 0.5
BOX_WIDTH = 0.9
HEADER_FILL = colors.HexColor("#EDEDED")

MIN_SPLIT_SPACE = 3 * BODY_SIZE * LEADING + TOP_PAD + BOTTOM_PAD  # split a long text if 3 lines fit on the page
EPS = 0.01


class PdfExportError(ExportError):
    """The PDF cannot be written; the message is Chinese and says what to do."""


class MissingCharactersError(PdfExportError):
    """Some printed text holds characters the bundled font lacks. ``problems``: (form, field, characters)."""

    def __init__(self, problems: list[tuple[str, str, set[str]]]):
        self.problems = problems
        lines = [f"{form} — {fld}：{describe_characters(chars)}" for form, fld, chars in problems[:20]]
        if len(problems) > 20:
            lines.append(f"……另有 {len(problems) - 20} 处")
        super().__init__(
            "以下字符不在内置字体中，打印出来会是空白方框，因此未导出 PDF：\n" + "\n".join(lines)
            + "\n请把这些字符改为常用写法（或用同音字加注说明）后再导出。"
        )


# ==================================================================================================
# public API


def export_pdf(
    project: Project,
    forms: Sequence[AnyForm] | None,
    out_path: str | os.PathLike,
    progress: Progress | None = None,
    is_cancelled: Cancelled | None = None,
) -> Path:
    """Write ``forms`` (None: all forms of ``project``) to one PDF at ``out_path`` and return its path.

    ``progress(done, total)`` is called with ``total = len(forms)``: ``(0, total)`` first, after each form is laid
    out, and ``(total, total)`` once the file is written. When ``is_cancelled()`` returns true the export stops
    at the next form, no file is written and :class:`ExportCancelled` is raised. Raises
    :class:`MissingCharactersError` (before any layout) when a text holds characters the font cannot print.
    """
    forms = list(project.forms if forms is None else forms)
    if not forms:
        raise PdfExportError("没有可导出的表单")
    data = render_pdf(project, forms, progress=progress, is_cancelled=is_cancelled)
    if is_cancelled and is_cancelled():
        raise ExportCancelled()
    out = Path(out_path)
    write_atomically(out, data, keep_backup=False)
    if progress:
        progress(len(forms), len(forms))
    return out


def render_pdf(
    project: Project,
    forms: Sequence[AnyForm],
    progress: Progress | None = None,
    is_cancelled: Cancelled | None = None,
) -> bytes:
    """The PDF document as bytes (what :func:`export_pdf` writes)."""
    total = len(forms)
    if progress:
        progress(0, total)
    if is_cancelled and is_cancelled():
        raise ExportCancelled()
    stars = project.profile == "shenzhen-futian"
    printed = [build_printed(form, _computed(form, project), stars) for form in forms]
    check_printable(forms, printed)
    font = register_reportlab_font()

    buf = io.BytesIO()
    doc = _Document(buf, font, first_landscape=printed[0].landscape)
    doc.title = _document_title(project, forms)
    story: list = []
    for n, pf in enumerate(printed):
        if n:
            story.append(NextPageTemplate("landscape" if pf.landscape else "portrait"))
            story.append(PageBreak())
        story.append(_FormStart(n, total, progress, is_cancelled))
        story.extend(_form_story(pf, stars, font, doc.frame_size(pf.landscape)))
    story.append(_FormStart(total, total, progress, is_cancelled))
    doc.build(story, canvasmaker=_NumberedCanvas)
    return buf.getvalue()


def check_printable(forms: Sequence[AnyForm], printed: Sequence[PrintedForm] | None = None) -> None:
    """Raise :class:`MissingCharactersError` if any printed text holds a character the font lacks."""
    problems = missing_in_forms(forms, printed)
    if problems:
        raise MissingCharactersError(problems)


def missing_in_forms(
    forms: Sequence[AnyForm], printed: Sequence[PrintedForm] | None = None
) -> list[tuple[str, str, set[str]]]:
    """(form, field, characters) for every printed text holding characters the font cannot print. Cheap (no
    reportlab): the GUI may call it before starting an export."""
    if printed is None:
        printed = [build_printed(f) for f in forms]
    out: list[tuple[str, str, set[str]]] = []
    for n, (form, pf) in enumerate(zip(forms, printed)):
        where = f"第 {n + 1} 张表（{FORM_KIND_TITLES.get(form.kind, form.kind)}：{form_title(form)}）"
        for text, fld in _printed_texts(pf):
            chars = missing_characters(text)
            if chars:
                out.append((where, fld, chars))
    return out


# ==================================================================================================
# computed values and field names


def _computed(form: AnyForm, project: Project) -> dict[str, str]:
    try:
        from ..rules.report import computed_values
    except ImportError:
        return {}
    return computed_values(form, project) or {}


def _document_title(project: Project, forms: Sequence[AnyForm]) -> str:
    if len(forms) == 1:
        return f"{FORM_KIND_TITLES.get(forms[0].kind, '')} {form_title(forms[0])}"
    return f"{project.unit or '绩效表单'}（{len(forms)} 张表单）"


_SOURCE_ROW = re.compile(r"^(indicators|tasks)\.(\d+)\.(\w+)$")


def _field_name(layout: FormLayout, cell: PCell) -> str:
    """The field a printed cell shows, in the form's words: “项目名称”, 绩效指标第 2 行“指标值”."""
    src = cell.source
    if not src:
        return "计算值" if cell.role == "computed" else f"“{_short(cell.text)}”所在单元格"
    m = _SOURCE_ROW.match(src)
    if m:
        what, row, key = m.group(1), int(m.group(2)) + 1, m.group(3)
        if what == "indicators":
            try:
                title = layout.column(key).title.lstrip("*")
            except StopIteration:
                title = key
            return f"绩效指标第 {row} 行“{title}”"
        titles = dict(layout.extra.get("task_columns", ()))
        return f"年度主要任务第 {row} 行“{titles.get(key, key)}”"
    if src.startswith("funds."):
        parts = src.split(".")
        rows = dict(layout.extra.get("fund_rows", ()))
        cols = dict(layout.extra.get("fund_columns", ()))
        if len(parts) == 3:
            return f"资金使用情况“{rows.get(parts[1], parts[1])}／{cols.get(parts[2], parts[2])}”"
        return "资金使用情况“分值”"
    for spec in (*layout.header, *layout.texts):
        if spec.key == src:
            label = spec.label.replace("（{unit}）", "").replace("，{unit}", "").replace("{unit}", "")
            return f"“{label.lstrip('*')}”"
    return src


def _short(text: str, n: int = 12) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def _printed_texts(pf: PrintedForm):
    yield pf.title, "表名"
    if pf.subtitle:
        yield pf.subtitle, "副标题"
    for section in pf.sections:
        if section.caption:
            yield section.caption, "栏目名"
        for row in (*section.repeat, *section.rows, *section.trailer):
            for cell in row.cells:
                if cell.text:
                    yield cell.text, _field_name(pf.layout, cell)


# ==================================================================================================
# Chinese line breaking

NO_LINE_START = frozenset("，。、：；！？）》〉」』】〕〗”’％‰℃…·—～,.;:!?)]}%")
NO_LINE_END = frozenset("（《〈「『【〔〖“‘([{￥$")
_GLUE = frozenset(".,%-+/:")
_WIDTHS: dict[tuple[str, str], float] = {}


def _char_width(ch: str, font: str) -> float:
    """Advance width of ``ch`` at 1 pt (cached)."""
    w = _WIDTHS.get((font, ch))
    if w is None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        w = _WIDTHS[(font, ch)] = stringWidth(ch, font, 1.0)
    return w


def text_width(text: str, font: str, size: float) -> float:
    return sum(_char_width(ch, font) for ch in text) * size


def _wordlike(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in _GLUE)


def _may_break(text: str, j: int, keep_words: bool = True) -> bool:
    """May a line end before ``text[j]``? (``keep_words=False``: a Latin word or a number may be cut.)"""
    a, b = text[j - 1], text[j]
    if b in NO_LINE_START or a in NO_LINE_END:
        return False
    if keep_words and _wordlike(a) and _wordlike(b):
        return False
    return True


def _break_before(text: str, start: int, i: int) -> int:
    """Where to end a line that starts at ``start`` and is full before ``text[i]``: the last break allowed by all
    rules; else the last one that only cuts a word or number; else at ``i``."""
    for keep_words in (True, False):
        j = i
        while j > start + 1 and not _may_break(text, j, keep_words):
            j -= 1
        if _may_break(text, j, keep_words):
            return j
    return i


def clean_text(text: str) -> str:
    """Line breaks normalised, tabs as spaces, control and invisible format characters dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(ch for ch in text if ch == "\n" or (ch >= " " and ch not in IGNORABLE)).strip("\n")


def break_lines(text: str, width: float, font: str, size: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points, following the rules above (a rule gives way
    only when a line would otherwise hold nothing, e.g. a 30-digit number in a narrow column)."""
    limit = width / size - 1e-6
    out: list[str] = []
    for para in text.split("\n"):
        n = len(para)
        start, used, i = 0, 0.0, 0
        while i < n:
            cw = _char_width(para[i], font)
            if used + cw > limit and i > start:
                j = _break_before(para, start, i)
                out.append(para[start:j].rstrip(" "))
                start = j
                while start < n and para[start] == " ":
                    start += 1
                i = max(i, start)
                used = sum(_char_width(c, font) for c in para[start:i])
                continue
            used += cw
            i += 1
        out.append(para[start:].rstrip(" "))
    return out


_PAREN = re.compile(r"[（(]")


def fit_label(text: str, width: float, font: str) -> tuple[list[str], float] | None:
    """Lines and font size for a short label (column title, 一级/二级 name, caption) in ``width``, in this order
    of preference: one line; broken before a parenthesis (产出指标 / (50分)); one line shrunk by at most 10 %;
    balanced lines (一级 / 指标) rather than a greedy break leaving one character alone; balanced and shrunk.
    None: wrap as usual."""
    text = text.strip()
    if not text or "\n" in text or len(text) > 24:
        return None
    paren: list[str] = []
    m = _PAREN.search(text)
    if m and m.start() > 0:
        paren = [text[:m.start()], text[m.start():]]
    balanced = []
    for k in (2, 3, 4):
        if len(text) >= k:
            step = -(-len(text) // k)
            lines = [text[i:i + step] for i in range(0, len(text), step)]
            joints = [sum(len(x) for x in lines[:q + 1]) for q in range(len(lines) - 1)]
            if all(_may_break(text, j) for j in joints):
                balanced.append(lines)
    order = [([text], False), (paren, False), ([text], True)]
    order += [(b, False) for b in balanced] + [(b, True) for b in balanced]
    for lines, shrink in order:
        if not lines:
            continue
        widest = max(text_width(line, font, BODY_SIZE) for line in lines)
        if widest <= width:
            return lines, BODY_SIZE
        size = int(BODY_SIZE * width / widest * 10) / 10
        if shrink and size >= MIN_LABEL_SIZE:
            return lines, size
    return None


# ==================================================================================================
# flowables


class _Lines(Flowable):
    """Text already broken into lines, drawn left, centred or right in the width it is given."""

    def __init__(self, lines: list[str], font: str, size: float = BODY_SIZE, align: str = "left"):
        super().__init__()
        self.lines, self.font, self.size, self.align = lines, font, size, align
        self.leading = size * LEADING

    @property
    def text_height(self) -> float:
        return len(self.lines) * self.leading

    def wrap(self, aw, ah):
        self.width = aw
        self.height = self.text_height
        return aw, self.height

    def split(self, aw, ah):
        k = int((ah + EPS) // self.leading)
        if k <= 0 or k >= len(self.lines):
            return []
        return [_Lines(self.lines[:k], self.font, self.size, self.align),
                _Lines(self.lines[k:], self.font, self.size, self.align)]

    def draw(self):
        c = self.canv
        c.setFont(self.font, self.size)
        y = self.height - (self.leading - self.size) / 2 - ASCENT * self.size
        for line in self.lines:
            if line:
                if self.align == "left":
                    c.drawString(0, y, line)
                else:
                    w = text_width(line, self.font, self.size)
                    c.drawString(self.width - w if self.align == "right" else (self.width - w) / 2, y, line)
            y -= self.leading


class _Title(Flowable):
    """A centred title drawn with fill + thin stroke ("bold-ish" with a single regular font)."""

    def __init__(self, text: str, font: str, size: float = TITLE_SIZE, bold: bool = True):
        super().__init__()
        self.text, self.font, self.size, self.bold = text, font, size, bold

    def wrap(self, aw, ah):
        self.width = aw
        self.height = self.size * 1.5
        return aw, self.height

    def draw(self):
        c = self.canv
        c.saveState()
        c.setFont(self.font, self.size)
        text = c.beginText()
        if self.bold:
            c.setLineWidth(self.size * 0.035)
            text.setTextRenderMode(2)  # fill, then stroke
        tw = text_width(self.text, self.font, self.size)
        text.setTextOrigin((self.width - tw) / 2, self.size * 0.4)
        text.textOut(self.text)
        c.drawText(text)
        c.restoreState()


class _FormStart(Flowable):
    """Zero-size marker at the start of each form (and one after the last): reports progress, honours cancel and
    tells the canvas which form its pages belong to."""

    def __init__(self, index: int, total: int, progress: Progress | None, is_cancelled: Cancelled | None):
        super().__init__()
        self.index, self.total = index, total
        self.progress, self.is_cancelled = progress, is_cancelled
        self._done = False

    def wrap(self, aw, ah):
        return 0, 0

    def draw(self):
        if self.index < self.total:
            self.canv._fcast_form = self.index
        if self._done:
            return
        self._done = True
        if self.index and self.progress and self.index < self.total:
            self.progress(self.index, self.total)
        if self.is_cancelled and self.is_cancelled():
            raise ExportCancelled()


class _Document(BaseDocTemplate):
    def __init__(self, buf, font: str, first_landscape: bool):
        super().__init__(buf, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                         bottomMargin=MARGIN_BOTTOM, creator=f"fcast-desktop {__version__}",
                         author="绩效表单助手", subject="预算绩效表单", lang="zh-CN",
                         initialFontName=font, initialFontSize=BODY_SIZE, initialLeading=BODY_SIZE * LEADING)
        templates = []
        for name, landscape in (("portrait", False), ("landscape", True)):
            w, h = (A4[1], A4[0]) if landscape else A4
            fw, fh = self.frame_size(landscape)
            frame = Frame(MARGIN_X, MARGIN_BOTTOM, fw, fh, leftPadding=0, rightPadding=0, topPadding=0,
                          bottomPadding=0, id=name)
            templates.append(PageTemplate(id=name, frames=[frame], pagesize=(w, h)))
        if first_landscape:
            templates.reverse()
        self.addPageTemplates(templates)

    @staticmethod
    def frame_size(landscape: bool) -> tuple[float, float]:
        w, h = (A4[1], A4[0]) if landscape else A4
        return w - 2 * MARGIN_X, h - MARGIN_TOP - MARGIN_BOTTOM


class _NumberedCanvas(Canvas):
    """Keeps every page until ``save()`` so that "第 N 页 共 M 页" can count the pages of each form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fcast_pages: list[dict] = []
        self._fcast_form = 0

    def showPage(self):
        self._fcast_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        totals = Counter(p["_fcast_form"] for p in self._fcast_pages)
        seen: Counter = Counter()
        font = register_reportlab_font()
        for page in self._fcast_pages:
            self.__dict__.update(page)
            form = page["_fcast_form"]
            seen[form] += 1
            self.saveState()
            self.setFont(font, FOOTER_SIZE)
            self.setFillColor(colors.black)
            self.drawCentredString(self._pagesize[0] / 2, FOOTER_Y, f"第 {seen[form]} 页 共 {totals[form]} 页")
            self.restoreState()
            Canvas.showPage(self)
        Canvas.save(self)


# ==================================================================================================
# the grid: a section of a printed form that cuts itself into page-sized tables


@dataclass(eq=False)
class _Cell:
    col: int
    colspan: int
    rowspan: int
    text: str
    role: str
    align: str
    content: _Lines | None = None  # None: an empty cell
    height: float = -1.0  # natural height (text + paddings); -1: not measured yet
    valign: str = "MIDDLE"


@dataclass(eq=False)
class _Row:
    cells: list[_Cell]  # the cells that start on this row
    level1: object = None
    level2: object = None
    splittable: bool = False  # a long text: may be split inside
    keep_with_next: bool = False  # a section title or column header row: never the last row on a page


_LABEL_ROLES = ("header", "group", "caption", "section", "total")


def _inner_width(widths: list[float], cell) -> float:
    """Width available to the text of ``cell`` (its columns less the paddings)."""
    return sum(widths[cell.col:cell.col + cell.colspan]) - 2 * HPAD


def _cell(p: PCell, font: str, widths: list[float]) -> _Cell:
    content = None
    text = clean_text(p.text or "")
    if text.strip():
        width = _inner_width(widths, p)
        fitted = None
        if p.role in _LABEL_ROLES or (p.role == "label" and p.align == "center"):
            fitted = fit_label(text, width, font)
        if fitted:
            content = _Lines(fitted[0], font, fitted[1], p.align)
        else:
            content = _Lines(break_lines(text, width - 0.5, font, BODY_SIZE), font, BODY_SIZE, p.align)
    return _Cell(p.col, p.colspan, p.rowspan, p.text, p.role, p.align, content)


def _continued_label(text: str) -> str:
    """测算依据： → 测算依据（续）："""
    t = text.rstrip()
    if t.endswith(("（续）", "（续）：")):
        return t
    colon = t.endswith(("：", ":"))
    if colon:
        t = t[:-1]
    return f"{t}（续）" + ("：" if colon else "")


class _Grid(Flowable):
    """Rows on a column grid. ``head`` rows (column titles) and a ``caption`` column repeat on every page,
    ``tail`` rows come after the last body row, ``grouper`` adds the merged 一级/二级 cells of a page's rows."""

    def __init__(self, widths: list[float], rows: list[_Row], font: str, frame_height: float,
                 head: list[_Row] | None = None, tail: list[_Row] | None = None, caption: _Cell | None = None,
                 grouper: Callable[[list[_Row]], list[list[_Cell]]] | None = None):
        super().__init__()
        self.widths = widths
        self.rows = rows
        self.font = font
        self.frame_height = frame_height
        self.head = head or []
        self.tail = tail or []
        self.caption = caption
        self.grouper = grouper
        self._table: Table | None = None

    # ---- measuring

    @staticmethod
    def _measure(cell: _Cell) -> float:
        if cell.height < 0:
            text = cell.content.text_height if cell.content is not None else 0.0
            cell.height = max(MIN_ROW, text + TOP_PAD + BOTTOM_PAD)
        return cell.height

    def _assemble(self, body: list[_Row], with_tail: bool) -> tuple[list[list[_Cell]], list[float]]:
        """Cells by starting row, and row heights, for a page holding ``body`` (merged cells cut to the page)."""
        rows: list[list[_Cell]] = [list(r.cells) for r in self.head]
        nhead = len(rows)
        rows += [list(r.cells) for r in body]
        if self.grouper and body:
            for i, extra in enumerate(self.grouper(body)):
                rows[nhead + i].extend(extra)
        if self.caption is not None and rows:
            rows[0].append(replace(self.caption, rowspan=len(rows)))
        if with_tail:
            rows += [list(r.cells) for r in self.tail]
        n = len(rows)
        heights = [MIN_ROW] * n
        spans = []
        for r, cells in enumerate(rows):
            for k, c in enumerate(cells):
                if r + c.rowspan > n:
                    c = cells[k] = replace(c, rowspan=n - r)
                if c.rowspan == 1:
                    heights[r] = max(heights[r], self._measure(c))
                else:
                    spans.append((c.rowspan, r, c))
        for span, r, c in sorted(spans, key=lambda s: s[0]):
            need = self._measure(c) - sum(heights[r:r + span])
            if need > 0:  # a merged label taller than its rows: the last row grows
                heights[r + span - 1] += need
        return rows, heights

    def _height(self, body: list[_Row], with_tail: bool) -> float:
        return sum(self._assemble(body, with_tail)[1])

    # ---- platypus protocol

    def wrap(self, aw, ah):
        rows, heights = self._assemble(self.rows, True)
        self._table = _table(rows, heights, self.widths, self.font)
        self.width = sum(self.widths)
        self.height = sum(heights)
        return self.width, self.height

    def draw(self):
        self._table.wrapOn(self.canv, self.width, self.height)
        self._table.drawOn(self.canv, 0, 0)

    def split(self, aw, ah):
        ah -= EPS
        body = self.rows
        if not body:
            return []
        # the largest number of body rows that fit (the height grows with the number of rows: bisect)
        lo, hi = 0, len(body)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._height(body[:mid], with_tail=mid == len(body)) <= ah:
                lo = mid
            else:
                hi = mid - 1
        n = lo
        if n == len(body):
            return [self]
        while n > 0 and body[n - 1].keep_with_next:
            n -= 1
        nxt = body[n]
        used = self._height(body[:n], with_tail=False) if (n or self.head) else 0.0
        never_fits = self._height([nxt], with_tail=False) > self.frame_height - EPS
        if (nxt.splittable or never_fits) and ah - used >= MIN_SPLIT_SPACE:
            parts = self._split_row(n, ah - used)
            if parts is not None:
                return parts
        if n == 0:
            return []
        return self._cut(body[:n], body[n:])

    def _cut(self, done: list[_Row], rest: list[_Row]) -> list:
        """A table for ``done`` (this page) and a grid for ``rest``; merged cells of ``done`` that run into
        ``rest`` are cut there and printed again at the top of ``rest``."""
        rows, heights = self._assemble(done, with_tail=False)
        page = _table(rows, heights, self.widths, self.font)
        n = len(done)
        carried = [
            self._continued(c, r + c.rowspan - n)
            for r, row in enumerate(done)
            for c in row.cells
            if r + c.rowspan > n
        ]
        if carried and rest:
            rest = [replace(rest[0], cells=carried + list(rest[0].cells)), *rest[1:]]
        grid = _Grid(self.widths, rest, self.font, self.frame_height, self.head, self.tail, self.caption,
                     self.grouper)
        return [page, grid]

    def _continued(self, c: _Cell, rowspan: int) -> _Cell:
        """A cell printed again on the next page; a form label reads "年度总体目标（续）"."""
        if c.role != "label" or c.content is None:
            return replace(c, rowspan=rowspan)
        copy = _cell(PCell(_continued_label(c.text), c.col, c.colspan, rowspan, "label", c.align), self.font,
                     self.widths)
        copy.valign = c.valign
        return copy

    def _split_row(self, i: int, space: float) -> list | None:
        """Split body row ``i`` in two so that its first part fills ``space``; None if it cannot be split."""
        row = self.rows[i]
        a_cells: list[_Cell] = []
        b_cells: list[_Cell] = []
        split_any = False
        for c in row.cells:
            if c.rowspan > 1:  # a merged cell starting here: whole in the first part, carried to the next page
                a_cells.append(replace(c, rowspan=c.rowspan + 1))
                continue
            if c.content is None or self._measure(c) <= space:
                a_cells.append(c)
                if c.content is not None and c.role in ("label", *_LABEL_ROLES):
                    b_cells.append(self._continued(c, 1))
                else:
                    b_cells.append(_Cell(c.col, c.colspan, 1, "", c.role, c.align))
                continue
            pieces = c.content.split(0, space - TOP_PAD - BOTTOM_PAD)
            if len(pieces) != 2:
                return None
            split_any = True
            a_cells.append(_Cell(c.col, c.colspan, 1, c.text, c.role, c.align, pieces[0], valign="TOP"))
            b_cells.append(_Cell(c.col, c.colspan, 1, c.text, c.role, c.align, pieces[1], valign="TOP"))
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


def _table(rows: list[list[_Cell]], heights: list[float], widths: list[float], font: str) -> Table:
    data: list[list] = [[""] * len(widths) for _ in rows]
    cmds: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), BODY_SIZE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), HPAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), HPAD),
        ("TOPPADDING", (0, 0), (-1, -1), TOP_PAD),
        ("BOTTOMPADDING", (0, 0), (-1, -1), BOTTOM_PAD),
        ("GRID", (0, 0), (-1, -1), GRID_WIDTH, colors.black),
        ("BOX", (0, 0), (-1, -1), BOX_WIDTH, colors.black),
    ]
    for r, cells in enumerate(rows):
        for c in cells:
            if c.content is not None:
                data[r][c.col] = c.content
            end = (c.col + c.colspan - 1, r + c.rowspan - 1)
            if c.colspan > 1 or c.rowspan > 1:
                cmds.append(("SPAN", (c.col, r), end))
            if c.valign != "MIDDLE":
                cmds.append(("VALIGN", (c.col, r), end, c.valign))
            if c.role in ("header", "section"):
                cmds.append(("BACKGROUND", (c.col, r), end, HEADER_FILL))
    return Table(data, colWidths=widths, rowHeights=heights, style=TableStyle(cmds), hAlign="CENTER")


# ==================================================================================================
# printed form → flowables


def _form_story(pf: PrintedForm, stars: bool, font: str, frame: tuple[float, float]) -> list:
    frame_w, frame_h = frame
    widths = [frame_w * w / sum(pf.widths) for w in pf.widths]
    story: list = [_Title(pf.title, font)]
    if pf.subtitle:
        story.append(_Title(pf.subtitle, font, SUBTITLE_SIZE, bold=False))
    story.append(Spacer(1, 4 * MM))
    for section in pf.sections:
        story.append(_section_grid(pf.layout, section, widths, stars, font, frame_h))
    return story


def _row(r: PRow, font: str, widths: list[float], splittable: bool) -> _Row:
    cells = [_cell(c, font, widths) for c in r.cells]
    keep = bool(cells) and all(c.role in ("header", "section") for c in cells if c.text.strip())
    long_text = any(len(c.text) > 60 for c in cells)
    return _Row(cells, r.level1, r.level2, splittable=splittable and long_text and not keep, keep_with_next=keep)


_NUMBER = re.compile(r"^[\d,.%\-+]+$")


def _fit_widths(rows: list[PRow], widths: list[float], font: str) -> list[float]:
    """Column widths for a block (header, 资金使用情况, 年度主要任务): the layout's widths, except that a column
    holding an amount too wide for it (财政拨款 under the 7 % 度量单位 column) takes room from columns with slack,
    so that an amount is never broken over two lines. The indicator table keeps the layout's widths."""
    need = [0.0] * len(widths)
    for row in rows:
        for c in row.cells:
            text = c.text.strip()
            if c.colspan == 1 and text and (c.number is not None or _NUMBER.match(text)):
                need[c.col] = max(need[c.col], text_width(text, font, BODY_SIZE) + 2 * HPAD + 1)
    deficit = sum(max(0.0, n - w) for n, w in zip(need, widths))
    if deficit <= 0:
        return widths
    slack = [max(0.0, w - max(n, 0.6 * w)) if n <= w else 0.0 for n, w in zip(need, widths)]
    total = sum(slack)
    if total <= 0:
        return widths
    moved = min(deficit, total)
    return [
        w - s * moved / total if n <= w else w + (n - w) * moved / deficit
        for n, w, s in zip(need, widths, slack)
    ]


def _section_grid(layout: FormLayout, section: Section, widths: list[float], stars: bool, font: str,
                  frame_h: float) -> _Grid:
    if section.kind != "indicators":
        widths = _fit_widths(section.rows, widths, font)
        rows = [_row(r, font, widths, splittable=True) for r in section.rows]
        return _Grid(widths, rows, font, frame_h)
    body = [_row(r, font, widths, splittable=False) for r in section.rows]
    head = [_row(r, font, widths, splittable=False) for r in section.repeat]
    tail = [_row(r, font, widths, splittable=False) for r in section.trailer]
    caption = _cell(PCell(section.caption, 0, role="caption", align="center"), font, widths) \
        if section.caption else None
    labels: dict[tuple, _Cell] = {}  # one measured cell per label, copied with the rowspan of each page

    def grouper(rows: list[_Row]) -> list[list[_Cell]]:
        prows = [PRow([], level1=r.level1, level2=r.level2) for r in rows]
        out = []
        for cells in group_cells(layout, prows, stars):
            line = []
            for c in cells:
                key = (c.text, c.col, c.colspan, c.align, c.role)
                if key not in labels:
                    labels[key] = _cell(replace(c, rowspan=1), font, widths)
                line.append(replace(labels[key], rowspan=c.rowspan))
            out.append(line)
        return out

    return _Grid(widths, body, font, frame_h, head=head, tail=tail, caption=caption, grouper=grouper)


__all__ = [
    "ExportCancelled",
    "MissingCharactersError",
    "NO_LINE_END",
    "NO_LINE_START",
    "PdfExportError",
    "break_lines",
    "check_printable",
    "export_pdf",
    "fit_label",
    "missing_in_forms",
    "render_pdf",
]
