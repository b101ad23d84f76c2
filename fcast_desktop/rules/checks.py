"""Validation of one form (rules N, V, D, S, P of docs/spec/rules.md). Pure functions, no Qt.

``check_form`` returns every problem at once, each pinned to its place (see ``catalogue.Problem``).
It is called after every keystroke in the GUI, so it reads the model directly and caches value parsing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from ..layouts import DECLARATION, DEPARTMENT_OVERALL, SELF_EVALUATION, FieldSpec, FormLayout, level1_name, level2_name
from ..model import (
    AnyForm,
    Declaration,
    DepartmentOverall,
    Project,
    SelfEvaluation,
)
from ..model.forms import EvaluationIndicator, IndicatorBase
from ..model.money import (
    MONEY,
    MONEY_BOUND_TEXT,
    NUMBER,
    SCORE,
    SCORE_BOUND_TEXT,
    format_money,
    format_number,
    out_of_range,
    parse_decimal,
)
from ..model.skeleton import SKELETON, Level2
from .arithmetic import find_calculations, find_part_slips, money_figures
from .catalogue import Problem, problem
from .coach import coach_problems, review_problems
from .index import FormIndex, active_index, search_declaration
from .profiles import Profile, load_profile, profile_for_code
from .scoring import NA_NAMES, EvaluationScore, RowScore, is_not_applicable, q2, score_self_evaluation, weight_sums
from .values import comparable_numbers, parse_value

TEN_THOUSAND = Decimal(10000)
_TYPE = re.compile(r"^(\d{2})\s*\S+")
_CODE = re.compile(r"^\d{21}$")


_UNPRINTED = {"year": "预算年度"}  # model fields a layout does not print

_BY_KEY: dict[int, tuple[FormLayout, dict[str, FieldSpec], dict[str, str]]] = {}


def _by_key(layout: FormLayout) -> tuple[FormLayout, dict[str, FieldSpec], dict[str, str]]:
    """The layout's fields and column titles by key (the first of a key, as a search finds it), made once per
    layout: the rules name cells on every keystroke. The layout is kept in the entry, so its ``id`` stays its own."""
    found = _BY_KEY.get(id(layout))
    if found is None or found[0] is not layout:
        fields: dict[str, FieldSpec] = {}
        for spec in (*layout.header, *layout.texts):
            fields.setdefault(spec.key, spec)
        titles: dict[str, str] = {}
        for c in layout.columns:
            titles.setdefault(c.key, c.title)
        found = _BY_KEY[id(layout)] = (layout, fields, titles)
    return found


def _label(layout: FormLayout, key: str, form: AnyForm) -> str:
    spec = _by_key(layout)[1].get(key)
    return spec.label_for(form).lstrip("*") if spec is not None else _UNPRINTED.get(key, key)


def _column(layout: FormLayout, key: str) -> str:
    return _by_key(layout)[2].get(key, key)


# ---- shared: header, project code, indicator table ------------------------------------------------


def _required(form: AnyForm, layout: FormLayout, keys: list[str], out: list[Problem]) -> None:
    for key in keys:
        value = getattr(form, key)
        if (value is None or (isinstance(value, str) and not value.strip())) and key not in form.raw:
            label = _label(layout, key, form)
            out.append(problem("header.required", key, None, label, key, label=label))


def _project_code(form: Declaration | SelfEvaluation, layout: FormLayout, profile: Profile, out: list[Problem],
                  check_type: bool) -> None:
    code = form.project_code.strip()
    if not code:
        return
    if not _CODE.match(code):
        label = _label(layout, "project_code", form)
        out.append(problem("project_code.format", "project_code", None, label, "project_code", text=code))
        return
    if profile.known_districts and code[:6] not in profile.known_districts:
        known = "、".join(f"{name} {c}" for c, name in list(profile.known_districts.items())[:4]) + " 等"
        label = _label(layout, "project_code", form)
        out.append(problem("project_code.district", "project_code", None, label, "project_code", district=code[:6],
                           known=known))
    if check_type and isinstance(form, Declaration):
        m = _TYPE.match(form.project_type.strip())
        if m and m.group(1) != code[11:13]:
            label = _label(layout, "project_code", form)
            out.append(problem("project_code.type", "project_code", None, label, "project_code",
                               digits=code[11:13], type_code=m.group(1)))


def _na_typo(r: IndicatorBase, n: int, layout: FormLayout, out: list[Problem]) -> None:
    """A 不适用 row written `不适应`: one warning, on the 指标值 if it has the typo, else on the 三级指标."""
    for key in ("target", "name"):
        text = getattr(r, key)
        if parse_value(text).typo:
            out.append(problem("indicator.value.typo", "indicators", n, _column(layout, key).lstrip("*"), key,
                               text=text))
            return


_VALUE_PROBLEM_KINDS = frozenset({"missing_number", "unrecognised"})


def _value_problems(text: str, row: int, column: str, key: str, out: list[Problem]) -> None:
    v = parse_value(text)
    if v.kind == "missing_number":
        out.append(problem("indicator.value.format", "indicators", row, column, key, text=text))
    elif v.kind == "unrecognised":
        out.append(problem("indicator.value.unrecognised", "indicators", row, column, key, text=text))
    elif v.typo:
        out.append(problem("indicator.value.typo", "indicators", row, column, key, text=text))


_SKELETON_KEYS = tuple((info, info.key.value) for info in SKELETON)


def _skeleton(form: AnyForm, layout: FormLayout, profile: Profile | None, out: list[Problem],
              mandatory: bool) -> None:
    """D6/P2 (all ten 二级指标 present; 不适用 is one row), D7 (福田: mandatory 二级 have a real indicator)."""
    rows_of: dict[Level2, list[int]] = {}  # 二级指标 → [rows, of which 不适用]
    for r in form.indicators:
        counts = rows_of.get(r.level2)
        if counts is None:
            counts = rows_of[r.level2] = [0, 0]
        counts[0] += 1
        if r.name.strip() in NA_NAMES:  # ``scoring.is_not_applicable``, inlined: every row of every form
            counts[1] += 1
    column = _column(layout, "level2")
    short = layout.level_style == "short"
    for info, value in _SKELETON_KEYS:
        rows, na = rows_of.get(info.key) or (0, 0)
        if not rows:
            out.append(problem("indicators.skeleton.missing", "indicators", None, column, value,
                               level2=level2_name(info.key, "short" if short else "long")))
            continue
        if na and rows > 1:
            out.append(problem("indicators.not_applicable.mixed", "indicators", None, column, value,
                               level2=level2_name(info.key, "short" if short else "long")))
        if mandatory and profile is not None and na == rows:
            if value in profile.mandatory_level2:
                out.append(problem("indicators.mandatory", "indicators", None, column, value,
                                   level2=level2_name(info.key, "short" if short else "long")))
            elif value in profile.warn_not_applicable_level2:
                out.append(problem("indicators.service_satisfaction.na", "indicators", None, column, value))


def _row_required(form: AnyForm, layout: FormLayout, keys: list[str], out: list[Problem]) -> None:
    """D8: every real indicator has its name, 指标值 and 指标解释 (and V1 on its 指标值)."""
    titles = _by_key(layout)[2]
    for n, r in enumerate(form.indicators):
        if r.name.strip() in NA_NAMES:  # ``scoring.is_not_applicable``
            _na_typo(r, n, layout, out)
            continue
        for key in keys:
            text = getattr(r, key)
            if not text or text.isspace():
                column = titles.get(key, key)
                out.append(problem("indicator.required", "indicators", n, column, key, column=column))
            elif key == "target":
                v = parse_value(text)  # (cached) most values are fine: no call to name the column then
                if v.typo or v.kind in _VALUE_PROBLEM_KINDS:
                    _value_problems(text, n, titles.get(key, key), key, out)


_INTEGER_RULES = {"duration_years": "declaration.duration", "year": "header.year"}
YEARS = range(2000, 2100)  # a 年度 outside is a typo (`23`, `20233`)


def _unreadable_header(form: AnyForm, layout: FormLayout, key: str, text: str) -> Problem:
    """Unreadable text of a typed header field. A number that is not whole (`1.5` for 实施期限, `2023.5` for a
    年度) is a number all the same: its integer field's own rule says it must be whole (D3, 年度)."""
    label = _label(layout, key, form)
    rule = _INTEGER_RULES.get(key)
    number = text.strip().removesuffix("年")
    if rule is not None and (parse_decimal(number) is not None or out_of_range(number, NUMBER)):
        return problem(rule, key, None, label, key, label=label, text=text)
    return problem("number.unreadable", key, None, label, key, text=text)


