"""A form as printed cells: the sections of a form as rows of cells (:class:`PCell`) on column grids.

``build_printed(form, computed, stars)`` reads everything it prints from the form's layout (:mod:`.forms`): the
header fields and where they sit, the blocks (资金使用情况, 年度主要任务, the goal texts) with their captions, rows,
columns and grids, the indicator columns, the total row. A block with a grid of its own (:data:`Section.widths`)
keeps an amount or a label from being squeezed by the indicator columns. Indicator rows carry no 一级/二级 cells:
:func:`group_cells` makes them for the rows a writer puts together (one page in the PDF, the whole table in
Excel). :func:`sheet_grid` puts all sections on one common grid (the union of their column edges) for Excel.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ..model.forms import AnyForm, DepartmentOverall, SelfEvaluation
from ..model.money import format_money, format_number
from ..model.skeleton import LEVEL2_INFO, Level1, Level2
from .forms import FieldSpec, FormLayout, GoalsBlock, layout_for, level1_label, level2_label, weights_from

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
    weights: dict[Level1, Decimal] | None = None  # the profile's 一级 weights (产出指标(50分)); None: not given

    def section_widths(self, section: Section) -> list[float]:
        return section.widths or self.widths


Computed = dict[str, str]
"""Computed values by key: ``funds.execution_rate``, ``funds.score``, ``total``, ``grade``, ``weight_total``,
``rows.N.score`` (effective score of indicator row N), ``weights.<一级>`` (the profile's weight of an 一级指标, for
its label). Missing keys print empty."""

MONEY_FORMAT_GROUPED = "#,##0.00"
MONEY_FORMAT_PLAIN = "0.00"
SCORE_FORMAT = "0.##"
SUGGESTED_MARK = "*"  # after a 得分 the rules suggested and the user did not type
SUGGESTED_SCORE_FORMAT = 'General"*"'  # Excel: the number stays a number and shows the mark
SUGGESTED_NOTE = "注：带 * 的得分为程序按规则计算的建议得分，未经填写人确认。"
NOT_COUNTED = "—"  # a block cell that holds nothing by definition (分值 of a fund row other than the total)
GROUP_KEYS = ("caption", "level1", "level2")  # indicator columns filled by merged cells, not by a row


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
    sections = [_header(form, layout)]
    if layout.funds is not None and isinstance(form, SelfEvaluation):
        sections.append(_funds(form, layout, computed))
    if layout.tasks is not None and isinstance(form, DepartmentOverall):
        sections.append(_tasks(form, layout))
    if layout.goals is not None:
        sections.append(_goals(form, layout, layout.goals))
    sections.append(_indicators(form, layout, computed))
    return PrintedForm(
        kind=form.kind,
        title=layout.title,
        subtitle=layout.subtitle_for(form),
        landscape=layout.landscape,
        widths=[c.width for c in layout.columns],
        sections=sections,
        layout=layout,
        stars=stars,
        weights=weights_from(computed),
    )


# ---- header fields and long texts -----------------------------------------------------------------


def _value_text(form: AnyForm, spec: FieldSpec) -> str:
    value = getattr(form, spec.key)
    return form.raw.get(spec.key) or ("" if value is None else str(value))


def _label(form: AnyForm, layout: FormLayout, spec: FieldSpec) -> str:
    return spec.label_for(form) + ("：" if layout.label_colon else "")


def _header(form: AnyForm, layout: FormLayout) -> Section:
    """The header fields where the layout places them, then the long texts no block prints, one per row."""
    unit = getattr(form, "amount_unit", "元")
    rows: list[PRow] = []
    for places in layout.header_places():
        cells = []
        for place in places:
            spec = layout.field(place.key)
            cells.append(PCell(_label(form, layout, spec), place.label_col, place.label_span, role="label"))
            if spec.kind == "money":
                cells.append(_money_cell(getattr(form, spec.key), form.raw.get(spec.key), place.value_col, unit,
                                         True, spec.key, place.value_span))
            else:
                cells.append(PCell(_value_text(form, spec), place.value_col, place.value_span, source=spec.key))
        rows.append(PRow(cells))
    in_block = layout.goals.fields if layout.goals is not None else ()
    span = len(layout.columns) - 2
    for spec in layout.texts:
        if spec.key in in_block or not spec.applies_to(form):
            continue
        rows.append(PRow([PCell(_label(form, layout, spec), 0, 2, role="label"),
                          PCell(getattr(form, spec.key), 2, span, source=spec.key)]))
    widths = list(layout.header_widths) if layout.header_widths else None
    return Section("header", rows, widths=widths)


# ---- blocks -----------------------------------------------------------------------------------------


def _funds(form: SelfEvaluation, layout: FormLayout, computed: Computed) -> Section:
    """资金使用情况: a title row, the column titles beside the merged caption, one row of amounts per fund line; the
    first row also holds 分值 (typed) and the computed columns, the others a dash there."""
    block = layout.funds
    assert block is not None
    ncols = len(block.widths)
    rows = [PRow([PCell(block.title, 0, ncols, role="section")])]
    rows.append(
        PRow(
            [PCell(block.caption, 0, rowspan=1 + len(block.rows), role="label", align="center"),
             PCell("", 1, role="header")]
            + [PCell(c.title, 2 + i, role="header", align="center") for i, c in enumerate(block.columns)]
        )
    )
    for r, fund_row in enumerate(block.rows):
        line = getattr(form.funds, fund_row.key)
        cells = [PCell(fund_row.label, 1, role="label")]
        for i, column in enumerate(block.columns[:block.amounts]):
            cells.append(_money_cell(getattr(line, column.key), line.raw.get(column.key), 2 + i, "元", False,
                                     f"funds.{fund_row.key}.{column.key}"))
        for i, column in enumerate(block.columns[block.amounts:], start=2 + block.amounts):
            if r > 0:
                cells.append(PCell(NOT_COUNTED, i, role="computed", align="center"))
            elif hasattr(form.funds, column.key):  # typed on the form (分值)
                cells.append(_score_cell(getattr(form.funds, column.key), form.funds.raw.get(column.key), i,
                                         f"funds.{column.key}"))
            else:  # computed by the rules (执行率, 得分)
                cells.append(PCell(computed.get(f"funds.{column.key}", ""), i, role="computed", align="center"))
        rows.append(PRow(cells))
    return Section("block", rows, widths=list(block.widths))


def _tasks(form: DepartmentOverall, layout: FormLayout) -> Section:
    """年度主要任务: the merged caption, the column titles (the amounts under their caption), one row per task,
    the computed sum row."""
    block = layout.tasks
    assert block is not None
    tasks = form.tasks
    texts, amounts = block.columns[:block.texts], block.amount_columns
    first_amount = 1 + block.texts
    rows = [
        PRow(
            [PCell(block.caption, 0, rowspan=3 + len(tasks), role="label", align="center")]
            + [PCell(c.title, 1 + i, rowspan=2, role="header", align="center") for i, c in enumerate(texts)]
            + [PCell(block.amount_caption, first_amount, len(amounts), role="header", align="center")]
        ),
        PRow([PCell(c.title, first_amount + i, role="header", align="center") for i, c in enumerate(amounts)]),
    ]
    sums = {c.key: Decimal("0.00") for c in amounts}
    for n, t in enumerate(tasks):
        cells = [PCell(getattr(t, c.key), 1 + i, source=f"tasks.{n}.{c.key}") for i, c in enumerate(texts)]
        for i, c in enumerate(amounts):
            v = getattr(t, c.key)
            sums[c.key] += v or 0
            cells.append(_money_cell(v, t.raw.get(c.key), first_amount + i, "元", False, f"tasks.{n}.{c.key}"))
        rows.append(PRow(cells))
    rows.append(
        PRow(
            [PCell(block.sum_label + "：", 1, block.texts, role="total", align="center")]
            + [
                PCell(format_money(sums[c.key], "元", grouping=False), first_amount + i, role="computed",
                      align="right", number=sums[c.key], number_format=MONEY_FORMAT_PLAIN)
                for i, c in enumerate(amounts)
            ]
        )
    )
    return Section("block", rows, widths=list(block.widths))


def _goals(form: AnyForm, layout: FormLayout, block: GoalsBlock) -> Section:
    """The goal texts under their merged caption: one text beside it, or several under their labels."""
    n = len(layout.columns)
    specs = [layout.field(key) for key in block.fields]
    if len(specs) == 1:
        spec = specs[0]
        rows = [PRow([PCell(block.caption, 0, role="label", align="center"),
                      PCell(getattr(form, spec.key), 1, n - 1, source=spec.key)])]
    else:
        span = (n - 1) // len(specs)
        spans = [(1 + i * span, span if i < len(specs) - 1 else n - 1 - i * span) for i in range(len(specs))]
        rows = [
            PRow([PCell(block.caption, 0, rowspan=2, role="label", align="center")]
                 + [PCell(s.label_for(form), col, k, role="header", align="center")
                    for s, (col, k) in zip(specs, spans, strict=False)]),
            PRow([PCell(getattr(form, s.key), col, k, source=s.key)
                  for s, (col, k) in zip(specs, spans, strict=False)]),
        ]
    if block.title:
        rows.insert(0, PRow([PCell(block.title, 0, n, role="section")]))
    return Section("block", rows)


# ---- the indicator table ------------------------------------------------------------------------------


def _indicators(form: AnyForm, layout: FormLayout, computed: Computed) -> Section:
    header = PRow([PCell(c.title, i, role="header", align="center")
                   for i, c in enumerate(layout.columns) if c.key != "caption"])
    content = [(i, c) for i, c in enumerate(layout.columns) if c.key not in GROUP_KEYS]
    rows = []
    any_suggested = False
    for n, r in enumerate(form.indicators):
        cells = []
        for col, spec in content:
            source = f"indicators.{n}.{spec.key}"
            if spec.key == "score":
                cell, suggested = _row_score(r, n, col, computed)
                any_suggested = any_suggested or suggested
            elif spec.numeric:
                cell = _score_cell(getattr(r, spec.key), r.raw.get(spec.key), col, source)
            else:
                cell = PCell(getattr(r, spec.key), col, align=spec.align, source=source)
            cells.append(cell)
        rows.append(PRow(cells, level1=LEVEL2_INFO[r.level2].level1, level2=r.level2))
    trailer = []
    if layout.total_label:
        trailer.append(_total_row(layout, computed))
        if any_suggested:
            trailer.append(PRow([PCell(SUGGESTED_NOTE, 0, len(layout.columns), role="value")]))
    return Section("indicators", rows, repeat=[header], caption=layout.table_caption, trailer=trailer)


def _row_score(r: Any, n: int, col: int, computed: Computed) -> tuple[PCell, bool]:
    """The 得分 cell of indicator row ``n`` and whether it shows the rules' suggestion (not typed)."""
    source = f"indicators.{n}.score"
    score_text = computed.get(f"rows.{n}.score")
    cell = _score_cell(r.score, r.raw.get("score"), col, source)
    if r.score is not None and score_text and Decimal(score_text) != r.score:
        # a typed 得分 outside [0, 分值] prints what counts in 总分, so the column adds up (the model keeps it)
        cell = _score_cell(Decimal(score_text), None, col, source)
    if r.score is None and not r.raw.get("score") and score_text:
        suggested = bool(computed.get(f"rows.{n}.suggested"))
        cell = PCell(score_text + (SUGGESTED_MARK if suggested else ""), col, role="computed", align="center",
                     number=Decimal(score_text), number_format=SUGGESTED_SCORE_FORMAT if suggested else SCORE_FORMAT)
        return cell, suggested
    return cell, False


