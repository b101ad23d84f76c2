"""出错说明: warnings accepted with an explanation that travels with the project (issue 15, item 3).

An explanation (``model.Explanation``, stored in ``Project.explanations``) names the rule, the form and the place of
one warning, the user's text, and a fingerprint of what the rule judged (:func:`fingerprint`: the problem's
message, the value of its cell and the values of its row). It applies to the problem at that place while the
fingerprint is the same; when the values change the warning opens again and the explanation, kept in the project, no
longer applies (``stale``). A
problem whose row moved (a row inserted above) keeps its explanation when its fingerprint is unchanged.

Warnings may be explained, errors only when the profile lists the rule in ``explainable_errors``, hints never (they
block nothing). The GUI and the CLI use:

``fingerprint(form, problem) -> str``
    what the rule judged: the message, the cell's text and the values of its table row;
``findings(project, hints=True) -> list[Finding]``
    every problem of every form with its explanation, if any (``Finding.kind``: error / warning / explained / hint);
``form_findings(project, form, problems) -> list[Finding]``
    the same for problems the caller already has (the GUI checks one form per edit);
``explainable(problem, form, project) -> bool``;
``explain(project, form, problem, text) -> list[Explanation]`` / ``unexplain(project, form, problem)``
    the project's new list of explanations (the caller assigns it: ``project.explanations = …``, an undo step in the
    GUI); ``explain`` replaces an explanation at the same place;
``stale_explanations(project) -> list[Explanation]``
    explanations that apply to no current problem (values changed, warning fixed, form removed).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ..model import AnyForm, Explanation, Project, SelfEvaluation
from .catalogue import Problem
from .checks import FUND_ROWS, check_form, form_profile
from .index import indexed
from .profiles import load_profile

KINDS = ("error", "warning", "explained", "hint")
"""How findings are counted: an explained problem counts apart from the warnings (and errors)."""


@dataclass(frozen=True)
class Finding:
    """One problem of form number ``form`` of the project, with the explanation that applies to it (or None)."""

    form: int
    problem: Problem
    explanation: Explanation | None = None

    @property
    def kind(self) -> str:
        """``error``, ``warning``, ``explained`` or ``hint``: what the finding counts as."""
        return "explained" if self.explanation is not None else self.problem.severity


def _cell_path(problem: Problem) -> tuple[str | int, ...] | None:
    if problem.key is None:
        return None
    if problem.field in ("indicators", "tasks"):
        return None if problem.row is None else (problem.field, problem.row, problem.key)
    if problem.field == "funds":
        row = problem.row or 0
        return ("funds", FUND_ROWS[row], problem.key) if row < len(FUND_ROWS) else None
    return (problem.field,)


def _row_text(form: AnyForm, problem: Problem) -> str:
    """The values of the problem's table row (an indicator row, a task, a 资金 line): a rule on a row judges them
    together (得分 against 分值 and 实际完成值), and they tell identical problems of different rows apart."""
    try:
        if problem.field in ("indicators", "tasks") and problem.row is not None:
            record = getattr(form, problem.field)[problem.row]
        elif (problem.field == "funds" and problem.row is not None and problem.row < len(FUND_ROWS)
              and isinstance(form, SelfEvaluation)):
            record = getattr(form.funds, FUND_ROWS[problem.row])
        else:
            return ""
    except (AttributeError, IndexError, TypeError):
        return ""
    return json.dumps(record.model_dump(mode="json", exclude={"review"}), ensure_ascii=False, sort_keys=True)


def fingerprint(form: AnyForm, problem: Problem) -> str:
    """What the rule judged at the problem's place: its message (which quotes the values it compared), the text of
    its cell and the values of its table row. Any change of them changes the fingerprint."""
    from ..model.editing import get_text  # here: `fcast check` of forms without explanations never needs it

    path = _cell_path(problem)
    cell = ""
    if path is not None:
        try:
            cell = get_text(form, path)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError):
            cell = ""  # a computed cell (执行率), a skeleton problem: the message says it all
    data = "\x1f".join((problem.rule, problem.message, cell, _row_text(form, problem)))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:24]


def _same_place(e: Explanation, form: AnyForm, p: Problem, with_row: bool = True) -> bool:
    return (e.form_id == form.id and e.rule == p.rule and e.field == p.field and e.key == p.key
            and (not with_row or e.row == p.row))


def explainable(problem: Problem, form: AnyForm, project: Project | None = None) -> bool:
    """May this problem be accepted with a 说明? Warnings yes; errors when the form's profile allows the rule."""
    if problem.severity == "warning":
        return True
    if problem.severity == "error":
        profile = form_profile(form, load_profile(project.profile if project is not None else None))
        return problem.rule in profile.explainable_errors
    return False


