"""The PDF export and the 审核说明 appendix/sheet stay linear in the number of forms, without timing anything (the
work is counted: Python lines executed, as tests/test_export_scaling.py does), the page layout's memory of laid-out
texts is bounded and changes nothing on the page, and the checklist writes its sheet with the Excel modules' public
names.

- 审核说明: the forms with explanations and the number of each form are looked up, not searched for per form
  (the sheet of an Excel export, the appendix pages of a PDF export);
- a text is laid out once per width for a whole export (labels and repeated values), in a bounded memory, and the
  pages come out the same as with a fresh layout;
- every text is still checked before anything is written: the error names every form lacking a glyph;
- the footer "第 N 页 共 M 页" has one template, on the layout side.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from fcast_desktop.exchange import checklist, pdf_export
from fcast_desktop.exchange.pdf_export import MissingCharactersError, export_pdf, pdf_metrics
from fcast_desktop.layouts.printed import FOOTER, build_printed, compose_pages, page_footer
from fcast_desktop.model import Declaration, Project
from fcast_desktop.rules import check_form
from fcast_desktop.rules.explanations import explain
from fcast_desktop.store.project_file import load_project

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "samples" / "sample.fcast"
TRAP = "money.unit_trap"  # 表 0 of the sample: 本年度项目金额 12,000.00万元 against 测算依据 共1.2万元
TEXT = "原表按元填写，已与财政核对：实际为 1.2 万元"


def lines_executed(fn, *args, only: str) -> int:
    """How many Python lines ``fn(*args)`` executes in files whose path contains ``only``."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):
        return local if only in frame.f_code.co_filename else None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        fn(*args)
    finally:
        sys.settrace(previous)
    return count


@pytest.fixture(scope="module")
def sample() -> Project:
    return load_project(SAMPLE)


def explained_project(sample: Project, n: int) -> Project:
    """``n`` copies of the sample's form 0, each with its 本年度项目金额 warning explained."""
    form = sample.forms[0]
    (problem,) = [p for p in check_form(form, None, sample) if p.rule == TRAP]
    (template,) = explain(Project(forms=[form]), form, problem, TEXT)
    forms = [form.model_copy(update={"id": f"copy{k:05d}"}) for k in range(n)]
    explanations = [template.model_copy(update={"form_id": f.id}) for f in forms]
    return Project(forms=forms, explanations=explanations)


def test_explanation_sheet_work_grows_linearly_with_the_explained_forms(sample):
    def work(n: int) -> int:
        project = explained_project(sample, n)
        pf = checklist.explanation_sheet_printed(project, project.forms)
        assert pf is not None and len(pf.sections) == n  # every form has its block
        assert pf.sections[-1].rows[0].cells[0].text.startswith(f"表 {n - 1}")  # numbered in the project
        return lines_executed(checklist.explanation_sheet_printed, project, project.forms, only="checklist.py")

    small, large = work(30), work(120)
    # searching the project's forms (and its explanations) for each form: ~16× for 4× the forms
    assert large < 4 * small * 1.3, f"30 forms: {small} lines, 120 forms: {large} lines"


def test_pdf_appendix_work_grows_linearly_with_the_explained_forms(sample):
    """Each exported form is asked whether it has explanations (every form: 3 of 4 here have none) and, if so,
    its number in the project: neither may search the project's explanations or forms."""

    def work(n: int) -> int:
        project = explained_project(sample, n)
        project.forms += [Declaration(project_name=f"项目{k}") for k in range(3 * n)]
        pages = pdf_export.form_pages(project, project.forms)
        assert sum(1 for p in pages if any(t.text == "审核说明" for t in p.texts)) == n
        return lines_executed(pdf_export.form_pages, project, project.forms, only="checklist.py")

    small, large = work(15), work(60)
    assert large < 4 * small * 1.3, f"15 + 45 forms: {small} lines, 60 + 180 forms: {large} lines"


