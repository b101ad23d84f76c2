"""Rules engine: every rule id fires where it should (and not on clean forms), scoring boundaries, the official
scores of seed 003, and property tests of the value and arithmetic readers."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fcast_desktop.exchange.published_text import parse_published_text, read_text_file
from fcast_desktop.layouts.levels import level2_name
from fcast_desktop.model import (
    SKELETON,
    Declaration,
    DeclarationIndicator,
    DepartmentIndicator,
    DepartmentOverall,
    EvaluationIndicator,
    FundLine,
    Funds,
    Level2,
    Project,
    SelfEvaluation,
    Task,
)
from fcast_desktop.rules import RULES, check_form, load_profile
from fcast_desktop.rules.arithmetic import find_calculations, find_part_slips, money_figures
from fcast_desktop.rules.report import check_entries, computed_values, score_entries
from fcast_desktop.rules.scoring import score_row, score_self_evaluation
from fcast_desktop.rules.values import parse_value

FUTIAN = load_profile("shenzhen-futian")
BAOAN = load_profile("shenzhen-baoan")
D = Decimal

# ---- builders of clean forms ------------------------------------------------------------------------


def clean_declaration(**kw) -> Declaration:
    rows = [DeclarationIndicator(level2=info.key, name=f"{level2_name(info.key, 'short')}指标",
                                 target="≥90%", explanation="考核说明")
            for info in SKELETON]
    base = dict(project_code="440304221061500000046", project_name="测试项目", applicant_unit="单位",
                budget_unit="单位", duration_years=3, project_type="15 其他经费", is_new="否",
                allocation_method="项目法", amount_unit="万元", total_amount=D("360000.00"),
                annual_amount=D("120000.00"), variant="basis",
                policy_basis="依据", calculation_basis="共12万元。", annual_goal="目标", long_term_goal="长期",
                indicators=rows)
    base.update(kw)
    return Declaration(**base)


def clean_evaluation(**kw) -> SelfEvaluation:
    weights = {"quantity": 20, "quality": 10, "timeliness": 10, "cost": 10, "social": 30, "service_satisfaction": 10}
    rows = []
    for info in SKELETON:
        w = weights.get(info.key.value)
        if w is None:
            rows.append(EvaluationIndicator(level2=info.key, name="不适用", target="不适用", actual="无", weight=D(0),
                                            score=D(0)))
        else:
            rows.append(EvaluationIndicator(level2=info.key, name=f"{level2_name(info.key, 'short')}指标",
                                            target="≥90%", actual="95%",
                                            weight=D(w), score=D(w)))
    line = FundLine(initial_budget=D("100.00"), annual_budget=D("100.00"), executed=D("90.00"))
    zero = FundLine(initial_budget=D("0.00"), annual_budget=D("0.00"), executed=D("0.00"))
    base = dict(project_code="440304221061500000046", project_name="测试", year=2022, implementing_unit="单位",
                budget_unit="单位", funds=Funds(total=line, appropriation=line.model_copy(), carryover=zero,
                                               other=zero.model_copy()),
                expected_goal="预期", actual_result="完成", indicators=rows)
    base.update(kw)
    return SelfEvaluation(**base)


def clean_department(**kw) -> DepartmentOverall:
    rows = [DepartmentIndicator(level2=info.key, name="指标", target="≥95%", measure_unit="%", explanation="说明")
            for info in SKELETON]
    base = dict(year=2026, department_name="局", supervising_department="局", overall_goal="目标",
                tasks=[Task(name="基本支出", content="内容", total=D("10.00"), appropriation=D("8.00"),
                            other=D("2.00"))],
                indicators=rows)
    base.update(kw)
    return DepartmentOverall(**base)


def rules_of(form, profile=FUTIAN, project=None) -> list[str]:
    return [p.rule for p in check_form(form, profile, project)]


def test_clean_forms_have_no_problems():
    assert rules_of(clean_declaration()) == []
    assert rules_of(clean_evaluation()) == []
    assert rules_of(clean_department()) == []


def _with_row(form, index: int, **changes):
    rows = [r.model_copy() for r in form.indicators]
    for k, v in changes.items():
        setattr(rows[index], k, v)
    form.indicators = rows
    return form


def _drop_level2(form, level2):
    form.indicators = [r for r in form.indicators if r.level2 != level2]
    return form


def _raw(form, key, text):
    form.raw = {key: text}
    setattr(form, key, None)
    return form


def _na(form, level2):
    rows = [r for r in form.indicators if r.level2 != level2]
    rows.append(DeclarationIndicator(level2=level2, name="不适用", target="不适用", explanation="不适用"))
    form.indicators = rows
    return form


def _task(**kw):
    t = dict(name="任务", content="c", total=D("10.00"), appropriation=D("8.00"), other=D("2.00"))
    t.update(kw)
    return Task(**t)


# (rule id, a form that must trigger it, expected field/row/key of the first such problem)
CASES = {
    "money.unreadable": (lambda: _raw(clean_declaration(), "annual_amount", "十二万"), ("annual_amount", None)),
    "money.unit_trap": (lambda: clean_declaration(annual_amount=D("120000000.00"), total_amount=D("360000000.00"),
                                                  calculation_basis="共1.2万元"),
                        ("annual_amount", None)),
    "money.unit_magnitude": (lambda: clean_declaration(annual_amount=D("1000000000.00"),
                                                       total_amount=D("3000000000.00"),
                                                       calculation_basis="按合同支付"), ("annual_amount", None)),
    "money.negative": (lambda: clean_declaration(annual_amount=D("-50000.00")), ("annual_amount", None)),
    "money.too_large": (lambda: _raw(clean_declaration(), "annual_amount", "9" * 30), ("annual_amount", None)),
    "number.unreadable": (lambda: _raw(clean_declaration(), "duration_years", "三年"), ("duration_years", None)),
    "number.too_large": (lambda: _with_row(clean_evaluation(), 0, weight=None, raw={"weight": "9" * 40}),
                         ("indicators", 0)),
    "header.year": (lambda: _raw(clean_evaluation(), "year", "2022.5"), ("year", None)),
    "indicator.value.format": (lambda: _with_row(clean_declaration(), 0, target="≥"), ("indicators", 0)),
    "indicator.value.unrecognised": (lambda: _with_row(clean_declaration(), 0, target="大概吧"), ("indicators", 0)),
    "indicator.value.typo": (lambda: _with_row(clean_declaration(), 4, target="不适应", name="经济"),
                             ("indicators", 4)),
    "indicator.unit.mismatch": (lambda: _with_row(clean_department(), 0, target="≥190万人", measure_unit="人"),
                                ("indicators", 0)),
    "header.required": (lambda: clean_declaration(project_name=""), ("project_name", None)),
    "project_code.format": (lambda: clean_declaration(project_code="44030422106"), ("project_code", None)),
    "project_code.district": (lambda: clean_declaration(project_code="110101221061500000046"), ("project_code", None)),
    "project_code.type": (lambda: clean_declaration(project_type="01 其他项目"), ("project_code", None)),
    "declaration.duration": (lambda: clean_declaration(duration_years=0), ("duration_years", None)),
    "declaration.long_term_goal": (lambda: clean_declaration(long_term_goal=""), ("long_term_goal", None)),
    "header.choice": (lambda: clean_declaration(allocation_method="随机法"), ("allocation_method", None)),
    "declaration.project_type": (lambda: clean_declaration(project_type="其他经费"), ("project_type", None)),
    "declaration.amounts.order": (lambda: clean_declaration(total_amount=D("100.00")), ("total_amount", None)),
    "indicators.skeleton.missing": (lambda: _drop_level2(clean_declaration(), Level2.ECOLOGICAL), ("indicators", None)),
    "indicators.not_applicable.mixed": (
        lambda: clean_declaration(indicators=clean_declaration().indicators
                                  + [DeclarationIndicator(level2=Level2.ECONOMIC, name="不适用", target="不适用",
                                                          explanation="不适用")]), ("indicators", None)),
    "indicators.mandatory": (lambda: _na(clean_declaration(), Level2.COST), ("indicators", None)),
    "indicators.service_satisfaction.na": (lambda: _na(clean_declaration(), Level2.SERVICE_SATISFACTION),
                                           ("indicators", None)),
    "indicator.required": (lambda: _with_row(clean_declaration(), 2, explanation=""), ("indicators", 2)),
    "calculation.arithmetic": (lambda: clean_declaration(
        calculation_basis="50元/人/日*171人*22日*12个月=198万元，共12万元"), ("calculation_basis", None)),
    "calculation.truncated": (lambda: clean_declaration(calculation_basis="2259*260*12=704.80万元，共12万元"),
                              ("calculation_basis", None)),
    "calculation.part": (lambda: clean_declaration(
        calculation_basis="分厅后勤保障经费38.20万元,50元/人/日*29人*22日*12个月=38.28万元。共12万元"),
        ("calculation_basis", None)),
    "funds.sum": (lambda: clean_evaluation(funds=Funds(
        total=FundLine(initial_budget=D("100.00"), annual_budget=D("100.00"), executed=D("90.00")),
        appropriation=FundLine(initial_budget=D("50.00"), annual_budget=D("100.00"), executed=D("90.00")))),
        ("funds", 0)),
    "funds.unit_trap": (lambda: clean_evaluation(funds=Funds(
        total=FundLine(initial_budget=D("1000000.00"), annual_budget=D("100.00"), executed=D("90.00")))),
        ("funds", 0)),
    "funds.budget.zero": (lambda: clean_evaluation(funds=Funds(
        total=FundLine(initial_budget=D("0.00"), annual_budget=D("0.00"), executed=D("0.00")))), ("funds", 0)),
    "funds.required": (lambda: clean_evaluation(funds=Funds()), ("funds", 0)),
    "evaluation.weights.level1": (lambda: _with_row(clean_evaluation(), 0, weight=D(15), score=D(15)),
                                  ("indicators", None)),
    "evaluation.weights.total": (lambda: clean_evaluation(funds=Funds(
        total=FundLine(initial_budget=D("1.00"), annual_budget=D("1.00"), executed=D("1.00")), weight=D(20))),
        ("funds", 0)),
    "evaluation.not_applicable.row": (lambda: _with_row(clean_evaluation(), 4, weight=D(1), score=D(1)),
                                      ("indicators", 4)),
    "evaluation.score.range": (lambda: _with_row(clean_evaluation(), 0, score=D(25)), ("indicators", 0)),
    "evaluation.actual.fraction": (lambda: _with_row(clean_evaluation(), 0, actual="0.95"), ("indicators", 0)),
    "evaluation.actual.unit": (lambda: _with_row(clean_evaluation(), 0, target="≥10个", actual="12天"),
                               ("indicators", 0)),
    "evaluation.over_achievement": (lambda: _with_row(clean_evaluation(), 0, target="≥10个", actual="17个",
                                                      score=None), ("indicators", 0)),
    "evaluation.score.band": (lambda: _with_row(clean_evaluation(), 0, target="显著", actual="明显", score=D(20)),
                              ("indicators", 0)),
    "evaluation.deviation.required": (lambda: _with_row(clean_evaluation(), 0, score=D("18")), ("indicators", 0)),
    "evaluation.deviation.over": (None, None),  # profile option, tested below
    "evaluation.score.missing": (lambda: _with_row(clean_evaluation(), 0, score=None), ("indicators", 0)),
    "evaluation.score.unknown": (lambda: _with_row(clean_evaluation(), 0, score=None, actual="差不多"),
                                 ("indicators", 0)),
    "evaluation.declaration.drift": (None, None),  # needs a project, tested below
    "evaluation.declaration.unknown_row": (None, None),
    "evaluation.declaration.amount": (None, None),  # needs a project, tested below
    "evaluation.declaration.amount_trap": (None, None),
    "department.task.sum": (lambda: clean_department(tasks=[_task(total=D("11.00"))]), ("tasks", 0)),
    "department.task.required": (lambda: clean_department(tasks=[_task(name="")]), ("tasks", 0)),
    "rollover.amount_review": (lambda: clean_declaration(review=["annual_amount"]), ("annual_amount", None)),
    **{rule: (None, None) for rule in RULES if rule.startswith("coach.")},  # tested in tests/test_coach.py
}


def test_every_catalogue_rule_has_a_case():
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("rule_id", [k for k, (make, _) in CASES.items() if make])
def test_rule_fires_at_its_place(rule_id):
    make, (field, row) = CASES[rule_id]
    problems = [p for p in check_form(make(), FUTIAN) if p.rule == rule_id]
    assert problems, f"{rule_id} did not fire"
    p = problems[0]
    assert (p.field, p.row) == (field, row)
    assert p.severity == RULES[rule_id].severity
    assert re.search(r"[\u4e00-\u9fff]", p.message) and "{" not in p.message


def test_unit_trap_message_gives_the_fix():
    form = clean_declaration(annual_amount=D("120000000.00"), total_amount=D("480000000.00"),
                             calculation_basis="4名科级以下退休干部老年节1000元/人、春节日慰问2000元/人共1.2万元。")
    (p,) = [p for p in check_form(form, FUTIAN) if p.rule == "money.unit_trap"]
    assert "12,000.00万元" in p.message and "1.2万元" in p.message
    assert "本年度项目金额应为 1.20万元" in p.message and "项目总金额（中期规划）应为 4.80万元" in p.message
    assert "大了约 1 万倍" in p.message
    # 元 digits under 万元: switching to 元 fixes it only when the digits are kept, not when they are converted
    assert "把金额单位改为“元”并选择“保留所填的数字”" in p.message and "若选择换算显示，金额不变" in p.message


def test_unit_trap_survives_switching_the_unit_to_yuan():
    """Review: 12,000.00 typed under 万元 (meant as 元); following the old advice "把金额单位改为元" shows
    120,000,000.00 元 while 测算依据 says 共1.2万元 — the warning must remain, with the fix in 元."""
    from fcast_desktop.model.editing import set_text

    form = clean_declaration(calculation_basis="4名退休干部慰问金共1.2万元。")
    set_text(form, ("annual_amount",), "12,000.00")
    set_text(form, ("total_amount",), "48,000.00")
    assert form.annual_amount == D("120000000.00")
    (wan,) = [p for p in check_form(form, FUTIAN) if p.rule == "money.unit_trap"]
    form.amount_unit = "元"  # 金额单位 switched with the amount kept (in 元), shown as 120,000,000.00 元
    (yuan,) = [p for p in check_form(form, FUTIAN) if p.rule == "money.unit_trap"]
    assert "120,000,000.00元" in yuan.message and "1.2万元" in yuan.message and "大了约 1 万倍" in yuan.message
    assert "本年度项目金额应为 12,000.00元" in yuan.message and "项目总金额（中期规划）应为 48,000.00元" in yuan.message
    assert "请直接改正数值" in yuan.message and "把金额单位改为" not in yuan.message  # no unit switch fixes it now
    set_text(form, ("annual_amount",), "12,000.00")  # now in 元: right
    set_text(form, ("total_amount",), "48,000.00")
    assert not {p.rule for p in check_form(form, FUTIAN)} & {"money.unit_trap", "money.unit_magnitude"}
    assert wan.message != yuan.message


@pytest.mark.parametrize(
    "unit,annual,text,rule",
    [
        ("万元", "120000.00", "共12万元", None),  # 12万元 typed as 12.00 under 万元: right
        ("万元", "120000000.00", "共1.2万元", "money.unit_trap"),  # exact figure ÷ 10000
        ("万元", "20720000000.00", "薪级工资200万元,工会经费3.9万元,体检费3.3万元",
         "money.unit_trap"),  # largest figure
        ("万元", "1000000000.00", "按规定执行", "money.unit_magnitude"),  # no figure, 10亿元 a year
        ("万元", "99990000.00", "按规定执行", None),  # 9,999万元: below the 1亿元 threshold
        ("万元", "12000000.00", "合同总价5000万元，分五年支付", None),  # same order of magnitude as the text
        ("元", "55.00", "3333件/月*15元*11个月=55万元", "money.unit_trap"),  # 元 label, 万元 typed
        ("元", "550000.00", "3333件/月*15元*11个月=55万元", None),
        ("元", "300.00", "按规定执行", "money.unit_magnitude"),  # 300元 a year: 万元 typed?
        # symmetric: the amount is held in 元, so the label does not decide the direction
        ("元", "120000000.00", "共1.2万元", "money.unit_trap"),  # 元 label, 10,000× too large
        ("元", "46400000000.00", "共464万元", "money.unit_trap"),
        ("元", "20720000000.00", "薪级工资200万元,工会经费3.9万元,体检费3.3万元", "money.unit_trap"),  # largest figure
        ("元", "1000000000.00", "按规定执行", "money.unit_magnitude"),  # 10亿元 a year under a 元 label
        ("元", "99990000.00", "按规定执行", None),
        ("万元", "55.00", "3333件/月*15元*11个月=55万元", "money.unit_trap"),  # 万元 label, 10,000× too small
        ("万元", "300.00", "按规定执行", "money.unit_magnitude"),
        ("元", "120000.00", "共12万元", None),
    ],
)
def test_unit_trap_cases(unit, annual, text, rule):
    form = clean_declaration(amount_unit=unit, annual_amount=D(annual), total_amount=D(annual) * 3,
                             calculation_basis=text)
    found = {p.rule for p in check_form(form, FUTIAN)} & {"money.unit_trap", "money.unit_magnitude"}
    assert found == ({rule} if rule else set())


@pytest.mark.parametrize(
    "unit,annual,text,direction,how",
    [
        ("万元", "120000000.00", "共1.2万元", "大", "把金额单位改为“元”"),  # 元 digits under 万元
        ("元", "120000000.00", "共1.2万元", "大", "请直接改正数值"),  # ... then converted to 元 for display
        ("元", "550000.00", "每年55亿元", "小", "把金额单位改为“万元”"),  # 万元 digits under 元
        ("万元", "55.00", "3333件/月*15元*11个月=55万元", "小", "请直接改正数值"),
    ],
)
def test_unit_trap_direction_and_fix(unit, annual, text, direction, how):
    form = clean_declaration(amount_unit=unit, annual_amount=D(annual), total_amount=D(annual) * 3,
                             calculation_basis=text)
    (p,) = [p for p in check_form(form, FUTIAN) if p.rule == "money.unit_trap"]
    assert f"金额{direction}了约 1 万倍" in p.message and how in p.message


def test_baoan_forms_use_their_profile():
    form = _na(clean_declaration(project_code="440306231271500105016", amount_unit="元",
                                 annual_amount=D("120000.00"), total_amount=D("360000.00")),
               Level2.SERVICE_SATISFACTION)
    assert rules_of(form) == []  # 宝安 has no starred mandatory 二级指标, even in a 福田 project


def test_deviation_over_factor_is_a_profile_option():
    from dataclasses import replace

    strict = replace(FUTIAN, deviation_required_over_factor=D("1.3"))
    form = _with_row(clean_evaluation(), 0, target="≥10个", actual="13个")
    assert "evaluation.deviation.over" in rules_of(form, strict)
    assert "evaluation.deviation.over" not in rules_of(form, FUTIAN)


def test_drift_from_the_declaration_of_the_same_year():
    decl = clean_declaration(year=2022)
    ev = clean_evaluation(declaration_id=decl.id)
    ev = _with_row(ev, 0, name="数量指标", target="≥80%")
    ev = _with_row(ev, 1, name="新指标")
    project = Project(forms=[decl, ev])
    found = [p.rule for p in check_form(ev, FUTIAN, project)]
    assert "evaluation.declaration.drift" in found and "evaluation.declaration.unknown_row" in found
    other_year = clean_evaluation(year=2021)
    assert "evaluation.declaration.drift" not in rules_of(_with_row(other_year, 0, target="≥1%"), FUTIAN,
                                                          Project(forms=[decl, other_year]))


def _trapped_declaration(**kw) -> Declaration:
    """Seed 000's trap: 12,000.00 typed under 万元 while 测算依据 says 共1.2万元."""
    base = dict(annual_amount=D("120000000.00"), total_amount=D("480000000.00"), year=2023,
                calculation_basis="4名退休干部慰问金共1.2万元。")
    base.update(kw)
    return clean_declaration(**base)


