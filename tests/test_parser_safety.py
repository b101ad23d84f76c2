"""Importers that tell the truth and parsers that cannot take minutes (issue 11, items 5, 8 and 9).

- a line separator inside a cell of published text (U+2028, VT, NEL, a lone CR…) is a line break inside the cell,
  never the end of the row: nothing after it is lost, and the line numbers of notes stay those of the file;
- an xlsx formula cell without a computed value is noted with its sheet and cell, not imported as a silent blank;
- a 30-digit amount imports (kept as typed, flagged) and `check`/`export` complete;
- inputs built to make a regular expression or a loop quadratic finish in seconds (each in a subprocess with a
  generous timeout, so a regression fails instead of hanging the suite);
- mutated published texts and workbooks give forms or an ImportFailed with a Chinese message, nothing else.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fcast_desktop.cli import main
from fcast_desktop.exchange.importer import import_file
from fcast_desktop.exchange.pdf_text import parse_pdf_text
from fcast_desktop.exchange.published_text import parse_published_text, read_text_file
from fcast_desktop.exchange.report import ImportFailed

ROOT = Path(__file__).resolve().parents[1]
SEPARATORS = {"\u2028": "U+2028", "\u2029": "U+2029", "\x0b": "VT", "\x0c": "FF", "\x1c": "FS", "\x1d": "GS",
              "\x1e": "RS", "\x85": "NEL", "\r": "CR"}


def _seed_text(seed_paths, key: str) -> str:
    return read_text_file(seed_paths[key])


# ---- line separators inside cells -------------------------------------------------------------------------------


@pytest.mark.parametrize("sep", SEPARATORS, ids=SEPARATORS.values())
def test_a_separator_inside_a_header_cell_keeps_the_rest_of_the_line(seed_paths, sep):
    text = _seed_text(seed_paths, "000")
    original = parse_published_text(text, "000.txt")
    lines = text.split("\n")
    no = next(i for i, ln in enumerate(lines) if ln.startswith("申请单位"))
    cells = lines[no].split("\t")
    cells[1] = "深圳市福田区" + sep + "政务服务数据管理局"
    lines[no] = "\t".join(cells)
    result = parse_published_text("\n".join(lines), "000.txt")
    form = result.forms[0]
    assert form.applicant_unit == "深圳市福田区\n政务服务数据管理局"  # a line break inside the cell
    assert form.budget_unit == original.forms[0].budget_unit  # the rest of the line is still read
    assert len(result.forms) == len(original.forms)
    note = next(n for n in result.notes if n.line == no + 1 and n.level == "info")
    assert SEPARATORS[sep] in note.message and "单元格内换行" in note.message
    assert [f.source for f in result.forms] == [f.source for f in original.forms]  # `000.txt:24`: lines unchanged


@pytest.mark.parametrize("sep", SEPARATORS, ids=SEPARATORS.values())
def test_a_separator_inside_an_indicator_name_keeps_the_row(seed_paths, sep):
    text = _seed_text(seed_paths, "000")
    original = parse_published_text(text, "000.txt").forms[0]
    name = original.indicators[0].name
    assert text.count(name) >= 1
    changed = text.replace("\t" + name + "\t", "\t" + name[:2] + sep + name[2:] + "\t", 1)
    form = parse_published_text(changed, "000.txt").forms[0]
    assert len(form.indicators) == len(original.indicators)
    assert form.indicators[0].name == name[:2] + "\n" + name[2:]
    assert form.indicators[0].target == original.indicators[0].target


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_windows_and_old_mac_line_endings_still_separate_lines(seed_paths, ending):
    text = _seed_text(seed_paths, "003")
    original = parse_published_text(text, "003.txt")
    result = parse_published_text(text.replace("\n", ending), "003.txt")
    dump = [f.model_dump(exclude={"id"}) for f in result.forms]
    assert dump == [f.model_dump(exclude={"id"}) for f in original.forms]
    assert [(n.line, n.message) for n in result.notes] == [(n.line, n.message) for n in original.notes]


@pytest.mark.parametrize("sep", ["\u2028", "\x0b", "\x85", "\r"], ids=["U+2028", "VT", "NEL", "CR"])
def test_a_separator_in_pdf_text_does_not_shift_the_line_numbers(seed_paths, sep):
    text = _seed_text(seed_paths, "001")
    lines = text.split("\n")
    no = next(i for i, ln in enumerate(lines) if ln.startswith("申请单位"))
    lines[no] = lines[no].replace("深圳市福田区数据管理中心", "深圳市福田区数据" + sep + "管理中心", 1)
    result = parse_pdf_text("\n".join(lines), "001.txt")
    assert len(result.forms) == 20
    assert result.forms[0].applicant_unit == "深圳市福田区数据管理中心"  # wrapped text of a short field is joined
    (err,) = [n for n in result.notes if n.level == "error"]
    assert err.line == 823  # as in the file, not one further down
    assert any(n.line == no + 1 and "单元格内换行" in n.message for n in result.notes)


# ---- xlsx formula cells without a value -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_project(seed_paths):
    from fcast_desktop.model import Project

    forms = [*parse_published_text(_seed_text(seed_paths, "000"), "000.txt").forms[:1],
             *parse_published_text(_seed_text(seed_paths, "003"), "003.txt").forms[:1]]
    return Project(unit="局", forms=forms)


@pytest.fixture(scope="module")
def small_xlsx(small_project, tmp_path_factory) -> bytes:
    from fcast_desktop.exchange.xlsx_export import export_xlsx

    out = tmp_path_factory.mktemp("xlsx") / "small.xlsx"
    export_xlsx(small_project, small_project.forms, out)
    return out.read_bytes()


def test_a_formula_cell_without_a_value_is_noted_with_sheet_and_cell(small_xlsx, small_project, tmp_path):
    from openpyxl import load_workbook

    from fcast_desktop.exchange.xlsx_import import import_xlsx

    src = tmp_path / "in.xlsx"
    src.write_bytes(small_xlsx)
    wb = load_workbook(src)
    ws = wb.worksheets[0]
    name = small_project.forms[0].project_name
    ref = next(c.coordinate for row in ws.iter_rows() for c in row if c.value == name)
    ws[ref] = '="甲"&"乙"'  # saved by openpyxl: a formula without a cached value
    out = tmp_path / "formula.xlsx"
    wb.save(out)
    result = import_xlsx(out)
    assert result.forms[0].project_name == ""
    (note,) = [n for n in result.notes if "公式" in n.message]
    assert f"{ws.title}!{ref}" in note.message and "没有计算结果" in note.message and note.level == "warning"
    assert not [n for n in import_xlsx(src).notes if "公式" in n.message]  # no formula, no note


def test_a_formula_cell_with_a_computed_value_reads_the_value(small_xlsx, small_project, tmp_path):
    """What Excel saves: the formula and its last result; the result is imported, without a note."""
    from openpyxl import load_workbook

    from fcast_desktop.exchange.xlsx_import import import_xlsx

    src = tmp_path / "in.xlsx"
    src.write_bytes(small_xlsx)
    wb = load_workbook(src)
    ws = wb.worksheets[0]
    name = small_project.forms[0].project_name
    ref = next(c.coordinate for row in ws.iter_rows() for c in row if c.value == name)
    ws[ref] = '="甲"&"乙"'
    out = tmp_path / "formula.xlsx"
    wb.save(out)
    # add the cached result as Excel would: <f>…</f><v>甲乙</v> with t="str"
    patched = tmp_path / "cached.xlsx"
    with zipfile.ZipFile(out) as zin, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/") and f'r="{ref}"'.encode() in data:
                data = re.sub(rb'<c r="' + ref.encode() + rb'"([^>]*)><f>(.*?)</f><v\s*/>',
                              lambda m: b'<c r="' + ref.encode() + b'"' + m.group(1) + b' t="str"><f>' + m.group(2)
                              + "</f><v>甲乙</v>".encode(), data)
            zout.writestr(info, data)
    result = import_xlsx(patched)
    assert result.forms[0].project_name == "甲乙"
    assert not [n for n in result.notes if "公式" in n.message]


@pytest.mark.parametrize("typed", [1e300, -1e300, "9" * 30, "1E+400"])
def test_a_huge_number_typed_in_excel_is_kept_and_flagged(small_xlsx, small_project, tmp_path, typed):
    from openpyxl import load_workbook

    from fcast_desktop.exchange.xlsx_import import import_xlsx
    from fcast_desktop.rules import check_form, load_profile

    src = tmp_path / "in.xlsx"
    src.write_bytes(small_xlsx)
    wb = load_workbook(src)
    ws = wb.worksheets[1]  # the self-evaluation: 年初预算数 of 年度资金总额, its first amount
    initial = small_project.forms[1].funds.total.initial_budget
    ref = next(c.coordinate for row in ws.iter_rows() for c in row
               if isinstance(c.value, (int, float)) and not isinstance(c.value, bool) and c.value == float(initial))
    ws[ref] = typed
    out = tmp_path / "huge.xlsx"
    wb.save(out)
    form = import_xlsx(out).forms[1]
    assert form.funds.total.initial_budget is None and form.funds.total.raw["initial_budget"]
    rules = {p.rule for p in check_form(form, load_profile(None))}
    assert rules & {"money.too_large", "money.unreadable"}


# ---- a 30-digit amount: import, check, export ----------------------------------------------------------------


def test_a_30_digit_amount_imports_checks_and_exports(seed_paths, tmp_path, capsys):
    text = _seed_text(seed_paths, "000").replace("48,000.00", "9" * 30, 1)
    src = tmp_path / "000.txt"
    src.write_text(text, encoding="utf-8")
    project = tmp_path / "p.fcast"
    assert main(["import", str(src), "-o", str(project)]) == 0
    err = capsys.readouterr().err
    assert "9" * 30 in err and "超出范围" in err
    assert main(["check", str(project), "--json"]) == 1
    entries = json.loads(capsys.readouterr().out)
    assert any(e["rule"] == "money.too_large" and e["field"] == "total_amount" for e in entries)
    assert main(["score", str(project)]) == 0
    assert main(["export", str(project), "--pdf", str(tmp_path / "o.pdf")]) == 0
    assert main(["export", str(project), "--xlsx", str(tmp_path / "o.xlsx")]) == 0
    assert "Traceback" not in capsys.readouterr().err
    from fcast_desktop.store.project_file import load_project

    assert load_project(project).forms[0].raw == {"total_amount": "9" * 30}


def test_huge_scores_weights_and_task_amounts_in_published_text_are_kept(seed_paths):
    text = _seed_text(seed_paths, "003")
    lines = text.split("\n")
    no = next(i for i, ln in enumerate(lines) if ln.rstrip("\t").endswith("\t15\t15"))
    lines[no] = lines[no].rstrip("\t")[: -len("15\t15")] + "9" * 40 + "\t" + "1E+400"
    funds = next(i for i, ln in enumerate(lines) if "年度资金总额" in ln)
    lines[funds] = lines[funds].replace("\t10\t", "\t" + "8" * 40 + "\t", 1)
    result = parse_published_text("\n".join(lines), "003.txt")
    form = result.forms[0]
    row = next(r for r in form.indicators if r.raw)
    assert row.raw == {"weight": "9" * 40, "score": "1E+400"} and row.weight is None and row.score is None
    assert form.funds.raw == {"weight": "8" * 40}
    assert any(n.line == no + 1 and "9" * 40 in n.message for n in result.notes)
    dept_text = _seed_text(seed_paths, "004")
    dept_lines = dept_text.split("\n")
    task = next(i for i, ln in enumerate(dept_lines) if re.search(r"\t[\d,]+\.\d\d\t[\d,]+\.\d\d\t[\d,]+\.\d\d", ln)
                and "金额合计" not in ln)
    dept_lines[task] = re.sub(r"\t([\d,]+\.\d\d)(\t[\d,]+\.\d\d\t[\d,]+\.\d\d)", "\t" + "7" * 30 + r"\2",
                              dept_lines[task], count=1)
    dept = parse_published_text("\n".join(dept_lines), "004.txt").forms[0]
    assert any(t.raw.get("total") == "7" * 30 for t in dept.tasks)


# ---- linear time --------------------------------------------------------------------------------------------------

# each snippet builds its worst input and runs one parser; run in a subprocess that is killed after TIMEOUT seconds.
# Before the fix every one of them but the last ran into the timeout.
TIMEOUT = 30
WORST = {
    # 600 KB: `<sup>` between two long runs of spaces in one cell (was 62 s for 120 KB)
    "published_sup": """
        cell = " " * 300_000 + "<sup>" + " " * 300_000 + "x"
        parse_published_text(seed_text("000").replace("测算依据:\\t", "测算依据:\\t" + cell, 1), "x.txt")""",
    "published_p": """
        cell = " " * 300_000 + "</p>" + " " * 300_000 + "x"
        parse_published_text(seed_text("000").replace("测算依据:\\t", "测算依据:\\t" + cell, 1), "x.txt")""",
    # a department form whose 年度总体目标 runs over 50,000 lines of 80 characters
    "published_goal_lines": """
        seed = seed_text("004")
        j = seed.index("\\n", seed.index("年度总体目标"))
        parse_published_text(seed[:j] + ("\\n" + "目标续行" * 20 + "\\t") * 50_000 + seed[j:], "x.txt")""",
    # 300,000 digits in 测算依据 (was 64 s for 40,000)
    "basis_digits": """
        check_form(Declaration(calculation_basis="测算" + "1" * 300_000 + "=5", annual_amount=1), PROFILE)""",
    "basis_digits_figure": """
        check_form(Declaration(calculation_basis="1" * 300_000 + "个", annual_amount=1), PROFILE)""",
    # 20,000 expressions and clauses in one 测算依据 (280,000 characters; 5,000 took 11 s before)
    "basis_expressions": """
        check_form(Declaration(calculation_basis="2元*3=6元，共6.1元。" * 20_000, annual_amount=1), PROFILE)""",
    "basis_head_count": """
        check_form(Declaration(calculation_basis="9" * 500_000 + "名(1元*2=2元", annual_amount=1), PROFILE)""",
    # 指标值 with `<sup>` between runs of spaces (values.normalise), and a long number
    "value_sup": """
        parse_value(" " * 300_000 + "<sup>" + " " * 300_000 + "x")
        parse_value("≥" + "1" * 300_000 + "x" * 13)""",
    # PDF text: one line of 50,000 words (800 took 82 s before)
    "pdf_words": """
        split_row(" ".join(["a"] * 50_000))
        split_row(" ".join(["1"] * 50_000))
        split_row(" ".join(["1 有"] * 25_000))""",
    # 50,000 header lines, each completing the label the line before began
    "pdf_header_joins": """
        parse_pdf_text("二级项目支出绩效目标申报表\\n项目编" + "\\n码： 项目编" * 50_000 + "\\n码： x", "x.txt")""",
    # 20,000 plain lines after a row, then a value without its name: the wrap-split search (4,000 took 101 s)
    "pdf_runs": """
        seed = seed_text("001")
        j = seed.index("\\n", seed.index("*数量 发放"))
        run = "\\n很长的解释文字很长的解释文字很长的解释文字" * 20_000
        parse_pdf_text(seed[:j] + run + "\\n100%" + seed[j:], "x.txt")""",
    # 10 MB of published text (250 copies of seed 000) imports in seconds
    "published_10mb": """
        result = parse_published_text(seed_text("000") * 250, "x.txt")
        assert len(result.forms) == 11 * 250""",
}
PRELUDE = """
from pathlib import Path
from fcast_desktop.exchange.published_text import parse_published_text, read_text_file
from fcast_desktop.exchange.pdf_text import parse_pdf_text, split_row
from fcast_desktop.model import Declaration
from fcast_desktop.rules import check_form, load_profile
from fcast_desktop.rules.values import parse_value
PROFILE = load_profile(None)
def seed_text(prefix):
    return read_text_file(sorted(Path(SEEDS).glob(prefix + "_*.txt"))[0])