def unreadable_money(text: str, field: str, row: int | None, column: str, key: str, place: str,
                     unit: str = "元") -> Problem:
    """N1: the raw text of an amount — too many digits (over 10 万亿元, `1E+400`) or no amount at all."""
    if out_of_range(text, MONEY, unit):
        return problem("money.too_large", field, row, column, key, place=place, text=text, bound=MONEY_BOUND_TEXT)
    return problem("money.unreadable", field, row, column, key, text=text)


def unreadable_score(text: str, field: str, row: int | None, column: str, key: str, place: str) -> Problem:
    """N1: the raw text of a 分值 or 得分 — too large (1000 or more, 40 digits) or no number at all."""
    if out_of_range(text, SCORE):
        return problem("number.too_large", field, row, column, key, place=place, text=text, bound=SCORE_BOUND_TEXT)
    return problem("number.unreadable", field, row, column, key, text=text)


def _year(form: AnyForm, layout: FormLayout, out: list[Problem]) -> None:
    """年度 (预算年度, 绩效自评年度, 年度): a whole year of four digits."""
    if form.year is not None and form.year not in YEARS:
        label = _label(layout, "year", form)
        out.append(problem("header.year", "year", None, label, "year", label=label, text=str(form.year)))


def _negative(value: Decimal | None, field: str, row: int | None, column: str, key: str, place: str,
              out: list[Problem], unit: str = "元") -> None:
    """N1: an amount below zero, on its cell; shown in ``unit`` with thousands separators, as the grids show it."""
    if value is not None and value < 0:
        out.append(problem("money.negative", field, row, column, key, place=place,
                           value=format_money(value, unit) + unit))


