"""Issue 14: the cross-form rule S15 looks declarations up instead of searching the project for each
self-evaluation, the lookup follows edits, and a 测算依据 is read once per text whatever the caller passes."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from fcast_desktop.model import Declaration, Project, SelfEvaluation
from fcast_desktop.rules import arithmetic
from fcast_desktop.rules.checks import check_form, declaration_of
from fcast_desktop.rules.index import FormIndex, indexed
from fcast_desktop.rules.report import check_entries, check_project
from fcast_desktop.store.project_file import load_project

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "sample.fcast"


class CountingList(list):
    """project.forms that counts how many forms are handed out by iteration (a scan of the project)."""

    visited = 0

    def __iter__(self):
        for f in super().__iter__():
            CountingList.visited += 1
            yield f


def _pairs(n: int) -> Project:
    forms = []
    for k in range(n):
        code = f"44030400000{k:06d}1"
        forms.append(Declaration(project_code=code, project_name=f"项目{k}", year=2025))
        forms.append(SelfEvaluation(project_code=code, project_name=f"项目{k}", year=2025))
    return Project(forms=forms)


def test_whole_project_check_visits_forms_linearly():
    n = 2000
    project = _pairs(n)
    project.__dict__["forms"] = CountingList(project.forms)  # past validation, which would copy it to a list
    assert isinstance(project.forms, CountingList)
    CountingList.visited = 0
    problems = check_project(project)
    # a search per self-evaluation visited ~n²/2 = 2,000,000 forms; one index pass plus the loop visit ~2n each
    assert CountingList.visited <= 10 * 2 * n, CountingList.visited
    assert problems  # the check did run (empty forms have required fields missing)


def _lookup(e, project):
    """The declaration found by a search, by a fresh index, and inside a whole-project check: always the same."""
    searched = declaration_of(e, project)
    assert FormIndex(project.forms).declaration_of(e) is searched
    with indexed(project):
        assert declaration_of(e, project) is searched
    return searched


def test_lookup_agrees_with_a_search_and_follows_edits():
    project = _pairs(3)
    decls = [f for f in project.forms if isinstance(f, Declaration)]
    evals = [f for f in project.forms if isinstance(f, SelfEvaluation)]
    assert [_lookup(e, project) for e in evals] == decls
    # the declaration's 项目编码 changes: the evaluation no longer finds it
    decls[0].project_code = "440304000009999991"
    assert _lookup(evals[0], project) is None
    evals[0].project_code = "440304000009999991"
    assert _lookup(evals[0], project) is decls[0]
    # the year changes, a form is removed, a form replaced by another object
    decls[1].year = 2024
    assert _lookup(evals[1], project) is None
    project.forms.remove(decls[2])
    assert _lookup(evals[2], project) is None
    new = Declaration(project_code=evals[2].project_code, year=2025)
    project.forms.append(new)
    assert _lookup(evals[2], project) is new
    # declaration_id first; an id naming a form that is no declaration finds none
    evals[1].declaration_id = decls[1].id
    assert _lookup(evals[1], project) is decls[1]
    evals[1].declaration_id = evals[0].id
    assert _lookup(evals[1], project) is None


def test_first_declaration_of_a_code_and_year_wins_as_before():
    a = Declaration(project_code="440304000000000011", year=2025)
    b = Declaration(project_code="440304000000000011", year=2025)
    e = SelfEvaluation(project_code="440304000000000011", year=2025)
    project = Project(forms=[a, b, e])
    assert _lookup(e, project) is a
    project.forms[:] = [b, a, e]
    assert _lookup(e, project) is b


def test_sample_check_unchanged_and_follows_an_edited_code():
    project = load_project(SAMPLE)
    entries = check_entries(project, hints=True)
    out = subprocess.run([sys.executable, "-m", "fcast_desktop.cli", "check", "--json", str(SAMPLE)],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert json.loads(out.stdout) == entries
    # per form, without the whole-project index, the same problems
    single = [e for n, f in enumerate(project.forms) for e in check_form(f, None, project)]
    assert single == [p for _, p in check_project(project)]
    # the sample pairs no evaluation with a declaration (its evaluations are of 2022, its declarations of 2023):
    # an evaluation moved to 2023 meets its declaration (S15 findings appear), until the declaration's 项目编码
    # changes (then it has none: the lookup saw the edit)
    n, form = next((n, f) for n, f in enumerate(project.forms)
                   if isinstance(f, SelfEvaluation) and f.project_code == "440304221061500000003")
    decl = next(f for f in project.forms if isinstance(f, Declaration) and f.project_code == form.project_code)

    def s15(found):
        return [e for e in found if e["form"] == n and e["rule"].startswith("evaluation.declaration.")]

    assert declaration_of(form, project) is None and s15(entries) == []
    form.year = decl.year
    assert declaration_of(form, project) is decl
    assert s15(check_entries(project, hints=True))
    kept = FormIndex(project.forms)  # a caller's own index (the GUI's), passed to a single form's check
    s15_rules = {e["rule"] for e in s15(check_entries(project, hints=True))}
    assert {p.rule for p in check_form(form, None, project, index=kept)} >= s15_rules
    assert not {p.rule for p in check_form(form, None, project, index=FormIndex([]))} & s15_rules
    decl.project_code = "440304221061500000099"
    assert declaration_of(form, project) is None
    assert s15(check_entries(project, hints=True)) == []


def test_basis_text_is_read_once_whatever_the_tolerance_argument():
    text = ("办公用品2768套/月*312元/套*11个月=949.98万元，"
            "另计38.20万元,50元/人/日*29人*22日*12个月=38.28万元。")
    arithmetic._calculations.cache_clear()
    arithmetic._normalised.cache_clear()
    arithmetic.find_calculations(text)
    arithmetic.find_part_slips(text, Decimal("0.05"))
    arithmetic.find_calculations(text, Decimal("0.05"))
    arithmetic.money_figures(text)
    assert arithmetic._calculations.cache_info().misses == 1
    assert arithmetic._normalised.cache_info().misses == 1