"""


@pytest.mark.parametrize("case", sorted(WORST))
def test_worst_inputs_finish_in_seconds(case, seed_paths):
    code = f"SEEDS = {str(seed_paths['000'].parent)!r}\n" + PRELUDE + textwrap.dedent(WORST[case])
    try:
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case}: still running after {TIMEOUT} s (quadratic or worse)")
    assert done.returncode == 0, done.stderr[-2000:]


# ---- mutated inputs -----------------------------------------------------------------------------------------------

_CONTROL = st.sampled_from(["\x00", "\x0b", "\x0c", "\r", "\x1c", "\x1e", "\x85", "\u2028", "\u2029", "\ufeff", "\t",
                            "<sup>", "</p>", "<br>", "=", "≈", "万元", "\ud7ff"])
_HUGE = st.sampled_from(["9" * 30, "1E+400", "NaN", "-" + "9" * 40, "1" * 5000, "0." + "1" * 400, "1,2", "1e-400"])
_MUTATION = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(1, 255)),
    st.tuples(st.just("insert"), st.floats(0, 1), _CONTROL),
    st.tuples(st.just("number"), st.floats(0, 1), _HUGE),
    st.tuples(st.just("spaces"), st.floats(0, 1), st.integers(1, 3000)),
)


def _mutate(data: bytes, mutations) -> bytes:
    for m in mutations:
        at = int(m[1] * len(data))
        if m[0] == "truncate":
            data = data[:at]
        elif m[0] == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ m[2]]) + data[at + 1 :]
        elif m[0] == "insert":
            data = data[:at] + m[2].encode("utf-8", "surrogatepass") + data[at:]
        elif m[0] == "number":  # a number of the text replaced by a huge or odd one
            found = list(re.finditer(rb"\d[\d,.]*", data))
            if found:
                n = found[int(m[1] * (len(found) - 1))]
                data = data[: n.start()] + m[2].encode() + data[n.end() :]
        elif m[0] == "spaces":
            data = data[:at] + b" " * m[2] + data[at:]
    return data


_ENGLISH = re.compile(r"(?i)\b(error|expecting|invalid|traceback|exception|object|none|not |keyerror|valueerror)\b")


def _assert_chinese(exc: ImportFailed, path: str) -> None:
    message = str(exc).replace(path, "")
    assert re.search(r"[\u4e00-\u9fff]", message), message
    assert not _ENGLISH.search(message), message


def _use(result) -> None:
    """What a user does next with imported forms: check, score, save."""
    from fcast_desktop.model import Project
    from fcast_desktop.rules.report import check_entries, score_entries
    from fcast_desktop.store.project_file import dumps_project, loads_project

    project = Project(forms=result.forms)
    check_entries(project)
    score_entries(project)
    for note in result.notes:
        assert re.search(r"[\u4e00-\u9fff]", note.message), note.message
    assert loads_project(dumps_project(project)).forms == project.forms


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(seed=st.sampled_from(["000", "001", "003", "004"]), mutations=st.lists(_MUTATION, min_size=1, max_size=4))
def test_mutated_published_text_gives_forms_or_a_chinese_refusal(seed_paths, seed, mutations):
    data = _mutate(seed_paths[seed].read_bytes(), mutations)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "公开表格.txt")
        with open(path, "wb") as fh:
            fh.write(data)
        try:
            result = import_file(path)
        except ImportFailed as exc:
            _assert_chinese(exc, path)
        else:
            _use(result)
        assert os.listdir(folder) == ["公开表格.txt"]  # nothing written


def _rezip(data: bytes, member_pick: float, mutations) -> bytes:
    """The workbook with one member's XML mutated (reaches the XML and JSON readers, unlike a flipped zip byte)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        infos = [i for i in zin.infolist() if i.filename.endswith(".xml")]
        target = infos[int(member_pick * (len(infos) - 1))].filename
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                content = zin.read(info)
                if info.filename == target:
                    content = _mutate(content, mutations)
                zout.writestr(info, content)
    return out.getvalue()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inside=st.booleans(), member=st.floats(0, 1), mutations=st.lists(_MUTATION, min_size=1, max_size=3))
