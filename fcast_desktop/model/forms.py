"""Pydantic models of the three official performance forms and of a project.

The model keeps what the user typed: text fields are plain strings, typed fields (money, years, scores)
hold a value when the text could be read and otherwise keep the text in ``raw`` under the field's name,
so a half-filled or wrong draft is always savable. Validation lives in ``fcast_desktop.rules``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .money import WAN_YUAN, YUAN
from .skeleton import LEVEL2_ORDER, NOT_APPLICABLE, Level2


def new_id() -> str:
    return uuid.uuid4().hex[:12]


class Record(BaseModel):
    """Base for every stored object: unknown keys are refused, assignment is validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    raw: dict[str, str] = Field(default_factory=dict, exclude_if=lambda v: not v)
    """Text the user typed into a typed field that could not be read, by field name."""


# --------------------------------------------------------------------------------------------------
# indicator rows


class IndicatorBase(Record):
    level2: Level2
    name: str = ""  # 三级指标

    def is_not_applicable(self) -> bool:
        return self.name.strip() == NOT_APPLICABLE


class DeclarationIndicator(IndicatorBase):
    """A 三级指标 row of the 二级项目支出绩效目标申报表."""

    target: str = ""  # 指标值
    explanation: str = ""  # 指标解释


class EvaluationIndicator(IndicatorBase):
    """A 三级指标 row of the 项目支出绩效自评表."""

    target: str = ""  # 年度指标值
    actual: str = ""  # 实际完成值
    weight: Decimal | None = None  # 分值
    score: Decimal | None = None  # 得分 as entered by the user (None: use the suggestion)
    deviation: str = ""  # 偏差原因分析及改进措施


class DepartmentIndicator(IndicatorBase):
    """A 三级指标 row of the 部门（单位）整体支出绩效目标申报表."""

    target: str = ""  # 指标值
    measure_unit: str = ""  # 度量单位
    explanation: str = ""  # 指标解释


def _sort_indicators(rows: list) -> list:
    # stable: rows keep their order inside a 二级指标
    return sorted(rows, key=lambda r: LEVEL2_ORDER[r.level2])


# --------------------------------------------------------------------------------------------------
# forms


class FormBase(Record):
    id: str = Field(default_factory=new_id)
    source: str = ""  # where the form came from (file:line), for the user's orientation

    @field_validator("indicators", check_fields=False)
    @classmethod
    def _skeleton_order(cls, rows: list) -> list:
        """Rows are kept in the fixed 二级指标 order, stable inside a group."""
        return _sort_indicators(rows)


DeclarationVariant = Literal["basis", "overview"]


class Declaration(FormBase):
    """二级项目支出绩效目标申报表."""

    kind: Literal["declaration"] = "declaration"
    year: int | None = None  # 预算年度 (not printed on the form; used to name and sort)
    project_code: str = ""  # 项目编码
    project_name: str = ""  # 项目名称
    applicant_unit: str = ""  # 申请单位
    budget_unit: str = ""  # 一级预算单位
    duration_years: int | None = None  # 实施期限
    project_type: str = ""  # 项目类型, `15 其他经费`
    is_new: str = ""  # 是否新增项目: 是/否
    allocation_method: str = ""  # 分配方式
    amount_unit: Literal["万元", "元"] = WAN_YUAN  # unit printed in the amount labels
    total_amount: Decimal | None = None  # 项目总金额（中期规划）, in 元
    annual_amount: Decimal | None = None  # 本年度项目金额, in 元
    variant: DeclarationVariant = "basis"  # 政策依据+测算依据 (basis) or 项目概况 (overview)
    policy_basis: str = ""  # 政策依据
    calculation_basis: str = ""  # 测算依据
    overview: str = ""  # 项目概况
    annual_goal: str = ""  # 年度目标
    long_term_goal: str = ""  # 长期目标（跨度多年的项目需填）
    indicators: list[DeclarationIndicator] = Field(default_factory=list)