def _yuan(value: Decimal) -> str:
    """An amount of a 元 table (自评表 funds, 部门整体表 tasks) as the grid shows it: `42,000.00元`."""
    return format_money(value, "元") + "元"


# ---- 二级项目支出绩效目标申报表 ---------------------------------------------------------------------


def check_declaration(form: Declaration, profile: Profile) -> list[Problem]:
    layout = DECLARATION
    out: list[Problem] = []
    for key, text in form.raw.items():
        if key in ("total_amount", "annual_amount"):
            out.append(unreadable_money(text, key, None, _label(layout, key, form), key, layout.field(key).name,
                                        form.amount_unit))
        else:
            out.append(_unreadable_header(form, layout, key, text))
    texts = ["policy_basis", "calculation_basis"] if form.variant == "basis" else ["overview"]
    _required(form, layout, ["project_code", "project_name", "applicant_unit", "budget_unit", "duration_years",
                             "project_type", "is_new", "allocation_method", "total_amount", "annual_amount",
                             "annual_goal", *texts], out)
    _year(form, layout, out)
    _project_code(form, layout, profile, out, check_type=True)
    if form.duration_years is not None and form.duration_years <= 0:
        label = _label(layout, "duration_years", form)
        out.append(problem("declaration.duration", "duration_years", None, label, "duration_years",
                           text=str(form.duration_years)))
    if (form.duration_years or 0) > 1 and not form.long_term_goal.strip():
        label = _label(layout, "long_term_goal", form)
        out.append(problem("declaration.long_term_goal", "long_term_goal", None, label, "long_term_goal",
                           years=form.duration_years))
    for key in ("is_new", "allocation_method"):
        value = getattr(form, key).strip()
        choices = profile.choices.get(key, ())
        if value and choices and value not in choices:
            label = _label(layout, key, form)
            out.append(problem("header.choice", key, None, label, key, label=label, choices="、".join(choices),
                               text=value))
    if form.project_type.strip() and not _TYPE.match(form.project_type.strip()):
        out.append(problem("declaration.project_type", "project_type", None, _label(layout, "project_type", form),
                           "project_type", text=form.project_type))
    total, annual = form.total_amount, form.annual_amount
    for key in ("total_amount", "annual_amount"):
        value = getattr(form, key)
        if value is not None and value < 0:
            _negative(value, key, None, _label(layout, key, form), key, layout.field(key).name, out,
                      unit=form.amount_unit)
    if total is not None and annual is not None and total < annual:
        out.append(problem("declaration.amounts.order", "total_amount", None, _label(layout, "total_amount", form),
                           "total_amount", total=format_money(total, form.amount_unit) + form.amount_unit,
                           annual=format_money(annual, form.amount_unit) + form.amount_unit))
    _unit_trap(form, layout, profile, out)
    _arithmetic(form, layout, profile, out)
    _skeleton(form, layout, profile, out, mandatory=True)
    _row_required(form, layout, ["name", "target", "explanation"], out)
    return out


@dataclass(frozen=True)
class UnitTrap:
    """N3 on a declaration: 本年度项目金额 looks about 10,000 times off (``larger``: too large)."""

    rule: str  # money.unit_trap | money.unit_magnitude
    larger: bool
    fixed: Decimal  # the probable 本年度项目金额, in 元
    params: dict[str, str]


_BAND_LO, _BAND_HI = Decimal("3162"), Decimal("31623")  # 10^4 ± half an order of magnitude
_CAUSE = {True: "是按“元”填写的数字被当作“万元”录入了", False: "是按“万元”填写的数字被当作“元”录入了"}


