"""The rules as the CLI and the exporters consume them (shapes of docs/spec/cli.md):

- ``check_entries(project, hints=False) -> list[dict]``: `fcast check --json` (with ``hints=True``), one object per
  problem: form, form_type, project_code, severity, rule, field, row, column, message, and ``explanation`` on an
  explained one;
- ``score_entries(project) -> list[dict]``: `fcast score --json`, one object per self-evaluation, numbers as exact
  decimal strings printed the way the form prints them (`9.9`, `10`, `99.83`), null where there is none
  (``grade`` is null without a total and when the 分值 do not add up as S4 requires: ``EvaluationScore.weights_ok``);
- ``computed_values(form, project) -> dict[str, str]``: the computed cells of a printed form, keys as documented in
  ``layouts/printed.py`` (``funds.execution_rate``, ``funds.score``, ``total``, ``grade``, ``weight_total``,
  ``rows.N.score``, ``weights.<一级>``); empty for forms without computed cells;
- ``department_summary(form, project)``: rule P3, information for the GUI (not a problem).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..layouts import level1_name, level2_name
from ..model import AnyForm, Declaration, DepartmentOverall, Project, SelfEvaluation, form_code
from ..model.money import format_number
from ..model.skeleton import LEVEL2_INFO
from .checks import check_form, form_profile
from .index import indexed
from .profiles import load_profile
from .scoring import score_self_evaluation


def _num(value: Decimal | None) -> str | None:
    return None if value is None else format_number(value)


def check_project(project: Project, hints: bool = False) -> list[tuple[int, object]]:
    """Every problem of every form, as (form index, Problem), in project order (``hints``: with the coach's)."""
    profile = load_profile(project.profile)
    with indexed(project):
        return [(n, p) for n, form in enumerate(project.forms)
                for p in check_form(form, profile, project, hints=hints)]


def check_entries(project: Project, hints: bool = False) -> list[dict[str, Any]]:
    """`fcast check --json` (which passes ``hints=True``): one object per problem; an explained one carries
    ``"explanation"`` (``rules.explanations``)."""
    from .explanations import explanations_by_form, form_findings

    profile = load_profile(project.profile)
    by_form = explanations_by_form(project)
    out = []
    with indexed(project):  # as ``explanations.findings``, without a ``Finding`` per problem of a form no
        for n, form in enumerate(project.forms):  # explanation names (most forms)
            problems = check_form(form, profile, project, hints=hints)
            kind, code = form.kind, form_code(form)
            if form.id not in by_form:
                out += [{"form": n, "form_type": kind, "project_code": code, "severity": p.severity, "rule": p.rule,
                         "field": p.field, "row": p.row, "column": p.column, "message": p.message} for p in problems]
                continue
            for f in form_findings(project, form, problems, n, by_form):
                p = f.problem
                entry = {"form": n, "form_type": kind, "project_code": code, "severity": p.severity, "rule": p.rule,
                         "field": p.field, "row": p.row, "column": p.column, "message": p.message}
                if f.explanation is not None:
                    entry["explanation"] = f.explanation.text
                out.append(entry)
    return out


def score_entries(project: Project) -> list[dict[str, Any]]:
    profile = load_profile(project.profile)
    out = []
    for n, form in enumerate(project.forms):
        if not isinstance(form, SelfEvaluation):
            continue
        s = score_self_evaluation(form, form_profile(form, profile))
        rows = []
        for i, (r, rs) in enumerate(zip(form.indicators, s.rows, strict=True)):
            rows.append({
                "row": i, "level1": level1_name(LEVEL2_INFO[r.level2].level1), "level2": level2_name(r.level2),
                "name": r.name, "target": r.target, "actual": r.actual, "weight": _num(r.weight),
                "score": _num(rs.effective), "suggested_score": _num(rs.suggested), "achieved": rs.achieved,
            })
        out.append({
            "form": n, "project_code": form.project_code, "project_name": form.project_name, "year": form.year,
            "funds": {"budget": None if s.budget is None else f"{s.budget:.2f}",
                      "executed": None if s.executed is None else f"{s.executed:.2f}",
                      "execution_rate": _num(s.execution_rate), "weight": _num(s.funds_weight),
                      "score": _num(s.funds_score)},
            "indicators": rows, "total": _num(s.total), "grade": s.grade or None,
        })
    return out


def computed_values(form: AnyForm, project: Project | None = None) -> dict[str, str]:
    """Printed computed cells: funds.execution_rate, funds.score, total, grade, weight_total, rows.N.score, and
    weights.<一级> (the profile's weight of each 一级指标, printed in 产出指标(50分))."""
    if not isinstance(form, SelfEvaluation):
        return {}
    profile = form_profile(form, load_profile(project.profile if project else None))
    s = score_self_evaluation(form, profile)
    out = {"weight_total": format_number(s.weight_total)}
    # the printed 一级 labels' weights, 产出指标(50分): the form's own profile's
    out.update({f"weights.{k}": format_number(v) for k, v in profile.level1_weights.items()})
    for key, value in (("funds.execution_rate", s.execution_rate), ("funds.score", s.funds_score), ("total", s.total)):
        if value is not None:
            out[key] = format_number(value)
    if s.grade:
        out["grade"] = s.grade
    for i, rs in enumerate(s.rows):
        if rs.effective is not None:
            out[f"rows.{i}.score"] = format_number(rs.effective)  # what counts in 总分 (a typed 12 of 10: 10)
            if rs.entered is None:
                out[f"rows.{i}.suggested"] = "1"  # the rules' suggestion, not typed: the export marks it
    return out


def department_summary(form: DepartmentOverall, project: Project | None) -> dict[str, Decimal | int] | None:
    """P3: the department form's 金额合计 beside the sum of 本年度项目金额 of the project's declarations of the same
    year (information, not an error: 基本支出 is not a project). None when the project has no such declaration."""
    if not isinstance(form, DepartmentOverall) or project is None:
        return None
    declarations = [f for f in project.forms if isinstance(f, Declaration) and f.annual_amount is not None
                    and (form.year is None or f.year is None or f.year == form.year)]
    if not declarations:
        return None
    tasks_total = sum((t.total or Decimal(0) for t in form.tasks), Decimal("0.00"))
    projects_total = sum((f.annual_amount or Decimal(0) for f in declarations), Decimal("0.00"))  # (all set)
    return {"tasks_total": tasks_total, "projects_total": projects_total, "declarations": len(declarations),
            "difference": tasks_total - projects_total}
