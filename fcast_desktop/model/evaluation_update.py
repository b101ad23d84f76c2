"""由申报表生成自评表, the second time: the 绩效自评年度 a declaration's self-evaluation is for, the self-evaluation of
that project and year already in the project, and that self-evaluation brought up to date with the declaration —
its 三级指标 and 指标值 refreshed — without losing anything the user filled in (实际完成值, 分值, 得分, 偏差原因).

Pure functions on the model (no Qt): the GUI turns the result into one undo step.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from .fields import Path
from .forms import Declaration, DeclarationIndicator, EvaluationIndicator, Project, SelfEvaluation
from .skeleton import NOT_APPLICABLE, Level2

_YEAR_IN_TEXT = re.compile(r"(20\d\d)\s*年")


def declaration_year(declaration: Declaration) -> int | None:
    """The year a declaration is for, hence the 绩效自评年度 of its self-evaluation: its own 年度 when known, else
    the year its 时效 targets name most often (`2023年12月31日前` → 2023), else None."""
    if declaration.year is not None:
        return declaration.year
    years = Counter(int(y) for r in declaration.indicators if r.level2 == Level2.TIMELINESS
                    for y in _YEAR_IN_TEXT.findall(f"{r.target} {r.name}"))
    return years.most_common(1)[0][0] if years else None


def existing_evaluation(project: Project, declaration: Declaration, year: int | None) -> SelfEvaluation | None:
    """The self-evaluation of the declaration's project for ``year`` already in the project: the same 项目编码 (or,
    when the declaration has none, one made from this very declaration) and the same 绩效自评年度."""
    code = declaration.project_code.strip()
    for form in project.forms:
        if not isinstance(form, SelfEvaluation) or form.year != year:
            continue
        if code and form.project_code.strip() == code:
            return form
        if not code and form.declaration_id == declaration.id:
            return form
    return None


def _name_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _filled_by_user(row: EvaluationIndicator) -> bool:
    """Something in the row that did not come from a declaration: a 实际完成值, 分值, 得分 or 偏差原因 (the official
    不适用 row's `无 | 0 | 0` does not count)."""
    if row.is_not_applicable():
        return False
    return bool(row.actual.strip() or row.deviation.strip() or row.weight is not None or row.score is not None
                or row.raw)


def _new_row(row: DeclarationIndicator) -> EvaluationIndicator:
    """A declaration row as a self-evaluation row (as ``derive.evaluation_from_declaration`` makes them)."""
    if row.is_not_applicable():
        return EvaluationIndicator(level2=row.level2, name=NOT_APPLICABLE, target=NOT_APPLICABLE, actual="无",
                                   weight=0, score=0)
    return EvaluationIndicator(level2=row.level2, name=row.name, target=row.target)


KEPT_COLUMNS: tuple[Path, ...] = (("indicators", "actual"), ("indicators", "weight"), ("indicators", "score"),
                                  ("indicators", "deviation"))
"""The indicator columns the user fills in and an update keeps (实际完成值, 分值, 得分, 偏差原因)."""


@dataclass
class EvaluationUpdate:
    """The self-evaluation brought up to date (a copy, same id) and what changed, for the user. Places are paths
    (``model.fields``); the caller names them in the layout's words (the model cannot read the layouts)."""

    form: SelfEvaluation
    refreshed: int = 0  # rows found again in the declaration: its 三级指标/指标值, the user's values kept
    added: int = 0  # rows of the declaration the self-evaluation did not have
    removed: int = 0  # rows the declaration no longer has, with nothing filled in: dropped
    kept: int = 0  # rows the declaration no longer has but the user filled in: kept, for the user to decide
    filled: list[Path] = field(default_factory=list)  # header fields that were empty and were filled in
    kept_goal: bool = False  # its 预期目标 differs from the declaration's 年度目标: the user's text was kept

    def summary(self, name: Callable[[Path], str]) -> str:
        """What the update did, ``name`` giving the words of a path (a field, or a column as ``("indicators",
        key)``)."""
        kept = "、".join(name(path) for path in KEPT_COLUMNS)
        parts = [f"{self.refreshed} 行指标按申报表刷新（已填的{kept}保留）"]
        if self.added:
            parts.append(f"新增 {self.added} 行")
        if self.removed:
            parts.append(f"删除 {self.removed} 行申报表已没有的空行")
        if self.kept:
            parts.append(f"保留 {self.kept} 行申报表已没有、但已填写的指标")
        if self.filled:
            parts.append("补填" + "、".join(name(path) for path in self.filled))
        return "；".join(parts)


def update_evaluation(evaluation: SelfEvaluation, declaration: Declaration, year: int | None = None,
                      initial_budget: Decimal | None = None) -> EvaluationUpdate:
    """``evaluation`` brought up to date with ``declaration`` (a new copy with the same id; the original is left
    alone). The indicator rows follow the declaration's rows in its order: a row found again by its 二级指标 and
    三级指标 name keeps the user's 实际完成值, 分值, 得分 and 偏差原因 and takes the declaration's 三级指标 and 指标值;
    a new row comes in empty; a row the declaration no longer has is dropped when nothing was filled in, else kept.
    Empty header fields (项目编码, 名称, 单位, 年度, 预期目标, 年初预算数) are filled from the declaration; filled ones
    are never overwritten. ``initial_budget`` (元) replaces the copied 本年度项目金额 (unit trap corrected)."""
    result = EvaluationUpdate(evaluation.model_copy(deep=True))
    new = result.form
    old_rows = list(evaluation.indicators)
    used: set[int] = set()
    rows: list[EvaluationIndicator] = []
    for declared in declaration.indicators:
        key = (declared.level2, _name_key(declared.name))
        found = next((i for i, r in enumerate(old_rows) if i not in used and (r.level2, _name_key(r.name)) == key),
                     None)
        if found is None:
            rows.append(_new_row(declared))
            result.added += 1
            continue
        used.add(found)
        row = old_rows[found].model_copy(deep=True)
        if not declared.is_not_applicable():
            row.name = declared.name
            row.target = declared.target
        rows.append(row)
        result.refreshed += 1
    for i, row in enumerate(old_rows):
        if i in used:
            continue
        if _filled_by_user(row):
            rows.append(row.model_copy(deep=True))
            result.kept += 1
        else:
            result.removed += 1
    new.indicators = rows  # the model keeps them in the official 二级指标 order

    budget = declaration.annual_amount if initial_budget is None else initial_budget
    fills = (
        ("project_code", declaration.project_code),
        ("project_name", declaration.project_name),
        ("implementing_unit", declaration.applicant_unit),
        ("budget_unit", declaration.budget_unit),
        ("expected_goal", declaration.annual_goal),
    )
    for name, value in fills:
        if not getattr(new, name).strip() and value.strip():
            setattr(new, name, value)
            result.filled.append((name,))
    if new.expected_goal.strip() and declaration.annual_goal.strip() and \
            _name_key(new.expected_goal) != _name_key(declaration.annual_goal):
        result.kept_goal = True
    year = year if year is not None else declaration_year(declaration)
    if new.year is None and "year" not in new.raw and year is not None:
        new.year = year
        result.filled.append(("year",))
    if budget is not None:
        empty = [line for line in (new.funds.total, new.funds.appropriation)
                 if line.initial_budget is None and "initial_budget" not in line.raw]
        for line in empty:
            line.initial_budget = budget
        if empty:
            result.filled.append(("funds", "total", "initial_budget"))
    new.declaration_id = declaration.id
    return result
