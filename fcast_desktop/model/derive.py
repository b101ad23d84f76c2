"""Forms made from other forms: blank official skeletons, copies, and the yearly step every department takes —
a 项目支出绩效自评表 made from the 二级项目支出绩效目标申报表 of the same project."""

from __future__ import annotations

from decimal import Decimal

from .forms import (
    AnyForm,
    Declaration,
    DepartmentOverall,
    EvaluationIndicator,
    FundLine,
    Funds,
    Project,
    SelfEvaluation,
    new_id,
)
from .skeleton import NOT_APPLICABLE


def blank_form(kind: str, project: Project) -> AnyForm:
    """An empty form of ``kind`` with the project's unit and year filled in; the ten 二级指标 start empty."""
    baoan = project.profile == "shenzhen-baoan"
    if kind == "declaration":
        return Declaration(applicant_unit=project.unit, budget_unit=project.unit, year=project.year,
                           amount_unit="元" if baoan else "万元")
    if kind == "self_evaluation":
        return SelfEvaluation(implementing_unit=project.unit, budget_unit=project.unit, year=project.year)
    if kind == "department_overall":
        return DepartmentOverall(department_name=project.unit, supervising_department=project.unit,
                                 year=project.year)
    raise ValueError(kind)


def duplicate(form: AnyForm) -> AnyForm:
    copy = form.model_copy(deep=True)
    copy.id = new_id()
    if hasattr(copy, "project_name"):
        copy.project_name = (copy.project_name or "") + "（副本）"
    else:
        copy.department_name = (copy.department_name or "") + "（副本）"
    copy.source = ""
    return copy


def evaluation_from_declaration(declaration: Declaration, evaluation_year: int | None = None,
                                initial_budget: Decimal | None = None) -> SelfEvaluation:
    """Copy the header and the indicators (指标值 → 年度指标值); 实际完成值, 分值 and 得分 are left to fill.

    Rows that do not apply become the official `不适用 | 不适用 | 无 | 0 | 0`. 本年度项目金额 is copied into 年初预算数
    as the declaration holds it, even when the declaration's N3 check doubts it (a 万元/元 trap): this layer cannot
    see the rules, and the copy is linked by ``declaration_id``, so the rules warn on the new form's 年初预算数 for as
    long as it disagrees (S15 ``evaluation.declaration.amount_trap`` / ``evaluation.declaration.amount``, N3
    ``funds.unit_trap``) — not once at derive time, but until it is fixed. ``initial_budget`` (元) replaces the
    copied amount when the user chose a corrected one.
    """
    budget = declaration.annual_amount if initial_budget is None else initial_budget
    rows = []
    for r in declaration.indicators:
        if r.is_not_applicable():
            rows.append(EvaluationIndicator(level2=r.level2, name=NOT_APPLICABLE, target=NOT_APPLICABLE, actual="无",
                                            weight=0, score=0))
        else:
            rows.append(EvaluationIndicator(level2=r.level2, name=r.name, target=r.target))
    return SelfEvaluation(
        project_code=declaration.project_code,
        project_name=declaration.project_name,
        year=evaluation_year if evaluation_year is not None else declaration.year,
        implementing_unit=declaration.applicant_unit,
        budget_unit=declaration.budget_unit,
        funds=Funds(total=FundLine(initial_budget=budget), appropriation=FundLine(initial_budget=budget)),
        expected_goal=declaration.annual_goal,
        indicators=rows,
        declaration_id=declaration.id,
    )