def unit_trap(form: Declaration, profile: Profile) -> UnitTrap | None:
    """N3: 本年度项目金额 about 10,000 times off what 测算依据/项目概况 says, or implausibly large or small.

    Symmetric in the amount (held in 元), whatever the form's 金额单位: switching 万元 ↔ 元 only changes how the
    amount is shown, so a 元 digit string typed under a 万元 label stays 10,000 times too large after the switch.
    Evidence, strongest first: a money figure of the text equals the amount ÷ 10,000 (too large) or × 10,000 (too
    small); the largest figure of the text is 10^4 ± half an order of magnitude away; no figure, but an amount of
    ``unit_trap_wan_yuan_max`` 万元 (1亿元) or more, or under ``unit_trap_yuan_min`` 元. A figure within 1 % of the
    amount, or of the same order of magnitude, supports it and nothing is reported."""
    amount = form.annual_amount
    if amount is None or amount <= 0:
        return None
    source_key = "calculation_basis" if form.variant == "basis" else "overview"
    figures = [f for f in money_figures(getattr(form, source_key)) if f > 0]
    if figures:
        near = amount / 100
        if any(abs(f - amount) <= near for f in figures):
            return None  # the text supports the amount
    source = _label(DECLARATION, source_key, form) if figures else ""
    larger: bool | None = None
    found: dict[str, str] = {}
    meanings = [(is_larger, meant, meant / 100)
                for is_larger, meant in ((True, amount / TEN_THOUSAND), (False, amount * TEN_THOUSAND))] \
        if figures else []
    for f in figures:
        for is_larger, meant, tolerance in meanings:
            if abs(f - meant) <= tolerance:
                larger, found = is_larger, dict(source=source, relation="写明", figure=_figure(f))
                break
        if larger is not None:
            break
    if larger is None and figures:
        largest = max(figures)
        ratio = amount / largest
        if _off_by_ten_thousand(amount, largest):
            larger = ratio > 1
            found = dict(source=source, relation="中的金额最大为", figure=_figure(largest))
        elif max(ratio, 1 / ratio) < _BAND_LO:
            return None  # the text's amounts are of the amount's order of magnitude
    rule = "money.unit_trap"
    if larger is None:
        rule = "money.unit_magnitude"
        if amount >= profile.unit_trap_wan_yuan_max * TEN_THOUSAND:
            larger, found = True, dict(size=f"一个项目一年 {_figure(amount)} 异常大")
        elif amount < profile.unit_trap_yuan_min:
            larger, found = False, dict(size="一个项目一年的金额异常小")
        else:
            return None
    unit = form.amount_unit
    exact = amount / TEN_THOUSAND if larger else amount * TEN_THOUSAND
    fixed = q2(exact)
    params = dict(shown=format_money(amount, unit), unit=unit, fixed=format_money(exact, unit),
                  total_fix=_total_fix(form, larger, fixed, figures), cause=_CAUSE[larger],
                  how=_how_to_fix(unit, larger), **found)
    if rule == "money.unit_trap":
        params["direction"] = "大" if larger else "小"
    else:
        params["yuan"] = _figure(amount)
    return UnitTrap(rule, larger, fixed, params)


def _how_to_fix(unit: str, larger: bool) -> str:
    """Digits typed in the other unit (元 digits under 万元: too large; 万元 digits under 元: too small) can also be
    fixed by switching 金额单位 and keeping the digits; otherwise only new digits fix it. Switching the unit with
    the amounts converted for display never does: the amount stays the same."""
    if (larger and unit == "万元") or (not larger and unit == "元"):
        other = "元" if unit == "万元" else "万元"
        return f"（或把金额单位改为“{other}”并选择“保留所填的数字”；若选择换算显示，金额不变，仍然不对）"
    return "（请直接改正数值：改金额单位只换算显示，金额不变）"


def _unit_trap(form: Declaration, layout: FormLayout, profile: Profile, out: list[Problem]) -> None:
    trap = unit_trap(form, profile)
    if trap is not None:
        label = _label(layout, "annual_amount", form)
        out.append(problem(trap.rule, "annual_amount", None, label, "annual_amount", **trap.params))


def _figure(yuan: Decimal) -> str:
    """An amount in 元 the way staff write it: `1.2万元`, `464万元`, `12000元`, `1.2亿元`."""
    if yuan >= Decimal(100000000):
        return format_number(yuan / Decimal(100000000)) + "亿元"
    if yuan >= TEN_THOUSAND:
        return format_number(yuan / TEN_THOUSAND) + "万元"
    return format_number(yuan) + "元"


_TOTAL_NAME = DECLARATION.field("total_amount").name  # 项目总金额（中期规划）
_ANNUAL_NAME = DECLARATION.field("annual_amount").name  # 本年度项目金额


def _total_fix(form: Declaration, larger: bool, annual: Decimal, figures: list[Decimal]) -> str:
    """The corrected 项目总金额（中期规划） to suggest beside the corrected 本年度项目金额 ``annual``, or "" when the
    total should stay. The total is rescaled by 10,000 only when it is off itself: a figure of the text equals the
    rescaled total (and none the total), or — too large — the total is still about 10,000 times the corrected
    annual amount (typed in the same wrong unit), or — too small — it would fall below the corrected annual amount
    (D5). A total the text supports, or one already consistent with the corrected amount, is left alone; so is one
    whose rescaling would break D5: a total below the corrected amount that no rescaling fixes is only pointed at."""
    total = form.total_amount
    if total is None or total <= 0 or annual <= 0 or any(abs(f - total) <= total / 100 for f in figures):
        return ""
    rescaled = total / TEN_THOUSAND if larger else total * TEN_THOUSAND
    if q2(rescaled) >= annual and (any(abs(f - rescaled) <= rescaled / 100 for f in figures)
                                   or (total / annual >= _BAND_LO if larger else total < annual)):
        return f"，{_TOTAL_NAME}应为 {format_money(rescaled, form.amount_unit)}{form.amount_unit}"
    if total < annual:
        return f"，{_TOTAL_NAME}也须改正（不能小于{_ANNUAL_NAME}）"
    return ""


