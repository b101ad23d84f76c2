"""Self-evaluation scoring (rules S2–S13): 执行率, 资金得分, suggested indicator scores, 总分 and grade.

Decimal throughout, half-up to 2 places. The score the user typed always wins over the suggestion (S12);
over-achievement is only flagged, never deducted (S10).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..model import EvaluationIndicator, SelfEvaluation
from .profiles import Profile
from .values import Value, comparable_numbers, parse_value

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)

MET_WORDS = {"及时", "按时", "按时完成", "已完成", "完成", "达成", "已达成", "是", "有效", "显著", "稳定运转", "正常",
             "正常运行", "全区", "全覆盖", "达标", "合格", "良好", "满意"}
PARTIAL_WORDS = {"部分达成", "基本达成", "基本完成", "明显", "较好", "基本满意"}
NOT_MET_WORDS = {"未达成", "未完成", "一般", "较差", "否", "未按时"}
LEVELS = {"显著": 3, "明显": 2, "一般": 1}


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RowScore:
    suggested: Decimal | None  # what the rules compute (None: cannot be computed)
    effective: Decimal | None  # what counts: the user's score, else the suggestion
    achieved: bool | None
    over_achieved: bool
    ratio: Decimal | None  # actual ÷ target where both are numbers


@dataclass(frozen=True)
class EvaluationScore:
    budget: Decimal | None  # 全年预算数
    executed: Decimal | None  # 全年执行数
    execution_rate: Decimal | None  # 执行率 (%), 2 places
    funds_weight: Decimal | None
    funds_score: Decimal | None
    rows: tuple[RowScore, ...]
    indicators_total: Decimal
    weight_total: Decimal  # 资金分值 + Σ 分值
    total: Decimal | None
    grade: str


def funds_result(form: SelfEvaluation) -> tuple[Decimal | None, Decimal | None]:
    """S2/S3: 执行率 = 执行数 ÷ 预算数 × 100; 资金得分 = 分值 × 执行数 ÷ 预算数, capped at 分值."""
    budget, executed = form.funds.total.annual_budget, form.funds.total.executed
    weight = form.funds.weight
    if not budget or executed is None:
        return None, None
    ratio = executed / budget
    rate = q2(ratio * HUNDRED)
    score = None if weight is None else min(q2(weight * ratio), weight)
    return rate, score


def _band(kind: str, weight: Decimal, profile: Profile) -> Decimal:
    return weight * profile.qualitative_bands.get(kind, Decimal(1))


def _compare(target: Value, actual: Value, weight: Decimal, profile: Profile):
    """Suggested score, achieved, over-achieved, ratio for two numeric values."""
    nums = comparable_numbers(target, actual)
    if nums is None:
        return None, None, False, None
    tv, av = nums
    if target.reverse:  # S8
        if av <= tv:
            return weight, True, False, None
        if tv <= 0:
            return ZERO, False, False, None
        if profile.reverse_mode == "ratio":
            return weight * tv / av, False, False, None
        zero_at = profile.reverse_zero_factor * tv
        if av >= zero_at:
            return ZERO, False, False, None
        return weight * (zero_at - av) / (zero_at - tv), False, False, None
    if tv == 0:  # S7: target 0 (`0起`)
        return (weight, True, False, None) if av <= 0 else (ZERO, False, False, None)
    ratio = av / tv
    achieved = av > tv if target.op == ">" else av >= tv
    over = ratio >= profile.over_achievement_factor and (profile.over_achievement_percentages or not target.is_percent)
    if achieved:
        return weight, True, over, ratio
    return max(ZERO, weight * ratio), False, False, ratio


def suggest(row: EvaluationIndicator, profile: Profile) -> tuple[Decimal | None, bool | None, bool, Decimal | None]:
    weight = row.weight
    if row.is_not_applicable():
        return ZERO, None, False, None
    if weight is None:
        return None, None, False, None
    target, actual = parse_value(row.target), parse_value(row.actual)
    if actual.kind == "empty":
        return None, None, False, None
    a_text = actual.raw.strip()
    if target.kind in ("comparison", "duration", "change") and actual.kind in ("comparison", "duration"):
        if target.kind == "duration" and not target.op:
            target = Value(target.raw, target.kind, "<=", target.number, target.unit)
        if target.kind != "change":
            return _compare(target, actual, weight, profile)
    if target.kind == "alternatives" and actual.kind in ("comparison", "duration"):
        results = [_compare(part, actual, weight, profile) for part in target.parts]
        known = [r for r in results if r[0] is not None]
        if known:
            return max(known, key=lambda r: r[0])
    if target.kind == "deadline":
        if actual.kind == "deadline":
            met = actual.date <= target.date
            return (weight if met else ZERO), met, False, None
    if target.kind in ("deadline", "duration", "periodic") and (a_text == target.raw.strip() or a_text in MET_WORDS):
        return weight, True, False, None
    if target.kind in ("qualitative", "periodic") or (target.kind == "comparison" and actual.kind == "qualitative"):
        if a_text == target.raw.strip() or a_text in MET_WORDS and LEVELS.get(a_text, 3) >= LEVELS.get(target.raw.strip(), 0):
            return weight, True, False, None
        if target.raw.strip() in LEVELS and a_text in LEVELS:
            kind = "partial" if LEVELS[a_text] == LEVELS[target.raw.strip()] - 1 else "not_achieved"
            return _band(kind, weight, profile), False, False, None
        if a_text in PARTIAL_WORDS:
            return _band("partial", weight, profile), False, False, None
        if a_text in NOT_MET_WORDS:
            return _band("not_achieved", weight, profile), False, False, None
        if actual.kind == "comparison" and actual.is_percent and actual.number is not None:
            pct = actual.number
            if pct >= 80:
                return weight, True, False, None
            return _band("partial" if pct >= 60 else "not_achieved", weight, profile), False, False, None
    if a_text and a_text == target.raw.strip():
        return weight, True, False, None
    return None, None, False, None


def score_row(row: EvaluationIndicator, profile: Profile) -> RowScore:
    suggested, achieved, over, ratio = suggest(row, profile)
    if suggested is not None:
        suggested = q2(min(max(suggested, ZERO), row.weight if row.weight is not None else suggested))
    effective = row.score if row.score is not None else suggested
    return RowScore(suggested, effective, achieved, over, ratio)


def score_self_evaluation(form: SelfEvaluation, profile: Profile) -> EvaluationScore:
    rate, funds_score = funds_result(form)
    rows = tuple(score_row(r, profile) for r in form.indicators)
    indicators_total = sum((r.effective for r in rows if r.effective is not None), ZERO)
    weight_total = (form.funds.weight or ZERO) + sum((r.weight for r in form.indicators if r.weight is not None), ZERO)
    total = None if funds_score is None else q2(funds_score + indicators_total)
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
        grade=profile.grade(total),
    )
