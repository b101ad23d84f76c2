"""PDF export: the 44 seed forms with the embedded font, every name and indicator in the text, pagination of tall
groups and long texts, missing characters reported before export, cancel and atomic writing.

Text is read back with poppler's ``pdftotext -raw`` (content-stream order: the lines of one cell stay together)
and compared with all whitespace removed, since wrapping inserts line breaks anywhere in Chinese text."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import types
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest

from fcast_desktop.exchange.fonts import register_reportlab_font
from fcast_desktop.exchange.pdf_export import (
    NO_LINE_END,
    NO_LINE_START,
    ExportCancelled,
    MissingCharactersError,
    break_lines,
    export_pdf,
    form_pages,
    pdf_metrics,
)
from fcast_desktop.layouts.printed import Page, PageBox
from fcast_desktop.model import (
    Declaration,
    DeclarationIndicator,
    DepartmentOverall,
    EvaluationIndicator,
    Level2,
    Project,
    SelfEvaluation,
    Task,
    form_title,
)

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

FOOTER = re.compile(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdftext(path: Path, first: int | None = None, last: int | None = None) -> str:
    cmd = ["pdftotext", "-raw", "-enc", "UTF-8"]
    if first:
        cmd += ["-f", str(first)]
    if last:
        cmd += ["-l", str(last)]
    return subprocess.run([*cmd, str(path), "-"], check=True, capture_output=True, text=True).stdout


def pages(path: Path) -> list[str]:
    """The text of each page (pdftotext separates pages with a form feed)."""
    return pdftext(path).split("\f")[:-1]


def page_sizes(path: Path) -> list[tuple[float, float]]:
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(path)], check=True, capture_output=True,
                         text=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)]


def form_page_runs(texts: list[str]) -> list[list[str]]:
    """Pages grouped by form, using the footers "第 N 页 共 M 页" (N restarts at 1 for each form)."""
    runs: list[list[str]] = []
    for text in texts:
        m = FOOTER.search(text)
        assert m, f"no page number on a page: {text[-200:]!r}"
        n, total = int(m.group(1)), int(m.group(2))
        if n == 1:
            runs.append([])
        runs[-1].append(text)
        assert len(runs[-1]) == n and n <= total
    for run in runs:
        assert int(FOOTER.search(run[-1]).group(2)) == len(run)
    return runs


# ---- the 44 seed forms ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds_pdf(seed_project, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "seeds.pdf"
    calls = []
    export_pdf(seed_project, seed_project.forms, out, progress=lambda d, t: calls.append((d, t)))
    total = len(seed_project.forms)
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    return out


def test_seed_project_has_44_forms(seed_project):
    assert len(seed_project.forms) == 44


def test_exactly_one_font_embedded(seeds_pdf):
    out = subprocess.run(["pdffonts", str(seeds_pdf)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows
    # reportlab embeds a TrueType font as subsets of 256 glyphs (AAAAAA+, AAAAAB+ …): one font, several subsets
    names = {row[0].split("+", 1)[-1] for row in rows}
    assert names == {"FCastSansSC-Regular"}
    for row in rows:
        emb, sub, uni = row[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
    assert b"STSong" not in seeds_pdf.read_bytes()


def test_every_name_indicator_and_value_is_in_the_text(seed_project, seeds_pdf):
    text = squash(pdftext(seeds_pdf))
    checked = 0
    for form in seed_project.forms:
        assert squash(form_title(form)) in text, form_title(form)
        if isinstance(form, DepartmentOverall):
            for task in form.tasks:
                assert squash(task.name) in text
        for row in form.indicators:
            for value in (row.name, row.target):
                assert squash(value) in text, value
                checked += 1
    assert checked > 700


def test_each_form_on_its_own_pages_with_its_orientation(seed_project, seeds_pdf):
    texts = pages(seeds_pdf)
    runs = form_page_runs(texts)
    assert len(runs) == len(seed_project.forms)
    sizes = page_sizes(seeds_pdf)
    assert len(sizes) == len(texts)
    n = 0
    for form, run in zip(seed_project.forms, runs, strict=True):
        first = squash(run[0])
        assert squash(form_title(form)) in first  # each form starts on a new page with its own header
        landscape = form.kind != "declaration"
        for w, h in sizes[n:n + len(run)]:
            assert (w > h) == landscape, (form.kind, w, h)
            assert sorted((round(w), round(h))) == [595, 842]  # A4
        n += len(run)


def test_titles_and_headers(seed_project, seeds_pdf):
    runs = form_page_runs(pages(seeds_pdf))
    for form, run in zip(seed_project.forms, runs, strict=True):
        first = squash(run[0])
        if isinstance(form, Declaration):
            assert first.startswith("二级项目支出绩效目标申报表")
            for label in ("项目编码", "一级预算单位", "实施期限", "分配方式", "年度目标"):
                assert label in first
            assert "一级指标二级指标三级指标指标值指标解释" in squash("".join(run))
        elif isinstance(form, SelfEvaluation):
            assert first.startswith("项目支出绩效自评表")
            for label in ("资金使用情况", "年初预算数", "执行率(%)", "项目目标完成情况", "年度绩效指标"):
                assert label in first
            assert "总分" in squash(run[-1])
        else:
            assert first.startswith("部门（单位）整体支出绩效目标申报表（2026年度）")
            assert "29141800.00" in first  # 金额合计


def test_stars_follow_the_district_of_each_form(seed_project, tmp_path):
    """福田 prints *数量; 宝安 (项目编码 440306…, seed 002) prints no stars, whatever the project's profile."""
    futian = next(f for f in seed_project.forms if isinstance(f, Declaration) and f.project_code.startswith("440304"))
    baoan = next(f for f in seed_project.forms if isinstance(f, Declaration) and f.project_code.startswith("440306"))
    for profile in ("shenzhen-futian", "shenzhen-baoan"):
        export_pdf(Project(profile=profile, forms=[futian, baoan]), None, tmp_path / "x.pdf")
        first, second = form_page_runs(pages(tmp_path / "x.pdf"))
        assert "*数量" in squash("".join(first)) and "*社会效益" in squash("".join(first)), profile
        assert not re.search(r"\*(数量|质量|时效|成本|社会效益|服务对象)", squash("".join(second))), profile
        assert "数量" in squash("".join(second)) and "社会效益" in squash("".join(second))


