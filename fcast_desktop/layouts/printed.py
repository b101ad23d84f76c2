"""A form as it is printed: cells placed on column grids, and the pages they make.

Two steps, shared by every writer so that they cannot drift apart:

1. ``build_printed(form, computed, stars)`` gives the sections of a form as rows of cells (:class:`PCell`) on a
   column grid: the layout's indicator columns, or for a block a grid of its own (:data:`Section.widths`: the
   自评表 header and 资金使用情况, the 年度主要任务 of the department form) where the indicator columns would
   squeeze an amount or a label. Indicator rows carry no 一级/二级 cells: :func:`group_cells` makes them for the
   rows a writer puts together (one page in the PDF, the whole table in Excel).
   :func:`sheet_grid` puts all sections on one common grid (the union of their column edges) for Excel.

2. ``compose_pages(printed, metrics)`` lays a printed form out on A4 pages — the pages of the PDF export **and**
   of 打印 / 打印预览, which only draw the :class:`Page` objects (text lines, boxes) it returns. It breaks
   Chinese text into lines (:func:`break_lines`), fits labels, measures rows and paginates:

   * the column header rows and the merged caption column (年度绩效指标) are repeated on every page, and so are
     the title and column header rows of a block (年度主要任务, its label then reading "年度主要任务（续）"),
   * the 一级/二级 cells of each page's rows come from :func:`group_cells`, so a merged label is printed again on
     every page its group continues on,
   * any other merged cell is cut and printed again, a form label as "项目资金（元）（续）",
   * a long text (测算依据, 年度总体目标 …) is split inside its cell, its label repeated as "测算依据（续）：",
   * no widows or orphans: a table does not end with one row alone on a page, nor start with one row alone at
     the bottom of a page; a break inside a 二级 group leaves at least two of its rows on either side; the
     总分 row stays with the indicator rows; a section title or column header never ends a page,
   * each page is signed "第 N 页 共 M 页", counted per form.

   Text is measured with the printed font's advance widths (``metrics``: the bundled font, read by the PDF
   writer through reportlab); nothing here imports reportlab or Qt.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from ..model import (
    LEVEL2_INFO,
    AnyForm,
    Declaration,
    DepartmentOverall,
    Level1,
    Level2,
    SelfEvaluation,
)
from ..model.money import format_money, format_number
from .forms import FormLayout, layout_for, level1_label, level2_label

Role = Literal["label", "value", "header", "group", "computed", "total", "section", "caption"]


@dataclass
class PCell:
    text: str
    col: int
    colspan: int = 1
    rowspan: int = 1
    role: Role = "value"
    align: Literal["left", "center", "right"] = "left"
    number: Decimal | None = None  # for Excel: the cell's numeric value (money in the printed unit, scores)
    number_format: str = ""  # Excel number format for ``number``
    source: str = ""  # model path the cell shows (e.g. "indicators.3.target"), for tests and tooling


@dataclass
class PRow:
    cells: list[PCell]
    level1: Level1 | None = None  # indicator rows only
    level2: Level2 | None = None


@dataclass
class Section:
    kind: Literal["header", "block", "indicators"]
    rows: list[PRow]
    repeat: list[PRow] = field(default_factory=list)  # header rows repeated on every page (indicators)
    caption: str = ""  # text of a merged first column spanning the section (年度绩效指标)
    trailer: list[PRow] = field(default_factory=list)  # rows printed after the indicator rows (总分)
    widths: list[float] | None = None  # the section's own column grid (shares of the width); None: the layout's


@dataclass
class PrintedForm:
    kind: str
    title: str
    subtitle: str
    landscape: bool
    widths: list[float]  # the layout's columns (the indicator table)
    sections: list[Section]
    layout: FormLayout
    stars: bool | None = None  # 福田 stars on the 二级指标 labels (None: the layout's default)

    def section_widths(self, section: Section) -> list[float]:
        return section.widths or self.widths


Computed = dict[str, str]
"""Computed values by key: ``funds.execution_rate``, ``funds.score``, ``total``, ``grade``, ``weight_total``,
``rows.N.score`` (effective score of indicator row N). Missing keys print empty."""

MONEY_FORMAT_GROUPED = "#,##0.00"
MONEY_FORMAT_PLAIN = "0.00"
SCORE_FORMAT = "0.##"
SUGGESTED_MARK = "*"  # after a 得分 the rules suggested and the user did not type
SUGGESTED_SCORE_FORMAT = 'General"*"'  # Excel: the number stays a number and shows the mark
SUGGESTED_NOTE = "注：带 * 的得分为程序按规则计算的建议得分，未经填写人确认。"

# Column grids of the blocks that do not fit the indicator columns (shares of the width; their edges fall on the
# layout's edges where they can, so that the sheet grid of the Excel export stays small).
# 自评表 header: 项目编码：| code | 项目名称：| name | 绩效自评年度：| year — the label gets the room it needs
SELF_EVALUATION_HEADER = [15, 31, 10, 23, 11, 10]
# 资金使用情况: caption | row label | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率(%) | 得分 — three amounts
# of about the same width, the score columns narrow
SELF_EVALUATION_FUNDS = [6, 19, 15, 16, 16, 7, 11, 10]
# 年度主要任务: caption | 任务名称 | 主要内容 | 总额 | 财政拨款 | 其他资金 — three equal amount columns
DEPARTMENT_TASKS = [7, 20, 41, 11, 11, 10]


def _money_cell(value: Decimal | None, raw: str | None, col: int, unit: str, grouped: bool, source: str,
                colspan: int = 1) -> PCell:
    if value is None:
        return PCell(raw or "", col, colspan, source=source, align="right")
    text = format_money(value, unit, grouping=grouped)
    shown = Decimal(text.replace(",", ""))
    return PCell(text, col, colspan, align="right", number=shown,
                 number_format=MONEY_FORMAT_GROUPED if grouped else MONEY_FORMAT_PLAIN, source=source)


def _score_cell(value: Decimal | None, raw: str | None, col: int, source: str, role: Role = "value") -> PCell:
    if value is None:
        return PCell(raw or "", col, role=role, align="center", source=source)
    return PCell(format_number(value), col, role=role, align="center", number=value, number_format=SCORE_FORMAT,
                 source=source)


def build_printed(form: AnyForm, computed: Computed | None = None, stars: bool | None = None) -> PrintedForm:
    """``stars``: whether the 二级指标 labels carry the 福田 stars — ``rules.form_stars(form, project)``."""
    layout = layout_for(form)
    computed = computed or {}
    builder = {"declaration": _declaration, "self_evaluation": _self_evaluation, "department_overall": _department}
    sections, subtitle = builder[form.kind](form, layout, computed)
    return PrintedForm(
        kind=form.kind,
        title=layout.title,
        subtitle=subtitle,
        landscape=layout.landscape,
        widths=[c.width for c in layout.columns],
        sections=sections,
        layout=layout,
        stars=stars,
    )


# ---- 二级项目支出绩效目标申报表 --------------------------------------------------------------------


def _declaration(form: Declaration, layout: FormLayout, computed: Computed):
    unit = form.amount_unit
    rows: list[PRow] = []
    header = list(layout.header)
    for left, right in zip(header[0::2], header[1::2]):
        cells = []
        for spec, (lcol, lspan, vcol, vspan) in ((left, (0, 2, 2, 1)), (right, (3, 1, 4, 1))):
            cells.append(PCell(spec.label_for(form) + "：", lcol, lspan, role="label"))
            value = getattr(form, spec.key)
            raw = form.raw.get(spec.key)
            if spec.kind == "money":
                cells.append(_money_cell(value, raw, vcol, unit, True, spec.key))
            else:
                cells.append(PCell(raw or ("" if value is None else str(value)), vcol, vspan, source=spec.key))
        rows.append(PRow(cells))
    for spec in layout.texts:
        if not spec.applies_to(form):
            continue
        text = getattr(form, spec.key)
        rows.append(PRow([PCell(spec.label_for(form) + "：", 0, 2, role="label"), PCell(text, 2, 3, source=spec.key)]))
    table_header = PRow([PCell(c.title, i, role="header", align="center") for i, c in enumerate(layout.columns)])
    indicator_rows = [
        PRow(
            [
                PCell(r.name, 2, source=f"indicators.{n}.name"),
                PCell(r.target, 3, align="center", source=f"indicators.{n}.target"),
                PCell(r.explanation, 4, source=f"indicators.{n}.explanation"),
            ],
            level1=LEVEL2_INFO[r.level2].level1,
            level2=r.level2,
        )
        for n, r in enumerate(form.indicators)
    ]
    sections = [
        Section("header", rows),
        Section("indicators", indicator_rows, repeat=[table_header]),
    ]
    return sections, ""


# ---- 项目支出绩效自评表 --------------------------------------------------------------------------


def _self_evaluation(form: SelfEvaluation, layout: FormLayout, computed: Computed):
    def value(key: str) -> str:
        raw = form.raw.get(key)
        v = getattr(form, key)
        return raw or ("" if v is None else str(v))

    header = [
        PRow(
            [
                PCell("项目编码：", 0, role="label"),
                PCell(value("project_code"), 1, source="project_code"),
                PCell("项目名称：", 2, role="label"),
                PCell(value("project_name"), 3, source="project_name"),
                PCell("绩效自评年度：", 4, role="label"),
                PCell(value("year"), 5, source="year"),
            ]
        ),
        PRow(
            [
                PCell("实施单位：", 0, role="label"),
                PCell(value("implementing_unit"), 1, source="implementing_unit"),
                PCell("一级预算单位：", 2, role="label"),
                PCell(value("budget_unit"), 3, 3, source="budget_unit"),
            ]
        ),
    ]
    ncols = len(SELF_EVALUATION_FUNDS)
    funds_rows = [PRow([PCell("资金使用情况", 0, ncols, role="section")])]
    fund_columns = layout.extra["fund_columns"]
    fund_rows = layout.extra["fund_rows"]
    funds_rows.append(
        PRow(
            [PCell(layout.extra["fund_caption"], 0, rowspan=1 + len(fund_rows), role="label", align="center"),
             PCell("", 1, role="header")]
            + [PCell(title, 2 + i, role="header", align="center") for i, (_key, title) in enumerate(fund_columns)]
        )
    )
    for r, (attr, label) in enumerate(fund_rows):
        line = getattr(form.funds, attr)
        cells = [PCell(label, 1, role="label")]
        for i, (key, _title) in enumerate(fund_columns[:3]):
            cells.append(_money_cell(getattr(line, key), line.raw.get(key), 2 + i, "元", False, f"funds.{attr}.{key}"))
        if r == 0:
            cells.append(_score_cell(form.funds.weight, form.funds.raw.get("weight"), 5, "funds.weight"))
            cells.append(PCell(computed.get("funds.execution_rate", ""), 6, role="computed", align="center"))
            cells.append(PCell(computed.get("funds.score", ""), 7, role="computed", align="center"))
        else:
            cells += [PCell("—", c, role="computed", align="center") for c in (5, 6, 7)]
        funds_rows.append(PRow(cells))
    goal_rows = [
        PRow([PCell("项目目标完成情况", 0, 9, role="section")]),
        PRow(
            [
                PCell("年度总体目标", 0, rowspan=2, role="label", align="center"),
                PCell("预期目标", 1, 4, role="header", align="center"),
                PCell("*实际完成情况", 5, 4, role="header", align="center"),
            ]
        ),
        PRow([PCell(form.expected_goal, 1, 4, source="expected_goal"),
              PCell(form.actual_result, 5, 4, source="actual_result")]),
    ]
    table_header = PRow([PCell(c.title, i, role="header", align="center") for i, c in enumerate(layout.columns) if i > 0])
    indicator_rows = []
    any_suggested = False
    for n, r in enumerate(form.indicators):
        score_text = computed.get(f"rows.{n}.score")
        score_cell = _score_cell(r.score, r.raw.get("score"), 7, f"indicators.{n}.score")
        if r.score is not None and score_text and Decimal(score_text) != r.score:
            # a typed 得分 outside [0, 分值] prints what counts in 总分, so the column adds up (the model keeps it)
            score_cell = _score_cell(Decimal(score_text), None, 7, f"indicators.{n}.score")
        if r.score is None and not r.raw.get("score") and score_text:
            suggested = bool(computed.get(f"rows.{n}.suggested"))
            score_cell = PCell(score_text + (SUGGESTED_MARK if suggested else ""), 7, role="computed",
                               align="center", number=Decimal(score_text),
                               number_format=SUGGESTED_SCORE_FORMAT if suggested else SCORE_FORMAT)
            any_suggested = any_suggested or suggested
        indicator_rows.append(
            PRow(
                [
                    PCell(r.name, 3, source=f"indicators.{n}.name"),
                    PCell(r.target, 4, align="center", source=f"indicators.{n}.target"),
                    PCell(r.actual, 5, align="center", source=f"indicators.{n}.actual"),
                    _score_cell(r.weight, r.raw.get("weight"), 6, f"indicators.{n}.weight"),
                    score_cell,
                    PCell(r.deviation, 8, source=f"indicators.{n}.deviation"),
                ],
                level1=LEVEL2_INFO[r.level2].level1,
                level2=r.level2,
            )
        )
    total = PRow(
        [
            PCell("总分", 0, 6, role="total", align="center"),
            PCell(computed.get("weight_total", "100"), 6, role="total", align="center"),
            PCell(computed.get("total", ""), 7, role="total", align="center"),
            PCell("—", 8, role="total", align="center"),
        ]
    )
    trailer = [total]
    if any_suggested:
        trailer.append(PRow([PCell(SUGGESTED_NOTE, 0, len(layout.columns), role="value")]))
    sections = [
        Section("header", header, widths=list(SELF_EVALUATION_HEADER)),
        Section("block", funds_rows, widths=list(SELF_EVALUATION_FUNDS)),
        Section("block", goal_rows),
        Section("indicators", indicator_rows, repeat=[table_header], caption=layout.table_caption, trailer=trailer),
    ]
    return sections, ""


# ---- 部门（单位）整体支出绩效目标申报表 ------------------------------------------------------------


def _department(form: DepartmentOverall, layout: FormLayout, computed: Computed):
    header = [
        PRow(
            [
                PCell("部门（单位）名称", 0, 2, role="label"),
                PCell(form.department_name, 2, 2, source="department_name"),
                PCell("主管部门", 4, 2, role="label"),
                PCell(form.supervising_department, 6, source="supervising_department"),
            ]
        )
    ]
    tasks = form.tasks
    task_rows = [
        PRow(
            [
                PCell(layout.extra["task_caption"], 0, rowspan=3 + len(tasks), role="label", align="center"),
                PCell("任务名称", 1, rowspan=2, role="header", align="center"),
                PCell("主要内容", 2, rowspan=2, role="header", align="center"),
                PCell(layout.extra["task_amount_caption"], 3, 3, role="header", align="center"),
            ]
        ),
        PRow([PCell(t, 3 + i, role="header", align="center") for i, t in enumerate(("总额", "财政拨款", "其他资金"))]),
    ]
    sums = {k: Decimal("0.00") for k in ("total", "appropriation", "other")}
    for n, t in enumerate(tasks):
        cells = [PCell(t.name, 1, source=f"tasks.{n}.name"), PCell(t.content, 2, source=f"tasks.{n}.content")]
        for i, key in enumerate(("total", "appropriation", "other")):
            v = getattr(t, key)
            sums[key] += v or 0
            cells.append(_money_cell(v, t.raw.get(key), 3 + i, "元", False, f"tasks.{n}.{key}"))
        task_rows.append(PRow(cells))
    task_rows.append(
        PRow(
            [PCell(layout.extra["task_sum_label"] + "：", 1, 2, role="total", align="center")]
            + [
                PCell(format_money(sums[k], "元", grouping=False), 3 + i, role="computed", align="right",
                      number=sums[k], number_format=MONEY_FORMAT_PLAIN)
                for i, k in enumerate(("total", "appropriation", "other"))
            ]
        )
    )
    goal = [PRow([PCell("年度总体目标", 0, role="label", align="center"),
                  PCell(form.overall_goal, 1, 6, source="overall_goal")])]
    table_header = PRow([PCell(c.title, i, role="header", align="center") for i, c in enumerate(layout.columns) if i > 0])
    indicator_rows = [
        PRow(
            [
                PCell(r.name, 3, source=f"indicators.{n}.name"),
                PCell(r.target, 4, align="center", source=f"indicators.{n}.target"),
                PCell(r.measure_unit, 5, align="center", source=f"indicators.{n}.measure_unit"),
                PCell(r.explanation, 6, source=f"indicators.{n}.explanation"),
            ],
            level1=LEVEL2_INFO[r.level2].level1,
            level2=r.level2,
        )
        for n, r in enumerate(form.indicators)
    ]
    subtitle = f"（{form.year}年度）" if form.year else ""
    sections = [
        Section("header", header),
        Section("block", task_rows, widths=list(DEPARTMENT_TASKS)),
        Section("block", goal),
        Section("indicators", indicator_rows, repeat=[table_header], caption=layout.table_caption),
    ]
    return sections, subtitle


# ---- merged 一级/二级 cells --------------------------------------------------------------------------


def group_cells(layout: FormLayout, rows: list[PRow], stars: bool | None = None) -> list[list[PCell]]:
    """For a contiguous slice of indicator rows: the merged 一级/二级 cells to add to each row.

    ``result[i]`` holds the cells starting at row ``i`` (rowspan covers the rest of the group within the slice).
    """
    l1_col = layout.column_index("level1")
    l2_col = layout.column_index("level2")
    out: list[list[PCell]] = [[] for _ in rows]
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and rows[j].level1 == rows[i].level1:
            j += 1
        out[i].append(PCell(level1_label(layout, rows[i].level1), l1_col, rowspan=j - i, role="group", align="center"))
        k = i
        while k < j:
            m = k
            while m < j and rows[m].level2 == rows[k].level2:
                m += 1
            out[k].append(PCell(level2_label(layout, rows[k].level2, stars), l2_col, rowspan=m - k, role="group", align="center"))
            k = m
        i = j
    return out


# ---- one grid for the whole form (Excel) -------------------------------------------------------------


@dataclass
class SheetGrid:
    """All sections of a form on one column grid: the union of the column edges of the layout and of the blocks
    with a grid of their own. ``widths``: shares of the width; ``edges[s][c]``: the grid column where column
    ``c`` of section ``s`` starts (one more entry: where its last column ends)."""

    widths: list[float]
    edges: list[list[int]]

    def place(self, section: int, cell: PCell) -> tuple[int, int]:
        """(first grid column, number of grid columns) of ``cell`` of section ``section``."""
        e = self.edges[section]
        return e[cell.col], e[cell.col + cell.colspan] - e[cell.col]


def sheet_grid(pf: PrintedForm, snap: float = 0.75) -> SheetGrid:
    """Column edges closer than ``snap`` (percent of the width) are one edge: no hairline columns."""
    cumulative = []
    for section in pf.sections:
        widths = pf.section_widths(section)
        total = sum(widths) or 1
        acc, cum = 0.0, [0.0]
        for w in widths:
            acc += w * 100 / total
            cum.append(acc)
        cumulative.append(cum)
    layout_cum = [0.0]
    for w in pf.widths:
        layout_cum.append(layout_cum[-1] + w * 100 / (sum(pf.widths) or 1))
    edges: list[float] = []
    for x in sorted({round(x, 4) for cum in [layout_cum, *cumulative] for x in cum}):
        if not edges or x - edges[-1] >= snap:
            edges.append(x)
        elif x >= 100 - 1e-6:
            edges[-1] = 100.0
    edges[-1] = 100.0

    def nearest(x: float) -> int:
        return min(range(len(edges)), key=lambda i: abs(edges[i] - x))

    return SheetGrid(
        widths=[b - a for a, b in zip(edges, edges[1:])],
        edges=[[nearest(x) for x in cum] for cum in cumulative],
    )


# ==================================================================================================
# pages: the PDF export and printing draw these


MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)

# page geometry (points)
MARGIN_X = 15 * MM
MARGIN_TOP = 12 * MM
MARGIN_BOTTOM = 14 * MM
FOOTER_Y = 7 * MM  # baseline of "第 N 页 共 M 页", from the bottom edge

# type
TITLE_SIZE = 18.0  # 小二
SUBTITLE_SIZE = 12.0
BODY_SIZE = 10.0  # table text (五号 is 10.5; 10 keeps the 9-column landscape tables readable)
LEADING = 1.3  # line height, in font sizes
ASCENT = 0.88  # of the font (OS/2 typo ascender / em)
FOOTER_SIZE = 9.0
MIN_LABEL_SIZE = 9.0  # a label is shrunk by at most 10 % to stay on one line
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


class TextMetrics:
    """Advance widths of the printed font: ``char_width(ch)`` is the width of ``ch`` at 1 pt (cached here)."""

    def __init__(self, char_width: Callable[[str], float]):
        self._char_width = char_width
        self._cache: dict[str, float] = {}

    def char(self, ch: str) -> float:
        w = self._cache.get(ch)
        if w is None:
            w = self._cache[ch] = self._char_width(ch)
        return w

    def width(self, text: str, size: float) -> float:
        return sum(self.char(ch) for ch in text) * size


@dataclass
class PageText:
    """One line of text; ``x, y``: the start of its baseline, in points from the top left of the page."""

    x: float
    y: float
    text: str
    size: float
    bold: bool = False  # drawn filled and stroked (the app ships one regular font)


@dataclass
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
        return f"第 {self.number} 页 共 {self.count} 页"


def page_size(landscape: bool) -> tuple[float, float]:
    return (A4[1], A4[0]) if landscape else A4


def frame_size(landscape: bool) -> tuple[float, float]:
    w, h = page_size(landscape)
    return w - 2 * MARGIN_X, h - MARGIN_TOP - MARGIN_BOTTOM


# ---- Chinese line breaking ---------------------------------------------------------------------------

NO_LINE_START = frozenset("，。、：；！？）》〉」』】〕〗”’％‰℃…·—～,.;:!?)]}%")
NO_LINE_END = frozenset("（《〈「『【〔〖“‘([{￥$")
_GLUE = frozenset(".,%-+/:")
IGNORABLE = frozenset("\r\t\u200b\u200c\u200d\u2060\ufeff" + "".join(chr(c) for c in range(0xFE00, 0xFE10)))


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


def break_lines(text: str, width: float, metrics: TextMetrics, size: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points: a line never starts with a closing mark
    (，。：）》”…) nor ends with an opening one (（《“…), and a number or Latin word (3,500.00, 80%-100%, PDA) is
    not cut — a rule gives way only when a line would otherwise hold nothing (a 30-digit number in a narrow
    column)."""
    limit = width / size - 1e-6
    char = metrics.char
    out: list[str] = []
    for para in text.split("\n"):
        n = len(para)
        start, used, i = 0, 0.0, 0
        while i < n:
            cw = char(para[i])
            if used + cw > limit and i > start:
                j = _break_before(para, start, i)
                out.append(para[start:j].rstrip(" "))
                start = j
                while start < n and para[start] == " ":
                    start += 1
                i = max(i, start)
                used = sum(char(c) for c in para[start:i])
                continue
            used += cw
            i += 1
        out.append(para[start:].rstrip(" "))
    return out


