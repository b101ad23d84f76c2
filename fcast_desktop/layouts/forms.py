"""The one description of each official form's layout.

Read by the Qt editor (header editors, grid columns, merged 一级/二级 cells), the PDF writer and the Excel
writer, so the three cannot drift apart. Labels are the forms' own words (see tests/data/seeds).

A printed form is a grid of ``len(columns)`` columns. Header and summary blocks place their cells on that grid
with :class:`Cell` spans; the indicator table uses one column per :class:`ColumnSpec`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..model import (
    LEVEL1_INFO,
    LEVEL2_INFO,
    AnyForm,
    Declaration,
    DepartmentOverall,
    Level1,
    Level2,
    SelfEvaluation,
)
from ..model.money import WAN_YUAN

FieldKind = Literal["text", "long_text", "choice", "money", "int", "code"]


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

    def label_for(self, form: AnyForm) -> str:
        unit = getattr(form, "amount_unit", "元")
        return self.label.replace("{unit}", unit)

    @property
    def name(self) -> str:
        """The label without its unit, as messages name the field: 项目总金额（中期规划）, 本年度项目金额."""
        return self.label.replace("，{unit}", "").replace("（{unit}）", "").lstrip("*")

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


@dataclass(frozen=True)
class FormLayout:
    kind: str
    title: str
    landscape: bool
    header: tuple[FieldSpec, ...]  # short fields, printed two per row
    texts: tuple[FieldSpec, ...]  # long texts, printed one per row
    columns: tuple[ColumnSpec, ...]  # indicator table
    level_style: Literal["short", "long", "weighted"]  # 产出/数量, 产出指标/数量指标, 产出指标(50分)/数量指标
    table_caption: str = ""  # printed in a merged first column (自评表: 年度绩效指标)
    stars: bool = False  # 福田 prints * before mandatory 二级指标 (declaration only)
    extra: dict = field(default_factory=dict)

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


LEVEL1_WEIGHTS = {Level1.OUTPUT: 50, Level1.BENEFIT: 30, Level1.SATISFACTION: 10}


def level1_label(layout: FormLayout, level1: Level1, weights: dict[Level1, int] | None = None) -> str:
    info = LEVEL1_INFO[level1]
    if layout.level_style == "short":
        return info.short
    if layout.level_style == "weighted":
        return f"{info.long}({(weights or LEVEL1_WEIGHTS)[level1]}分)"
    return info.long


def level2_label(layout: FormLayout, level2: Level2, stars: bool | None = None) -> str:
    info = LEVEL2_INFO[level2]
    if layout.level_style == "short":
        star = layout.stars if stars is None else stars
        return ("*" if star and info.futian_mandatory else "") + info.short
    return info.long


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
        FieldSpec("long_term_goal", "长期目标（跨度多年的项目需填）", "long_text"),
    ),
    columns=(
        ColumnSpec("level1", "一级指标", 8, editable=False),
        ColumnSpec("level2", "二级指标", 13, editable=False),
        ColumnSpec("name", "三级指标", 29, multiline=True),
        ColumnSpec("target", "指标值", 15),
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
        ColumnSpec("target", "年度指标值", 10),
        ColumnSpec("actual", "*实际完成值", 10),
        ColumnSpec("weight", "*分值", 6, numeric=True),
        ColumnSpec("score", "*得分", 7, numeric=True),
        ColumnSpec("deviation", "偏差原因分析及改进措施", 21, multiline=True),
    ),
    level_style="weighted",
    table_caption="年度绩效指标",
    extra={
        # 资金使用情况: rows (model attribute, label) and columns (attribute or computed key, title)
        "fund_rows": (
            ("total", "年度资金总额"),
            ("appropriation", "其中：当年财政拨款"),
            ("carryover", "上年结转资金"),
            ("other", "其他资金"),
        ),
        "fund_columns": (
            ("initial_budget", "年初预算数"),
            ("annual_budget", "全年预算数"),
            ("executed", "全年执行数"),
            ("weight", "分值"),
            ("execution_rate", "执行率(%)"),
            ("score", "得分"),
        ),
        "fund_caption": "项目资金（元）",
    },
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
        ColumnSpec("target", "指标值", 10),
        ColumnSpec("measure_unit", "度量单位", 7),
        ColumnSpec("explanation", "指标解释", 32, multiline=True),
    ),
    level_style="long",
    table_caption="年度绩效指标",
    extra={
        "task_columns": (
            ("name", "任务名称"),
            ("content", "主要内容"),
            ("total", "总额"),
            ("appropriation", "财政拨款"),
            ("other", "其他资金"),
        ),
        "task_caption": "年度主要任务",
        "task_amount_caption": "预算金额（元）",
        "task_sum_label": "金额合计",
    },
)

LAYOUTS: dict[str, FormLayout] = {
    "declaration": DECLARATION,
    "self_evaluation": SELF_EVALUATION,
    "department_overall": DEPARTMENT_OVERALL,
}


def layout_for(form: AnyForm | str) -> FormLayout:
    return LAYOUTS[form if isinstance(form, str) else form.kind]


def amount_unit(form: AnyForm) -> str:
    return form.amount_unit if isinstance(form, Declaration) else "元"


__all__ = [
    "ColumnSpec",
    "DECLARATION",
    "DEPARTMENT_OVERALL",
    "FieldSpec",
    "FormLayout",
    "LAYOUTS",
    "LEVEL1_WEIGHTS",
    "SELF_EVALUATION",
    "WAN_YUAN",
    "amount_unit",
    "layout_for",
    "level1_label",
    "level2_label",
    "Declaration",
    "SelfEvaluation",
    "DepartmentOverall",
]