def _total_row(layout: FormLayout, computed: Computed) -> PRow:
    """总分 | 分值合计 | 总分 | — : the label over the columns before 分值."""
    weight_col, score_col = layout.column_index("weight"), layout.column_index("score")
    return PRow(
        [
            PCell(layout.total_label, 0, weight_col, role="total", align="center"),
            PCell(computed.get("weight_total", "100"), weight_col, role="total", align="center"),
            PCell(computed.get("total", ""), score_col, role="total", align="center"),
        ]
        + [PCell(NOT_COUNTED, c, role="total", align="center") for c in range(score_col + 1, len(layout.columns))]
    )


# ---- merged 一级/二级 cells --------------------------------------------------------------------------

def group_cells(layout: FormLayout, rows: list[PRow], stars: bool | None = None,
                weights: dict[Level1, Decimal] | None = None) -> list[list[PCell]]:
    """For a contiguous slice of indicator rows: the merged 一级/二级 cells to add to each row (``weights``: the
    profile's 一级 weights, for the self-evaluation's 产出指标(50分)).

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
        level1 = rows[i].level1
        assert level1 is not None
        out[i].append(PCell(level1_label(layout, level1, weights), l1_col, rowspan=j - i, role="group",
                            align="center"))
        k = i
        while k < j:
            m = k
            while m < j and rows[m].level2 == rows[k].level2:
                m += 1
            level2 = rows[k].level2
            assert level2 is not None
            out[k].append(PCell(level2_label(layout, level2, stars), l2_col, rowspan=m - k, role="group",
                                align="center"))
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
        widths=[b - a for a, b in itertools.pairwise(edges)],
        edges=[[nearest(x) for x in cum] for cum in cumulative],
    )


__all__ = [
    "MONEY_FORMAT_GROUPED",
    "MONEY_FORMAT_PLAIN",
    "SCORE_FORMAT",
    "SUGGESTED_MARK",
    "SUGGESTED_NOTE",
    "SUGGESTED_SCORE_FORMAT",
    "Computed",
    "PCell",
    "PRow",
    "PrintedForm",
    "Section",
    "SheetGrid",
    "build_printed",
    "group_cells",
    "sheet_grid",
]
