"""Issue 14, `fcast check --json` of a large project: the problems are encoded by one C encoder made once
(``cli._item_encoder``) instead of one ``json.dumps`` per problem; the output stays exactly what ``json.dumps`` of
each item wrote."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fcast_desktop import cli

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text()
_JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


@given(st.lists(_JSON, max_size=6))
def test_each_item_is_encoded_as_json_dumps_encodes_it(items):
    encode = cli._item_encoder()
    assert [encode(item) for item in items] == [json.dumps(item, ensure_ascii=False) for item in items]


@pytest.mark.parametrize("doc", [[], [{"message": "分值应为“10”\n", "row": None}], [1, "二", [3]]])
def test_a_list_prints_one_item_per_line(doc, capsys):
    cli._print_json(doc)
    out = capsys.readouterr().out
    expected = "[\n" + ",\n".join(json.dumps(i, ensure_ascii=False) for i in doc) + "\n]\n" if doc else "[]\n"
    assert out == expected and json.loads(out) == doc


def test_without_the_c_encoder_json_dumps_is_used(monkeypatch):
    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    encode = cli._item_encoder()
    assert encode({"a": "中"}) == '{"a": "中"}'


def test_a_circular_item_is_refused_as_json_dumps_refuses_it():
    item: dict = {}
    item["self"] = item
    with pytest.raises(ValueError):
        cli._item_encoder()(item)


def test_check_entries_are_the_findings_of_every_form_with_their_explanations():
    """``report.check_entries`` builds the entries of a form no explanation names straight from its problems (no
    ``Finding`` each); forms with explanations go through ``form_findings``: same entries, same order."""
    from fcast_desktop.model import form_code
    from fcast_desktop.rules.explanations import explain, findings
    from fcast_desktop.rules.report import check_entries
    from fcast_desktop.store.project_file import load_project
    from test_perf_loading import SAMPLE

    project = load_project(SAMPLE)
    warned = [f for f in findings(project) if f.problem.severity == "warning"]
    assert len({f.form for f in warned}) >= 3
    for f in warned[::3]:
        project.explanations = explain(project, project.forms[f.form], f.problem, f"说明 {f.form}")
    expected = []
    for f in findings(project, hints=True):
        form, p = project.forms[f.form], f.problem
        entry = {"form": f.form, "form_type": form.kind, "project_code": form_code(form), "severity": p.severity,
                 "rule": p.rule, "field": p.field, "row": p.row, "column": p.column, "message": p.message}
        if f.explanation is not None:
            entry["explanation"] = f.explanation.text
        expected.append(entry)
    entries = check_entries(project, hints=True)
    assert entries == expected
    assert sum("explanation" in e for e in entries) == len(warned[::3])