def test_evaluation_derived_from_a_trapped_declaration_is_warned():
    """Review: 由申报表生成自评表 copied a 10,000× amount into 年初预算数 without comment."""
    from fcast_desktop.model.derive import evaluation_from_declaration

    decl = _trapped_declaration()
    ev = evaluation_from_declaration(decl)
    assert ev.funds.total.initial_budget == D("120000000.00")  # derive copies what the declaration says
    project = Project(forms=[decl, ev])
    (p,) = [p for p in check_form(ev, FUTIAN, project) if p.rule == "evaluation.declaration.amount_trap"]
    assert (p.field, p.row, p.key, p.column) == ("funds", 0, "initial_budget", "年初预算数")
    assert "大了约 1 万倍" in p.message and "年初预算数应为 12,000.00元" in p.message
    assert "evaluation.declaration.amount_trap" not in rules_of(ev)  # a cross-form rule: needs the project
    # the declaration corrected, the evaluation not: 10,000× apart
    fixed = decl.model_copy(update={"annual_amount": D("12000.00"), "total_amount": D("48000.00")})
    found = {p.rule: p for p in check_form(ev, FUTIAN, Project(forms=[fixed, ev]))}
    assert "evaluation.declaration.amount_trap" not in found
    assert "相差约 1 万倍" in found["evaluation.declaration.amount"].message
    assert "请核对哪一个金额的单位有误" in found["evaluation.declaration.amount"].message
    # the evaluation typed right, the declaration still trapped: the declaration is blamed
    ev_ok = evaluation_from_declaration(fixed)
    ev_ok.declaration_id = decl.id
    found = {p.rule: p for p in check_form(ev_ok, FUTIAN, Project(forms=[decl, ev_ok]))}
    assert "请先改正申报表" in found["evaluation.declaration.amount"].message
    assert "1.20万元" not in found["evaluation.declaration.amount"].message
    assert "12,000.00万元（即 120,000,000.00元）" in found["evaluation.declaration.amount"].message
    # a sound declaration copied as is: nothing
    sound = clean_declaration(year=2023)
    assert not {p.rule for p in check_form(evaluation_from_declaration(sound), FUTIAN,
                                           Project(forms=[sound, evaluation_from_declaration(sound)]))} \
        & {"evaluation.declaration.amount", "evaluation.declaration.amount_trap", "funds.unit_trap"}


