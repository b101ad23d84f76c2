"""The one description of each official form's layout, and the only place its official words are written.

Read by the Qt editor (header editors, grid columns, merged 一级/二级 cells), the PDF writer, the Excel writer,
the importers (label matching, with the published forms' other wordings as ``aliases``), the checklist, the
rollover and the rule messages, so that none of them can drift apart. Labels are the forms' own words (see
tests/data/seeds); ``tests/test_layout_spec.py`` fails when one of them is written anywhere else in the package.

A printed form is a grid of ``len(columns)`` columns. Header and summary blocks place their cells on that grid
or on a grid of their own (``widths``); the indicator table uses one column per :class:`ColumnSpec`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, TypeVar

from ..model.forms import AnyForm, Declaration, DepartmentOverall, SelfEvaluation
from ..model.money import WAN_YUAN
from ..model.skeleton import LEVEL2_INFO, Level1, Level2
from .levels import level1_name, level2_name

FieldKind = Literal["text", "long_text", "choice", "money", "int", "code"]


def _bare(label: str) -> str:
    """A label without its unit and its star: 项目总金额（中期规划，{unit}） → 项目总金额（中期规划）."""
    return label.replace("，{unit}", "").replace("（{unit}）", "").replace("{unit}", "").lstrip("*")


@dataclass(frozen=True)
class FieldSpec:
    """A header field: where it lives on the form object, its printed label, how it is edited."""

    key: str  # attribute name on the form
    label: str  # printed label; `{unit}` is replaced by the form's amount unit (万元 / 元)
    kind: FieldKind = "text"
    choices: tuple[str, ...] = ()
    editable_choices: bool = False  # a combo box the user may also type into
    variant: str | None = None  # declaration only: shown for this variant ("basis" / "overview")
    placeholder: str = ""
    aliases: tuple[str, ...] = ()  # other wordings of the label in published forms (read by the importers)
    short: str = ""  # how messages name a field whose label is long (长期目标); "" → :attr:`name`

    def label_for(self, form: AnyForm) -> str:
        unit = getattr(form, "amount_unit", "元")
        return self.label.replace("{unit}", unit)

    @property
    def name(self) -> str:
        """The label without its unit, as messages name the field: 项目总金额（中期规划）, 本年度项目金额."""
        return _bare(self.label)

    @property
    def word(self) -> str:
        """The field as messages name it: 长期目标, 项目总金额（中期规划）."""
        return self.short or self.name

    @property
    def names(self) -> tuple[str, ...]:
        """The name, its short name and its aliases (the words an importer accepts for this field)."""
        return tuple(dict.fromkeys((self.name, *((self.short,) if self.short else ()), *self.aliases)))

    def applies_to(self, form: AnyForm) -> bool:
        return self.variant is None or getattr(form, "variant", None) == self.variant


@dataclass(frozen=True)
class ColumnSpec:
    """A column of the indicator table."""

    key: str  # attribute on the indicator row; "level1"/"level2" are the merged group columns
    title: str  # official column title (also the `column` of problems in `fcast check`)
    width: float  # share of the printed width (the widths of a form add up to 100)
    editable: bool = True
    computed: bool = False  # filled by the rules engine, read-only, shown differently
    numeric: bool = False
    multiline: bool = False
    align: Literal["left", "center", "right"] = "left"  # printed alignment of the column's values
    aliases: tuple[str, ...] = ()  # other wordings in published forms; one ending in "…" matches a prefix
    short: str = ""  # how messages name a column whose title is long (偏差原因); "" → :attr:`name`

    @property
    def name(self) -> str:
        """The title without its star: *实际完成值 → 实际完成值."""
        return self.title.lstrip("*")

    @property
    def word(self) -> str:
        return self.short or self.name


@dataclass(frozen=True)
class BlockRow:
    """A row of a summary block: the model attribute and its printed label."""

    key: str
    label: str
    short: str = ""  # how messages name it (当年财政拨款 for 其中：当年财政拨款); also accepted by the importers

    @property
    def word(self) -> str:
        return self.short or self.label

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, self.short) if self.short else (self.label,)


@dataclass(frozen=True)
class BlockColumn:
    """A column of a summary block: the model attribute (or computed key) and its printed title."""

    key: str
    title: str
    aliases: tuple[str, ...] = ()


_Keyed = TypeVar("_Keyed", "BlockRow", "BlockColumn")


def _by_key(items: tuple[_Keyed, ...], key: str, what: str) -> _Keyed:
    for item in items:
        if item.key == key:
            return item
    raise KeyError(f"{what} {key}")


@dataclass(frozen=True)
class FundsBlock:
    """资金使用情况 of the self-evaluation: a section title, a merged caption, rows of amounts by column."""

    title: str  # the section title row (资金使用情况)
    caption: str  # the merged first column (项目资金（元）)
    rows: tuple[BlockRow, ...]
    columns: tuple[BlockColumn, ...]  # the three amounts, then 分值, 执行率, 得分
    widths: tuple[float, ...]  # caption | row label | one per column (shares of the width)
    amounts: int = 3  # the first ``amounts`` columns are amounts of each row; the others hold on the first row

    def row(self, key: str) -> BlockRow:
        return _by_key(self.rows, key, "资金行")

    def column(self, key: str) -> BlockColumn:
        return _by_key(self.columns, key, "资金列")


@dataclass(frozen=True)
class TasksBlock:
    """年度主要任务 of the department form: one row per task, its amounts under a merged caption, a sum row."""

    caption: str  # the merged first column and the block's name (年度主要任务)
    amount_caption: str  # over the amount columns (预算金额（元）)
    sum_label: str  # the computed sum row (金额合计)
    columns: tuple[BlockColumn, ...]  # 任务名称, 主要内容, then the amounts
    widths: tuple[float, ...]  # caption | one per column (shares of the width)
    texts: int = 2  # the first ``texts`` columns are texts, the others amounts

    def column(self, key: str) -> BlockColumn:
        return _by_key(self.columns, key, "任务列")

    @property
    def amount_columns(self) -> tuple[BlockColumn, ...]:
        return self.columns[self.texts:]


@dataclass(frozen=True)
class GoalsBlock:
    """The goal texts printed as a block: a section title (项目目标完成情况, may be empty), a merged caption
    (年度总体目标) and the long-text fields under it."""

    title: str
    caption: str
    fields: tuple[str, ...]  # keys of the layout's ``texts`` printed in the block


@dataclass(frozen=True)
class HeaderPlace:
    """Where a header field is printed on the header grid: its label cell and its value cell (column, span)."""

    key: str
    label_col: int
    label_span: int
    value_col: int
    value_span: int


@dataclass(frozen=True)
class FormLayout:
    kind: str
    title: str
    landscape: bool
    header: tuple[FieldSpec, ...]  # short fields
    texts: tuple[FieldSpec, ...]  # long texts, printed one per row unless a block prints them
    columns: tuple[ColumnSpec, ...]  # indicator table
    level_style: Literal["short", "long", "weighted"]  # 产出/数量, 产出指标/数量指标, 产出指标(50分)/数量指标
    table_caption: str = ""  # printed in a merged first column (自评表: 年度绩效指标)
    stars: bool = False  # 福田 prints * before mandatory 二级指标 (declaration only)
    title_aliases: tuple[str, ...] = ()  # other wordings of the title in published forms
    header_rows: tuple[tuple[HeaderPlace, ...], ...] = ()  # () → two fields per row on the indicator grid
    header_widths: tuple[float, ...] | None = None  # the header's own grid; None: the indicator grid
    label_colon: bool = True  # 项目编码： (the department form prints its labels without a colon)
    subtitle: str = ""  # under the title; `{year}` is the form's year (printed only when the form has one)
    funds: FundsBlock | None = None
    tasks: TasksBlock | None = None
    goals: GoalsBlock | None = None
    total_label: str = ""  # the row after the indicator rows (总分); "" for none

    @property
    def group_columns(self) -> int:
        return sum(1 for c in self.columns if c.key in ("caption", "level1", "level2"))

    def column(self, key: str) -> ColumnSpec:
        return next(c for c in self.columns if c.key == key)

    def field(self, key: str) -> FieldSpec:
        """A header field or long text by its key."""
        return next(f for f in (*self.header, *self.texts) if f.key == key)

    def column_index(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def fields_for(self, form: AnyForm) -> list[FieldSpec]:
        return [f for f in (*self.header, *self.texts) if f.applies_to(form)]

    def header_places(self) -> tuple[tuple[HeaderPlace, ...], ...]:
        """The header rows: as the layout places them, else two fields per row on the indicator grid (label over
        two columns, value; label, value), a field left alone taking the rest of its row."""
        if self.header_rows:
            return self.header_rows
        n = len(self.columns)
        rows: list[tuple[HeaderPlace, ...]] = []
        fields = list(self.header)
        for i in range(0, len(fields), 2):
            left = fields[i]
            if i + 1 < len(fields):
                right = fields[i + 1]
                rows.append((HeaderPlace(left.key, 0, 2, 2, 1), HeaderPlace(right.key, 3, 1, 4, n - 4)))
            else:
                rows.append((HeaderPlace(left.key, 0, 2, 2, n - 2),))
        return tuple(rows)

    def subtitle_for(self, form: AnyForm) -> str:
        year = getattr(form, "year", None)
        return self.subtitle.replace("{year}", str(year)) if self.subtitle and year else ""


# ---- the 一级/二级 labels ----------------------------------------------------------------------------

# Every writer passes the weights of the form's profile (``rules.computed_values`` as ``weights.<一级>`` for the
# PDF and the Excel sheet, the grid from the form's profile); only a printed form built without the rules (tests
# of pagination and of the Excel sheet: test_pdf_export, test_xlsx) still falls back to these, the weights of both
# shipped profiles. They go when those tests pass the weights.
_FALLBACK_WEIGHTS = {Level1.OUTPUT: 50, Level1.BENEFIT: 30, Level1.SATISFACTION: 10}


def weights_from(values: Mapping[str, str] | None) -> dict[Level1, Decimal] | None:
    """The profile's 一级 weights carried in printed computed values (``weights.output`` = "50"), or None."""
    if not values:
        return None
    out = {}
    for level1 in Level1:
        text = values.get(f"weights.{level1.value}")
        if text is None:
            return None
        out[level1] = Decimal(text)
    return out