def test_the_checklist_writes_excel_with_public_names_only():
    """No private name of the Excel modules (``xlsx_export._put`` and the like) is used by the checklist."""
    tree = ast.parse(Path(checklist.__file__).read_text(encoding="utf-8"))
    imported = [(node.module or "", a.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for a in node.names]
    private = [f"{m}.{name}" for m, name in imported if "xlsx" in m and name.startswith("_")]
    through_export = [f"{m}.{name}" for m, name in imported if m.endswith("xlsx_export") or name == "xlsx_export"]
    attributes = [node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                  and isinstance(node.value, ast.Name) and node.value.id == "x" and node.attr.startswith("_")]
    assert not private and not through_export and not attributes, (private, through_export, attributes)


def test_layout_memory_changes_no_page(sample):
    """Pages laid out with the memory of a whole export equal those of a fresh layout, form by form."""
    shared = pdf_metrics()
    printed = pdf_export.printed_forms(sample, sample.forms)
    warm = [compose_pages(pf, shared, n) for n, pf in enumerate(printed)]
    warm = [compose_pages(pf, shared, n) for n, pf in enumerate(printed)]  # every text remembered now
    assert shared.memo
    fresh = [compose_pages(pf, pdf_metrics(), n) for n, pf in enumerate(printed)]
    assert warm == fresh


def test_layout_memory_is_bounded(sample, monkeypatch):
    metrics = pdf_metrics()
    monkeypatch.setattr(metrics, "MEMO_LIMIT", 50)
    form = sample.forms[0]
    for k in range(40):  # 40 forms with texts of their own
        changed = form.model_copy(update={"project_name": f"项目{k}", "basis": f"测算依据{k}" * 20})
        compose_pages(build_printed(changed), metrics)
        assert len(metrics.memo) <= 50


def test_every_form_lacking_a_glyph_is_named_and_nothing_is_written(sample, tmp_path):
    forms = [f.model_copy() for f in sample.forms[:6]]
    forms[1] = forms[1].model_copy(update={"project_name": "𠀾城区改造"})
    forms[4] = forms[4].model_copy(update={"project_name": "😀项目"})
    out = tmp_path / "x.pdf"
    with pytest.raises(MissingCharactersError) as info:
        export_pdf(Project(forms=forms), None, out)
    names = [where for where, _, _ in info.value.problems]
    assert [n.split("（")[0] for n in names] == ["第 2 张表", "第 5 张表"]
    assert list(tmp_path.iterdir()) == []


def test_one_footer_template(sample):
    pages = compose_pages(build_printed(sample.forms[0]), pdf_metrics())
    assert pages[-1].footer == page_footer(len(pages), len(pages)) == FOOTER.format(number=len(pages),
                                                                                      count=len(pages))
    assert page_footer(2, 3) == "第 2 页 共 3 页"
    assert page_footer("&P", 3) == "第 &P 页 共 3 页"  # the Excel sheets' footer (Excel fills in the page)


# ---- the fast paths of line breaking give what the full algorithm gives ---------------------------------------

def reference_clean_text(text: str) -> str:
    from fcast_desktop.layouts.linebreak import IGNORABLE

    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(ch for ch in text if ch == "\n" or (ch >= " " and ch not in IGNORABLE)).strip("\n")


def reference_break_lines(text: str, width: float, metrics, size: float) -> list[str]:
    """break_lines without its one-line shortcut (the algorithm as it was)."""
    from fcast_desktop.layouts.linebreak import _break_before

    limit = width / size - 1e-6
    char = metrics.char
    out: list[str] = []
    for para in text.split("\n"):
        n = len(para)
        start, used, i = 0, 0.0, 0
        while i < n:
            cw = char(para[i])
            if used + cw > limit and i > start:
                j = _break_before(para, start, i)
                out.append(para[start:j].rstrip(" "))
                start = j
                while start < n and para[start] == " ":
                    start += 1
                i = max(i, start)
                used = sum(char(c) for c in para[start:i])
                continue
            used += cw
            i += 1
        out.append(para[start:].rstrip(" "))
    return out


TEXTS = "项目资金（万元）：3,500.00 80%-100% PDA 《规划》“满意度”，。、\n\r\t\u200b\ufe0f\ufeff\x01 abc"


@pytest.fixture(scope="module")
def metrics():
    return pdf_metrics()


def test_line_breaking_shortcuts_change_nothing(metrics):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from fcast_desktop.layouts.linebreak import break_lines, clean_text

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet=st.sampled_from(TEXTS), max_size=80), st.floats(min_value=5, max_value=400))
    def check(text, width):
        assert clean_text(text) == reference_clean_text(text)
        assert break_lines(text, width, metrics, 10.0) == reference_break_lines(text, width, metrics, 10.0)

    check()