def test_funds_amounts_10000_times_apart_in_one_evaluation():
    from fcast_desktop.model.derive import evaluation_from_declaration

    decl = _trapped_declaration()
    ev = evaluation_from_declaration(decl)
    ev.funds.total.annual_budget, ev.funds.total.executed = D("12000.00"), D("11000.00")
    found = [p for p in check_form(ev, FUTIAN, Project(forms=[decl, ev])) if p.key == "initial_budget"]
    assert [p.rule for p in found] == ["funds.unit_trap"]  # once on the cell, not repeated by S15
    assert "120,000,000.00元" in found[0].message and "全年预算数 12,000.00元" in found[0].message
    # the odd one is found among three; normal budget changes are not flagged
    ev2 = clean_evaluation(funds=Funds(total=FundLine(initial_budget=D("100.00"), annual_budget=D("100.00"),
                                                      executed=D("900000.00"))))
    (p,) = [p for p in check_form(ev2, FUTIAN) if p.rule == "funds.unit_trap"]
    assert p.key == "executed"
    ev3 = clean_evaluation(funds=Funds(total=FundLine(initial_budget=D("10000.00"), annual_budget=D("12000.00"),
                                                      executed=D("12000.00"))))
    assert "funds.unit_trap" not in rules_of(ev3)


# ---- review: the corrected 项目总金额, negative amounts, whole numbers, amounts in messages ----------------------


def _typed_declaration(typed: dict, **kw) -> Declaration:
    from fcast_desktop.model.editing import set_text

    form = clean_declaration(**kw)
    for key, text in typed.items():
        set_text(form, (key,), text)
    return form