_PAREN = re.compile(r"[（(]")


def fit_label(text: str, width: float, metrics: TextMetrics) -> tuple[list[str], float] | None:
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
        widest = max(metrics.width(line, BODY_SIZE) for line in lines)
        if widest <= width:
            return lines, BODY_SIZE
        size = int(BODY_SIZE * width / widest * 10) / 10
        if shrink and size >= MIN_LABEL_SIZE:
            return lines, size
    return None


def continued_label(text: str) -> str:
    """测算依据： → 测算依据（续）："""
    t = text.rstrip()
    if t.endswith(("（续）", "（续）：")):
        return t
    colon = t.endswith(("：", ":"))
    if colon:
        t = t[:-1]
    return f"{t}（续）" + ("：" if colon else "")


# ---- cells and rows of a grid --------------------------------------------------------------------------


@dataclass(eq=False)
class _Lines:
    lines: list[str]
    size: float = BODY_SIZE

    @property
    def leading(self) -> float:
        return self.size * LEADING

    @property
    def height(self) -> float:
        return len(self.lines) * self.leading

    def split(self, space: float) -> tuple[_Lines, _Lines] | None:
        k = int((space + EPS) // self.leading)
        if k <= 0 or k >= len(self.lines):
            return None
        return _Lines(self.lines[:k], self.size), _Lines(self.lines[k:], self.size)


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
    valign: str = "middle"

    def measure(self) -> float:
        if self.height < 0:
            text = self.content.height if self.content is not None else 0.0
            self.height = max(MIN_ROW, text + TOP_PAD + BOTTOM_PAD)
        return self.height


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


def _cell(p: PCell, metrics: TextMetrics, widths: list[float]) -> _Cell:
    content = None
    text = clean_text(p.text or "")
    if text.strip():
        width = _inner_width(widths, p)
        fitted = None
        if p.role in _LABEL_ROLES or (p.role == "label" and p.align == "center"):
            fitted = fit_label(text, width, metrics)
        elif p.role == "label":  # a form label (项目编码：): one line, shrunk a little rather than wrapped
            size = min(BODY_SIZE, int(BODY_SIZE * width / max(metrics.width(text, BODY_SIZE), EPS) * 10) / 10)
            if size >= MIN_LABEL_SIZE:
                fitted = [text], size
        if fitted:
            content = _Lines(fitted[0], fitted[1])
        else:
            content = _Lines(break_lines(text, width - 0.5, metrics, BODY_SIZE), BODY_SIZE)
    return _Cell(p.col, p.colspan, p.rowspan, p.text, p.role, p.align, content)


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
            if k == 1 and total >= 3 and not self.continued and self._height([body[0]], False) - self._height([], False) < short:
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
        copy = _cell(PCell(continued_label(c.text), c.col, c.colspan, rowspan, "label", c.align), self.metrics,
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


def _grouper(pf: PrintedForm, metrics: TextMetrics, widths: list[float]):
    labels: dict[tuple, _Cell] = {}  # one measured cell per label, copied with the rowspan of each page

    def grouper(rows: list[_Row]) -> list[list[_Cell]]:
        prows = [PRow([], level1=r.level1, level2=r.level2) for r in rows]
        out = []
        for cells in group_cells(pf.layout, prows, pf.stars):
            line = []
            for c in cells:
                key = (c.text, c.col, c.colspan, c.align, c.role)
                if key not in labels:
                    labels[key] = _cell(replace(c, rowspan=1), metrics, widths)
                line.append(replace(labels[key], rowspan=c.rowspan))
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
    for grid in _grids(pf, metrics, frame_w, frame_h):
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
    xs = [x0]
    for w in s.widths:
        xs.append(xs[-1] + w)
    ys = [y0]
    for h in s.heights:
        ys.append(ys[-1] + h)
    n, ncols = len(s.rows), len(s.widths)
    covered = [[False] * ncols for _ in range(n)]
    cells: list[tuple[int, _Cell]] = []
    for r, row in enumerate(s.rows):
        for c in row:
            cells.append((r, c))
            for rr in range(r, min(n, r + c.rowspan)):
                for cc in range(c.col, min(ncols, c.col + c.colspan)):
                    covered[rr][cc] = True
    for r in range(n):  # grid positions no cell covers still get their borders
        for cc in range(ncols):
            if not covered[r][cc]:
                cells.append((r, _Cell(cc, 1, 1, "", "value", "left")))
    for r, c in cells:
        x, y = xs[c.col], ys[r]
        w, h = xs[c.col + c.colspan] - x, ys[min(n, r + c.rowspan)] - y
        if c.role in ("header", "section"):
            page.fills.append(PageBox(x, y, w, h, fill=HEADER_FILL))
        page.boxes.append(PageBox(x, y, w, h, GRID_WIDTH))
        lines = c.content
        if lines is None:
            continue
        leading = lines.leading
        if c.valign == "top":
            top = y + TOP_PAD
        else:
            top = y + TOP_PAD + (h - TOP_PAD - BOTTOM_PAD - lines.height) / 2
        base = top + (leading - lines.size) / 2 + ASCENT * lines.size
        for line in lines.lines:
            if line:
                if c.align == "left":
                    tx = x + HPAD
                else:
                    tw = metrics.width(line, lines.size)
                    tx = x + w - HPAD - tw if c.align == "right" else x + (w - tw) / 2
                page.texts.append(PageText(tx, base, line, lines.size))
            base += leading
    page.boxes.append(PageBox(xs[0], ys[0], xs[-1] - xs[0], ys[-1] - ys[0], BOX_WIDTH))


__all__ = [
    "A4",
    "Computed",
    "PCell",
    "PRow",
    "Page",
    "PageBox",
    "PageText",
    "PrintedForm",
    "Section",
    "SheetGrid",
    "TextMetrics",
    "break_lines",
    "build_printed",
    "clean_text",
    "compose_pages",
    "fit_label",
    "group_cells",
    "sheet_grid",
]