def test_seed_pdf_stars_only_on_futian_forms(seed_project, seeds_pdf):
    runs = form_page_runs(pages(seeds_pdf))
    for form, run in zip(seed_project.forms, runs, strict=True):
        if isinstance(form, Declaration):
            text = squash("".join(run))
            assert ("*数量" in text) == form.project_code.startswith("440304"), form_title(form)


def test_computed_values_are_printed(seed_project, tmp_path, monkeypatch):
    """Values from the rules engine (rules.report.computed_values) appear in the 自评表."""
    fake = types.ModuleType("fcast_desktop.rules.report")
    fake.computed_values = lambda form, project: {"funds.execution_rate": "98.28", "funds.score": "9.83",
                                                  "total": "99.83"}
    monkeypatch.setitem(sys.modules, "fcast_desktop.rules.report", fake)
    ev = next(f for f in seed_project.forms if isinstance(f, SelfEvaluation))
    export_pdf(Project(forms=[ev]), None, tmp_path / "e.pdf")
    text = squash(pdftext(tmp_path / "e.pdf"))
    assert "98.28" in text and "9.83" in text and "99.83" in text


# ---- pagination -------------------------------------------------------------------------------------


def tall_declaration(n: int = 60) -> Declaration:
    rows = [
        DeclarationIndicator(level2=Level2.QUANTITY, name=f"测试指标第{i + 1}项", target=f"≥{i + 1}个",
                             explanation="考察内容" * (1 + i % 4))
        for i in range(n)
    ]
    rows.append(DeclarationIndicator(level2=Level2.QUALITY, name="验收合格率", target="100%"))
    return Declaration(project_name="高组测试项目", project_code="440304221061500000999", indicators=rows)


