"""Numbers bounded to what a budget form can hold (issue 11, item 5): amounts under 10 万亿元 (13 integer digits in 元),
分值/得分 under 1000, years and 实施期限 under 15 digits. Anything else — 30 digits, `1E+400`, `NaN` — is never a crash:
the parsers return None, the model keeps the text in ``raw`` and a catalogue rule flags it; a project file holding
such values loads, checks, scores and exports."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fcast_desktop.model import (
    SKELETON,
    Declaration,
    DeclarationIndicator,
    DepartmentOverall,
    EvaluationIndicator,
    FundLine,
    Funds,
    Level2,
    Project,
    SelfEvaluation,
    Task,
)
from fcast_desktop.model.editing import get_text, get_value, set_text
from fcast_desktop.model.money import (
    MONEY_LIMIT,
    SCORE_LIMIT,
    WAN_YUAN,
    YUAN,
    format_money,
    format_number,
    parse_decimal,
    parse_money,
    round_half_up,
)
from fcast_desktop.rules import RULES, check_form, load_profile, score_self_evaluation
from fcast_desktop.rules.report import check_entries, computed_values, score_entries

D = Decimal
FUTIAN = load_profile("shenzhen-futian")
HUGE = ["9" * 16, "9" * 30, "9" * 40, "1" + "0" * 13, "1E+400", "1e400", "1E+999999", "-" + "9" * 40, "NaN", "nan",
        "Infinity", "-Infinity", "sNaN"]


# ---- the bound ----------------------------------------------------------------------------------------------


def test_the_money_bound_is_ten_trillion_yuan():
    assert MONEY_LIMIT == D(10) ** 13 and SCORE_LIMIT == D(1000)
    assert parse_money("9,999,999,999,999.99") == D("9999999999999.99")  # the largest amount: 13 integer digits
    assert parse_money("-9999999999999.99") == D("-9999999999999.99")  # negative amounts are read (and flagged)
    assert parse_money("10000000000000") is None  # 10 万亿元
    assert parse_money("999999999.99", WAN_YUAN) == D("9999999999900.00")  # 9 integer digits in 万元
    assert parse_money("1000000000", WAN_YUAN) is None
    assert parse_money("1000000000万元") is None and parse_money("1000000000万") is None
    assert parse_decimal("999.99") == D("999.99") and parse_decimal("9" * 15) == D("9" * 15)
    assert parse_decimal("9" * 16) is None


@pytest.mark.parametrize("text", HUGE)
def test_huge_or_odd_numbers_are_not_read(text):
    for unit in (YUAN, WAN_YUAN):
        assert parse_money(text, unit) is None
        assert parse_money(text + "元", unit) is None and parse_money(text + "万元", unit) is None
    if text.lstrip("-").isdigit() and len(text.lstrip("-")) <= 15:
        return
    assert parse_decimal(text) is None


def test_display_never_raises_for_large_values():
    assert format_money(D("9999999999900.00"), WAN_YUAN) == "999,999,999.99"
    assert format_money(D("9999999999999.99"), YUAN) == "9,999,999,999,999.99"
    assert format_number(D("1E+30")) == "1" + "0" * 30  # a ratio of two bounded numbers
    assert round_half_up(D("123456789012345678901234567890.555")) == D("123456789012345678901234567890.56")
    assert format_number(D("1E-400")) == "0"


# ---- the model keeps the text ------------------------------------------------------------------------------

AMOUNT_PATHS = [("annual_amount",), ("total_amount",)]


@pytest.mark.parametrize("unit", [WAN_YUAN, YUAN])
@pytest.mark.parametrize("digits", [14, 23, 27, 30, 400])
def test_typing_a_long_number_keeps_the_text_and_flags_it(unit, digits):
    """Typing 23 digits into a 万元 amount crashed the app (issue 11, item 5)."""
    form = Declaration(amount_unit=unit)
    text = "9" * digits
    set_text(form, ("annual_amount",), text)
    assert form.annual_amount is None and form.raw == {"annual_amount": text}
    assert get_text(form, ("annual_amount",)) == text
    problems = [p for p in check_form(form, FUTIAN) if p.field == "annual_amount"]
    assert [p.rule for p in problems] == ["money.too_large"]
    assert problems[0].severity == "error" and text in problems[0].message and "10 万亿元" in problems[0].message


@pytest.mark.parametrize("path", [("indicators", 0, "weight"), ("indicators", 0, "score"), ("funds", "weight")])
@pytest.mark.parametrize("text", ["1000", "9" * 40, "1E+400"])
def test_a_long_weight_or_score_is_kept_and_flagged(path, text):
    form = SelfEvaluation(indicators=[EvaluationIndicator(level2=Level2.QUANTITY, name="a", target="≥1", actual="1")])
    set_text(form, path, text)
    assert get_text(form, path) == text
    rules = {p.rule for p in check_form(form, FUTIAN) if p.key == path[-1]}
    assert "number.too_large" in rules
    score_self_evaluation(form, FUTIAN)


@pytest.mark.parametrize("path,rule", [(("year",), "header.year"), (("duration_years",), "declaration.duration")])
def test_a_long_year_is_kept_and_flagged_by_its_own_rule(path, rule):
    form = Declaration()
    text = "2" * 5000  # int() of it would be past Python's 4,300-digit str limit
    set_text(form, path, text)
    assert get_text(form, path) == text
    assert rule in [p.rule for p in check_form(form, FUTIAN)]


def test_rules_are_in_the_catalogue():
    for rule in ("money.too_large", "number.too_large"):
        assert RULES[rule].severity == "error"
        assert RULES[rule].code == "N1"


@pytest.mark.parametrize("value", [D("1E+400"), D("9" * 40), D("1E+999999"), D("-1E+20"), D("1E-400")])
def test_a_model_built_with_an_absurd_value_keeps_it_as_raw_text(value):
    line = FundLine(annual_budget=value)
    assert line.annual_budget is None and line.raw == {"annual_budget": str(value)}
    row = EvaluationIndicator(level2=Level2.QUANTITY, weight=value)
    assert row.weight is None and row.raw == {"weight": str(value)}
    line = FundLine()
    line.executed = value  # assignment, as the importers do
    assert line.executed is None and line.raw == {"executed": str(value)}


def test_in_range_values_are_kept_as_they_are():
    line = FundLine(annual_budget=D("9999999999999.99"), executed=D("0.001"))
    assert line.annual_budget == D("9999999999999.99") and line.executed == D("0.001") and line.raw == {}
    row = EvaluationIndicator(level2=Level2.QUANTITY, weight=D("999.99"), score=D("-999"))
    assert row.weight == D("999.99") and row.score == D(-999)
    assert Declaration(year=2023).year == 2023


# ---- a project file holding such values ----------------------------------------------------------------------


def _document(value) -> str:
    rows = [DeclarationIndicator(level2=info.key, name="指标", target="≥1", explanation="说明") for info in SKELETON]
    decl = Declaration(project_code="440304221061500000046", project_name="项目", indicators=rows)
    evaluation = SelfEvaluation(
        project_code="440304221061500000046", project_name="项目", year=2023,
        funds=Funds(total=FundLine(initial_budget=D(100), annual_budget=D(100), executed=D(90))),
        indicators=[EvaluationIndicator(level2=info.key, name="指标", target="≥1", actual="1", weight=D(10),
                                        score=D(10)) for info in SKELETON])
    dept = DepartmentOverall(year=2023, department_name="局", tasks=[Task(name="任务", total=D(1), appropriation=D(1))])
    doc = {"format": "fcast-project", "schema_version": 1,
           "project": Project(unit="局", year=2023, forms=[decl, evaluation, dept]).model_dump(mode="json")}
    forms = doc["project"]["forms"]
    forms[0]["annual_amount"] = forms[0]["total_amount"] = value
    funds = forms[1]["funds"]
    funds["total"]["annual_budget"] = funds["total"]["executed"] = funds["weight"] = value
    forms[1]["indicators"][0]["weight"] = forms[1]["indicators"][1]["score"] = value
    forms[2]["tasks"][0]["total"] = forms[2]["tasks"][0]["other"] = value
    return json.dumps(doc, ensure_ascii=False, indent=1)


ABSURD = ["1E+400", "9" * 40, "1E+999999", "-1E+999999", "NaN", "Infinity", "1E-400", "1E-999999"]


@pytest.mark.parametrize("value", ABSURD)
def test_a_project_file_with_absurd_numbers_loads_checks_scores_and_exports(value, tmp_path):
    from fcast_desktop.exchange.pdf_export import export_pdf
    from fcast_desktop.exchange.xlsx_export import export_xlsx
    from fcast_desktop.store.project_file import loads_project

    project = loads_project(_document(value), "p.fcast")
    decl, evaluation, dept = project.forms
    assert decl.raw["annual_amount"] == value and decl.annual_amount is None
    assert evaluation.funds.total.raw["executed"] == value and evaluation.indicators[0].raw["weight"] == value
    assert dept.tasks[0].raw["total"] == value
    entries = check_entries(project)
    rules = {e["rule"] for e in entries}
    if value not in ("NaN", "Infinity", "1E-400", "1E-999999"):
        assert {"money.too_large", "number.too_large"} <= rules
    assert all(e["message"] for e in entries)
    score_entries(project)
    computed_values(evaluation, project)
    export_pdf(project, project.forms, tmp_path / "p.pdf")
    export_xlsx(project, project.forms, tmp_path / "p.xlsx")
    assert (tmp_path / "p.pdf").stat().st_size > 0 and (tmp_path / "p.xlsx").stat().st_size > 0


@pytest.mark.parametrize("value", ["1E+400", "9" * 40, "1E+999999"])
def test_the_cli_checks_and_exports_such_a_project(value, tmp_path, capsys):
    from fcast_desktop.cli import main

    path = tmp_path / "p.fcast"
    path.write_text(_document(value), encoding="utf-8")
    assert main(["check", str(path), "--json"]) == 1
    rules = {e["rule"] for e in json.loads(capsys.readouterr().out)}
    assert {"money.too_large", "number.too_large"} <= rules
    assert main(["score", str(path), "--json"]) == 0
    assert main(["export", str(path), "--pdf", str(tmp_path / "o.pdf")]) == 0
    assert main(["export", str(path), "--xlsx", str(tmp_path / "o.xlsx")]) == 0
    assert "Traceback" not in capsys.readouterr().err


# ---- extreme values inside the range, and in 指标值 / 测算依据 texts ----------------------------------------------


def test_extreme_in_range_combinations_score_and_check():
    rows = [EvaluationIndicator(level2=Level2.QUANTITY, name="a", target="≥0.000000000000001个", actual="9" * 15 + "个",
                                weight=D("999.99")),
            EvaluationIndicator(level2=Level2.QUALITY, name="b", target="≤0.000000000000001%", actual="9" * 15 + "%",
                                weight=D("0.000000000000001"), score=D("-999.99")),
            EvaluationIndicator(level2=Level2.COST, name="c", target="≥" + "9" * 40 + "个",
                                actual="1" + "0" * 40 + "个", weight=D(1)),
            EvaluationIndicator(level2=Level2.SOCIAL, name="d", target="显著", actual="显著", weight=D("999.99"))]
    form = SelfEvaluation(funds=Funds(total=FundLine(annual_budget=D("0.01"), executed=D("9999999999999.99")),
                                      weight=D("999.99")), indicators=rows)
    score = score_self_evaluation(form, FUTIAN)
    assert score.execution_rate == D("99999999999999900.00")
    problems = check_form(form, FUTIAN)
    assert any(p.rule == "indicator.value.unrecognised" and p.row == 2 for p in problems)  # 40 digits: not a value
    computed_values(form)


def test_long_numbers_in_calculation_basis_never_raise():
    for text in ["1*1=0." + "1" * 40000, "1" * 300 + "*2=3", "2*3=" + "9" * 400 + "万元", "0.0000000001元*1=1元",
                 "值班员" + "9" * 60 + "名(1元*2=3元", "共" + "9" * 500 + "万元。" + "1元*2=2元",
                 "38.2万元," + "2元*1=" * 50]:
        form = Declaration(calculation_basis=text, annual_amount=D(1))
        check_form(form, FUTIAN)


_NUMBERS = st.one_of(
    st.from_regex(r"[+-]?\d{1,45}(\.\d{0,45})?", fullmatch=True),
    st.sampled_from(ABSURD + ["-0", "0", "0.00", "1,234.5", "1.2万", "12000元", "１２０００"]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
_VALUES = st.builds(lambda op, n, unit: op + n + unit, st.sampled_from(["", "≥", "≤", "<", ">", "同比上升"]),
                    _NUMBERS, st.sampled_from(["", "%", "个", "万人", "小时内", "天"]))
_EV_PATHS = [("funds", line, col) for line in ("total", "appropriation", "carryover", "other")
             for col in ("initial_budget", "annual_budget", "executed")] + [("funds", "weight")] + \
    [("indicators", n, key) for n in range(2) for key in ("weight", "score")]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_EV_PATHS), _NUMBERS), max_size=12),
       st.lists(st.tuples(st.sampled_from([("indicators", n, k) for n in range(2) for k in ("target", "actual")]),
                          _VALUES), max_size=4))
def test_any_numbers_typed_into_a_self_evaluation_never_raise(numbers, values):
    form = SelfEvaluation(indicators=[EvaluationIndicator(level2=Level2.QUANTITY, name="a", target="≥1", actual="1"),
                                      EvaluationIndicator(level2=Level2.COST, name="b", target="≤2万元", actual="1")])
    for path, text in [*numbers, *values]:
        assert set_text(form, path, text)
        if get_value(form, path) is None and text.strip():
            assert get_text(form, path) == text  # unreadable or out of range: kept exactly as typed
    score_self_evaluation(form, FUTIAN)
    check_form(form, FUTIAN)
    computed_values(form)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["annual_amount", "total_amount", "duration_years", "year"]), _NUMBERS),
                max_size=6), st.sampled_from([WAN_YUAN, YUAN]), st.text(max_size=40), _NUMBERS)
def test_any_numbers_typed_into_a_declaration_or_department_form_never_raise(numbers, unit, basis, number):
    form = Declaration(amount_unit=unit, calculation_basis=basis + f"1*{number}={number}万元")
    for key, text in numbers:
        set_text(form, (key,), text)
    check_form(form, FUTIAN)
    dept = DepartmentOverall(tasks=[Task()])
    for key in ("total", "appropriation", "other"):
        set_text(dept, ("tasks", 0, key), number)
    check_form(dept, FUTIAN)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_set_text_never_raises_and_never_loses_the_text(text):
    form = Declaration(amount_unit=WAN_YUAN, indicators=[DeclarationIndicator(level2=Level2.QUANTITY)])
    ev = SelfEvaluation(indicators=[EvaluationIndicator(level2=Level2.QUANTITY)])
    for target, path in [(form, ("annual_amount",)), (form, ("year",)), (form, ("project_name",)),
                         (form, ("indicators", 0, "target")), (ev, ("funds", "total", "executed")),
                         (ev, ("indicators", 0, "weight")), (ev, ("year",))]:
        assert set_text(target, path, text)
        if get_value(target, path) is None and text.strip():
            assert get_text(target, path) == text  # unreadable or out of range: kept exactly as typed
    # choice fields refuse what is not a choice, without raising
    assert set_text(form, ("amount_unit",), text) is (text in ("万元", "元"))
    assert form.amount_unit in ("万元", "元")
