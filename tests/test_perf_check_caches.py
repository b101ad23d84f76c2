"""Issue 14: what `fcast check` keeps from one form to the next may never answer for a form as it was. The coach's
reading of a 三级指标 name is kept by name with the profile's word lists (``coach._name_facts``) and a character's
NFKC form by character (``values._FoldedCharacters``): both are pure functions of their key, so a form edited in
place (as the GUI edits it between checks) is judged on what it says now."""

from __future__ import annotations

from fcast_desktop.rules import check_form, load_profile
from fcast_desktop.rules.coach import _name_facts, _words_of
from fcast_desktop.store.project_file import load_project
from test_perf_loading import SAMPLE

FUTIAN = load_profile("shenzhen-futian")


def _rules_at(problems, row):
    return sorted(p.rule for p in problems if p.field == "indicators" and p.row == row)


def _first_quantity_row(form):
    return next(n for n, r in enumerate(form.indicators) if r.level2.value == "quantity" and r.name.strip()
                and r.name.strip() not in ("不适用", "不适应"))


def test_a_name_edited_in_place_is_read_again():
    project = load_project(SAMPLE)
    form = next(f for f in project.forms if f.kind == "declaration")
    n = _first_quantity_row(form)
    before = check_form(form, FUTIAN, project, hints=True)
    assert "coach.satisfaction_misplaced" not in _rules_at(before, n)
    form.indicators[n].name = "服务对象满意度"  # Q3: satisfaction under 数量指标
    after = check_form(form, FUTIAN, project, hints=True)
    assert "coach.satisfaction_misplaced" in _rules_at(after, n)
    form.indicators[n].name = "发放人数"
    again = check_form(form, FUTIAN, project, hints=True)
    assert "coach.satisfaction_misplaced" not in _rules_at(again, n)


def test_a_repeated_name_is_found_whatever_was_read_before():
    project = load_project(SAMPLE)
    form = next(f for f in project.forms if f.kind == "declaration")
    n = _first_quantity_row(form)
    other = next(k for k, r in enumerate(form.indicators) if k > n and r.name.strip()
                 and r.name.strip() not in ("不适用", "不适应"))
    assert "coach.duplicate_name" not in _rules_at(check_form(form, FUTIAN, project, hints=True), other)
    form.indicators[other].name = "　" + form.indicators[n].name  # a full-width space: the same name to a reader
    assert "coach.duplicate_name" in _rules_at(check_form(form, FUTIAN, project, hints=True), other)


def test_the_names_kept_stay_bounded():
    words = _words_of(FUTIAN)
    for k in range(9000):
        _name_facts(f"指标{k}", words)
    assert len(words.facts) <= 8192
    assert _name_facts("群众满意度", words)[1] is True  # still read right after the table was emptied


def test_a_target_edited_in_place_is_read_again():
    project = load_project(SAMPLE)
    form = next(f for f in project.forms if f.kind == "declaration")
    n = _first_quantity_row(form)
    form.indicators[n].target = "≥ ９５ ％"
    assert _rules_at(check_form(form, FUTIAN, project), n) == []
    form.indicators[n].target = "≥ 九十五 ％"  # no number: 缺少数值
    assert _rules_at(check_form(form, FUTIAN, project), n) == ["indicator.value.format"]
    form.indicators[n].target = "≥ ９５ ％"
    assert _rules_at(check_form(form, FUTIAN, project), n) == []