def _arithmetic(form: Declaration, layout: FormLayout, profile: Profile, out: list[Problem]) -> None:
    """D9: every `… = result` of 测算依据 (or 项目概况) recomputed; amounts written before expressions checked."""
    key = "calculation_basis" if form.variant == "basis" else "overview"
    text = getattr(form, key)
    if not text or not any(ch in text for ch in "=＝≈"):
        return
    label = _label(layout, key, form)
    for calc in find_calculations(text, profile.approx_tolerance):
        if calc.truncated:
            out.append(problem("calculation.truncated", key, None, label, key, expression=calc.text,
                               exact=calc.exact_text, correct=calc.half_up_text, stated=calc.stated_text,
                               unit=calc.unit))
        elif not calc.matches:
            correct = ("约 " if calc.approx else "") + calc.correct_text
            if calc.unit == "元" and calc.stated * TEN_THOUSAND == calc.rounded:
                correct += f"（即 {_figure(calc.computed)}：结果的单位可能应为“万元”）"
            out.append(problem("calculation.arithmetic", key, None, label, key, expression=calc.text,
                               correct=correct, stated=calc.stated_text, unit=calc.unit))
    for slip in find_part_slips(text, profile.approx_tolerance):
        out.append(problem("calculation.part", key, None, label, key, heading=slip.heading, stated=slip.stated,
                           difference=slip.difference, expressions=slip.expressions))


# ---- 项目支出绩效自评表 ---------------------------------------------------------------------------

_FUNDS = SELF_EVALUATION.funds
assert _FUNDS is not None
FUND_ROWS = ("total", "appropriation", "carryover", "other")
FUND_COLUMNS = {c.key: c.title for c in _FUNDS.columns[:_FUNDS.amounts]}  # initial_budget → 年初预算数 …
FUND_ROW_TITLES = {r.key: r.label for r in _FUNDS.rows}  # total → 年度资金总额, appropriation → 其中：当年财政拨款…
_FUNDS_WEIGHT = _FUNDS.column("weight").title  # 分值


def check_self_evaluation(form: SelfEvaluation, profile: Profile, project: Project | None = None,
                          score: EvaluationScore | None = None, index: FormIndex | None = None) -> list[Problem]:
    layout = SELF_EVALUATION
    out: list[Problem] = []
    for key, text in form.raw.items():
        out.append(_unreadable_header(form, layout, key, text))
    _year(form, layout, out)
    _required(form, layout, ["project_code", "project_name", "year", "implementing_unit", "budget_unit",
                             "actual_result"], out)
    _project_code(form, layout, profile, out, check_type=False)
    # funds (S1, S2, S14)
    for n, attr in enumerate(FUND_ROWS):
        line = getattr(form.funds, attr)
        for key, text in line.raw.items():
            out.append(unreadable_money(text, "funds", n, FUND_COLUMNS[key], key,
                                        f"{FUND_ROW_TITLES[attr]}的{FUND_COLUMNS[key]}"))
        for key, title in FUND_COLUMNS.items():
            value = getattr(line, key)
            if value is not None and value < 0:
                _negative(value, "funds", n, title, key, f"{FUND_ROW_TITLES[attr]}的{title}", out)
    for key, title in FUND_COLUMNS.items():
        total = getattr(form.funds.total, key)
        if total is None:
            if key not in form.funds.total.raw:
                out.append(problem("funds.required", "funds", 0, title, key,
                                   column=f"{FUND_ROW_TITLES['total']}的{title}"))
            continue
        parts = [getattr(getattr(form.funds, a), key) for a in FUND_ROWS[1:]]
        if all(p is None for p in parts):
            continue
        s = sum((p or Decimal(0) for p in parts), Decimal("0.00"))
        if s != total:
            out.append(problem("funds.sum", "funds", 0, title, key, column=title, total=_yuan(total), sum=_yuan(s)))
    if not form.funds.total.annual_budget and "annual_budget" not in form.funds.total.raw \
            and form.funds.total.annual_budget is not None:
        out.append(problem("funds.budget.zero", "funds", 0, FUND_COLUMNS["annual_budget"], "annual_budget"))
    for key, text in form.funds.raw.items():
        out.append(unreadable_score(text, "funds", 0, _FUNDS_WEIGHT, key, f"资金{_FUNDS_WEIGHT}"))
    funds_trap = _funds_unit_trap(form, out)
    score = score or score_self_evaluation(form, profile)
    _skeleton(form, layout, None, out, mandatory=False)
    _evaluation_rows(form, layout, profile, score, out)
    _weights(form, layout, profile, out)
    if project is not None:
        _drift(form, layout, project, profile, out, funds_trap, index)
    return out


def _off_by_ten_thousand(a: Decimal, b: Decimal) -> bool:
    """a and b (both > 0) are 10^4 ± half an order of magnitude apart, either way."""
    ratio = a / b
    return _BAND_LO <= ratio <= _BAND_HI or _BAND_LO <= 1 / ratio <= _BAND_HI