def _trap_message(form) -> str:
    (p,) = [p for p in check_form(form, FUTIAN) if p.rule in ("money.unit_trap", "money.unit_magnitude")]
    return p.message


@pytest.mark.parametrize(
    "unit,code,typed,text,annual_fix,total_fix",
    [
        # review: 宝安 (元), 本年度项目金额 typed 99,999,999,999 against a consistent 49,235,800 total: the total stays
        ("元", "440306231271500105016", {"total_amount": "49,235,800", "annual_amount": "99,999,999,999"},
         "按规定执行", "10,000,000.00元", None),
        ("元", "440306231271500105016", {"total_amount": "49,235,800", "annual_amount": "99,999,999,999"},
         "按合同支付，共1000万元", "10,000,000.00元", None),
        # review: 0.000001 under 万元 with a 48,000万元 total: no "480,000,000.00万元" total
        ("万元", "440304221061500000046", {"total_amount": "48,000", "annual_amount": "0.000001"}, "按规定执行",
         "0.01万元", None),
        # seed 000: both amounts typed in the wrong unit: both are corrected
        ("万元", "440304221061500000046", {"total_amount": "48,000.00", "annual_amount": "12,000.00"},
         "4名退休干部慰问金共1.2万元。", "1.20万元", "4.80万元"),
        # too small, the total as well: rescaled, since it would fall below the corrected annual amount (D5)
        ("元", "440306231271500105016", {"total_amount": "165", "annual_amount": "55"},
         "3333件/月*15元*11个月=55万元", "550,000.00元", "1,650,000.00元"),
        # too small, but the total is already right: it stays
        ("元", "440306231271500105016", {"total_amount": "1,650,000", "annual_amount": "55"},
         "3333件/月*15元*11个月=55万元", "550,000.00元", None),
        # the text supports the total as it is: it stays even though it is 10,000× the corrected amount
        ("万元", "440304221061500000046", {"total_amount": "48,000", "annual_amount": "12,000"},
         "慰问金共1.2万元，中期规划共48000万元。", "1.20万元", None),
    ],
)
def test_unit_trap_suggests_a_total_only_when_the_total_is_off(unit, code, typed, text, annual_fix, total_fix):
    form = _typed_declaration(typed, amount_unit=unit, project_code=code, calculation_basis=text)
    message = _trap_message(form)
    assert f"本年度项目金额应为 {annual_fix}" in message
    if total_fix is None:
        assert "项目总金额" not in message
    else:
        assert f"项目总金额（中期规划）应为 {total_fix}" in message


@pytest.mark.parametrize("annual", ["99999999999", "0.000001", "120000000", "55", "300", "1000000000"])
@pytest.mark.parametrize("ratio", ["0.5", "1", "3", "10000", "30000"])
def test_suggested_amounts_never_break_d5(annual, ratio):
    """Whatever the amounts, the N3 advice never leaves 项目总金额 < 本年度项目金额 (D5) unmentioned: a total it
    suggests is at least the corrected annual amount, and a total it keeps is too, or the message says it must
    change."""
    from fcast_desktop.model.money import parse_money

    for unit in ("万元", "元"):
        form = clean_declaration(amount_unit=unit, calculation_basis="按规定执行",
                                 annual_amount=D(annual).quantize(D("0.01")),
                                 total_amount=(D(annual) * D(ratio)).quantize(D("0.01")))
        if form.total_amount is None:
            continue  # a total of 10 万亿元 or more is kept as typed and flagged (money.too_large), not advised on
        found = [p.message for p in check_form(form, FUTIAN) if p.rule.startswith("money.unit")]
        for message in found:
            annual_fix = parse_money(re.search(r"本年度项目金额应为 ([\d,.]+)", message).group(1), unit)
            m = re.search(r"项目总金额（中期规划）应为 ([\d,.]+)", message)
            total_fix = parse_money(m.group(1), unit) if m else form.total_amount
            assert (total_fix >= annual_fix
                    or "项目总金额（中期规划）也须改正（不能小于本年度项目金额）" in message), message


NEGATIVE_CELLS = [
    # (form, path typed, field/row/key of the problem, words of the message)
    ("declaration", ("annual_amount",), ("annual_amount", None, "annual_amount"), "本年度项目金额为 -5.00万元"),
    ("declaration", ("total_amount",), ("total_amount", None, "total_amount"), "项目总金额（中期规划）为 -5.00万元"),
    *[("self_evaluation", ("funds", attr, key), ("funds", n, key), f"{title}的{column}为 -42,000.00元")
      for n, (attr, title) in enumerate((("total", "年度资金总额"), ("appropriation", "其中：当年财政拨款"),
                                         ("carryover", "上年结转资金"), ("other", "其他资金")))
      for key, column in (("initial_budget", "年初预算数"), ("annual_budget", "全年预算数"),
                          ("executed", "全年执行数"))],
    *[("department_overall", ("tasks", 0, key), ("tasks", 0, key), f"任务“任务”的{column}为 -42,000.00元")
      for key, column in (("total", "总额"), ("appropriation", "财政拨款"), ("other", "其他资金"))],
]


@pytest.mark.parametrize("kind,path,place,words", NEGATIVE_CELLS)
def test_negative_amounts_are_errors_on_their_cell(kind, path, place, words):
    """Review: -5 typed in 本年度项目金额 was stored as −50,000.00 元 without a word."""
    from fcast_desktop.model.editing import set_text

    form = {"declaration": clean_declaration, "self_evaluation": clean_evaluation,
            "department_overall": lambda: clean_department(tasks=[_task()])}[kind]()
    set_text(form, path, "-5" if kind == "declaration" else "-42000")
    found = [p for p in check_form(form, FUTIAN) if p.rule == "money.negative"]
    assert [(p.field, p.row, p.key) for p in found] == [place]
    (p,) = found
    assert p.severity == "error" and words in p.message and "请填写 0 或正数" in p.message
    set_text(form, path, "0")
    assert "money.negative" not in rules_of(form)


@pytest.mark.parametrize("typed", ["1.5", "1.5年", "２.５", "0.5"])
def test_duration_that_is_not_whole_says_so(typed):
    """Review: 实施期限 1.5 said “不是数字” although it is a number: D3 says it must be a whole number of years."""
    form = _raw(clean_declaration(), "duration_years", typed)
    (p,) = [p for p in check_form(form, FUTIAN) if p.field == "duration_years"]
    assert (p.rule, p.severity, p.message) == (
        "declaration.duration", "error", f"实施期限应为正整数年，当前为“{typed}”")
    three = [p for p in check_form(_raw(clean_declaration(), "duration_years", "三年"), FUTIAN)
             if p.field == "duration_years"]
    assert [p.rule for p in three] == ["number.unreadable"]  # not a number at all


@pytest.mark.parametrize("make,label", [(clean_evaluation, "绩效自评年度"), (clean_department, "年度"),
                                        (lambda: clean_declaration(year=2023), "预算年度")])
def test_year_must_be_a_whole_year(make, label):
    for typed in ("2022.5", "2,022.5"):
        (p,) = [p for p in check_form(_raw(make(), "year", typed), FUTIAN) if p.field == "year"]
        assert (p.rule, p.severity) == ("header.year", "error")
        assert p.message == f"{label}应为四位整数年份（如 2023），当前为“{typed}”"
    form = make()
    form.year = 23  # a typo of 2023
    assert [p.rule for p in check_form(form, FUTIAN) if p.field == "year"] == ["header.year"]
    assert [p.rule for p in check_form(_raw(make(), "year", "二〇二二"), FUTIAN) if p.field == "year"] \
        == ["number.unreadable"]


