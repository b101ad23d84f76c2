"""上报前检查清单: the status of every form of a project before upload (issue 15, item 4; CLI `fcast report`).

:func:`checklist` gathers, from the same findings as `fcast check` (``rules.explanations.findings``), per form its
status — 可上报 (ready), N 个错误 (errors), M 个未说明的警告 (warnings) — with every open finding and every 说明, and
the totals per kind and per unit. Hints (the coach) are listed and counted apart; they never change a status.
:func:`checklist_json` is `fcast report --json`; ``exchange.checklist`` prints it (PDF, Excel).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..layouts import DEPARTMENT_OVERALL, SELF_EVALUATION, FundsBlock, TasksBlock, level2_name
from ..model.forms import (
    FORM_KIND_SHORT,
    AnyForm,
    DepartmentOverall,
    Explanation,
    Project,
    form_code,
    form_title,
    form_unit,
)
from ..model.skeleton import Level2
from .catalogue import SEVERITY_NAMES, Problem
from .explanations import Finding, counts, findings

STATUS_NAMES = {"ready": "可上报", "errors": "有错误", "warnings": "有未说明的警告"}
_LEVEL2_KEYS = {level2.value for level2 in Level2}
assert SELF_EVALUATION.funds is not None and DEPARTMENT_OVERALL.tasks is not None
_FUNDS: FundsBlock = SELF_EVALUATION.funds
_TASKS: TasksBlock = DEPARTMENT_OVERALL.tasks
_FUND_ORDER = [r.key for r in _FUNDS.rows]


@dataclass
class FormStatus:
    """One form's line of the checklist."""

    form: int  # index in the project
    form_type: str
    project_code: str
    project_name: str  # the department's name for the department form
    unit: str
    year: int | None
    findings: list[Finding]
    counts: dict[str, int]  # errors, warnings, explained, hints

    @property
    def status(self) -> str:
        """``errors`` while an error is open, else ``warnings`` while a warning is unexplained, else ``ready``."""
        if self.counts["errors"]:
            return "errors"
        return "warnings" if self.counts["warnings"] else "ready"

    @property
    def status_text(self) -> str:
        """可上报 / 2 个错误 / 3 个未说明的警告 (both when both)."""
        parts = []
        if self.counts["errors"]:
            parts.append(f"{self.counts['errors']} 个错误")
        if self.counts["warnings"]:
            parts.append(f"{self.counts['warnings']} 个未说明的警告")
        return "，".join(parts) or "可上报"

    @property
    def open(self) -> list[Finding]:
        """Open findings (errors, unexplained warnings, hints), in the order of the checks."""
        return [f for f in self.findings if f.explanation is None]

    @property
    def explained(self) -> list[Finding]:
        return [f for f in self.findings if f.explanation is not None]


@dataclass
class Checklist:
    project: Project
    forms: list[FormStatus]
    totals: dict[str, int]
    units: dict[str, dict[str, int]]  # unit → forms, ready, errors, warnings, explained, hints
    stale: list[Explanation] = field(default_factory=list)  # 说明 whose warning changed or went


def checklist(project: Project) -> Checklist:
    all_findings = findings(project, hints=True)
    by_form: dict[int, list[Finding]] = {}
    for f in all_findings:
        by_form.setdefault(f.form, []).append(f)
    forms: list[FormStatus] = []
    units: dict[str, dict[str, int]] = {}
    spelled: dict[str, str] = {}  # one unit written `（本级）`, `(本级)`, ` (本级)` in different forms: counted once
    for n, form in enumerate(project.forms):
        items = by_form.get(n, [])
        status = FormStatus(n, form.kind, form_code(form), form_title(form), form_unit(form).strip(),
                            getattr(form, "year", None), items, counts(items))
        forms.append(status)
        name = spelled.setdefault(_plain(status.unit), status.unit or "（未填单位）")
        unit = units.setdefault(name, {"forms": 0, "ready": 0, "errors": 0, "warnings": 0,
                                                               "explained": 0, "hints": 0})
        unit["forms"] += 1
        unit["ready"] += status.status == "ready"
        for k, v in status.counts.items():
            unit[k] += v
    applied = {id(f.explanation) for f in all_findings if f.explanation is not None}
    stale = [e for e in project.explanations if id(e) not in applied]
    return Checklist(project, forms, counts(all_findings), units, stale)


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def checklist_json(c: Checklist) -> dict[str, object]:
    """`fcast report --json`: ``forms`` (form, form_type, project_code, project_name, unit, status and the counts
    errors, warnings, explained, hints), ``totals`` (the counts over the project, plus forms and ready) and
    ``units`` (the same per unit). ``project_name`` is empty for the department form, as in `fcast list`."""
    forms = []
    for s in c.forms:
        name = "" if s.form_type == "department_overall" else s.project_name
        forms.append({"form": s.form, "form_type": s.form_type, "project_code": s.project_code, "project_name": name,
                      "unit": s.unit, "status": s.status, **s.counts})
    totals = {"forms": len(c.forms), "ready": sum(s.status == "ready" for s in c.forms), **c.totals}
    units = [{"unit": unit, **values} for unit, values in c.units.items()]
    return {"forms": forms, "totals": totals, "units": units}


def place_text(form: AnyForm, p: Problem | Explanation) -> str:
    """Where a problem (or an explanation) sits, in the form's words: `时效指标 第 3 行 · 指标值`,
    `资金使用情况 · 年度资金总额 · 全年执行数`, `年度主要任务 第 2 行 · 总额`, `本年度项目金额（万元）`."""
    column = (p.column or "").lstrip("*")
    if p.field == "indicators":
        if p.row is not None and p.row < len(form.indicators):
            return f"{level2_name(form.indicators[p.row].level2)} 第 {p.row + 1} 行 · {column}"
        if p.key in _LEVEL2_KEYS:  # a missing or mixed 二级指标
            return level2_name(Level2(p.key))
        return f"绩效指标 · {column}"
    if p.field == "funds":
        row = _FUNDS.row(_FUND_ORDER[p.row]).label if p.row is not None and p.row < len(_FUND_ORDER) else None
        return " · ".join(x for x in (_FUNDS.title, row, column) if x)
    if p.field == "tasks":
        return f"{_TASKS.caption} 第 {p.row + 1} 行 · {column}" if p.row is not None else f"{_TASKS.caption} · {column}"
    return column


def form_label(n: int, form: AnyForm) -> str:
    """`表 3 目标申报表 信息化运维项目（2023年）`."""
    year = getattr(form, "year", None)
    name = form_title(form) if not isinstance(form, DepartmentOverall) else (form.department_name or "部门整体支出")
    return f"表 {n} {FORM_KIND_SHORT[form.kind]} {name}" + (f"（{year}年）" if year else "")


def severity_name(f: Finding) -> str:
    return "已说明" if f.explanation is not None else SEVERITY_NAMES[f.problem.severity]


__all__ = [
    "STATUS_NAMES",
    "Checklist",
    "FormStatus",
    "checklist",
    "checklist_json",
    "form_label",
    "place_text",
    "severity_name",
]