def test_tall_group_paginates_and_repeats_the_merged_labels(tmp_path):
    out = tmp_path / "tall.pdf"
    export_pdf(Project(profile="shenzhen-futian", forms=[tall_declaration(90)]), None, out)
    texts = [squash(t) for t in pages(out)]
    assert len(texts) >= 3
    for i, page in enumerate(texts):
        assert "一级指标二级指标三级指标指标值指标解释" in page, f"column header not repeated on page {i + 1}"
        assert "产出" in page and "*数量" in page, f"merged labels not repeated on page {i + 1}"
    everything = "".join(texts)
    positions = [everything.index(f"测试指标第{i + 1}项≥{i + 1}个") for i in range(90)]
    assert positions == sorted(positions)  # every row once, in order
    # the pages are filled: no page but the last ends with more than a few rows' room left
    assert sum(t.count("测试指标第") for t in texts[:-1]) >= 60


def test_self_evaluation_caption_and_total_follow_the_rows(tmp_path):
    rows = [EvaluationIndicator(level2=Level2.QUALITY, name=f"质量测试第{i + 1}项", target="100%", actual="100%",
                                weight=Decimal(1), score=Decimal(1)) for i in range(60)]
    ev = SelfEvaluation(project_name="自评分页测试", year=2022, indicators=rows)
    out = tmp_path / "ev.pdf"
    export_pdf(Project(forms=[ev]), None, out)
    texts = [squash(t) for t in pages(out)]
    assert len(texts) >= 2
    for page in texts[1:]:
        assert "年度绩效指标" in page and "产出指标(50分)" in page and "质量指标" in page
        assert "三级指标年度指标值*实际完成值" in page
    assert "总分" in texts[-1] and "质量测试第60项" in texts[-1]


def test_long_text_splits_across_pages(tmp_path):
    paragraph = "根据《福田区区级预算绩效管理办法》（福财〔2021〕12号），本项目按每人每月3,500.00元测算。"
    long_text = "\n".join(f"{i}．{paragraph}" for i in range(1, 61))  # ~3,000 characters, taller than a page
    decl = Declaration(project_name="长文本测试", calculation_basis=long_text, policy_basis="政策依据",
                       indicators=[DeclarationIndicator(level2=Level2.QUANTITY, name="数量指标一", target="1个")])
    out = tmp_path / "long.pdf"
    export_pdf(Project(forms=[decl]), None, out)
    texts = pages(out)
    assert len(texts) >= 2
    joined = squash("".join(texts))
    joined = re.sub(r"第\d+页共\d+页(测算依据（续）：)?", "", joined)  # page breaks inside the text
    assert squash(long_text) in joined
    assert "测算依据（续）" in squash(texts[1])
    # the text starts on the first page (not pushed to the next one, leaving a gap)
    assert "1．根据" in squash(texts[0])


def test_department_form_with_many_tasks(tmp_path):
    tasks = [Task(name=f"任务{i}", content="主要用于" + "保障运行" * 20, total=Decimal("11782800.00"),
                  appropriation=Decimal("11782800.00"), other=Decimal(0)) for i in range(25)]
    dep = DepartmentOverall(year=2026, department_name="分页测试局", tasks=tasks, overall_goal="目标" * 1500)
    out = tmp_path / "dep.pdf"
    export_pdf(Project(forms=[dep]), None, out)
    texts = [squash(t) for t in pages(out)]
    assert len(texts) >= 3
    joined = "".join(texts)
    for i in range(25):
        assert f"任务{i}" in joined
    assert joined.count("11782800.00") == 50  # amounts never broken over two lines
    assert "年度主要任务（续）" in joined
    task_pages = [t for t in texts if "主要用于保障运行" in t]
    assert len(task_pages) >= 2
    for page in task_pages:  # the column header of the tasks is repeated on every page they continue on
        assert "任务名称主要内容预算金额（元）总额财政拨款其他资金" in page
    # the long 年度总体目标 is split across pages: its label is printed again beside the rest of the text
    goal_pages = [t for t in texts if "目标目标目标" in t]
    assert len(goal_pages) >= 2
    assert "年度总体目标" in goal_pages[0] and all("年度总体目标（续）" in t for t in goal_pages[1:])