def level1_label(layout: FormLayout, level1: Level1, weights: Mapping[Level1, object] | None = None) -> str:
    """The printed 一级 label: 产出 / 产出指标 / 产出指标(50分) with the weight of the profile (``weights``)."""
    if layout.level_style == "short":
        return level1_name(level1, "short")
    if layout.level_style == "weighted":
        weight = (weights or _FALLBACK_WEIGHTS)[level1]
        return f"{level1_name(level1)}({_number(weight)}分)"
    return level1_name(level1)


def _number(value: object) -> str:
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


def level2_label(layout: FormLayout, level2: Level2, stars: bool | None = None) -> str:
    if layout.level_style == "short":
        star = layout.stars if stars is None else stars
        return ("*" if star and LEVEL2_INFO[level2].futian_mandatory else "") + level2_name(level2, "short")
    return level2_name(level2)


# --------------------------------------------------------------------------------------------------

DECLARATION = FormLayout(
    kind="declaration",
    title="二级项目支出绩效目标申报表",
    landscape=False,
    header=(
        FieldSpec("project_code", "项目编码", "code", placeholder="21位数字"),
        FieldSpec("project_name", "项目名称"),
        FieldSpec("applicant_unit", "申请单位"),
        FieldSpec("budget_unit", "一级预算单位"),
        FieldSpec("duration_years", "实施期限", "int", placeholder="年"),
        FieldSpec(
            "project_type",
            "项目类型",
            "choice",
            ("15 其他经费", "15 履职类项目", "01 其他项目", "03 专项资金项目"),
            editable_choices=True,
        ),
        FieldSpec("is_new", "是否新增项目", "choice", ("是", "否")),
        FieldSpec("allocation_method", "分配方式", "choice", ("因素法", "项目法", "因素法和项目法")),
        FieldSpec("total_amount", "项目总金额（中期规划，{unit}）", "money"),
        FieldSpec("annual_amount", "本年度项目金额（{unit}）", "money"),
    ),
    texts=(
        FieldSpec("policy_basis", "政策依据", "long_text", variant="basis"),
        FieldSpec("calculation_basis", "测算依据", "long_text", variant="basis"),
        FieldSpec("overview", "项目概况", "long_text", variant="overview"),
        FieldSpec("annual_goal", "年度目标", "long_text"),
        FieldSpec("long_term_goal", "长期目标（跨度多年的项目需填）", "long_text", short="长期目标"),
    ),
    columns=(
        ColumnSpec("level1", "一级指标", 8, editable=False),
        ColumnSpec("level2", "二级指标", 13, editable=False),
        ColumnSpec("name", "三级指标", 29, multiline=True),
        ColumnSpec("target", "指标值", 15, align="center"),
        ColumnSpec("explanation", "指标解释", 35, multiline=True),
    ),
    level_style="short",
    stars=True,
)

