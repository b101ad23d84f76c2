"""Pydantic models of the three official performance forms and of a project.

The model keeps what the user typed: text fields are plain strings, typed fields (money, years, scores)
hold a value when the text could be read and otherwise keep the text in ``raw`` under the field's name,
so a half-filled or wrong draft is always savable. Validation lives in ``fcast_desktop.rules``.
"""

from __future__ import annotations

import gc
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .money import DIGITS, MONEY, NUMBER, SCORE, WAN_YUAN, YUAN, in_range
from .skeleton import LEVEL2_ORDER, NOT_APPLICABLE, Level2


def new_id() -> str:
    return uuid.uuid4().hex[:12]


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: for the whole-project steps (reading a project file, checking every
    form) that make or read a million objects. Each collection walks the objects of its generations, and a
    10,000-form project triggered dozens of such walks: a third of ``fcast check``'s time. Models and problems
    form no reference cycles (refcounting frees them), so nothing is kept longer; collection resumes if it was on.

    The objects are *not* moved to the oldest generation on the way out (``gc.freeze`` + ``gc.unfreeze``, tried and
    removed): that moved every young object of the process with them, Qt's wrappers included, and a later full
    collection of those crashed the GUI (segmentation fault inside PySide6 objects collected late)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --------------------------------------------------------------------------------------------------
# bounded numbers: what a budget form can hold (see ``money``); anything else is kept as text in ``raw``


class _Bound:
    """Marks a typed field with the range its values must be in (``money.MONEY``, ``SCORE`` or ``NUMBER``); read by
    ``Record`` (validation and assignment), ignored by pydantic."""

    def __init__(self, kind: str):
        self.kind = kind


Money = Annotated[Decimal | None, _Bound(MONEY)]  # 元: under 10 万亿元
Score = Annotated[Decimal | None, _Bound(SCORE)]  # 分值, 得分: under 1000
WholeNumber = Annotated[int | None, _Bound(NUMBER)]  # 年度, 实施期限: at most 15 digits


def _as_text(value: Any) -> str:
    """The text to keep for a value out of range, as close as possible to what was written."""
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # past Python's limit of 4,300 digits for int → str
            return f"（{int(value.bit_length() * 0.30103)} 位以上的整数）"
    return str(value)


# `12000.00`, `-5`, `10`: ASCII digits, at most one point, few enough digits to be in range for sure
_PLAINLY_IN_RANGE = {kind: re.compile(rf"-?[0-9]{{1,{digits}}}(?:\.[0-9]{{0,15}})?") for kind, digits in DIGITS.items()}


def _plainly_in_range(value: str, kind: str) -> bool:
    """`12000.00`, `-5`, `10`: ASCII digits, at most one point, few enough digits to be in range for sure."""
    return _PLAINLY_IN_RANGE[kind].fullmatch(value) is not None


def _out_of_range_text(value: Any, kind: str) -> str | None:
    """The text to keep in ``raw`` for a field value out of the ``kind``'s range; None for a value in range, and for
    a value that is no number at all (`abc`: pydantic refuses it as before)."""
    if value is None or (type(value) is str and _plainly_in_range(value, kind)):
        return None  # the usual case, kept cheap: loading 1,000 forms reads 25,000 of these
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if in_range(value, kind) else _as_text(value)
    number = _readable_number(value)
    return None if number is None or in_range(number, kind) else _as_text(value)


def _readable_number(value: Any) -> Decimal | None:
    """A number-like field value (int, float, Decimal, numeric str such as `1E+400` or `NaN`) as a Decimal."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return None  # compared as an int by ``in_range``
    try:
        if isinstance(value, float):
            return Decimal(value)
        if isinstance(value, str):
            return Decimal(value.strip())
    except ArithmeticError:
        return None
    return None


_BOUNDED_FIELDS: dict[type, dict[str, str]] = {}


class Record(BaseModel):
    """Base for every stored object: unknown keys are refused, assignment is validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    raw: dict[str, str] = Field(default_factory=dict, exclude_if=lambda v: not v)
    """Text the user typed into a typed field that could not be read, by field name."""

    review: list[str] = Field(default_factory=list, exclude_if=lambda v: not v)
    """Names of fields carried over from last year's form by 新年度申报 (``model.rollover``) that the user has not
    looked at since (amounts): each is a warning ``rollover.amount_review`` until an edit clears it
    (``model.rollover.clear_review``)."""

    @classmethod
    def bounded_fields(cls) -> dict[str, str]:
        """Name → range kind (``money.MONEY`` …) of the fields typed ``Money``, ``Score`` or ``WholeNumber``."""
        found = _BOUNDED_FIELDS.get(cls)
        if found is None:
            found = _BOUNDED_FIELDS[cls] = {
                name: m.kind for name, info in cls.model_fields.items() for m in info.metadata if isinstance(m, _Bound)}
        return found

    def __setattr__(self, name: str, value: Any) -> None:
        """Assignment keeps the same promise as validation: a value out of range goes to ``raw`` as text, the field
        is left empty (never an exception: importers and editors assign)."""
        kind = (_BOUNDED_FIELDS.get(type(self)) or type(self).bounded_fields()).get(name)
        if kind is not None:
            text = _out_of_range_text(value, kind)
            if text is not None:
                if name not in self.raw:
                    super().__setattr__("raw", {**self.raw, name: text})
                value = None
        super().__setattr__(name, value)


