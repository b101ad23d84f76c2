"""Self-evaluation scoring (rules S2–S13): 执行率, 资金得分, suggested indicator scores, 总分 and grade.

Decimal throughout, half-up to 2 places. The score the user typed always wins over the suggestion (S12); a typed
score outside [0, 分值] counts as the nearest bound in 总分 (``counted_score``; S6 reports it);
over-achievement is only flagged, never deducted (S10). When the 分值 do not add up as S4 requires, 总分 is still
the sum but ``EvaluationScore.weights_ok`` is False and there is no grade (``weights_ok``).

Public: ``score_self_evaluation(form, profile) -> EvaluationScore`` (use the one exported by
``fcast_desktop.rules``, which first picks the profile of the form's district), ``score_row(row, profile) ->
RowScore`` and ``funds_result(form) -> (执行率, 资金得分)``.

Suggested score of one row (S7–S9), by the kind of its 年度指标值 (see ``values.parse_value``):

- positive quantity (`≥10个`, `100%`, `259份`): achieved → 分值, else 实际 ÷ 指标值 × 分值; target 0 (`0起`):
  实际 ≤ 0 → 分值, else 0;
- reverse quantity (`≤3%`, `≤18万元`): 实际 ≤ 指标值 → 分值, then linear down to 0 at 2 × 指标值 (profile
  ``reverse_mode``/``reverse_zero_factor``; ``ratio`` gives 指标值 ÷ 实际 × 分值);
- deadlines, durations, periodic targets (`2023年12月31日前`, `24小时内`, `每季度末`): met → 分值, else 0;
- qualitative levels (`显著`, `有效`): 达成 / 部分达成 / 未达成 give the top of the profile's band
  (100 %, 80 %, 60 % of 分值 by default); ``RowScore.band`` is the whole band, for the S9 check;
- change (`同比上升1%`): like a positive quantity on the signed change;
- alternatives (`≥2天或16小时`): the best of the parts the actual value can be compared with.

When units do not match or the actual value cannot be read, there is no suggestion (None): the user scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..model import EvaluationIndicator, SelfEvaluation
from ..model.forms import IndicatorBase
from ..model.money import round_half_up
from ..model.skeleton import LEVEL2_INFO, Level1
from .profiles import Profile
from .values import NOT_APPLICABLE, NOT_APPLICABLE_TYPOS, Value, comparable_numbers, parse_value

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)

MET_WORDS = frozenset({"及时", "按时", "按时完成", "已完成", "完成", "达成", "已达成", "是", "有效", "显著", "稳定运转",
                       "正常", "正常运行", "全区", "全覆盖", "达标", "合格", "良好", "满意", "已落实", "落实", "实现",
                       "已实现"})
PARTIAL_WORDS = frozenset({"部分达成", "基本达成", "基本完成", "较好", "基本满意", "部分完成", "基本实现"})
NOT_MET_WORDS = frozenset({"未达成", "未完成", "较差", "差", "否", "未按时", "未实现", "无效", "不及时", "延期"})
NA_NAMES = frozenset({NOT_APPLICABLE, *NOT_APPLICABLE_TYPOS})


def q2(value: Decimal) -> Decimal:
    """Half-up to 2 places (N2); never raises (``money.round_half_up``): the model's numbers are bounded, and a
    ratio of two of them (`≥0.000000000000001个` against 15 digits) is rounded with the precision it needs."""
    return round_half_up(value, CENT)


def is_not_applicable(row: IndicatorBase) -> bool:
    """A 不适用 row (the typo 不适应 included: it is reported, and the row is still not applicable)."""
    return row.name.strip() in NA_NAMES


@dataclass(frozen=True)
class RowScore:
    suggested: Decimal | None  # what the rules compute (None: cannot be computed)
    effective: Decimal | None  # what counts: the user's score (held to [0, 分值]), else the suggestion
    achieved: bool | None  # None: not applicable, or not known
    over_achieved: bool  # S10: 实际 ≥ factor × 指标值 (a flag for a deliberate decision, never a deduction)
    ratio: Decimal | None  # actual ÷ target where both are numbers
    band: tuple[Decimal, Decimal] | None = None  # qualitative rows: the score range of the band (S9)
    entered: Decimal | None = None  # the score the user typed, as typed (even out of range)


@dataclass(frozen=True)
class EvaluationScore:
    budget: Decimal | None  # 全年预算数
    executed: Decimal | None  # 全年执行数
    execution_rate: Decimal | None  # 执行率 (%), 2 places
    funds_weight: Decimal | None
    funds_score: Decimal | None
    rows: tuple[RowScore, ...]  # one per indicator row, same order as ``form.indicators``
    indicators_total: Decimal  # Σ effective scores
    weight_total: Decimal  # 资金分值 + Σ 分值
    total: Decimal | None  # 资金得分 + Σ effective scores (None without a funds score)
    grade: str | None  # 优 良 中 差; None without a total, and None when the weights are wrong (``weights_ok``)
    weights_ok: bool = True  # S4: every 一级's 分值 and 资金分值 + Σ 分值 are as the profile says; False: 总分 is
    #                          not reliable (it may exceed 100) and no grade is given


def funds_result(form: SelfEvaluation) -> tuple[Decimal | None, Decimal | None]:
    """S2/S3: 执行率 = 执行数 ÷ 预算数 × 100; 资金得分 = 分值 × 执行数 ÷ 预算数, capped at 分值; no threshold."""
    budget, executed = form.funds.total.annual_budget, form.funds.total.executed
    weight = form.funds.weight
    if not budget or executed is None or budget < 0:
        return None, None
    ratio = executed / budget
    rate = q2(ratio * HUNDRED)
    score = None if weight is None else min(q2(weight * ratio), weight)
    return rate, score


# a suggestion: (score, achieved, over-achieved, ratio, band)
_Result = tuple[Decimal | None, bool | None, bool, Decimal | None, tuple[Decimal, Decimal] | None]
_NONE: _Result = (None, None, False, None, None)


def _compare(target: Value, actual: Value, weight: Decimal, profile: Profile) -> _Result:
    """S7/S8 for two numbers."""
    nums = comparable_numbers(target, actual)
    if nums is None:
        return _NONE
    tv, av = nums
    if target.reverse:  # S8
        if av <= tv:
            return weight, True, False, None, None
        if tv <= 0:
            return ZERO, False, False, None, None
        if profile.reverse_mode == "ratio":
            return weight * tv / av, False, False, None, None
        zero_at = profile.reverse_zero_factor * tv
        if av >= zero_at:
            return ZERO, False, False, None, None
        return weight * (zero_at - av) / (zero_at - tv), False, False, None, None
    if tv == 0:  # S7: target 0 (`0起`)
        return (weight, True, False, None, None) if av <= 0 else (ZERO, False, False, None, None)
    ratio = av / tv
    achieved = av > tv if target.op == ">" else av >= tv
    over = ratio >= profile.over_achievement_factor and (profile.over_achievement_percentages or not target.is_percent)
    if achieved:
        return weight, True, over, ratio, None
    return max(ZERO, weight * ratio), False, False, ratio, None


def _limit(target: Value, actual: Value, weight: Decimal) -> _Result:
    """S9 for a duration (`24小时内`, `≤5个工作日`): met or not met."""
    nums = comparable_numbers(target, actual)
    if nums is None:
        return _NONE
    tv, av = nums
    met = av < tv if target.op == "<" else av <= tv
    return (weight if met else ZERO), met, False, None, None


def _change(target: Value, actual: Value, weight: Decimal) -> _Result:
    """`同比上升1%` against `同比上升2%` (or a bare `2%`): the signed change compared like a positive quantity."""
    if target.number is None or actual.number is None or target.number == 0:
        return _NONE
    up = target.op != "<="
    wanted = target.number
    got = actual.number
    if actual.kind == "change" and (actual.op != "<=") != up:
        got = -got  # moved the wrong way
    if got >= wanted:
        return weight, True, False, got / wanted, None
    return max(ZERO, weight * got / wanted), False, False, got / wanted, None


def _band(kind: str, weight: Decimal, profile: Profile) -> _Result:
    low, high = profile.qualitative_bands.get(kind, (ZERO, Decimal(1)))
    return weight * high, kind == "achieved", False, None, (weight * low, weight * high)


def _level_rank(profile: Profile) -> dict[str, int]:
    ordered = sorted(profile.qualitative_levels.items(), key=lambda kv: kv[1][0])
    return {name: n for n, (name, _r) in enumerate(ordered)}


def _level_of_percent(pct: Decimal, profile: Profile) -> str | None:
    best = None
    for name, (low, _high) in profile.qualitative_levels.items():
        if pct >= low and (best is None or low > profile.qualitative_levels[best][0]):
            best = name
    return best


def _qualitative(target: Value, actual: Value, weight: Decimal, profile: Profile) -> _Result:
    """S9: 达成 / 部分达成 / 未达成 for levels (`显著` > `明显` > `一般`) and words (`有效`, `及时`)."""
    t_text, a_text = target.raw.strip(), actual.raw.strip()
    ranks = _level_rank(profile)
    top = len(ranks) - 1
    wanted = ranks.get(t_text, top)  # `有效`, `及时`: as demanding as the top level
    got: int | None = None
    if a_text == t_text:
        return _band("achieved", weight, profile)
    if a_text in ranks:
        got = ranks[a_text]
    elif actual.kind == "comparison" and actual.is_percent and actual.number is not None:
        level = _level_of_percent(actual.number, profile)
        got = ranks.get(level) if level else None
    elif a_text in MET_WORDS:
        return _band("achieved", weight, profile)
    elif a_text in PARTIAL_WORDS:
        return _band("partial", weight, profile)
    elif a_text in NOT_MET_WORDS:
        return _band("not_achieved", weight, profile)
    if got is None:
        return _NONE
    if got >= wanted:
        return _band("achieved", weight, profile)
    return _band("partial" if got == wanted - 1 else "not_achieved", weight, profile)


def _met_or_not(a_text: str) -> _Result | None:
    if a_text in MET_WORDS or a_text in ("100%", "100％"):
        return None, True, False, None, None
    if a_text in NOT_MET_WORDS:
        return ZERO, False, False, None, None
    return None


def suggest(row: EvaluationIndicator, profile: Profile) -> _Result:
    weight = row.weight
    if is_not_applicable(row):
        return ZERO, None, False, None, None
    if weight is None:
        return _NONE
    target, actual = parse_value(row.target), parse_value(row.actual)
    if actual.kind == "empty":
        return _NONE
    numeric = actual.kind in ("comparison", "duration")
    kind = target.kind
    if kind == "comparison" and numeric:  # (most rows: the texts themselves are not compared)
        return _compare(target, actual, weight, profile)
    a_text, t_text = actual.raw.strip(), target.raw.strip()
    if kind == "duration" and numeric:
        if target.op in (">=", ">"):  # `≥16小时`: more is better
            return _compare(target, actual, weight, profile)
        return _limit(Value(target.raw, kind, target.op or "<=", target.number, target.unit), actual, weight)
    if kind == "change" and (actual.kind == "change" or (actual.kind == "comparison" and actual.number is not None)):
        return _change(target, actual, weight)
    if kind == "alternatives" and numeric:
        results = []
        for part in target.parts:
            if part.kind == "duration" and part.op not in (">=", ">"):
                results.append(_limit(part, actual, weight))
            else:
                results.append(_compare(part, actual, weight, profile))
        known = [r for r in results if r[0] is not None]
        return max(known, key=lambda r: r[0] or ZERO) if known else _NONE  # (r[0] is never None in known)
    if kind == "deadline" and actual.kind == "deadline" and actual.date is not None and target.date is not None:
        met = actual.date <= target.date
        return (weight if met else ZERO), met, False, None, None
    if kind in ("deadline", "duration", "periodic"):
        if a_text == t_text:
            return weight, True, False, None, None
        found = _met_or_not(a_text)
        if found is not None:
            return (weight if found[1] else ZERO), found[1], False, None, None
        return _NONE
    if kind == "qualitative" or (kind == "comparison" and actual.kind == "qualitative"):
        return _qualitative(target, actual, weight, profile)
    if a_text and a_text == t_text:
        return weight, True, False, None, None
    return _NONE


def score_row(row: EvaluationIndicator, profile: Profile) -> RowScore:
    suggested, achieved, over, ratio, band = suggest(row, profile)
    if suggested is not None:
        suggested = q2(min(max(suggested, ZERO), row.weight if row.weight is not None else suggested))
    if band is not None:
        band = (q2(band[0]), q2(band[1]))
    effective: Decimal | None
    if row.score is not None:
        effective = counted_score(row.score, row.weight)
    else:
        effective = None if "score" in row.raw else suggested
    return RowScore(suggested, effective, achieved, over, ratio, band, row.score)


def counted_score(score: Decimal, weight: Decimal | None) -> Decimal:
    """What a typed 得分 counts in 总分: the typed value held to [0, 分值] (S6 reports it as an error; the cell keeps
    what was typed). ``12`` of ``10`` counts 10 and ``-1`` counts 0, so 总分 and grade never exceed what the
    weights allow."""
    if score < ZERO:
        return ZERO
    if weight is not None and weight >= ZERO and score > weight:
        return weight
    return score


def grade(total: Decimal | None, profile: Profile) -> str:
    return profile.grade(total)


def weight_sums(form: SelfEvaluation) -> dict[Level1, Decimal]:
    """S4: Σ 分值 of the rows of each 一级指标 (rows without a 分值 count nothing)."""
    sums = dict.fromkeys(Level1, ZERO)
    for r in form.indicators:
        if r.weight is not None:
            sums[LEVEL2_INFO[r.level2].level1] += r.weight
    return sums


def weights_ok(form: SelfEvaluation, profile: Profile, sums: dict[Level1, Decimal] | None = None) -> bool:
    """S4 holds: each 一级's Σ 分值 equals the profile's weight, and 资金分值 + Σ 分值 equals ``total_weight``.
    When it does not, 总分 is not comparable with the grade thresholds (a row too many gives 103.37), so
    ``score_self_evaluation`` gives no grade."""
    sums = weight_sums(form) if sums is None else sums
    if any(total != profile.level1_weights.get(level1.value, total) for level1, total in sums.items()):
        return False
    return (form.funds.weight or ZERO) + sum(sums.values(), ZERO) == profile.total_weight


def score_self_evaluation(form: SelfEvaluation, profile: Profile) -> EvaluationScore:
    """S2–S13 for one self-evaluation with ``profile`` as given (no district lookup)."""
    rate, funds_score = funds_result(form)
    rows = tuple(score_row(r, profile) for r in form.indicators)
    indicators_total = sum((r.effective for r in rows if r.effective is not None), ZERO)
    sums = weight_sums(form)
    weight_total = (form.funds.weight or ZERO) + sum(sums.values(), ZERO)
    total = None if funds_score is None else q2(funds_score + indicators_total)
    ok = weights_ok(form, profile, sums)
    return EvaluationScore(
        budget=form.funds.total.annual_budget,
        executed=form.funds.total.executed,
        execution_rate=rate,
        funds_weight=form.funds.weight,
        funds_score=funds_score,
        rows=rows,
        indicators_total=q2(indicators_total),
        weight_total=weight_total,
        total=total,
        grade=(profile.grade(total) or None) if ok else None,
        weights_ok=ok,
    )