def test_amounts_in_messages_are_shown_as_the_grids_show_them():
    """Review: funds messages printed raw amounts (“42000.00”); the grids show 42,000.00."""
    ev = clean_evaluation(funds=Funds(
        total=FundLine(initial_budget=D("42000.00"), annual_budget=D("42000.00"), executed=D("41000.00")),
        appropriation=FundLine(initial_budget=D("40000.00"), annual_budget=D("42000.00"), executed=D("41000.00"))))
    (p,) = [p for p in check_form(ev, FUTIAN) if p.rule == "funds.sum"]
    assert p.message == "年初预算数：年度资金总额 42,000.00元 ≠ 当年财政拨款 + 上年结转资金 + 其他资金 = 40,000.00元"
    dept = clean_department(tasks=[_task(total=D("1234567.00"), appropriation=D("1000000.00"), other=D("2000.50"))])
    (p,) = [p for p in check_form(dept, FUTIAN) if p.rule == "department.task.sum"]
    assert p.message == ("任务“任务”：总额 1,234,567.00元 ≠ 财政拨款 1,000,000.00元 + 其他资金 2,000.50元"
                         " = 1,002,000.50元")
    trap = clean_evaluation(funds=Funds(total=FundLine(initial_budget=D("1000000.00"), annual_budget=D("100.00"),
                                                       executed=D("90.00"))))
    (p,) = [p for p in check_form(trap, FUTIAN) if p.rule == "funds.unit_trap"]
    assert "年初预算数 1,000,000.00元 与全年预算数 100.00元、全年执行数 90.00元相差约 1 万倍" in p.message


# ---- scoring ---------------------------------------------------------------------------------------------


def _row(target, actual, weight=10, score=None, name="指标"):
    return EvaluationIndicator(level2=Level2.QUANTITY, name=name, target=target, actual=actual, weight=D(weight),
                               score=None if score is None else D(score))


@pytest.mark.parametrize(
    "target,actual,expected",
    [
        ("≥10个", "10个", "10"),  # exactly at target
        ("≥10个", "8个", "8"),  # 实际 ÷ 指标值 × 分值
        ("≥10个", "12个", "10"),  # 1.2×: full score (flagged, not deducted)
        (">90%", "99.04%", "10"),
        ("≥180万人", "192万人", "10"),
        ("≥180万人", "900000人", "5"),  # 万人 vs 人
        ("100%", "95%", "9.5"),
        ("0起", "0起", "10"),  # target 0
        ("0起", "1起", "0"),
        ("≤3%", "3%", "10"),  # reverse at target
        ("≤3%", "4.5%", "5"),  # halfway to 2×
        ("≤3%", "6%", "0"),  # 2× target
        ("≤3%", "9%", "0"),
        ("2023年12月31日前", "2023年11月", "10"),
        ("2023年12月31日前", "2024年1月", "0"),
        ("24小时内", "24小时内", "10"),
        ("≤5个工作日", "3个工作日", "10"),
        ("≥2天或16小时", "6天", "10"),
        ("≥2天或16小时", "8小时", "5"),
        ("显著", "显著", "10"),
        ("显著", "明显", "8"),
        ("有效", "部分达成", "8"),
        ("有效", "未达成", "6"),
        ("同比上升1%", "上升2%", "10"),
        ("同比上升2%", "同比上升1%", "5"),
        ("同比下降2%", "同比下降3%", "10"),
        ("同比下降2%", "同比上升1%", "0"),
        ("≥90%", "90", "10"),  # a bare actual takes the target's unit
        ("≥10个", "12.5天", None),  # units that do not match: no suggestion
        ("显著", "85%", "10"),  # 显著 = 80%–100%
        ("显著", "70%", "8"),  # 明显: one level lower, 部分达成
        ("明显", "70%", "10"),
        ("有效", "有效", "10"),
        ("2022年", "2022年12月", "10"),  # seed 003: a year as deadline
        ("2023年12月前", "已完成", "10"),
        ("每季度末", "每季度末", "10"),
        ("24小时", "24小时", "10"),  # a bare duration is a time limit
        ("24小时内", "30小时", "0"),
        ("≥16小时", "20小时", "10"),
        ("≥10个", "", None),
    ],
)
def test_suggested_scores(target, actual, expected):
    rs = score_row(_row(target, actual), FUTIAN)
    assert (None if rs.suggested is None else f"{rs.suggested.normalize():f}") == expected


def test_over_achievement_flag_and_user_score_wins():
    rs = score_row(_row("10场", "17场", weight=2, score="1.7"), FUTIAN)
    assert rs.over_achieved and rs.suggested == 2 and rs.effective == D("1.7") and rs.entered == D("1.7")
    assert score_row(_row("≥80%", "100%"), FUTIAN).over_achieved  # seed 003's example: flagged, not reduced
    assert score_row(_row("≥10个", "12个"), FUTIAN).over_achieved  # exactly 1.2×
    assert not score_row(_row("≥10个", "11.9个"), FUTIAN).over_achieved
    assert not score_row(_row("≤3%", "1%"), FUTIAN).over_achieved  # only positive indicators


def test_over_achievement_is_never_deducted_and_typing_the_score_decides():
    form = _with_row(clean_evaluation(), 0, target="≥10个", actual="17个", score=None)
    s = score_self_evaluation(form, FUTIAN)
    assert s.rows[0].suggested == 20 and s.rows[0].effective == 20  # full score suggested
    assert "evaluation.over_achievement" in rules_of(form)
    decided = _with_row(clean_evaluation(), 0, target="≥10个", actual="17个", score=D(20))
    assert "evaluation.over_achievement" not in rules_of(decided)
    reduced = _with_row(clean_evaluation(), 0, target="≥10个", actual="17个", score=D(17), deviation="超额完成")
    assert rules_of(reduced) == []


def test_user_score_wins_and_unreadable_score_counts_nothing():
    form = _with_row(clean_evaluation(), 0, score=D("15"), deviation="原因")
    s = score_self_evaluation(form, FUTIAN)
    assert s.rows[0].suggested == 20 and s.rows[0].effective == 15
    assert s.total == D("9.00") + 15 + 70  # funds 90/100 × 10 = 9
    bad = _with_row(clean_evaluation(), 0, score=None)
    bad.indicators[0].raw = {"score": "满分"}
    s = score_self_evaluation(bad, FUTIAN)
    assert s.rows[0].effective is None
    assert "number.unreadable" in rules_of(bad)


def test_out_of_range_score_counts_at_the_bound():
    """Review: 得分 12 with 分值 10 gave 总分 101.83 / 优. The typed value is kept and flagged (S6); 总分 counts 10."""
    form = _with_row(clean_evaluation(), 0, score=D(25))  # 分值 20
    s = score_self_evaluation(form, FUTIAN)
    assert s.rows[0].entered == 25 and s.rows[0].effective == 20
    assert s.total == D("99.00") and s.total <= s.weight_total
    (p,) = [p for p in check_form(form, FUTIAN) if p.rule == "evaluation.score.range"]
    assert p.severity == "error" and "25" in p.message and "总分暂按 20 计入" in p.message
    low = _with_row(clean_evaluation(), 0, score=D(-5), deviation="原因")
    s = score_self_evaluation(low, FUTIAN)
    assert s.rows[0].entered == -5 and s.rows[0].effective == 0 and s.total == D("79.00")
    assert "evaluation.score.range" in rules_of(low)


def test_out_of_range_score_on_seed_003_keeps_total_and_grade(seed_paths):
    forms = parse_published_text(read_text_file(seed_paths["003"])).forms
    form = forms[1]  # 其他一般管理事务: official 99.83
    n = next(i for i, r in enumerate(form.indicators) if r.weight == 10 and r.score == 10)
    form.indicators[n].score = D(12)
    (entry,) = list(score_entries(Project(forms=[form])))
    assert entry["total"] == "99.83" and entry["grade"] == "优"
    assert entry["indicators"][n]["score"] == "10"
    assert "evaluation.score.range" in rules_of(form)


