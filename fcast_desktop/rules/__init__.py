"""Validation and scoring: pure functions over the model, no Qt (spec: docs/spec/rules.md).

Public API (used by the GUI, the CLI and the exporters)::

    load_profile(name: str | None) -> Profile
        A rule profile (``resources/profiles/<name>.json``; unknown names give the default ``shenzhen-futian``).
    check_form(form, profile, project=None) -> list[Problem]
        Every problem of one form at once. A form whose 项目编码 names another bundled profile's district is
        checked with that profile. ``project`` enables the cross-form rules (S15).
    score_self_evaluation(form, profile) -> EvaluationScore
        执行率, 资金得分, per-row suggested/effective score, achieved and over-achievement flags, 总分, grade.
    unit_trap(declaration, profile) -> UnitTrap | None
        N3: the declaration's 本年度项目金额 about 10,000 times off its 测算依据/项目概况, with the corrected amounts.
    form_stars(form, project) -> bool
        Whether the form's 二级指标 labels carry the 福田 stars (by the form's own district profile).
    check_project(project) -> list[tuple[int, Problem]]
        (form index, problem) for every form, with ``project.profile``.
    report.check_entries / report.score_entries / report.computed_values / report.department_summary
        JSON shapes of `fcast check/score --json` and the computed cells of printed forms.

``Problem`` (frozen): ``rule`` (catalogue id), ``severity`` ('error'|'warning'), ``message`` (Chinese: what is
wrong and what to do), ``field`` (header field name such as 'project_code', or a table: 'indicators', 'funds',
'tasks'), ``row`` (0-based row of that table, None for header fields and whole-table problems), ``column``
(official column title or header label), ``key`` (model attribute of the cell: 'target', 'actual', 'weight',
'annual_budget'…; for a missing 二级指标 the Level2 value; None for a whole row).

``EvaluationScore``: ``execution_rate``, ``funds_score``, ``funds_weight``, ``budget``, ``executed``, ``rows``
(one ``RowScore`` per indicator row: ``suggested``, ``effective``, ``entered``, ``achieved``, ``over_achieved``,
``ratio``, ``band``), ``indicators_total``, ``weight_total``, ``total``, ``grade``, ``weights_ok``. When the 分值 do
not add up as S4 requires (``weights_ok`` False: a row too many, 资金分值 20…), ``total`` is still the sum of the scores
but not reliable (it may exceed 100) and ``grade`` is None; ``grade`` is also None without a total.

Speed: everything reads the pydantic objects directly (no model construction) and caches the parsing of values
and 测算依据 texts by string, so re-checking a form on each keystroke costs well under a millisecond.
"""

from ..model import AnyForm, Project, SelfEvaluation
from .catalogue import COMPUTATIONS, RULES, Problem, Rule
from .checks import UnitTrap, check_form, form_profile, unit_trap
from .profiles import Profile, ProfileError, available_profiles, load_profile
from .report import check_project
from .scoring import EvaluationScore, RowScore
from .scoring import score_self_evaluation as _score


def form_stars(form: AnyForm, project: Project | None) -> bool:
    """Whether the form's 二级指标 labels carry the 福田 stars (``*数量指标``): by the profile its 项目编码 calls
    for (宝安 forms print none), the project's profile otherwise. The grid, the PDF, the Excel and printing ask here."""
    return form_profile(form, load_profile(getattr(project, "profile", None))).stars


def score_self_evaluation(form: SelfEvaluation, profile: Profile) -> EvaluationScore:
    """Scores of a self-evaluation with the profile its 项目编码 calls for."""
    return _score(form, form_profile(form, profile))


__all__ = [
    "COMPUTATIONS",
    "RULES",
    "EvaluationScore",
    "Problem",
    "Profile",
    "ProfileError",
    "RowScore",
    "Rule",
    "UnitTrap",
    "available_profiles",
    "check_form",
    "check_project",
    "form_profile",
    "form_stars",
    "load_profile",
    "score_self_evaluation",
    "unit_trap",
]
