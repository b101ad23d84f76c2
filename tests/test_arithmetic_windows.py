"""测算依据 arithmetic read run of lines by run of lines, and `=` by `=` from a window of text before each (issue 14:
a keystroke in a 测算依据 of 12,800 characters reads again only the line it changed). The runs and windows must find
exactly what reading the whole text finds — the same expressions, values and positions, the same money figures
(N3), the same part slips — for any text, including the edges: a `=` near the start, long runs of spaces before a
`=`, head counts (`6名(`), hard stops just outside a window, and readings that go on over a line break (`=\n36`,
`12\n万元`, `6名(\n…`, `5元\n/月`)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fcast_desktop.rules import arithmetic

PIECES = ["12", "1,500", "0.5", "3.14", "1200", "6", "100", "元", "万元", "万", "人", "个月", "元/人/月", "/月", "名",
          "*", "×", "/", "÷", "+", "-", "=", "≈", " ", "   ", " " * 20, "\n", "，", "。", "；", "(", "（", ")", "、",
          "办公费", "每月", "值班员", "6名(", "%", "：", "约", "1*" * 60, " " * 200,
          "\n", "\n", " \n", "\n\n", "38.20万元", "亿元", "二、", "(2)", "2.", "/人", "／", "\u3000", "１２", "＝",
          "（", "人", "套"]


def whole_text_reading(text: str, tolerance: Decimal = arithmetic.APPROX_TOLERANCE) -> tuple:
    """Every `=` read in the whole text, as before the windows."""
    t = arithmetic._normalised(text)
    stops = [s.start() for s in arithmetic._HARD_STOP.finditer(t)]
    found = (arithmetic._calculation_at(t, m, stops, tolerance) for m in arithmetic._RESULT.finditer(t))
    return tuple(c for c in found if c is not None)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=400), st.integers(min_value=0, max_value=600))
def test_windows_find_what_the_whole_text_finds(pieces, padding):
    text = "说" * padding + "".join(pieces)  # the first `=` near the start, or far from it
    arithmetic._calculations.cache_clear()
    assert arithmetic.find_calculations(text) == whole_text_reading(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=300))
def test_runs_of_lines_find_what_the_whole_text_finds(pieces):
    text = "".join(pieces)
    for cache in (arithmetic._calculations, arithmetic._money_figures, arithmetic._part_slips, arithmetic._segments):
        cache.cache_clear()
    whole = arithmetic._normalised(text)
    segments = arithmetic._segments(text)
    assert "\n".join(segment for _position, segment in segments) == whole
    assert all(whole.startswith(segment, position) for position, segment in segments)
    assert arithmetic.find_calculations(text) == whole_text_reading(text)
    assert arithmetic.money_figures(text) == list(arithmetic._figures_in(whole))
    assert arithmetic.find_part_slips(text) == arithmetic._slips_in(whole, arithmetic.APPROX_TOLERANCE)


def test_readings_that_go_on_over_a_line_break():
    for text in ("12*3\n=36", "12*3=\n36", "12*3=36\n万元", "合计12\n万元", "单价5元\n/月",
                 "值班员6名(\n19000元/月*12=1368000元)", "值班员6\n名(19000元/月*12=1368000元)",
                 "值班员6名\n(19000元/月*12=1368000元)", "共12\n\n  \n万元"):
        whole = arithmetic._normalised(text)
        assert arithmetic.find_calculations(text) == whole_text_reading(text), text
        assert arithmetic.money_figures(text) == list(arithmetic._figures_in(whole)), text
    assert arithmetic.money_figures("合计12\n万元") == [Decimal(120000)]
    assert [c.stated for c in arithmetic.find_calculations("12*3\n=36")] == [Decimal(36)]
    assert [c.matches for c in arithmetic.find_calculations("值班员6名\n(19000元/月*12=1368000元)")] == [True]


def test_a_long_text_and_an_edit_in_it():
    lines = [f"{n}. 办公费用第{n}项：{n % 9 + 2}人×{1200 + n}元/月×12个月={(n % 9 + 2) * (1200 + n) * 12}元；"
             for n in range(1, 400)]
    lines[7] = "值班员6名(19000元/月*12=1368000元)"  # a head count before the expression
    lines[9] = "合计" + " " * 40 + "12*3=36"  # spaces, far from the `=` of the line before
    text = "\n".join(lines)
    found = arithmetic.find_calculations(text)
    assert found == whole_text_reading(text)
    assert len(found) == 399 and all(c.matches for c in found)
    edited = text[:5000] + "9" + text[5000:]  # a keystroke in the middle
    assert arithmetic.find_calculations(edited) == whole_text_reading(edited)
    assert [c.text for c in arithmetic.find_calculations(edited)] != [c.text for c in found]


def test_spaces_before_a_far_equals_sign_are_read_in_place():
    text = "说" * 500 + "12*3" + " " * 1000 + "=36"
    assert arithmetic.find_calculations(text) == whole_text_reading(text)
    assert [c.stated for c in arithmetic.find_calculations(text)] == [Decimal(36)]


def test_a_head_count_before_the_longest_expression_is_still_read():
    text = "说" * 500 + "值班员6名(" + "1*" * 119 + "1=6元"  # 6 people × 1 元: matches only with the head count
    found = arithmetic.find_calculations(text)
    assert found == whole_text_reading(text)
    assert [c.matches for c in found] == [True]


def test_the_quoted_expression_of_a_message_is_found_with_its_line():
    text = "一、办公费\n印刷费：３×２,０００元＝６,１００元\n合计"
    assert arithmetic.quoted_expression(text, "“3×2,000元=6,100元”算得 6000元") == (10, 25, 2)
    # a part slip quotes its expressions together: the first is looked for
    slip = "分项金额 1万元 与其后算式的结果 1.2万元 不一致（相差 0.2万元）：“3×2,000元=6,100元；2×1元=2元”，请核对"
    assert arithmetic.quoted_expression(text, slip) == (10, 25, 2)
    assert arithmetic.quoted_expression(text, "“9×9=81”") is None
    assert arithmetic.quoted_expression(text, "没有引号") is None