def test_fraction_actual_against_a_percentage_is_warned_not_rewritten():
    rs = score_row(_row("≥90%", "0.95"), FUTIAN)
    assert rs.suggested == D("0.11")  # read as 0.95 %, as typed: never silently rewritten
    form = _with_row(clean_evaluation(), 0, actual="0.95", score=None)
    (p,) = [p for p in check_form(form, FUTIAN) if p.rule == "evaluation.actual.fraction"]
    assert "实际完成值“0.95”没有单位" in p.message and "是否应为 95%" in p.message and "0.21" in p.message
    assert (p.field, p.row, p.key) == ("indicators", 0, "actual")
    assert form.indicators[0].actual == "0.95"
    for actual in ("95", "95%", "0.95%", "0"):  # a bare 95 is 95 %; units written; 0 is 0 either way
        assert "evaluation.actual.fraction" not in rules_of(_with_row(clean_evaluation(), 0, actual=actual))
    # a reverse target: 0.5 against ≤3% is a plausible rate; a target of at most 1 %: a fraction is plausible
    assert "evaluation.actual.fraction" not in rules_of(_with_row(clean_evaluation(), 0, target="≤3%", actual="0.5"))
    assert "evaluation.actual.fraction" not in rules_of(_with_row(clean_evaluation(), 0, target="≥0.5%",
                                                                  actual="0.6"))
    assert "evaluation.actual.fraction" in rules_of(_with_row(clean_evaluation(), 0, target="100%", actual="1"))


def test_actual_in_another_unit_is_warned():
    form = _with_row(clean_evaluation(), 0, target="≥10个", actual="12天", score=None)
    found = {p.rule: p for p in check_form(form, FUTIAN)}
    assert "“天”" in found["evaluation.actual.unit"].message and "“个”" in found["evaluation.actual.unit"].message
    assert "evaluation.score.unknown" in found
    assert "evaluation.actual.unit" in rules_of(_with_row(clean_evaluation(), 0, target="24小时内", actual="1天"))
    for target, actual in (("≥180万人", "900000人"), ("≥10个", "12"), ("≥2天或16小时", "8小时"), ("≥10个", "12个"),
                           ("≥90%", "95%")):
        assert "evaluation.actual.unit" not in rules_of(_with_row(clean_evaluation(), 0, target=target,
                                                                  actual=actual)), (target, actual)


def test_qualitative_band_and_deviation():
    form = _with_row(clean_evaluation(), 0, target="显著", actual="明显", score=D(15), deviation="原因")
    rs = score_self_evaluation(form, FUTIAN).rows[0]
    assert rs.band == (D(12), D(16)) and rs.suggested == 16
    assert rules_of(form) == []  # 15 is inside 部分达成 (60–80 % of 20)
    assert "evaluation.deviation.required" in rules_of(_with_row(clean_evaluation(), 0, target="显著", actual="明显",
                                                                 score=None))


def test_funds_weight_and_weight_sums_boundaries():
    ok = clean_evaluation()
    assert score_self_evaluation(ok, FUTIAN).weight_total == 100
    short = _drop_level2(clean_evaluation(), Level2.COST)  # a copied table that lost its 成本 row
    found = rules_of(short)
    assert "indicators.skeleton.missing" in found and "evaluation.weights.level1" in found


def test_reverse_ratio_option():
    from dataclasses import replace

    ratio = replace(FUTIAN, reverse_mode="ratio")
    assert score_row(_row("≤3%", "6%"), ratio).suggested == 5


def test_funds_score_boundaries():
    def ev(budget, executed):
        return clean_evaluation(funds=Funds(total=FundLine(annual_budget=D(budget), executed=D(executed))))

    s = score_self_evaluation(ev("50330.00", "42123.75"), FUTIAN)
    assert (s.execution_rate, s.funds_score) == (D("83.70"), D("8.37"))  # no threshold
    s = score_self_evaluation(ev("100.00", "120.00"), FUTIAN)
    assert s.funds_score == 10  # capped at 分值
    s = score_self_evaluation(ev("0.00", "0.00"), FUTIAN)
    assert s.execution_rate is None and s.funds_score is None and s.total is None


@pytest.mark.parametrize("total,grade", [("90", "优"), ("89.99", "良"), ("80", "良"), ("79.99", "中"), ("60", "中"),
                                         ("59.99", "差")])
def test_grades(total, grade):
    assert FUTIAN.grade(D(total)) == grade


# ---- review: weights that do not add up give no grade (S4/S13) ------------------------------------------------


def test_wrong_weights_give_no_grade():
    """Review: a row of 分值 5 added gave 总分 103.37 / 优 (funds 分值 20: 106.69 / 优) while S4 reported errors.
    总分 is still computed (and printed) but flagged unreliable, and there is no grade to upload."""
    ok = score_self_evaluation(clean_evaluation(), FUTIAN)
    assert ok.weights_ok and ok.grade == "优" and ok.total == D("99.00")
    extra = clean_evaluation()
    extra.indicators = [*extra.indicators, EvaluationIndicator(level2=Level2.QUANTITY, name="新增指标", target="≥1个",
                                                               actual="1个", weight=D(5), score=D(5))]
    funds20 = clean_evaluation()
    funds20.funds.weight = D(20)
    short = _drop_level2(clean_evaluation(), Level2.COST)  # lost a row: 产出 40/50
    for form, total in ((extra, "104.00"), (funds20, "108.00"), (short, "89.00")):
        s = score_self_evaluation(form, FUTIAN)
        assert s.total == D(total) and not s.weights_ok and s.grade is None
        assert {"evaluation.weights.level1", "evaluation.weights.total"} & set(rules_of(form))
        (entry,) = score_entries(Project(forms=[form]))
        assert entry["total"] == format(D(total).normalize(), "f") and entry["grade"] is None
        assert "grade" not in computed_values(form) and computed_values(form)["total"] == entry["total"]
    no_total = clean_evaluation(funds=Funds(total=FundLine(annual_budget=D("0.00"), executed=D("0.00"))))
    s = score_self_evaluation(no_total, FUTIAN)
    assert s.total is None and s.grade is None and s.weights_ok


# ---- the official scores of seed 003 ----------------------------------------------------------------------


def _official(seed_text: str) -> list[dict]:
    """执行率, 资金得分 and 总分 as the official system printed them, read straight from the seed text."""
    out = []
    for block in seed_text.split("项目支出绩效自评表")[1:]:
        funds = re.search(r"年度资金总额\t[\d.]+\t[\d.]+\t[\d.]+\t\d+\t([\d.]+)\t([\d.]+)", block)
        total = re.search(r"总分[\t]+100\t([\d.]+)", block)
        out.append({"rate": funds.group(1), "score": funds.group(2), "total": total.group(1) if total else None})
    return out


def test_seed_003_official_scores(seed_paths):
    text = read_text_file(seed_paths["003"])
    forms = parse_published_text(text).forms
    official = _official(text)
    project = Project(forms=forms)
    entries = score_entries(project)
    assert len(entries) == len(official) == 11
    problems = check_entries(project)
    matched = 0
    for n, (entry, want) in enumerate(zip(entries, official, strict=True)):
        assert entry["funds"]["execution_rate"] == want["rate"]
        assert entry["funds"]["score"] == want["score"]
        weight_errors = [p for p in problems if p["form"] == n and p["rule"] == "evaluation.weights.level1"]
        if weight_errors:
            # the copied table lacks rows: the total cannot match and check says why
            assert entry["total"] != want["total"]
        else:
            assert entry["total"] == want["total"]
            matched += 1
    assert matched == 10
    incomplete = next(e for e in entries if e["project_name"] == "政务事项管理")
    assert any(p["form"] == incomplete["form"] and p["rule"] == "indicators.skeleton.missing" for p in problems)
    # the official grade of the 10 complete tables (the seed prints 总分, the grade follows from it); the copied
    # table whose 分值 do not add up (总分 89.88 instead of 99.88) gets none rather than a wrong 良
    for entry, want in zip(entries, official, strict=True):
        if entry is incomplete:
            assert entry["grade"] is None
        else:
            assert entry["grade"] == FUTIAN.grade(D(want["total"])) == "优"


def test_computed_values_for_printing(seed_paths):
    forms = parse_published_text(read_text_file(seed_paths["003"])).forms
    values = computed_values(forms[1], Project(forms=forms))
    assert values["funds.execution_rate"] == "98.28" and values["funds.score"] == "9.83"
    assert values["total"] == "99.83" and values["grade"] == "优" and values["rows.0.score"] == "10"


# ---- the seeds: real problems found, nothing spurious ---------------------------------------------------------