def _funds_unit_trap(form: SelfEvaluation, out: list[Problem]) -> str | None:
    """N3 on a self-evaluation: of 年度资金总额's 年初预算数, 全年预算数 and 全年执行数, one is about 10,000 times off
    the
    others (a 万元 figure typed into a 元 form, or a 10,000× amount copied from a declaration). Returns the key of the
    cell reported. With only two amounts the odd one cannot be told: the warning sits on the first of them."""
    line = form.funds.total
    amounts = {k: getattr(line, k) for k in FUND_COLUMNS if getattr(line, k) is not None and getattr(line, k) > 0}
    if len(amounts) < 2:
        return None
    for key, value in amounts.items():
        others = {k: v for k, v in amounts.items() if k != key}
        if all(_off_by_ten_thousand(value, v) for v in others.values()):
            if len(others) > 1 and _off_by_ten_thousand(*others.values()):
                continue  # all three apart: no odd one
            names = "、".join(f"{FUND_COLUMNS[k]} {_yuan(v)}" for k, v in others.items())
            out.append(problem("funds.unit_trap", "funds", 0, FUND_COLUMNS[key], key, column=FUND_COLUMNS[key],
                               value=_yuan(value), others=names))
            return key
    return None


def _evaluation_rows(form: SelfEvaluation, layout: FormLayout, profile: Profile, score: EvaluationScore,
                     out: list[Problem]) -> None:
    titles = _by_key(layout)[2]

    def col(key: str) -> str:
        return titles.get(key, key).lstrip("*")

    for n, r in enumerate(form.indicators):
        for key, text in r.raw.items():
            out.append(unreadable_score(text, "indicators", n, col(key), key, f"第 {n + 1} 行指标的{col(key)}"))
        if is_not_applicable(r):
            if r.actual.strip() not in ("无", "不适用", "") or (r.weight or 0) != 0 or (r.score or 0) != 0 \
                    or r.target.strip() not in ("不适用", "不适应"):
                out.append(problem("evaluation.not_applicable.row", "indicators", n, col("name"), "name"))
            _na_typo(r, n, layout, out)
            continue
        for key in ("name", "target", "actual"):
            if not getattr(r, key).strip():
                out.append(problem("indicator.required", "indicators", n, col(key), key, column=col(key)))
        if r.target.strip():
            v = parse_value(r.target)  # (cached) the column is named only for a value with a problem
            if v.typo or v.kind in _VALUE_PROBLEM_KINDS:
                _value_problems(r.target, n, col("target"), "target", out)
        if r.weight is None and "weight" not in r.raw:
            out.append(problem("indicator.required", "indicators", n, col("weight"), "weight", column=col("weight")))
        rs = score.rows[n]
        if r.score is None and "score" not in r.raw:
            if rs.suggested is not None:
                out.append(problem("evaluation.score.missing", "indicators", n, col("score"), "score",
                                   suggested=format_number(rs.suggested)))
            elif r.weight is not None:
                out.append(problem("evaluation.score.unknown", "indicators", n, col("score"), "score"))
        if r.score is not None and r.weight is not None and not (0 <= r.score <= r.weight):
            out.append(problem("evaluation.score.range", "indicators", n, col("score"), "score",
                               score=format_number(r.score), weight=format_number(r.weight),
                               counted=format_number(rs.effective)))
        effective = rs.effective
        if effective is not None and r.weight is not None and effective < r.weight and not r.deviation.strip():
            out.append(problem("evaluation.deviation.required", "indicators", n, col("deviation"), "deviation",
                               score=format_number(effective), weight=format_number(r.weight)))
        if rs.over_achieved and r.score is None and "score" not in r.raw:
            # S10: flagged until the user decides by typing the score (full or reduced); never deducted here
            out.append(problem("evaluation.over_achievement", "indicators", n, col("actual"), "actual",
                               actual=r.actual, target=r.target, ratio=format_number(rs.ratio),
                               factor=format_number(profile.over_achievement_factor)))
        if rs.band is not None and r.score is not None and r.weight and not (rs.band[0] <= r.score <= rs.band[1]):
            low, high = rs.band
            out.append(problem("evaluation.score.band", "indicators", n, col("score"), "score",
                               band=_band_name(rs, r.weight, profile), low=format_number(low), high=format_number(high),
                               low_pct=format_number(low / r.weight * 100),
                               high_pct=format_number(high / r.weight * 100),
                               score=format_number(r.score)))
        _actual_units(r, rs, n, col, out)
        over = profile.deviation_required_over_factor
        if over is not None and rs.ratio is not None and rs.ratio >= over and not r.deviation.strip():
            out.append(problem("evaluation.deviation.over", "indicators", n, col("deviation"), "deviation",
                               factor=format_number(over)))


def _actual_units(r: EvaluationIndicator, rs: RowScore, n: int, col: Callable[[str], str],
                  out: list[Problem]) -> None:
    """实际完成值 whose unit does not fit the 年度指标值: a bare fraction against a percentage (`0.95` for `≥90%`, read
    as 0.95 %), or another unit (`12天` for `≥10个`). Warned, never rewritten."""
    target, actual = parse_value(r.target), parse_value(r.actual)
    if target.number is None or actual.number is None or actual.kind not in ("comparison", "duration"):
        return
    if target.kind == "comparison" and target.is_percent and not target.reverse and target.number > 1 \
            and actual.kind == "comparison" and not actual.op and not actual.unit and 0 < actual.number <= 1:
        percent = format_number(actual.number * 100)
        note = f"，建议得分为 {format_number(rs.suggested)}" if rs.suggested is not None else ""
        out.append(problem("evaluation.actual.fraction", "indicators", n, col("actual"), "actual",
                           actual=r.actual.strip(), target=r.target.strip(), percent=percent, score_note=note))
        return
    if rs.suggested is None and target.kind in ("comparison", "duration") and target.unit and actual.unit \
            and comparable_numbers(target, actual) is None:
        out.append(problem("evaluation.actual.unit", "indicators", n, col("actual"), "actual",
                           actual=r.actual.strip(), unit=actual.unit, target=r.target.strip(), expected=target.unit))


