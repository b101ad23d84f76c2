"""Issue 14: one keystroke costs work in proportion to what changed, not to the project's size; the running totals
(status bar, problems list, list badges) stay equal to a count from scratch after edits, undo and forms added or
removed. Counts of calls, never timings."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from windows import close_window, open_window

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "sample.fcast"


def _big_project_file(tmp_path: Path, n_forms: int) -> Path:
    """The sample's forms repeated to ``n_forms`` (new ids; each copy's 申报表/自评表 pair by a code of their own)."""
    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    base = doc["project"]["forms"]
    forms = []
    for i in range(n_forms):
        form, k = dict(base[i % len(base)]), i // len(base)
        if k:
            form["id"] = hashlib.sha1(f"{k}/{form['id']}".encode()).hexdigest()[:12]
            code = form.get("project_code") or ""
            if len(code) >= 17:
                form["project_code"] = code[:12] + f"9{k:04d}" + code[17:]
        forms.append(form)
    doc["project"] = dict(doc["project"], forms=forms)
    path = tmp_path / f"big-{n_forms}.fcast"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


class _Counts:
    def __init__(self, monkeypatch):
        from fcast_desktop import rules
        from fcast_desktop.gui import document, panels
        from fcast_desktop.rules import checks, index

        self.n = {"check_form": 0, "kinds": 0, "search": 0, "index": 0, "reset": 0, "details_of": 0}
        check_form, kinds, search = rules.check_form, document.Findings.kinds, checks.search_declaration
        form_index = index.FormIndex.__init__

        def counted(name, fn):
            def wrapper(*a, **kw):
                self.n[name] += 1
                return fn(*a, **kw)
            return wrapper

        monkeypatch.setattr(rules, "check_form", counted("check_form", check_form))
        monkeypatch.setattr(document.Findings, "kinds", counted("kinds", kinds))
        monkeypatch.setattr(checks, "search_declaration", counted("search", search))
        monkeypatch.setattr(index.FormIndex, "__init__", counted("index", form_index))
        form_details = panels.form_details

        def details(forms):
            self.n["details_of"] = max(self.n["details_of"], len(forms))
            return form_details(forms)

        monkeypatch.setattr(panels, "form_details", details)

    def reset(self) -> None:
        self.n = dict.fromkeys(self.n, 0)


def _keystroke_work(app, qtbot, tmp_path, monkeypatch, n_forms: int) -> dict:
    from fcast_desktop.model.editing import SetText

    w = open_window(qtbot, _big_project_file(tmp_path, n_forms))
    try:
        doc = w.document
        form = next(f for f in doc.project.forms if f.kind == "self_evaluation")
        w.select_form(form.id)
        counts = _Counts(monkeypatch)
        resets = []
        w.problems.model.modelReset.connect(lambda: resets.append(1))
        name = form.project_name
        for ch in "新名称":  # typing merged into one undo step, as the header editor does
            name += ch
            doc.edit(form.id, [SetText(("project_name",), name)], merge=True)
        counts.n["reset"] = len(resets)
        return counts.n
    finally:
        close_window(w)


def test_keystroke_work_does_not_grow_with_the_project(app, qtbot, tmp_path, monkeypatch):
    small = _keystroke_work(app, qtbot, tmp_path, monkeypatch, 200)
    monkeypatch.undo()
    big = _keystroke_work(app, qtbot, tmp_path, monkeypatch, 2000)
    assert big["check_form"] == 3  # the edited form only, once per keystroke
    assert big["search"] == 0  # S15 looks the declaration up in the kept index, no search of the forms
    assert big["index"] == 0  # a name typed changes nothing the index is built on
    assert big["reset"] == 0  # the problems list is not rebuilt
    assert big["kinds"] < 50  # no pass over every form's findings (status bar, problems list, badges)
    assert big["details_of"] < 200  # the forms of the old and the new name only, not all 2,000
    assert {k: n for k, n in big.items() if k != "details_of"} == {k: n for k, n in small.items() if k != "details_of"}


def _paired(doc):
    """A self-evaluation made to pair with the 申报表 of its 项目编码 (its year set to that one's, an undoable edit)."""
    from fcast_desktop.model.editing import SetText
    from fcast_desktop.rules.index import search_declaration

    project = doc.project
    codes = {f.project_code: f for f in project.forms if f.kind == "declaration" and f.year is not None}
    evaluation = next(f for f in project.forms if f.kind == "self_evaluation" and not f.declaration_id
                      and f.project_code in codes)
    declaration = codes[evaluation.project_code]
    doc.edit(evaluation.id, [SetText(("year",), str(declaration.year))])
    assert search_declaration(evaluation, project) is declaration
    return evaluation, declaration


def _recount(project):
    """Status bar text and the problem rows from a new document checking every form."""
    from fcast_desktop.gui.document import ProjectDocument

    fresh = ProjectDocument(project)
    fresh.check_all()
    found = [fresh.findings(f.id) for f in project.forms]
    errors, warnings = sum(f.errors for f in found), sum(f.warnings for f in found)
    explained, hints = sum(f.explained for f in found), sum(f.hints for f in found)
    text = f"{len(project.forms)} 张表单　错误 {errors} 个　警告 {warnings} 个"
    if explained:
        text += f"，已说明 {explained} 个"
    if hints:
        text += f"　提示 {hints} 个"
    rows = [(f.id, p) for f, fd in zip(project.forms, found, strict=True) for p in fd.problems]
    kinds = [k for fd in found for k in fd.kinds()]
    badges = {f.id: (fd.errors, fd.warnings) for f, fd in zip(project.forms, found, strict=True)}
    return text, rows, kinds, badges


def _assert_matches_recount(w) -> str:
    from fcast_desktop.gui.panels import BadgeRole, DetailRole, form_details

    text, rows, kinds, badges = _recount(w.document.project)
    assert w.statusSummary.text() == text
    model = w.problems.model
    assert model.rows == rows
    assert model.kinds == kinds
    assert model.rowCount() == len(rows)
    counts = Counter(kinds)
    shown = f"错误 {counts['error']} 个，警告 {counts['warning']} 个"
    shown += f"，已说明 {counts['explained']} 个" if counts["explained"] else ""
    shown += f"，提示 {counts['hint']} 个" if counts["hint"] else ""
    assert w.problems.count.text().startswith(f"共 {len(rows)} 个问题（{shown}）；显示 ")
    assert w.problems.proxy.sourceModel() is model
    tree = w.tree_model
    assert {fid: tree.index_of_form(fid).data(BadgeRole) for fid in badges} == badges
    details = form_details(w.document.project.forms)
    assert {fid: tree.index_of_form(fid).data(DetailRole) or "" for fid in badges} == {
        fid: details.get(fid, "") for fid in badges}
    return text


def test_totals_and_problem_list_match_a_recount_after_edits(app, qtbot, tmp_path, qtmodeltester):
    from fcast_desktop.gui import commands
    from fcast_desktop.model.editing import SetText

    w = open_window(qtbot, _big_project_file(tmp_path, 130))
    try:
        doc = w.document
        stack = doc.undo_stack
        seen = {_assert_matches_recount(w)}
        evaluation, declaration = _paired(doc)
        seen.add(_assert_matches_recount(w))
        w.select_form(evaluation.id)
        # edits that add and remove problems: an emptied name, a year that no 申报表 has, then back
        doc.edit(evaluation.id, [SetText(("project_name",), "")])
        seen.add(_assert_matches_recount(w))
        doc.edit(evaluation.id, [SetText(("year",), "1999")])
        seen.add(_assert_matches_recount(w))
        doc.edit(declaration.id, [SetText(("project_name",), "")])
        seen.add(_assert_matches_recount(w))
        other = next(f for f in doc.project.forms if f.project_name and f.project_name != evaluation.project_name)
        doc.edit(evaluation.id, [SetText(("project_name",), other.project_name)])
        _assert_matches_recount(w)  # a name shared now: the years and codes that tell them apart
        stack.undo()
        _assert_matches_recount(w)
        for _ in range(4):
            stack.undo()
            seen.add(_assert_matches_recount(w))
        stack.redo()
        seen.add(_assert_matches_recount(w))
        assert len(seen) > 2  # the edits did change the counts
        # forms removed, added, and both undone
        removed = [f for f in doc.project.forms if f.id != evaluation.id][:5]
        stack.push(commands.FormListCommand(doc, [f for f in doc.project.forms if f not in removed], "删除表单"))
        seen.add(_assert_matches_recount(w))
        extra = evaluation.model_copy(deep=True, update={"id": "copy-of-evaluation"})
        stack.push(commands.FormListCommand(doc, [*doc.project.forms, extra], "新建表单"))
        _assert_matches_recount(w)
        doc.edit(extra.id, [SetText(("project_name",), "")])
        _assert_matches_recount(w)
        for _ in range(3):
            stack.undo()
            _assert_matches_recount(w)
        qtmodeltester.check(w.problems.model)
        qtmodeltester.check(w.problems.proxy)
    finally:
        close_window(w)


def test_kept_index_follows_a_declarations_code_and_year(app, qtbot, tmp_path):
    """After a 申报表's 项目编码 or year changes, the self-evaluation's check finds what a search of the forms finds."""
    from fcast_desktop.model.editing import SetText
    from fcast_desktop.rules.checks import declaration_of
    from fcast_desktop.rules.index import search_declaration

    w = open_window(qtbot, _big_project_file(tmp_path, 130))
    try:
        doc = w.document
        project = doc.project
        evaluation, declaration = _paired(doc)
        assert declaration_of(evaluation, project, doc.form_index()) is declaration
        doc.edit(declaration.id, [SetText(("project_code",), "000000000000000000")])
        assert search_declaration(evaluation, project) is None
        _assert_matches_recount(w)  # the self-evaluation paired with it was checked again
        assert declaration_of(evaluation, project, doc.form_index()) is None
        doc.undo_stack.undo()
        assert declaration_of(evaluation, project, doc.form_index()) is declaration
        doc.edit(declaration.id, [SetText(("year",), "1999")])
        assert declaration_of(evaluation, project, doc.form_index()) is search_declaration(evaluation, project)
        # the self-evaluation re-checked (an edit of it) sees the index of now: same problems as a fresh check
        doc.edit(evaluation.id, [SetText(("project_name",), "改名")])
        _assert_matches_recount(w)
    finally:
        close_window(w)


def test_switching_forms_does_not_filter_the_whole_problem_list_again(app, qtbot, tmp_path, monkeypatch):
    """With 只看当前表单 unticked the problem list shows the same rows whatever form is shown: switching forms must
    not run every problem of the project through the filter again (0.6 s a switch at 10,000 forms, found by a
    fresh-eyes run). Ticked, the filter does change, and the list follows the form."""
    from fcast_desktop.gui.panels import FormIdRole, ProblemsFilter

    calls = []
    accepts = ProblemsFilter.filterAcceptsRow
    monkeypatch.setattr(ProblemsFilter, "filterAcceptsRow",
                        lambda self, row, parent: calls.append(row) or accepts(self, row, parent))
    w = open_window(qtbot, _big_project_file(tmp_path, 200))
    qtbot.waitUntil(lambda: not w.document.checking, timeout=60000)
    forms = [f.id for f in w.document.project.forms[:6]]
    w.select_form(forms[0])
    calls.clear()
    for form_id in forms[1:]:
        w.select_form(form_id)
    assert calls == []
    panel = w.problems
    panel.only_current.setChecked(True)
    shown = {panel.proxy.index(r, 0).data(FormIdRole) for r in range(panel.proxy.rowCount())}
    assert shown <= {forms[-1]}
    w.select_form(forms[0])
    shown = {panel.proxy.index(r, 0).data(FormIdRole) for r in range(panel.proxy.rowCount())}
    assert shown == {forms[0]}
    close_window(w)