def test_mutated_workbooks_give_forms_or_a_chinese_refusal(small_xlsx, inside, member, mutations):
    data = _rezip(small_xlsx, member, mutations) if inside else _mutate(small_xlsx, mutations)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "表单.xlsx")
        with open(path, "wb") as fh:
            fh.write(data)
        try:
            result = import_file(path)
        except ImportFailed as exc:
            _assert_chinese(exc, path)
        else:
            _use(result)
        assert os.listdir(folder) == ["表单.xlsx"]


@pytest.mark.parametrize("meta", [
    '{"base": {}, "cells": [[1, 2, 3]], "sheet": "x"}',
    '{"base": {"kind": "declaration", "annual_amount": "1E+400"}, "cells": [], "sheet": 0}',
    '{"base": [], "cells": {}, "sheet": []}',
    '{"base": {}, "cells": [], "sheet": "x", "anchors": 5}',
    '{"base": {}, "cells": [["A1", "annual_amount", 7]], "sheet": "x"}',
    "[" * 100_000 + "]" * 100_000,
])
def test_a_damaged_metadata_sheet_is_refused_in_chinese(small_xlsx, meta, tmp_path):
    """The hidden `_fcast` sheet edited by hand: odd JSON is a note or a Chinese refusal, never a traceback."""
    from openpyxl import load_workbook

    src = tmp_path / "in.xlsx"
    src.write_bytes(small_xlsx)
    wb = load_workbook(src)
    ws = wb["_fcast"]
    first = ws.worksheet if hasattr(ws, "worksheet") else ws
    first.cell(row=2, column=1, value=wb.sheetnames[0])
    first.cell(row=2, column=3, value=1)
    first.cell(row=2, column=4, value=meta[:32000])
    for col in range(5, first.max_column + 1):
        first.cell(row=2, column=col, value=None)
    out = tmp_path / "meta.xlsx"
    wb.save(out)
    try:
        result = import_file(out)
    except ImportFailed as exc:
        _assert_chinese(exc, str(out))
    else:
        _use(result)
