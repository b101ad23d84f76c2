"""The rules as the CLI and the exporters consume them: `fcast check --json`, `fcast score --json` (cli.md)
and the computed cells of the printed forms (keys documented in ``layouts/printed.py``)."""

from __future__ import annotations

from ..model import LEVEL1_INFO, LEVEL2_INFO, AnyForm, Project, SelfEvaluation, form_code
from ..model.money import format_number
from .checks import check_form, form_profile
from .profiles import load_profile
from .scoring import score_self_evaluation


def _num(value) -> str | None:
    return None if value is None else format_number(value)


def check_project(project: Project) -> list[tuple[int, object]]:
    profile = load_profile(project.profile)
    return [(n, p) for n, form in enumerate(project.forms) for p in check_form(form, profile, project)]


def check_entries(project: Project) -> list[dict]:
    out = []
    for n, p in check_project(project):
        form = project.forms[n]
        out.append({"form": n, "form_type": form.kind, "project_code": form_code(form), "severity": p.severity,
                    "rule": p.rule, "field": p.field, "row": p.row, "column": p.column, "message": p.message})
    return out


def score_entries(project: Project) -> list[dict]:
    profile = load_profile(project.profile)
    out = []
    for n, form in enumerate(project.forms):
        if not isinstance(form, SelfEvaluation):
            continue
        s = score_self_evaluation(form, form_profile(form, profile))
        rows = []
        for i, (r, rs) in enumerate(zip(form.indicators, s.rows)):
            rows.append({
                "row": i, "level1": LEVEL1_INFO[LEVEL2_INFO[r.level2].level1].long, "level2": LEVEL2_INFO[r.level2].long,
                "name": r.name, "target": r.target, "actual": r.actual, "weight": _num(r.weight),
                "score": _num(rs.effective), "suggested_score": _num(rs.suggested), "achieved": rs.achieved,
                "over_achieved": rs.over_achieved,
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
    """Printed computed cells: funds.execution_rate, funds.score, total, grade, weight_total, rows.N.score."""
    if not isinstance(form, SelfEvaluation):
        return {}
    profile = form_profile(form, load_profile(project.profile if project else None))
    s = score_self_evaluation(form, profile)
    out = {"weight_total": format_number(s.weight_total)}
    for key, value in (("funds.execution_rate", s.execution_rate), ("funds.score", s.funds_score), ("total", s.total)):
        if value is not None:
            out[key] = format_number(value)
    if s.grade:
        out["grade"] = s.grade
    for i, rs in enumerate(s.rows):
        if rs.effective is not None:
            out[f"rows.{i}.score"] = format_number(rs.effective)
    return out
