"""Validation and scoring: pure functions over the model, no Qt (see ../shared/spec/rules.md).

- ``check_form(form, profile, project=None) -> list[Problem]`` — every problem of one form, pinned to its cell;
- ``score_self_evaluation(form, profile) -> EvaluationScore`` — 执行率, 资金得分, suggested/effective scores, 总分;
- ``check_project(project) -> list[(form index, Problem)]``; ``load_profile(name)`` — rule profiles as data.
"""

from .catalogue import RULES, Problem, Rule
from .checks import check_form, form_profile
from .profiles import Profile, load_profile
from .report import check_project
from .scoring import EvaluationScore, RowScore
from .scoring import score_self_evaluation as _score


def score_self_evaluation(form, profile: Profile) -> EvaluationScore:
    """Scores of a self-evaluation with the profile its 项目编码 calls for."""
    return _score(form, form_profile(form, profile))


__all__ = ["RULES", "EvaluationScore", "Problem", "Profile", "Rule", "RowScore", "check_form", "check_project",
           "load_profile", "score_self_evaluation"]