_BAND_NAMES = {"achieved": "达成", "partial": "部分达成", "not_achieved": "未达成"}


def _band_name(rs: RowScore, weight: Decimal, profile: Profile) -> str:
    for kind, (low, high) in profile.qualitative_bands.items():
        if (q2(weight * low), q2(weight * high)) == rs.band:
            return _BAND_NAMES.get(kind, kind)
    return "定性档次"


def _weights(form: SelfEvaluation, layout: FormLayout, profile: Profile, out: list[Problem]) -> None:
    """S4: Σ 分值 of each 一级 equals its weight; funds + indicators = 100."""
    sums = weight_sums(form)
    column = _column(layout, "weight").lstrip("*")
    for level1, total in sums.items():
        expected = profile.level1_weights.get(level1.value)
        if expected is not None and total != expected:
            out.append(problem("evaluation.weights.level1", "indicators", None, column, "weight",
                               level1=level1_name(level1), sum=format_number(total),
                               expected=format_number(expected)))
    grand = (form.funds.weight or Decimal(0)) + sum(sums.values(), Decimal(0))
    if grand != profile.total_weight and all(
        total == profile.level1_weights.get(level1.value, total) for level1, total in sums.items()
    ):
        out.append(problem("evaluation.weights.total", "funds", 0, _FUNDS_WEIGHT, "weight", sum=format_number(grand),
                           expected=format_number(profile.total_weight)))


def declaration_of(form: SelfEvaluation, project: Project, index: FormIndex | None = None) -> Declaration | None:
    """S15: the declaration the evaluation was made from, else one of the same 项目编码 and the same year: looked up
    in ``index`` or the whole-project check's (``rules.index.indexed``), so that check stays linear in the forms;
    searched otherwise."""
    index = index or active_index(project)
    return index.declaration_of(form) if index is not None else search_declaration(form, project)


def _drift(form: SelfEvaluation, layout: FormLayout, project: Project, profile: Profile, out: list[Problem],
           funds_trap: str | None = None, index: FormIndex | None = None) -> None:
    """S15: an evaluation made from a declaration of the same project and year keeps its rows and targets, and its
    年初预算数 agrees with the declaration's 本年度项目金额 (a 10,000× gap, or a copy of a declaration amount N3
    doubts, is a warning on 年初预算数)."""
    decl = declaration_of(form, project, index)
    if decl is None:
        return
    if funds_trap != "initial_budget":
        _declared_amount(form, decl, profile, out)
    declared = {(r.level2, r.name.strip()): r.target for r in decl.indicators if not is_not_applicable(r)}
    for n, r in enumerate(form.indicators):
        if is_not_applicable(r) or not r.name.strip():
            continue
        target = declared.get((r.level2, r.name.strip()))
        if target is None:
            out.append(problem("evaluation.declaration.unknown_row", "indicators", n, _column(layout, "name"), "name",
                               name=r.name))
        elif target.strip() != r.target.strip():
            out.append(problem("evaluation.declaration.drift", "indicators", n, _column(layout, "target"), "target",
                               name=r.name, declared=target, target=r.target))


def _declared_amount(form: SelfEvaluation, decl: Declaration, profile: Profile, out: list[Problem]) -> None:
    initial, declared = form.funds.total.initial_budget, decl.annual_amount
    if initial is None or declared is None or initial <= 0 or declared <= 0:
        return
    column = FUND_COLUMNS["initial_budget"]
    if initial == declared:
        trap = unit_trap(decl, form_profile(decl, profile))
        if trap is not None:
            out.append(problem("evaluation.declaration.amount_trap", "funds", 0, column, "initial_budget",
                               initial=_yuan(initial), direction="大" if trap.larger else "小",
                               fixed=_yuan(trap.fixed)))
    elif _off_by_ten_thousand(initial, declared):
        if unit_trap(decl, form_profile(decl, profile)) is not None:
            advice = f"申报表的金额很可能有误（见申报表的金额单位提示），请先改正申报表，再核对{column}"
        else:
            advice = "请核对哪一个金额的单位有误（自评表金额以元为单位）"
        shown = f"{format_money(declared, decl.amount_unit)}{decl.amount_unit}"
        if decl.amount_unit != "元":
            shown += f"（即 {_yuan(declared)}）"
        out.append(problem("evaluation.declaration.amount", "funds", 0, column, "initial_budget",
                           initial=_yuan(initial), declared=shown, advice=advice))


# ---- 部门（单位）整体支出绩效目标申报表 -------------------------------------------------------------