SELF_EVALUATION = FormLayout(
    kind="self_evaluation",
    title="项目支出绩效自评表",
    landscape=True,
    header=(
        FieldSpec("project_code", "项目编码", "code", placeholder="21位数字"),
        FieldSpec("project_name", "项目名称"),
        FieldSpec("year", "绩效自评年度", "int"),
        FieldSpec("implementing_unit", "实施单位"),
        FieldSpec("budget_unit", "一级预算单位"),
    ),
    texts=(
        FieldSpec("expected_goal", "预期目标", "long_text"),
        FieldSpec("actual_result", "*实际完成情况", "long_text"),
    ),
    columns=(
        ColumnSpec("caption", "年度绩效指标", 6, editable=False),
        ColumnSpec("level1", "一级指标", 9, editable=False),
        ColumnSpec("level2", "二级指标", 10, editable=False),
        ColumnSpec("name", "三级指标", 21, multiline=True),
        ColumnSpec("target", "年度指标值", 10, align="center"),
        ColumnSpec("actual", "*实际完成值", 10, align="center"),
        ColumnSpec("weight", "*分值", 6, numeric=True, align="center"),
        ColumnSpec("score", "*得分", 7, numeric=True, align="center"),
        ColumnSpec("deviation", "偏差原因分析及改进措施", 21, multiline=True, aliases=("偏差原因…",), short="偏差原因"),
    ),
    level_style="weighted",
    table_caption="年度绩效指标",
    # 项目编码：| code | 项目名称：| name | 绩效自评年度：| year — each label gets the room it needs
    header_rows=(
        (HeaderPlace("project_code", 0, 1, 1, 1), HeaderPlace("project_name", 2, 1, 3, 1),
         HeaderPlace("year", 4, 1, 5, 1)),
        (HeaderPlace("implementing_unit", 0, 1, 1, 1), HeaderPlace("budget_unit", 2, 1, 3, 3)),
    ),
    header_widths=(15, 31, 10, 23, 11, 10),
    funds=FundsBlock(
        title="资金使用情况",
        caption="项目资金（元）",
        rows=(
            BlockRow("total", "年度资金总额"),
            BlockRow("appropriation", "其中：当年财政拨款", short="当年财政拨款"),
            BlockRow("carryover", "上年结转资金"),
            BlockRow("other", "其他资金"),
        ),
        columns=(
            BlockColumn("initial_budget", "年初预算数"),
            BlockColumn("annual_budget", "全年预算数"),
            BlockColumn("executed", "全年执行数"),
            BlockColumn("weight", "分值"),
            BlockColumn("execution_rate", "执行率(%)"),
            BlockColumn("score", "得分"),
        ),
        # three amounts of about the same width, the score columns narrow
        widths=(6, 19, 15, 16, 16, 7, 11, 10),
    ),
    goals=GoalsBlock(title="项目目标完成情况", caption="年度总体目标", fields=("expected_goal", "actual_result")),
    total_label="总分",
)