class FundLine(Record):
    """One row of 资金使用情况: 年初预算数, 全年预算数, 全年执行数 (元)."""

    initial_budget: Decimal | None = None  # 年初预算数
    annual_budget: Decimal | None = None  # 全年预算数
    executed: Decimal | None = None  # 全年执行数


class Funds(Record):
    total: FundLine = Field(default_factory=FundLine)  # 年度资金总额
    appropriation: FundLine = Field(default_factory=FundLine)  # 其中：当年财政拨款
    carryover: FundLine = Field(default_factory=FundLine)  # 上年结转资金
    other: FundLine = Field(default_factory=FundLine)  # 其他资金
    weight: Decimal | None = Decimal(10)  # 分值


class SelfEvaluation(FormBase):
    """项目支出绩效自评表."""

    kind: Literal["self_evaluation"] = "self_evaluation"
    project_code: str = ""  # 项目编码
    project_name: str = ""  # 项目名称
    year: int | None = None  # 绩效自评年度
    implementing_unit: str = ""  # 实施单位
    budget_unit: str = ""  # 一级预算单位
    funds: Funds = Field(default_factory=Funds)
    expected_goal: str = ""  # 年度总体目标 — 预期目标
    actual_result: str = ""  # 年度总体目标 — 实际完成情况
    indicators: list[EvaluationIndicator] = Field(default_factory=list)
    declaration_id: str = ""  # the declaration this evaluation was made from, if any


class Task(Record):
    """A row of 年度主要任务."""

    name: str = ""  # 任务名称
    content: str = ""  # 主要内容
    total: Decimal | None = None  # 总额 (元)
    appropriation: Decimal | None = None  # 财政拨款 (元)
    other: Decimal | None = None  # 其他资金 (元)


class DepartmentOverall(FormBase):
    """部门（单位）整体支出绩效目标申报表."""

    kind: Literal["department_overall"] = "department_overall"
    year: int | None = None  # 年度
    department_name: str = ""  # 部门（单位）名称
    supervising_department: str = ""  # 主管部门
    tasks: list[Task] = Field(default_factory=list)
    overall_goal: str = ""  # 年度总体目标
    indicators: list[DepartmentIndicator] = Field(default_factory=list)


Form = Annotated[Union[Declaration, SelfEvaluation, DepartmentOverall], Field(discriminator="kind")]
AnyForm = Union[Declaration, SelfEvaluation, DepartmentOverall]

FORM_KIND_TITLES: dict[str, str] = {
    "declaration": "二级项目支出绩效目标申报表",
    "self_evaluation": "项目支出绩效自评表",
    "department_overall": "部门（单位）整体支出绩效目标申报表",
}

FORM_KIND_SHORT: dict[str, str] = {
    "declaration": "目标申报表",
    "self_evaluation": "绩效自评表",
    "department_overall": "部门整体目标表",
}


class Project(Record):
    """Forms of one unit (and usually one year); the content of a project file."""

    unit: str = ""
    year: int | None = None
    profile: str = "shenzhen-futian"
    forms: list[Form] = Field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# helpers used by import, CLI and GUI alike


def form_unit(form: AnyForm) -> str:
    """申请单位 / 实施单位 / 部门（单位）名称 by form type (cli.md `unit`)."""
    if isinstance(form, Declaration):
        return form.applicant_unit
    if isinstance(form, SelfEvaluation):
        return form.implementing_unit
    return form.department_name


def form_code(form: AnyForm) -> str:
    return getattr(form, "project_code", "")


def form_title(form: AnyForm) -> str:
    if isinstance(form, DepartmentOverall):
        return form.department_name or "部门整体支出"
    return form.project_name or "（未命名项目）"


__all__ = [
    "AnyForm",
    "Declaration",
    "DeclarationIndicator",
    "DepartmentIndicator",
    "DepartmentOverall",
    "EvaluationIndicator",
    "FORM_KIND_SHORT",
    "FORM_KIND_TITLES",
    "Form",
    "FundLine",
    "Funds",
    "Project",
    "SelfEvaluation",
    "Task",
    "WAN_YUAN",
    "YUAN",
    "form_code",
    "form_title",
    "form_unit",
]