assert DEPARTMENT_OVERALL.tasks is not None
TASK_COLUMNS = {c.key: c.title for c in DEPARTMENT_OVERALL.tasks.columns}  # name → 任务名称, total → 总额 …


def check_department(form: DepartmentOverall, profile: Profile) -> list[Problem]:
    layout = DEPARTMENT_OVERALL
    out: list[Problem] = []
    for key, text in form.raw.items():
        out.append(_unreadable_header(form, layout, key, text))
    _year(form, layout, out)
    _required(form, layout, ["year", "department_name", "overall_goal"], out)
    for n, t in enumerate(form.tasks):
        for key, text in t.raw.items():
            name = f"任务“{t.name}”" if t.name.strip() else f"任务第 {n + 1} 行"
            out.append(unreadable_money(text, "tasks", n, TASK_COLUMNS[key], key, f"{name}的{TASK_COLUMNS[key]}"))
        for key in ("name", "total"):
            if (getattr(t, key) in (None, "")) and key not in t.raw:
                out.append(problem("department.task.required", "tasks", n, TASK_COLUMNS[key], key, n=n + 1,
                                   column=TASK_COLUMNS[key]))
        for key in ("total", "appropriation", "other"):
            value = getattr(t, key)
            if value is not None and value < 0:
                name = f"任务“{t.name}”" if t.name.strip() else f"任务第 {n + 1} 行"
                _negative(value, "tasks", n, TASK_COLUMNS[key], key, f"{name}的{TASK_COLUMNS[key]}", out)
        if t.total is not None:
            s = (t.appropriation or Decimal(0)) + (t.other or Decimal(0))
            if s != t.total:
                out.append(problem("department.task.sum", "tasks", n, TASK_COLUMNS["total"], "total", name=t.name,
                                   total=_yuan(t.total), appropriation=_yuan(t.appropriation or Decimal(0)),
                                   other=_yuan(t.other or Decimal(0)), sum=_yuan(s)))
    _skeleton(form, layout, None, out, mandatory=False)
    _row_required(form, layout, ["name", "target", "measure_unit", "explanation"], out)
    unit_column = _column(layout, "measure_unit")
    for n, r in enumerate(form.indicators):
        if is_not_applicable(r) or not r.measure_unit.strip() or not r.target.strip():
            continue
        expected = _expected_unit(r.target)
        if expected is not None and r.measure_unit.strip() not in expected:
            out.append(problem("indicator.unit.mismatch", "indicators", n, unit_column, "measure_unit",
                               unit=r.measure_unit, target=r.target, expected="或".join(expected)))
    return out


def _expected_unit(target: str) -> tuple[str, ...] | None:
    """V3: the 度量单位 a 指标值 implies (`≥190万人` → 万人; qualitative levels → %; deadlines → 时间)."""
    v = parse_value(target)
    if v.kind in ("comparison", "duration", "change") and v.unit:
        return (v.unit,)
    if v.kind == "qualitative":
        return ("%",)
    if v.kind == "deadline":
        return ("时间", "年", "月", "日")
    return None


# ---- entry points ---------------------------------------------------------------------------------


def form_profile(form: AnyForm, profile: Profile) -> Profile:
    return profile_for_code(getattr(form, "project_code", ""), profile)


def check_form(form: AnyForm, profile: Profile | None, project: Project | None = None,
               score: EvaluationScore | None = None, *, hints: bool = False,
               index: FormIndex | None = None) -> list[Problem]:
    """Every problem of ``form``. A self-evaluation's ``score`` (from ``rules.score_self_evaluation``) may be passed
    in when the caller has it, to score only once per edit. ``profile`` None: the project's (or the default).

    ``hints``: also the indicator coach's advice (severity ``hint``, ``rules.coach``). Without it, only errors and
    warnings are returned — a coach rule a profile raises to a warning included.

    ``index``: a ``rules.index.FormIndex`` of ``project.forms`` kept by the caller (up to date with its edits), so
    the S15 lookup costs no search of the project; whole-project loops use ``rules.index.indexed`` instead."""
    if profile is None:
        profile = load_profile(project.profile if project is not None else None)
    profile = form_profile(form, profile)
    if isinstance(form, Declaration):
        out = check_declaration(form, profile)
    elif isinstance(form, SelfEvaluation):
        score = score or score_self_evaluation(form, profile)
        out = check_self_evaluation(form, profile, project, score, index)
    else:
        out = check_department(form, profile)
    out += review_problems(form)
    if hints or any(rule.startswith("coach.") for rule in profile.rule_overrides):
        out += coach_problems(form, profile, score)
    if profile.rule_overrides:
        out = apply_overrides(out, profile)
    return out if hints else [p for p in out if p.severity != "hint"]


def apply_overrides(problems: list[Problem], profile: Profile) -> list[Problem]:
    """A profile may switch a rule off (``"enabled": false``) or change its severity (``"severity": "warning"``)."""
    out = []
    for p in problems:
        o = profile.rule_overrides.get(p.rule)
        if o is None:
            out.append(p)
        elif o.get("enabled", True):
            out.append(replace(p, severity=o.get("severity", p.severity)))
    return out
