"""The indicator coach (rules Q1–Q8 of docs/spec/rules.md) and the review marks of new year's drafts (R1).

The coach gives advice, severity ``hint`` (提示) unless a profile raises a rule (``rules`` of the profile): the
reasons reviewers send forms back. A hint never changes a score and never blocks "ready to upload". The word lists
and the 执行率 threshold are profile data (``Profile.coach_words``, ``Profile.low_execution_rate``).

``coach_problems(form, profile, score=None)`` and ``review_problems(form)`` are called by ``checks.check_form``;
they read the model directly (cheap enough for every keystroke) and pin each problem to its cell like every rule.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import lru_cache

from ..layouts import DECLARATION, DEPARTMENT_OVERALL, SELF_EVALUATION, FormLayout, level2_name
from ..model import (
    AnyForm,
    Declaration,
    DeclarationIndicator,
    DepartmentIndicator,
    DepartmentOverall,
    EvaluationIndicator,
    SelfEvaluation,
)
from ..model.money import format_money, format_number
from ..model.skeleton import LEVEL2_INFO, Level1, Level2
from .catalogue import Problem, problem
from .profiles import Profile
from .scoring import NA_NAMES, EvaluationScore, score_self_evaluation
from .values import Value, parse_value

_LAYOUTS: dict[str, FormLayout] = {"declaration": DECLARATION, "self_evaluation": SELF_EVALUATION,
                                   "department_overall": DEPARTMENT_OVERALL}
_NO_DEVIATION = {"", "无", "/", "-", "—", "——", "不适用"}
_QUANTITY, _COST, _SATISFACTION = Level2.QUANTITY, Level2.COST, Level1.SATISFACTION  # (an enum's attribute is slow)


_TITLES: dict[int, tuple[FormLayout, dict[str, str]]] = {}


def _column(layout: FormLayout, key: str) -> str:
    """The column's title without its star (by key, made once per layout: asked for on every check)."""
    found = _TITLES.get(id(layout))
    if found is None or found[0] is not layout:
        titles: dict[str, str] = {}
        for c in layout.columns:
            titles.setdefault(c.key, c.title.lstrip("*"))
        found = _TITLES[id(layout)] = (layout, titles)
    return found[1].get(key, key.lstrip("*"))


def _label(layout: FormLayout, key: str, form: AnyForm) -> str:
    for spec in (*layout.header, *layout.texts):
        if spec.key == key:
            return spec.label_for(form).lstrip("*")
    return key