class _KeepsOutOfRange:
    """Mixin of the records that have ``Money``, ``Score`` or ``WholeNumber`` fields (``Record.bounded_fields``): only
    they pay for the check below when a file is read (the indicator rows of 申报表 and 部门整体表, most of a
    project's records, have none). ``records_missing_range_check`` makes sure no such record lacks it."""

    @model_validator(mode="before")
    @classmethod
    def _out_of_range_to_raw(cls, data: Any) -> Any:
        """A number out of range (`1E+400`, 40 digits, `NaN` in a project file or a workbook) is not refused and not
        dropped: it moves to ``raw`` as text — as if typed — where the rules flag it (``money.too_large`` …)."""
        fields = _BOUNDED_FIELDS.get(cls)
        if fields is None:
            fields = cls.bounded_fields()  # type: ignore[attr-defined]
        if not fields or not isinstance(data, dict):
            return data
        moved: dict[str, str] = {}
        for name, kind in fields.items():
            value = data.get(name)
            if value is None or (type(value) is str and _PLAINLY_IN_RANGE[kind].fullmatch(value)):
                continue  # the usual case (what this program saves), decided here without a call
            text = _out_of_range_text(value, kind)
            if text is not None:
                moved[name] = text
        if not moved:
            return data
        data = dict(data)
        raw = data.get("raw")
        raw = dict(raw) if isinstance(raw, dict) else {}
        for name, text in moved.items():
            raw.setdefault(name, text)
            data[name] = None
        data["raw"] = raw
        return data


