"""The form model keeps what the user typed and the fixed skeleton order."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fcast_desktop.layouts.levels import level1_from_label, level2_from_label
from fcast_desktop.model import Declaration, DeclarationIndicator, Level2
from fcast_desktop.model.money import format_money, format_number, parse_decimal, parse_money


def test_indicators_follow_the_skeleton_order_and_keep_group_order():
    rows = [DeclarationIndicator(level2=Level2.SOCIAL, name="b"),
            DeclarationIndicator(level2=Level2.QUANTITY, name="a1"),
            DeclarationIndicator(level2=Level2.SOCIAL, name="c"),
            DeclarationIndicator(level2=Level2.QUANTITY, name="a2")]
    form = Declaration(indicators=rows)
    assert [r.name for r in form.indicators] == ["a1", "a2", "b", "c"]


def test_money_reading():
    assert parse_money("13,920,000.00") == Decimal("13920000.00")
    assert parse_money("１２０００") == Decimal("12000.00")
    assert parse_money("1.2万") == Decimal("12000.00")
    assert parse_money("42.70", "万元") == Decimal("427000.00")
    assert parse_money(" 12 000 ") == Decimal("12000.00")
    assert parse_money("0.005") == Decimal("0.01")  # half-up
    assert parse_money("十二") is None and parse_money("") is None
    assert format_money(Decimal("427000.00"), "万元") == "42.70"
    assert format_money(Decimal("120000000"), "万元") == "12,000.00"


def test_number_display_like_the_seeds():
    shown = [format_number(Decimal(x)) for x in ("9.90", "10.00", "83.70", "98.28", "0")]
    assert shown == ["9.9", "10", "83.7", "98.28", "0"]


@given(st.text())
def test_parse_decimal_never_raises(text):
    assert parse_decimal(text) is None or isinstance(parse_decimal(text), Decimal)


def test_labels():
    assert level2_from_label("*数量") == Level2.QUANTITY
    assert level2_from_label("服务对象满意度指标") == Level2.SERVICE_SATISFACTION
    assert level1_from_label("产出指标 (50分)") is not None
    assert level2_from_label("数量多") is None


def test_editing_keeps_unreadable_text_and_restores_exactly():
    from fcast_desktop.model import EvaluationIndicator, SelfEvaluation
    from fcast_desktop.model.editing import get_text, restore, set_text, snapshot

    form = Declaration(amount_unit="万元", indicators=[DeclarationIndicator(level2=Level2.QUANTITY)])
    set_text(form, ("annual_amount",), "42.70")
    assert form.annual_amount == Decimal("427000.00") and get_text(form, ("annual_amount",)) == "42.70"
    before = snapshot(form, ("annual_amount",))
    set_text(form, ("annual_amount",), "四十二万")
    assert form.annual_amount is None and get_text(form, ("annual_amount",)) == "四十二万"
    restore(form, ("annual_amount",), before)
    assert form.raw == {} and form.annual_amount == Decimal("427000.00")
    set_text(form, ("indicators", 0, "target"), "≥8")
    assert form.indicators[0].target == "≥8"
    set_text(form, ("duration_years",), "3年")
    assert form.duration_years == 3
    ev = SelfEvaluation(indicators=[EvaluationIndicator(level2=Level2.COST)])
    set_text(ev, ("funds", "total", "executed"), "1,356,587.20")
    assert ev.funds.total.executed == Decimal("1356587.20")
    assert get_text(ev, ("funds", "total", "executed"), grouping=False) == "1356587.20"
    set_text(ev, ("indicators", 0, "score"), "1.70")
    assert get_text(ev, ("indicators", 0, "score")) == "1.7"
    set_text(ev, ("indicators", 0, "score"), "")
    assert ev.indicators[0].score is None and ev.indicators[0].raw == {}


@pytest.mark.parametrize("text, value", [
    ("13,920,000.00", Decimal("13920000.00")), ("１，２３４.５", Decimal("1234.5")), ("-1,000", Decimal("-1000")),
    ("1 200.5", Decimal("1200.5")), ("1,2", None), ("12,00", None), ("1,2345", None), (",100", None),
])
def test_thousands_separators_only_in_their_places(text, value):
    """'1,2' is neither 12 nor 1.2: it is unreadable (kept as typed and flagged), never silently reinterpreted."""
    assert parse_decimal(text) == value


def test_every_record_with_bounded_fields_keeps_out_of_range_values_as_text():
    """Only records with 金额/分值/年度 fields check their range when read (speed, issue 14); none may miss it. A file
    value out of range of each such field lands in ``raw`` instead of being refused or dropped."""
    from fcast_desktop.model import forms

    assert forms.records_missing_range_check() == []
    todo, seen = list(forms.Record.__subclasses__()), 0
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        base = {"level2": "quantity"} if issubclass(cls, forms.IndicatorBase) else {}
        if issubclass(cls, forms.Explanation):
            base = {"form_id": "x", "rule": "r", "field": "f"}
        for name, kind in cls.bounded_fields().items():
            too_large = "1" * 30 if kind != "score" else "5000"
            record = cls.model_validate({**base, name: too_large})
            assert getattr(record, name) is None and record.raw[name] == too_large, (cls.__name__, name)
            seen += 1
    assert seen >= 15