_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def _plain(text: str) -> str:
    """A text compared as the reader sees it: full-width folded, no spaces. Cached by the text (a pure function of
    it): the coach compares every indicator name on every check."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or ""))


def _first_word(text: str, words: Iterable[str]) -> str | None:
    for w in words:
        if w in text:
            return str(w)
    return None


class _Words:
    """A profile's word lists for Q3, Q4 and Q7; hashed by identity, so a cheap key of ``_name_facts``'s cache."""

    __slots__ = ("capped", "facts", "satisfaction", "source", "spending")

    def __init__(self, words: dict[str, tuple[str, ...]]) -> None:
        self.source = words  # keeps the dict alive, so its ``id`` in ``_WORDS`` stays its own
        self.satisfaction = tuple(words.get("satisfaction", ()))
        self.capped = tuple(words.get("capped_percent", ()))
        self.spending = tuple(words.get("spending_progress", ()))
        self.facts: dict[str, tuple[str, bool, str | None, str | None]] = {}  # ``_name_facts`` by name


_WORDS: dict[int, _Words] = {}


def _words_of(profile: Profile) -> _Words:
    found = _WORDS.get(id(profile.coach_words))
    if found is None or found.source is not profile.coach_words:
        if len(_WORDS) > 64:
            _WORDS.clear()
        found = _WORDS[id(profile.coach_words)] = _Words(profile.coach_words)
    return found


_FACTS_KEPT = 8192


def _name_facts(name: str, words: _Words) -> tuple[str, bool, str | None, str | None]:
    """What the coach reads from a (stripped) 三级指标 name, once per name and word lists: the name as compared (Q1),
    whether it measures satisfaction (Q3), its capped-percent word (Q4) and its spending-progress word (Q7). Kept
    with the word lists in a plain dict (a pure function of the name: an edited name is a new key): 90 ns a row
    instead of the 155 ns of an ``lru_cache`` of two arguments, on every row of every check."""
    found = words.facts.get(name)
    if found is None:
        if len(words.facts) >= _FACTS_KEPT:
            words.facts.clear()
        found = words.facts[name] = _read_name(name, words)
    return found


def _read_name(name: str, words: _Words) -> tuple[str, bool, str | None, str | None]:
    plain = _plain(name)
    return (plain, _about_satisfaction(name, words.satisfaction), _first_word(name, words.capped),
            _first_word(plain, words.spending))


# ---- Q1–Q8 ----------------------------------------------------------------------------------------------------


def coach_problems(form: AnyForm, profile: Profile, score: EvaluationScore | None = None) -> list[Problem]:
    """The coach's advice on one form (severity as in the catalogue: ``hint``)."""
    layout = _LAYOUTS[form.kind]
    out: list[Problem] = []
    name_col, target_col = _column(layout, "name"), _column(layout, "target")
    words = _words_of(profile)
    seen: dict[str, int] = {}
    rows: Sequence[DeclarationIndicator | EvaluationIndicator | DepartmentIndicator] = form.indicators
    for n, r in enumerate(rows):
        name = r.name.strip()
        if not name or name in NA_NAMES:  # ``scoring.is_not_applicable``
            continue
        key, satisfaction, capped, spending = _name_facts(name, words)
        if key in seen:  # Q1, on every repetition
            out.append(problem("coach.duplicate_name", "indicators", n, name_col, "name", name=name,
                               first=seen[key] + 1))
        else:
            seen[key] = n
        target = parse_value(r.target) if r.target and not r.target.isspace() else None
        level2 = r.level2
        if level2 == _QUANTITY and target is not None and _unmeasurable(target):  # Q2
            out.append(problem("coach.quantity_unmeasurable", "indicators", n, target_col, "target", name=name,
                               target=r.target.strip()))
        if satisfaction and LEVEL2_INFO[level2].level1 != _SATISFACTION:  # Q3
            out.append(problem("coach.satisfaction_misplaced", "indicators", n, name_col, "name", name=name,
                               level2=level2_name(level2)))
        if capped and target is not None and _over_100(target):  # Q4
            out.append(problem("coach.percent_over_100", "indicators", n, target_col, "target", name=name,
                               target=r.target.strip(), word=capped))
        if level2 == _COST:  # Q7
            spending = spending or _first_word(_plain(r.target), words.spending)
            if spending:
                out.append(problem("coach.cost_measures_spending", "indicators", n, name_col, "name", name=name,
                                   word=spending))
        if target is not None and target.kind in _DATED_KINDS and not isinstance(form, SelfEvaluation):  # Q6
            why = _outside_year(target, form)
            if why:
                out.append(problem("coach.time_outside_year", "indicators", n, target_col, "target", name=name,
                                   target=r.target.strip(), why=why))
    if isinstance(form, Declaration):  # Q5
        years = form.duration_years or 0
        if years > 1 and form.long_term_goal.strip() and _plain(form.long_term_goal) == _plain(form.annual_goal):
            label = _label(layout, "long_term_goal", form)
            out.append(problem("coach.long_term_same_as_annual", "long_term_goal", None, label, "long_term_goal",
                               years=years))
    if isinstance(form, SelfEvaluation):  # Q8
        rate = (score or score_self_evaluation(form, profile)).execution_rate
        if rate is not None and rate < profile.low_execution_rate and not any(
                _plain(r.deviation) not in _NO_DEVIATION for r in form.indicators):
            out.append(problem("coach.low_execution_unexplained", "funds", 0, _RATE_TITLE, "execution_rate",
                               rate=format_number(rate), threshold=format_number(profile.low_execution_rate)))
    return out


def _unmeasurable(v: Value) -> bool:
    """Q2: a quantity target without a number: a level (有效, 及时), a period (每年), or words without digits."""
    if v.kind in ("qualitative", "periodic"):
        return True
    return v.kind == "unrecognised" and not any(ch.isdigit() for ch in unicodedata.normalize("NFKC", v.raw))