def test_check_on_seed_project(seed_project):
    entries = check_entries(seed_project)
    by_rule: dict[str, list] = {}
    for e in entries:
        by_rule.setdefault(e["rule"], []).append(e)
    forms = seed_project.forms
    # the 万元/元 trap: every one of seed 000's 11 declarations, once each, with the probable fix
    trap = by_rule.get("money.unit_trap", []) + by_rule.get("money.unit_magnitude", [])
    assert sorted(e["form"] for e in trap) == list(range(11))
    assert all(forms[e["form"]].source.startswith("000_") and "应为" in e["message"] for e in trap)
    first = next(e for e in trap if e["form"] == 0)
    assert "1.2万元" in first["message"] and "1.20万元" in first["message"]
    # seed 002: `分厅后勤保障经费38.20万元,50元/人/日*29人*22日*12个月=38.28万元`: the expression is right (38.28),
    # the amount written before it (38.20) is the slip
    (part,) = by_rule["calculation.part"]
    assert forms[part["form"]].source.startswith("002_")
    assert "38.20万元" in part["message"] and "38.28万元" in part["message"]
    slips = {re.search(r"“(.+?)”", e["message"]).group(1) for e in by_rule["calculation.arithmetic"]}
    assert slips == {
        "500平米×200元/平米≈100万元",  # 10万元
        "640元/月/台*10台*9月=5.76元",  # 57600元 = 5.76万元
    }
    assert not any("38.28" in m for m in slips)
    # results cut off instead of rounded half-up: reported apart from slips, saying so
    cut = {re.search(r"“(.+?)”", e["message"]).group(1): e["message"] for e in by_rule["calculation.truncated"]}
    assert set(cut) == {
        "2259*260*12=704.80万元",  # 704.808: 704.81
        "112件*18元/件*每月22个工作日*11个月=48.78万元",  # 48.7872: 48.79
        "44元/人/日*171人*22日*12个月=198万元",  # 198.6336: 198.63
    }
    assert "按四舍五入应为 704.81万元，所写 704.80万元 为截去尾数" in cut["2259*260*12=704.80万元"]
    assert "按四舍五入应为 198.63万元，所写 198万元 为截去尾数" in cut["44元/人/日*171人*22日*12个月=198万元"]
    # `不适应` for `不适用` (seed 002, one form, five rows)
    typos = by_rule["indicator.value.typo"]
    assert len(typos) == 5 and len({e["form"] for e in typos}) == 1
    # 福田 declarations without a 服务对象满意度 indicator
    assert sorted(e["form"] for e in by_rule["indicators.service_satisfaction.na"]) == [2, 3, 7]
    # errors only on the self-evaluation copied without its 成本 and 经济效益 rows
    errors = [e for e in entries if e["severity"] == "error"]
    assert {forms[e["form"]].project_name for e in errors} == {"政务事项管理"}
    assert {e["rule"] for e in errors} == {"indicators.skeleton.missing", "evaluation.weights.level1"}
    # nothing else: every value form of the seeds is understood, every other self-evaluation and the
    # department form are clean
    assert set(by_rule) == {"money.unit_trap", "money.unit_magnitude", "calculation.arithmetic",
                            "calculation.truncated", "calculation.part",
                            "indicator.value.typo", "indicators.service_satisfaction.na",
                            "indicators.skeleton.missing", "evaluation.weights.level1"}
    clean = [n for n, f in enumerate(forms)
             if f.kind != "declaration" and getattr(f, "project_name", "") != "政务事项管理"]
    assert not [e for e in entries if e["form"] in clean]
    assert len(entries) == 29


# ---- readers never raise ---------------------------------------------------------------------------------

VALUE_ALPHABET = st.sampled_from(list("0123456789.,%≥≤<>=＞＜≧≦年月日前内小时个工作天或同比上升下降万人元套不适用"
                                      " \t－-*/"))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=VALUE_ALPHABET, max_size=20)))
def test_value_parser_never_raises(text):
    v = parse_value(text)
    assert v.kind in {"comparison", "deadline", "duration", "periodic", "qualitative", "change", "alternatives",
                      "not_applicable", "empty", "missing_number", "unrecognised"}
    assert v.raw == text


ARITH_ALPHABET = st.sampled_from(list("0123456789.,%*/×÷+-=()（）元万套月人日个，。 "))


EXPRESSION = st.lists(
    st.tuples(st.integers(0, 10**7).map(str) | st.decimals(0, 10**6, places=2).map(str),
              st.sampled_from(["", "元", "万元", "万", "%", "人", "元/人/日", "个月", "套/月"]),
              st.sampled_from(["*", "×", "/", "+", "-", "÷"])),
    min_size=1, max_size=6,
).map(lambda terms: "".join(n + u + op for n, u, op in terms)[:-1]) .flatmap(
    lambda left: st.tuples(st.just(left), st.sampled_from(["=", "≈", "＝"]), st.decimals(0, 10**7, places=2).map(str),
                           st.sampled_from(["", "元", "万元", "万"])).map(lambda t: "".join(t)))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=ARITH_ALPHABET, max_size=40), EXPRESSION,
                 st.tuples(st.text(max_size=10), EXPRESSION, st.text(max_size=10)).map("".join)))
def test_arithmetic_reader_never_raises(text):
    for calc in find_calculations(text):
        assert isinstance(calc.computed, Decimal)
        assert isinstance(calc.matches, bool) and calc.text
    assert all(isinstance(f, Decimal) for f in money_figures(text))
    assert all(s.heading for s in find_part_slips(text))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 9999), st.integers(1, 999), st.integers(1, 24))
def test_arithmetic_reader_agrees_with_exact_products(a, b, c):
    exact = Decimal(a * b * c)
    shown = (exact / 10000).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    (calc,) = find_calculations(f"测算:{a}元/人*{b}人*{c}个月={shown}万元。")
    assert calc.matches
    wrong = shown + Decimal("0.02")
    (calc,) = find_calculations(f"测算:{a}元/人*{b}人*{c}个月={wrong}万元。")
    assert not calc.matches and calc.correct_text == f"{shown.normalize():f}万元"


def test_arithmetic_examples():
    (calc,) = find_calculations("按每月新开办企业印章量2768套/月*312元/套*11个月=949.98万元;")
    assert calc.matches and calc.computed == D("949.9776")
    (calc,) = find_calculations("6134.65万元*6%+2436.24万元*3%=441万元")
    assert calc.matches
    (calc,) = find_calculations("2259*260*12=704.80万元")
    assert not calc.matches and calc.correct_text == "704.81万元"
    (calc,) = find_calculations("值班员6名(19000元/月*12=1368000元/年)")
    assert calc.matches
    (calc,) = find_calculations("办公设备6000元每套/5套=3万元")  # "6000 per set, 5 sets"
    assert calc.matches and calc.text == "6000元每套/5套=3万元"
    (calc,) = find_calculations("20.5万元×35人≈717万元")  # ≈: within 5 %
    assert calc.matches and calc.approx
    (calc,) = find_calculations("办公场所租赁费用500平米×200元/平米≈100万元")
    assert not calc.matches and calc.correct_text == "10万元"
    (calc,) = find_calculations("640元/月/台*10台*9月=5.76元")
    assert not calc.matches and calc.correct_text == "57600元"
    (calc,) = find_calculations("2259*227*12=615.35万元")  # bare counts with a 万元 result are 元
    assert calc.matches
    assert find_calculations("2023年-2024年预计需要增加到每人每月260元。") == ()
    assert find_calculations("上涨5%=20.5万元计算") == ()


def test_truncated_results_are_told_apart_from_slips():
    (calc,) = find_calculations("2259*260*12=704.80万元")
    assert calc.truncated and calc.half_up_text == "704.81万元" and calc.exact_text == "704.808万元"
    (calc,) = find_calculations("44元/人/日*171人*22日*12个月=198万元")
    assert calc.truncated and calc.half_up_text == "198.63万元"
    (calc,) = find_calculations("50元/人/日*29人*22日*12个月=38.20万元")  # 38.28: a slip, not a cut
    assert not calc.matches and not calc.truncated
    (calc,) = find_calculations("2259*260*12=704.81万元")
    assert calc.matches and not calc.truncated
    (calc,) = find_calculations("20.5万元×35人≈717万元")  # ≈ is never a truncation
    assert not calc.truncated
    form = clean_declaration(calculation_basis="2259*260*12=704.80万元；10元*3=29元。共12万元")
    found = {p.rule: p for p in check_form(form, FUTIAN)}
    assert "截去尾数" in found["calculation.truncated"].message
    assert "704.80万元" in found["calculation.truncated"].message
    assert "29元" in found["calculation.arithmetic"].message and "截去" not in found["calculation.arithmetic"].message


