"""Issue 14 (rules per form): what the rules now work out once per text or per layout (the coach's reading of an
indicator name, the titles of the columns) must follow the profile and the text it was worked out for, never an
earlier one — and reading a long 测算依据 stays linear. No timings here (see benchmarks/bench_rules.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace

from fcast_desktop.layouts.levels import level2_name
from fcast_desktop.model import SKELETON, Declaration, DeclarationIndicator
from fcast_desktop.rules import check_form, load_profile

FUTIAN = load_profile("shenzhen-futian")


def declaration(name: str, target: str = "≥90%") -> Declaration:
    rows = [DeclarationIndicator(level2=i.key, name=f"{level2_name(i.key, 'short')}指标",
                                 target="≥90%", explanation="说明")
            for i in SKELETON]
    rows[0] = DeclarationIndicator(level2=SKELETON[0].key, name=name, target=target, explanation="说明")
    return Declaration(project_code="440304221061500000046", project_name="测试项目", year=2024, indicators=rows)


def coach_rules(form: Declaration, profile=FUTIAN) -> list[str]:
    return sorted(p.rule for p in check_form(form, profile, hints=True) if p.rule.startswith("coach."))


def test_the_coach_reads_a_name_with_each_profiles_own_words():
    """The same name, checked with two word lists in turn (and back): each time the words of that profile."""
    form = declaration("群众获得感指数")
    own_words = dict(FUTIAN.coach_words, satisfaction=("获得感指数",))
    other = replace(FUTIAN, coach_words=own_words)
    assert "coach.satisfaction_misplaced" not in coach_rules(form)
    assert "coach.satisfaction_misplaced" in coach_rules(form, other)
    assert "coach.satisfaction_misplaced" not in coach_rules(form)
    capped = replace(FUTIAN, coach_words=dict(FUTIAN.coach_words, capped_percent=("获得感",)))
    over = declaration("群众获得感指数", target="≥120%")
    assert "coach.percent_over_100" in coach_rules(over, capped)
    assert "coach.percent_over_100" not in coach_rules(over)


def test_an_edited_name_is_read_again():
    form = declaration("服务对象满意度")
    assert "coach.satisfaction_misplaced" in coach_rules(form)
    form.indicators[0].name = "服务对象数量"
    assert "coach.satisfaction_misplaced" not in coach_rules(form)
    form.indicators[0].name = "服务对象满意度"
    assert "coach.satisfaction_misplaced" in coach_rules(form)


def test_a_long_calculation_text_is_read_in_linear_time():
    """205,000 characters of 测算依据 (over 5,000 expressions), checked once: about a second now (12,800 characters
    cost a keystroke about 10 ms of rules); a step quadratic in the length would take minutes. Guarded by a
    subprocess timeout, not a timing."""
    code = textwrap.dedent("""
        from fcast_desktop.model import Declaration
        from fcast_desktop.rules import check_form, load_profile
        from fcast_desktop.rules.arithmetic import find_calculations
        part = "办公用品每人每月200元/人/月*30人*12个月=7.2万元；印刷费用5000元/次*4次=2万元，合计9.2万元。"
        text = (part * 4000)[:205_000]
        form = Declaration(variant="basis", calculation_basis=text, annual_amount="92000.00", year=2024)
        problems = check_form(form, load_profile("shenzhen-futian"), hints=True)
        assert len(find_calculations(text)) > 5000
        print(len(problems))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