# ---- pages laid out as a careful clerk would ------------------------------------------------------


def box_of(page: Page, text: str) -> PageBox:
    """The grid cell on ``page`` holding the text line ``text``."""
    t = next(t for t in page.texts if t.text == text)
    inside = [b for b in page.boxes if b.line_width < 0.8 and b.x <= t.x <= b.x + b.w and b.y <= t.y <= b.y + b.h]
    return min(inside, key=lambda b: b.w * b.h)


def rows_under(page: Page, title: str) -> int:
    """Rows of the indicator table on ``page``: the one-line texts in the column headed ``title``."""
    head = box_of(page, title)
    return sum(1 for t in page.texts if t.y > head.y + head.h and head.x <= t.x <= head.x + head.w)


def test_self_evaluations_of_up_to_eleven_rows_fit_one_page(seed_project):
    short = [f for f in seed_project.forms if isinstance(f, SelfEvaluation) and len(f.indicators) <= 11]
    assert len(short) >= 6
    for form in short:
        assert len(form_pages(seed_project, [form])) == 1, form_title(form)


def test_form_labels_stay_on_one_line(seed_project):
    ev = next(f for f in seed_project.forms if isinstance(f, SelfEvaluation))
    texts = [t.text for t in form_pages(seed_project, [ev])[0].texts]
    for label in ("项目编码：", "项目名称：", "绩效自评年度：", "实施单位：", "一级预算单位：", "执行率(%)",
                  "偏差原因分析及改进措施", "其中：当年财政拨款"):
        assert label in texts, label


def test_department_tasks_table_gives_the_amounts_alike_columns(seed_project):
    dep = next(f for f in seed_project.forms if isinstance(f, DepartmentOverall))
    page = form_pages(seed_project, [dep])[0]
    widths = [box_of(page, title).w for title in ("总额", "财政拨款", "其他资金")]
    assert max(widths) / min(widths) < 1.2, widths
    assert box_of(page, "29141800.00").w == pytest.approx(widths[0])  # 金额合计 under 总额, on one line
    assert box_of(page, "主要内容").w > 2.5 * max(widths)  # the long text gets the room


def test_department_form_pages(seed_project):
    """Header, tasks and the whole 年度总体目标 on the first page; the 32 indicator rows on two more, with no page
    holding a single row."""
    dep = next(f for f in seed_project.forms if isinstance(f, DepartmentOverall))
    pages_ = form_pages(seed_project, [dep])
    assert [p.footer for p in pages_] == ["第 1 页 共 3 页", "第 2 页 共 3 页", "第 3 页 共 3 页"]
    counts = [rows_under(p, "度量单位") for p in pages_[1:]]
    assert sum(counts) == len(dep.indicators) == 32
    assert min(counts) >= 2


def _rows_by_group(page: Page) -> dict[str, int]:
    out: dict[str, int] = {}
    for t in page.texts:
        m = re.match(r"^(数量|质量|时效)测试第\d+项$", t.text)
        if m:
            out[m.group(1)] = out.get(m.group(1), 0) + 1
    return out


