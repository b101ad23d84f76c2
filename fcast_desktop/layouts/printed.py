"""A form as it is printed: cells placed on the layout's column grid, shared by the PDF and Excel writers.

``build_printed(form, computed)`` gives sections of rows. Indicator rows carry no 一级/二级 cells: the writer
calls :func:`group_cells` for the slice of rows it puts on one page (PDF) or for the whole table (Excel), so a
merged label is repeated on every page a group continues on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    min_lines: int = 1  # height hint in text lines (long texts)


@dataclass
class Section:
    kind: Literal["header", "block", "indicators"]
    rows: list[PRow]
    repeat: list[PRow] = field(default_factory=list)  # header rows repeated on every page (indicators)
    caption: str = ""  # text of a merged first column spanning the section (年度绩效指标)
    trailer: list[PRow] = field(default_factory=list)  # rows printed after the indicator rows (总分)


@dataclass
class PrintedForm:
    kind: str
    title: str
    subtitle: str
    landscape: bool
    widths: list[float]
    sections: list[Section]
    layout: FormLayout


Computed = dict[str, str]
"""Computed values by key: ``funds.execution_rate``, ``funds.score``, ``total``, ``grade``, ``weight_total``,
``rows.N.score`` (effective score of indicator row N). Missing keys print empty."""

MONEY_FORMAT_GROUPED = "#,##0.00"
MONEY_FORMAT_PLAIN = "0.00"
SCORE_FORMAT = "0.##"


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


def _text_lines(text: str, width_share: float, total_chars: int = 110) -> int:
    """Rough printed line count of ``text`` in a cell of ``width_share`` percent of the page width."""
    per_line = max(4, int(total_chars * width_share / 100))
    return max(1, sum(max(1, -(-len(part) // per_line)) for part in (text or "").split("\n")))


def build_printed(form: AnyForm, computed: Computed | None = None, stars: bool | None = None) -> PrintedForm:
    layout = layout_for(form)
    computed = computed or {}
    builder = {"declaration": _declaration, "self_evaluation": _self_evaluation, "department_overall": _department}
    sections, subtitle = builder[form.kind](form, layout, computed, stars)
    return PrintedForm(
        kind=form.kind,
        title=layout.title,
        subtitle=subtitle,
        landscape=layout.landscape,
        widths=[c.width for c in layout.columns],
        sections=sections,
        layout=layout,
    )


# ---- 二级项目支出绩效目标申报表 --------------------------------------------------------------------


def _declaration(form: Declaration, layout: FormLayout, computed: Computed, stars):
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
        rows.append(
            PRow(
                [PCell(spec.label_for(form) + "：", 0, 2, role="label"), PCell(text, 2, 3, source=spec.key)],
                min_lines=_text_lines(text, 79),
            )
        )
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
            min_lines=max(_text_lines(r.name, 29), _text_lines(r.explanation, 35)),
        )
        for n, r in enumerate(form.indicators)
    ]
    sections = [
        Section("header", rows),
        Section("indicators", indicator_rows, repeat=[table_header]),
    ]
    return sections, ""


# ---- 项目支出绩效自评表 --------------------------------------------------------------------------


def _self_evaluation(form: SelfEvaluation, layout: FormLayout, computed: Computed, stars):
    def value(key: str) -> str:
        raw = form.raw.get(key)
        v = getattr(form, key)
        return raw or ("" if v is None else str(v))

    header = [
        PRow(
            [
                PCell("项目编码：", 0, 2, role="label"),
                PCell(value("project_code"), 2, 2, source="project_code"),
                PCell("项目名称：", 4, role="label"),
                PCell(value("project_name"), 5, 2, source="project_name"),
                PCell("绩效自评年度：", 7, role="label"),
                PCell(value("year"), 8, source="year"),
            ]
        ),
        PRow(
            [
                PCell("实施单位：", 0, 2, role="label"),
                PCell(value("implementing_unit"), 2, 3, source="implementing_unit"),
                PCell("一级预算单位：", 5, 2, role="label"),
                PCell(value("budget_unit"), 7, 2, source="budget_unit"),
            ]
        ),
    ]
    funds_rows = [PRow([PCell("资金使用情况", 0, 9, role="section")])]
    fund_columns = layout.extra["fund_columns"]
    fund_rows = layout.extra["fund_rows"]
    funds_rows.append(
        PRow(
            [PCell(layout.extra["fund_caption"], 0, rowspan=1 + len(fund_rows), role="label", align="center"),
             PCell("", 1, 2, role="header")]
            + [PCell(title, 3 + i, role="header", align="center") for i, (_key, title) in enumerate(fund_columns)]
        )
    )
    for r, (attr, label) in enumerate(fund_rows):
        line = getattr(form.funds, attr)
        cells = [PCell(label, 1, 2, role="label")]
        for i, (key, _title) in enumerate(fund_columns[:3]):
            cells.append(_money_cell(getattr(line, key), line.raw.get(key), 3 + i, "元", False, f"funds.{attr}.{key}"))
        if r == 0:
            cells.append(_score_cell(form.funds.weight, form.funds.raw.get("weight"), 6, "funds.weight"))
            cells.append(PCell(computed.get("funds.execution_rate", ""), 7, role="computed", align="center"))
            cells.append(PCell(computed.get("funds.score", ""), 8, role="computed", align="center"))
        else:
            cells += [PCell("—", c, role="computed", align="center") for c in (6, 7, 8)]
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
        PRow(
            [PCell(form.expected_goal, 1, 4, source="expected_goal"), PCell(form.actual_result, 5, 4, source="actual_result")],
            min_lines=max(_text_lines(form.expected_goal, 40), _text_lines(form.actual_result, 40)),
        ),
    ]
    table_header = PRow([PCell(c.title, i, role="header", align="center") for i, c in enumerate(layout.columns) if i > 0])
    indicator_rows = []
    for n, r in enumerate(form.indicators):
        score_text = computed.get(f"rows.{n}.score")
        score_cell = _score_cell(r.score, r.raw.get("score"), 7, f"indicators.{n}.score")
        if r.score is None and not r.raw.get("score") and score_text:
            score_cell = PCell(score_text, 7, role="computed", align="center")
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
                min_lines=max(_text_lines(r.name, 21), _text_lines(r.deviation, 21)),
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
    sections = [
        Section("header", header),
        Section("block", funds_rows),
        Section("block", goal_rows),
        Section("indicators", indicator_rows, repeat=[table_header], caption=layout.table_caption, trailer=[total]),
    ]
    return sections, ""


# ---- 部门（单位）整体支出绩效目标申报表 ------------------------------------------------------------


def _department(form: DepartmentOverall, layout: FormLayout, computed: Computed, stars):
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
                PCell("任务名称", 1, 2, rowspan=2, role="header", align="center"),
                PCell("主要内容", 3, rowspan=2, role="header", align="center"),
                PCell(layout.extra["task_amount_caption"], 4, 3, role="header", align="center"),
            ]
        ),
        PRow([PCell(t, 4 + i, role="header", align="center") for i, t in enumerate(("总额", "财政拨款", "其他资金"))]),
    ]
    sums = {k: Decimal("0.00") for k in ("total", "appropriation", "other")}
    for n, t in enumerate(tasks):
        cells = [PCell(t.name, 1, 2, source=f"tasks.{n}.name"), PCell(t.content, 3, source=f"tasks.{n}.content")]
        for i, key in enumerate(("total", "appropriation", "other")):
            v = getattr(t, key)
            sums[key] += v or 0
            cells.append(_money_cell(v, t.raw.get(key), 4 + i, "元", False, f"tasks.{n}.{key}"))
        task_rows.append(PRow(cells, min_lines=_text_lines(t.content, 24)))
    task_rows.append(
        PRow(
            [PCell(layout.extra["task_sum_label"] + "：", 1, 3, role="total", align="center")]
            + [
                PCell(format_money(sums[k], "元", grouping=False), 4 + i, role="computed", align="right",
                      number=sums[k], number_format=MONEY_FORMAT_PLAIN)
                for i, k in enumerate(("total", "appropriation", "other"))
            ]
        )
    )
    goal = [
        PRow(
            [PCell("年度总体目标", 0, role="label", align="center"), PCell(form.overall_goal, 1, 6, source="overall_goal")],
            min_lines=_text_lines(form.overall_goal, 93),
        )
    ]
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
            min_lines=max(_text_lines(r.name, 24), _text_lines(r.explanation, 32)),
        )
        for n, r in enumerate(form.indicators)
    ]
    subtitle = f"（{form.year}年度）" if form.year else ""
    sections = [
        Section("header", header),
        Section("block", task_rows),
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


__all__ = ["Computed", "PCell", "PRow", "PrintedForm", "Section", "build_printed", "group_cells"]