def test_part_slips():
    text = ("一、后勤保障经费198万元,44元/人/日*171人*22日*12个月=198万元。"
            " 二、分厅后勤保障经费38.20万元,50元/人/日*29人*22日*12个月=38.28万元。")
    (slip,) = find_part_slips(text)
    assert (slip.heading, slip.stated, slip.difference) == ("38.20万元", "38.28万元", "0.08万元")
    # parts that add up, amounts of another kind, rough amounts: nothing
    assert find_part_slips("办公设备购置14.64万元:信创电脑20台*6400元=12.8万元,信创打印机8台*2300元=1.84万元。") == ()
    assert find_part_slips("每月需1.2万元,本年预计1.2万元*9个月=10.8万元。") == ()
    assert find_part_slips("人力成本约197万元,负责人1名(27500元/月*12=330000元/年),"
                           "值班员6名(19000元/月*12=1368000元/年),"
                           "解说1名(21000元/月*12=252000元/年)") == ()


def test_rule_list_in_docs_matches_catalogue():
    from fcast_desktop.rules.catalogue import markdown_table

    doc = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule_id in RULES:
        assert f"`{rule_id}`" in doc, rule_id
    generated = doc.split("<!-- rules:begin -->\n", 1)[1].split("\n<!-- rules:end -->", 1)[0]
    assert generated == markdown_table(), (
        "docs/rules.md is stale: python -m fcast_desktop.rules.catalogue docs/rules.md")


# ---- profiles -------------------------------------------------------------------------------------------------


def test_profiles_are_data():
    from fcast_desktop.rules import available_profiles

    assert {"shenzhen-futian", "shenzhen-baoan"} <= set(available_profiles())
    assert FUTIAN.amount_unit == "万元" and FUTIAN.stars and "cost" in FUTIAN.mandatory_level2
    assert BAOAN.amount_unit == "元" and not BAOAN.stars and not BAOAN.mandatory_level2
    for p in (FUTIAN, BAOAN):
        assert p.over_achievement_factor == D("1.2") and p.reverse_mode == "linear"
        assert dict(p.level1_weights) == {"output": 50, "benefit": 30, "satisfaction": 10} and p.funds_weight == 10
    assert FUTIAN.district_codes == ("440304",) and BAOAN.district_codes == ("440306",)
    assert load_profile("no-such-profile") is FUTIAN and load_profile("../../etc/passwd") is FUTIAN
    assert load_profile(None) is FUTIAN


def test_profile_loader_works_frozen(tmp_path, monkeypatch):
    """Under PyInstaller the package sits in the bundle; resources are found through sys._MEIPASS."""
    import json
    import sys

    from fcast_desktop.rules import profiles

    bundle = tmp_path / "bundle"
    (bundle / "resources" / "profiles").mkdir(parents=True)
    data = json.loads((profiles.profiles_dir() / "shenzhen-futian.json").read_text(encoding="utf-8"))
    data["title"] = "打包版"
    (bundle / "resources" / "profiles" / "shenzhen-futian.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(profiles, "__file__", str(tmp_path / "gone" / "fcast_desktop" / "rules" / "profiles.py"))
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    profiles._load.cache_clear()
    try:
        assert profiles.profiles_dir() == bundle / "resources" / "profiles"
        assert profiles.load_profile("shenzhen-futian").title == "打包版"
    finally:
        profiles._load.cache_clear()


def test_profile_options_change_results():
    from dataclasses import replace

    strict = replace(FUTIAN, over_achievement_factor=D("1.5"))
    assert not score_row(_row("≥10个", "12个"), strict).over_achieved
    no_pct = replace(FUTIAN, over_achievement_percentages=False)
    assert not score_row(_row("≥80%", "100%"), no_pct).over_achieved
    form = _na(clean_declaration(), Level2.COST)
    assert "indicators.mandatory" in rules_of(form, FUTIAN)
    assert "indicators.mandatory" not in [p.rule for p in check_form(form.model_copy(
        update={"project_code": "440306221061500000046"}), FUTIAN)]  # a 宝安 code: checked with 宝安's profile


def test_profile_rule_overrides():
    from dataclasses import replace

    from fcast_desktop.rules.profiles import Profile, ProfileError

    form = _na(clean_declaration(), Level2.SERVICE_SATISFACTION)
    assert rules_of(form) == ["indicators.service_satisfaction.na"]
    off = replace(FUTIAN, rule_overrides={"indicators.service_satisfaction.na": {"enabled": False}})
    assert rules_of(form, off) == []
    stricter = replace(FUTIAN, rule_overrides={"indicators.service_satisfaction.na": {"severity": "error"}})
    assert [p.severity for p in check_form(form, stricter)] == ["error"]
    with pytest.raises(ProfileError):
        Profile.from_dict({"name": "x", "level1_weights": {}, "rules": {"no.such.rule": {"enabled": False}}})


def test_unreadable_typed_text_is_reported_where_it_was_typed():
    form = clean_declaration()
    form.raw = {"annual_amount": "一万二", "duration_years": "三年", "year": "二〇二三"}
    found = {(p.rule, p.field, p.column) for p in check_form(form, FUTIAN)}
    assert ("money.unreadable", "annual_amount", "本年度项目金额（万元）") in found
    assert ("number.unreadable", "duration_years", "实施期限") in found
    assert ("number.unreadable", "year", "预算年度") in found
    ev = clean_evaluation()
    ev.funds.total.raw = {"executed": "约九十"}
    p = next(p for p in check_form(ev, FUTIAN) if p.rule == "money.unreadable")
    assert (p.field, p.row, p.column, p.key) == ("funds", 0, "全年执行数", "executed") and "约九十" in p.message


def test_department_summary_is_information():
    from fcast_desktop.rules.report import department_summary

    dept = clean_department()
    decl = clean_declaration(year=2026, annual_amount=D("8.00"))
    summary = department_summary(dept, Project(forms=[dept, decl]))
    assert summary == {"tasks_total": D("10.00"), "projects_total": D("8.00"), "declarations": 1,
                       "difference": D("2.00")}
    assert department_summary(dept, Project(forms=[dept])) is None
    assert rules_of(dept, FUTIAN, Project(forms=[dept, decl])) == []  # never a problem


def _unfilled_placeholders(p, typed):
    """Placeholders of the rule's template left in its message, ignoring those the user typed themselves."""
    import string

    names = {f for _, f, _, _ in string.Formatter().parse(RULES[p.rule].template) if f}
    return [n for n in names if f"{{{n}}}" in p.message and not any(f"{{{n}}}" in t for t in typed)]


TEXT = st.one_of(st.text(max_size=30), st.text(alphabet=VALUE_ALPHABET, max_size=15), EXPRESSION)


@settings(max_examples=150, deadline=None)
@given(TEXT, TEXT, TEXT, st.decimals(-100, 1000, places=2, allow_nan=False), TEXT)
def test_whole_checks_never_raise(target, actual, name, weight, calculation):
    """Whatever is typed into any cell, checking and scoring give problems and scores, never an exception."""
    ev = _with_row(clean_evaluation(), 0, target=target, actual=actual, name=name, weight=weight, score=None)
    s = score_self_evaluation(ev, FUTIAN)
    assert len(s.rows) == len(ev.indicators)
    for p in check_form(ev, FUTIAN, Project(forms=[ev])):
        assert p.severity in ("error", "warning") and p.rule in RULES
    decl = _with_row(clean_declaration(calculation_basis=calculation), 0, target=target, name=name)
    typed = (target, name, calculation)
    for p in check_form(decl, FUTIAN):
        assert p.rule in RULES and not _unfilled_placeholders(p, typed)
    dept = _with_row(clean_department(), 0, target=target, measure_unit=actual)
    assert all(p.rule in RULES for p in check_form(dept, BAOAN))