_SATISFACTION_TAIL = re.compile(r"[（(][^（）()]{0,8}[）)]$|[%％]$")


def _about_satisfaction(name: str, words: Iterable[str]) -> bool:
    """Q3: the indicator measures satisfaction — its name ends with 满意度/满意率 (a unit in brackets may follow):
    `群众满意度`, `服务对象满意率（%）`; not `满意度测评次数` (a count of surveys, a real output)."""
    text = _SATISFACTION_TAIL.sub("", _plain(name))
    return text.endswith(tuple(words))  # (any of them)


def _over_100(v: Value) -> bool:
    """Q4: a target above 100 (per cent, or a bare number) that is not an upper bound."""
    parts = v.parts if v.kind == "alternatives" else (v,)
    return any(p.kind == "comparison" and p.number is not None and p.number > 100 and p.unit in ("%", "")
               and not p.reverse for p in parts)


_DATED_KINDS = frozenset({"deadline", "alternatives"})  # the values ``_outside_year`` can find a date in


_DURATION = DECLARATION.field("duration_years").name  # 实施期限
_LONG_TERM = DECLARATION.field("long_term_goal").word  # 长期目标
_INDICATORS = DEPARTMENT_OVERALL.table_caption  # 年度绩效指标


def _outside_year(v: Value, form: Declaration | DepartmentOverall) -> str:
    """Q6: why a deadline target falls outside the form's year or the project's 实施期限 ("" when it does not)."""
    year = form.year
    if year is None:
        return ""
    parts = v.parts if v.kind == "alternatives" else (v,)
    dates = [p.date[0] for p in parts if p.kind == "deadline" and p.date]
    if not dates:
        return ""
    last = year + (form.duration_years or 1) - 1 if isinstance(form, Declaration) else year
    for d in dates:
        if d < year:
            return f"早于本表的年度（{year} 年）：上年的期限可能未改"
        if d > last and last > year:
            return f"超出项目的{_DURATION}（{year}–{last} 年）"
        if d > year:
            return f"晚于本表的年度（{year} 年）：{_INDICATORS}应在本年度内完成，跨年度的目标请写入{_LONG_TERM}"
    return ""


# ---- R1: amounts carried over by 新年度申报 --------------------------------------------------------------------

assert DEPARTMENT_OVERALL.tasks is not None and SELF_EVALUATION.funds is not None
_TASK_COLUMNS = {c.key: c.title for c in DEPARTMENT_OVERALL.tasks.columns}
_RATE_TITLE = SELF_EVALUATION.funds.column("execution_rate").title  # 执行率(%)


def review_problems(form: AnyForm) -> list[Problem]:
    """``rollover.amount_review`` on every amount a new year's draft carried over and the user has not touched."""
    out: list[Problem] = []
    year = getattr(form, "year", None)
    shown_year = str(year) if year is not None else "本"
    if isinstance(form, Declaration):
        for key in form.review:
            if key not in ("total_amount", "annual_amount"):
                continue
            spec = DECLARATION.field(key)
            out.append(problem("rollover.amount_review", key, None, spec.label_for(form).lstrip("*"), key,
                               place=spec.name, value=_amount(getattr(form, key), form.raw.get(key), form.amount_unit),
                               year=shown_year))
    elif isinstance(form, DepartmentOverall):
        for n, task in enumerate(form.tasks):
            for key in task.review:
                if key not in _TASK_COLUMNS:
                    continue
                who = f"任务“{task.name}”" if task.name.strip() else f"任务第 {n + 1} 行"
                out.append(problem("rollover.amount_review", "tasks", n, _TASK_COLUMNS[key], key,
                                   place=f"{who}的{_TASK_COLUMNS[key]}",
                                   value=_amount(getattr(task, key), task.raw.get(key), "元"), year=shown_year))
    return out


def _amount(value: Decimal | None, raw: str | None, unit: str) -> str:
    if value is not None:
        return f"{format_money(value, unit)}{unit}"
    return f"“{raw}”" if raw else "（空）"