def form_findings(project: Project, form: AnyForm, problems: list[Problem], index: int = 0,
                  by_form: dict[str, list[Explanation]] | None = None) -> list[Finding]:
    """``problems`` of ``form`` (number ``index`` in the project) with the explanations that apply to them.
    ``by_form`` (from :func:`explanations_by_form`) spares a whole-project pass the walk over every explanation."""
    if by_form is not None:
        mine = by_form.get(form.id, [])
    else:
        mine = [e for e in project.explanations if e.form_id == form.id]
    if not mine:
        return [Finding(index, p) for p in problems]
    applied: dict[int, Explanation] = {}
    used: set[int] = set()
    prints = [fingerprint(form, p) if explainable(p, form, project) else None for p in problems]
    for with_row in (True, False):  # exact place first, then a row that moved
        for i, p in enumerate(problems):
            if i in applied or prints[i] is None:
                continue
            for k, e in enumerate(mine):
                if k not in used and _same_place(e, form, p, with_row) and e.fingerprint == prints[i]:
                    applied[i] = e
                    used.add(k)
                    break
    return [Finding(index, p, applied.get(i)) for i, p in enumerate(problems)]


def explanations_by_form(project: Project) -> dict[str, list[Explanation]]:
    """The project's explanations grouped by form id, in their order."""
    out: dict[str, list[Explanation]] = {}
    for e in project.explanations:
        out.setdefault(e.form_id, []).append(e)
    return out


def findings(project: Project, hints: bool = True) -> list[Finding]:
    """Every problem of every form (the coach's hints too unless ``hints`` is False), with its explanation."""
    profile = load_profile(project.profile)
    by_form = explanations_by_form(project)
    out: list[Finding] = []
    with indexed(project):  # cross-form rules look declarations up instead of scanning every form
        for n, form in enumerate(project.forms):
            out += form_findings(project, form, check_form(form, profile, project, hints=hints), n, by_form)
    return out


def explain(project: Project, form: AnyForm, problem: Problem, text: str) -> list[Explanation]:
    """The project's explanations with ``text`` accepting ``problem`` of ``form`` (an earlier explanation at the
    same place is replaced). Raises ``ValueError`` (Chinese message) when the problem may not be explained or the
    text is empty."""
    if not explainable(problem, form, project):
        what = "提示不需要说明" if problem.severity == "hint" else "错误不能用说明代替改正（规则配置未允许）"
        raise ValueError(f"{what}：[{problem.rule}] {problem.message}")
    if not text.strip():
        raise ValueError("说明不能为空")
    new = Explanation(form_id=form.id, rule=problem.rule, field=problem.field, row=problem.row, key=problem.key,
                      column=problem.column, text=text, fingerprint=fingerprint(form, problem))
    kept = [e for e in project.explanations if not _same_place(e, form, problem)]
    return kept + [new]


def unexplain(project: Project, form: AnyForm, problem: Problem) -> list[Explanation]:
    """The project's explanations without the one(s) at the place of ``problem``."""
    return [e for e in project.explanations if not _same_place(e, form, problem)]


def stale_explanations(project: Project) -> list[Explanation]:
    """Explanations that apply to no current problem: their values changed (the warning is open again), the warning
    is gone, or their form was removed. Kept in the project, shown apart by the GUI and the checklist."""
    applied = {id(f.explanation) for f in findings(project, hints=False) if f.explanation is not None}
    return [e for e in project.explanations if id(e) not in applied]


def counts(items: list[Finding]) -> dict[str, int]:
    """Findings counted by kind: ``{"errors", "warnings", "explained", "hints"}``."""
    out = {"errors": 0, "warnings": 0, "explained": 0, "hints": 0}
    names = {"error": "errors", "warning": "warnings", "explained": "explained", "hint": "hints"}
    for f in items:
        out[names[f.kind]] += 1
    return out


__all__ = [
    "KINDS",
    "Finding",
    "counts",
    "explain",
    "explainable",
    "explanations_by_form",
    "findings",
    "fingerprint",
    "form_findings",
    "stale_explanations",
    "unexplain",
]