def records_missing_range_check() -> list[str]:
    """Names of the ``Record`` classes with bounded fields that lack ``_KeepsOutOfRange`` (empty when all is well)."""
    out, todo = [], list(Record.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.bounded_fields() and not issubclass(cls, _KeepsOutOfRange):
            out.append(cls.__name__)
    return out


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


class EvaluationIndicator(_KeepsOutOfRange, IndicatorBase):
    """A 三级指标 row of the 项目支出绩效自评表."""

    target: str = ""  # 年度指标值
    actual: str = ""  # 实际完成值
    weight: Score = None  # 分值
    score: Score = None  # 得分 as entered by the user (None: use the suggestion)
    deviation: str = ""  # 偏差原因分析及改进措施


class DepartmentIndicator(IndicatorBase):
    """A 三级指标 row of the 部门（单位）整体支出绩效目标申报表."""

    target: str = ""  # 指标值
    measure_unit: str = ""  # 度量单位
    explanation: str = ""  # 指标解释


def _sort_indicators(rows: list[Any]) -> list[Any]:
    # stable: rows keep their order inside a 二级指标
    return sorted(rows, key=lambda r: LEVEL2_ORDER[r.level2])


# --------------------------------------------------------------------------------------------------
# forms


class FormBase(_KeepsOutOfRange, Record):
    id: str = Field(default_factory=new_id)
    source: str = ""  # where the form came from (file:line), for the user's orientation

    @field_validator("indicators", check_fields=False)
    @classmethod
    def _skeleton_order(cls, rows: list[Any]) -> list[Any]:
        """Rows are kept in the fixed 二级指标 order, stable inside a group."""
        return _sort_indicators(rows)


DeclarationVariant = Literal["basis", "overview"]


class Declaration(FormBase):
    """二级项目支出绩效目标申报表."""

    kind: Literal["declaration"] = "declaration"
    year: WholeNumber = None  # 预算年度 (not printed on the form; used to name and sort)
    project_code: str = ""  # 项目编码
    project_name: str = ""  # 项目名称
    applicant_unit: str = ""  # 申请单位
    budget_unit: str = ""  # 一级预算单位
    duration_years: WholeNumber = None  # 实施期限
    project_type: str = ""  # 项目类型, `15 其他经费`
    is_new: str = ""  # 是否新增项目: 是/否
    allocation_method: str = ""  # 分配方式
    amount_unit: Literal["万元", "元"] = WAN_YUAN  # unit printed in the amount labels
    total_amount: Money = None  # 项目总金额（中期规划）, in 元
    annual_amount: Money = None  # 本年度项目金额, in 元
    variant: DeclarationVariant = "basis"  # 政策依据+测算依据 (basis) or 项目概况 (overview)
    policy_basis: str = ""  # 政策依据
    calculation_basis: str = ""  # 测算依据
    overview: str = ""  # 项目概况
    annual_goal: str = ""  # 年度目标
    long_term_goal: str = ""  # 长期目标（跨度多年的项目需填）
    indicators: list[DeclarationIndicator] = Field(default_factory=list)


class FundLine(_KeepsOutOfRange, Record):
    """One row of 资金使用情况: 年初预算数, 全年预算数, 全年执行数 (元)."""

    initial_budget: Money = None  # 年初预算数
    annual_budget: Money = None  # 全年预算数
    executed: Money = None  # 全年执行数


class Funds(_KeepsOutOfRange, Record):
    total: FundLine = Field(default_factory=FundLine)  # 年度资金总额
    appropriation: FundLine = Field(default_factory=FundLine)  # 其中：当年财政拨款
    carryover: FundLine = Field(default_factory=FundLine)  # 上年结转资金
    other: FundLine = Field(default_factory=FundLine)  # 其他资金
    weight: Score = Decimal(10)  # 分值


class SelfEvaluation(FormBase):
    """项目支出绩效自评表."""

    kind: Literal["self_evaluation"] = "self_evaluation"
    project_code: str = ""  # 项目编码
    project_name: str = ""  # 项目名称
    year: WholeNumber = None  # 绩效自评年度
    implementing_unit: str = ""  # 实施单位
    budget_unit: str = ""  # 一级预算单位
    funds: Funds = Field(default_factory=Funds)
    expected_goal: str = ""  # 年度总体目标 — 预期目标
    actual_result: str = ""  # 年度总体目标 — 实际完成情况
    indicators: list[EvaluationIndicator] = Field(default_factory=list)
    declaration_id: str = ""  # the declaration this evaluation was made from, if any


class Task(_KeepsOutOfRange, Record):
    """A row of 年度主要任务."""

    name: str = ""  # 任务名称
    content: str = ""  # 主要内容
    total: Money = None  # 总额 (元)
    appropriation: Money = None  # 财政拨款 (元)
    other: Money = None  # 其他资金 (元)


class DepartmentOverall(FormBase):
    """部门（单位）整体支出绩效目标申报表."""

    kind: Literal["department_overall"] = "department_overall"
    year: WholeNumber = None  # 年度
    department_name: str = ""  # 部门（单位）名称
    supervising_department: str = ""  # 主管部门
    tasks: list[Task] = Field(default_factory=list)
    overall_goal: str = ""  # 年度总体目标
    indicators: list[DepartmentIndicator] = Field(default_factory=list)


Form = Annotated[Declaration | SelfEvaluation | DepartmentOverall, Field(discriminator="kind")]
AnyForm = Declaration | SelfEvaluation | DepartmentOverall

FORM_KIND_SHORT: dict[str, str] = {
    "declaration": "目标申报表",
    "self_evaluation": "绩效自评表",
    "department_overall": "部门整体目标表",
}


class Explanation(Record):
    """A 说明 accepting one warning (出错说明): the rule, its place in the form, the user's text and a fingerprint of
    the values the rule judged (``rules.explanations.fingerprint``). When those values change the warning opens
    again; the explanation is kept (nothing typed is lost) but no longer applies."""

    form_id: str
    rule: str  # catalogue id
    field: str  # header field name or table (indicators, funds, tasks), as in ``rules.Problem``
    row: int | None = None  # 0-based row of that table, None for header fields and whole-table problems
    key: str | None = None  # model attribute of the cell (``rules.Problem.key``)
    column: str = ""  # the column title or header label, for people reading the file and the exports
    text: str = ""
    fingerprint: str = ""


class Project(_KeepsOutOfRange, Record):
    """Forms of one unit (and usually one year); the content of a project file."""

    unit: str = ""
    year: WholeNumber = None
    profile: str = "shenzhen-futian"
    forms: list[Form] = Field(default_factory=list)
    explanations: list[Explanation] = Field(default_factory=list, exclude_if=lambda v: not v)
    """出错说明 of accepted warnings, in the order they were written (``rules.explanations``)."""


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
    "FORM_KIND_SHORT",
    "WAN_YUAN",
    "YUAN",
    "AnyForm",
    "Declaration",
    "DeclarationIndicator",
    "DepartmentIndicator",
    "DepartmentOverall",
    "EvaluationIndicator",
    "Explanation",
    "Form",
    "FundLine",
    "Funds",
    "Project",
    "SelfEvaluation",
    "Task",
    "form_code",
    "form_title",
    "form_unit",
]