DEPARTMENT_OVERALL = FormLayout(
    kind="department_overall",
    title="部门（单位）整体支出绩效目标申报表",
    landscape=True,
    header=(
        FieldSpec("year", "年度", "int"),
        FieldSpec("department_name", "部门（单位）名称"),
        FieldSpec("supervising_department", "主管部门"),
    ),
    texts=(FieldSpec("overall_goal", "年度总体目标", "long_text"),),
    columns=(
        ColumnSpec("caption", "年度绩效指标", 7, editable=False),
        ColumnSpec("level1", "一级指标", 9, editable=False),
        ColumnSpec("level2", "二级指标", 11, editable=False),
        ColumnSpec("name", "三级指标", 24, multiline=True),
        ColumnSpec("target", "指标值", 10, align="center"),
        ColumnSpec("measure_unit", "度量单位", 7, align="center"),
        ColumnSpec("explanation", "指标解释", 32, multiline=True),
    ),
    level_style="long",
    table_caption="年度绩效指标",
    header_rows=((HeaderPlace("department_name", 0, 2, 2, 2), HeaderPlace("supervising_department", 4, 2, 6, 1)),),
    label_colon=False,
    subtitle="（{year}年度）",
    tasks=TasksBlock(
        caption="年度主要任务",
        amount_caption="预算金额（元）",
        sum_label="金额合计",
        columns=(
            BlockColumn("name", "任务名称"),
            BlockColumn("content", "主要内容"),
            BlockColumn("total", "总额"),
            BlockColumn("appropriation", "财政拨款"),
            BlockColumn("other", "其他资金"),
        ),
        widths=(7, 20, 41, 11, 11, 10),  # three equal amount columns
    ),
    goals=GoalsBlock(title="", caption="年度总体目标", fields=("overall_goal",)),
    title_aliases=("部门(单位)整体支出绩效目标申报表",),
)

LAYOUTS: dict[str, FormLayout] = {
    "declaration": DECLARATION,
    "self_evaluation": SELF_EVALUATION,
    "department_overall": DEPARTMENT_OVERALL,
}


def layout_for(form: AnyForm | str) -> FormLayout:
    return LAYOUTS[form if isinstance(form, str) else form.kind]


def form_kind_title(kind: str) -> str:
    """The official title of a form kind (二级项目支出绩效目标申报表 …)."""
    return LAYOUTS[kind].title


def amount_unit(form: AnyForm) -> str:
    return form.amount_unit if isinstance(form, Declaration) else "元"


__all__ = [
    "DECLARATION",
    "DEPARTMENT_OVERALL",
    "LAYOUTS",
    "SELF_EVALUATION",
    "WAN_YUAN",
    "BlockColumn",
    "BlockRow",
    "ColumnSpec",
    "Declaration",
    "DepartmentOverall",
    "FieldSpec",
    "FormLayout",
    "FundsBlock",
    "GoalsBlock",
    "HeaderPlace",
    "SelfEvaluation",
    "TasksBlock",
    "amount_unit",
    "form_kind_title",
    "layout_for",
    "level1_label",
    "level1_name",
    "level2_label",
    "level2_name",
    "weights_from",
]