@pytest.mark.parametrize("kind", ["declaration", "self_evaluation"])
def test_no_row_stands_alone_on_a_page(kind):
    """Whatever the number of rows: no page holds a single indicator row, and a 二级 group continued from or on
    another page has at least two of its rows on each (no widows, no orphans)."""
    from fcast_desktop.layouts.printed import build_printed, compose_pages

    metrics = pdf_metrics()
    for n in range(12, 75, 2):
        sizes = {"数量": n // 2, "质量": n // 3, "时效": n - n // 2 - n // 3}
        level2 = {"数量": Level2.QUANTITY, "质量": Level2.QUALITY, "时效": Level2.TIMELINESS}
        if kind == "declaration":
            rows = [DeclarationIndicator(level2=level2[g], name=f"{g}测试第{i}项", target="100%",
                                         explanation="考察内容" * (1 + i % 5))
                    for g, k in sizes.items() for i in range(k)]
            form = Declaration(project_name="孤行测试", indicators=rows)
        else:
            rows = [EvaluationIndicator(level2=level2[g], name=f"{g}测试第{i}项", target="100%", actual="100%",
                                        weight=Decimal(1), score=Decimal(1), deviation="原因" * (i % 9))
                    for g, k in sizes.items() for i in range(k)]
            form = SelfEvaluation(project_name="孤行测试", year=2022, indicators=rows)
        pages_ = compose_pages(build_printed(form, {}, True), metrics)
        per_page = [_rows_by_group(p) for p in pages_]
        counts = [sum(d.values()) for d in per_page]
        assert sum(counts) == n
        assert all(c >= 2 for c in counts if c), (n, counts)
        for group in sizes:
            shares = [d[group] for d in per_page if group in d]
            if len(shares) > 1:
                assert min(shares) >= 2, (n, group, per_page)
        if kind == "self_evaluation":
            assert "总分" in [t.text for t in pages_[-1].texts] and counts[-1] >= 2


# ---- refusing and cancelling ------------------------------------------------------------------------


def test_missing_characters_are_reported_before_export(tmp_path):
    decl = tall_declaration(3)
    decl.project_name = "𠀾城区改造项目"
    decl.indicators[1].target = "≥5个😀"
    out = tmp_path / "x.pdf"
    with pytest.raises(MissingCharactersError) as info:
        export_pdf(Project(forms=[decl]), None, out)
    message = str(info.value)
    assert "第 1 张表" in message and "二级项目支出绩效目标申报表" in message
    assert "项目名称" in message and "𠀾" in message and "U+2003E" in message
    assert "绩效指标第 2 行“指标值”" in message and "U+1F600" in message
    assert len(info.value.problems) == 2
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_cancel_leaves_no_file(seed_project, tmp_path):
    out = tmp_path / "c.pdf"
    seen = []
    with pytest.raises(ExportCancelled):
        export_pdf(seed_project, seed_project.forms, out, progress=lambda d, t: seen.append(d),
                   is_cancelled=lambda: len(seen) >= 3)
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert max(seen) < len(seed_project.forms)


def test_cancel_keeps_an_existing_file_and_export_replaces_it_atomically(seed_project, tmp_path):
    out = tmp_path / "c.pdf"
    out.write_bytes(b"old")
    with pytest.raises(ExportCancelled):
        export_pdf(seed_project, seed_project.forms[:3], out, is_cancelled=lambda: True)
    assert out.read_bytes() == b"old"
    export_pdf(seed_project, seed_project.forms[:2], out)
    assert out.read_bytes().startswith(b"%PDF-") and out.read_bytes().rstrip().endswith(b"%%EOF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.pdf"]  # no temporary file left beside it


# ---- Chinese line breaking --------------------------------------------------------------------------


@pytest.mark.parametrize("width", [40, 63, 97, 150, 230])
def test_line_breaking_rules(width):
    font = register_reportlab_font()
    text = ("深圳市福田区政务服务数据管理局（本级），“显著”的量化标准为“80%-100%”，项目总金额（中期规划，万元）："
            "合同审查259份，2023年12月31日前完成《福田区智慧城区建设“十五五”规划》。")
    lines = break_lines(text, width, pdf_metrics(), 10)
    assert "".join(lines) == text
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for a, b in pairwise(lines):
        assert stringWidth(a, font, 10) <= width + 1e-6
        assert b[0] not in NO_LINE_START, (a, b)
        assert a[-1] not in NO_LINE_END, (a, b)
        if width >= 97:  # wide enough for “80%-100%”，: a number is never cut
            assert not (a[-1].isdigit() and b[0].isdigit()), (a, b)
