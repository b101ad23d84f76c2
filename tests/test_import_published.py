"""Import of the published tab-separated forms (seeds 000, 002, 003, 004) compared with the seed text itself."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from fcast_desktop.cli import main
from fcast_desktop.exchange.published_text import clean_cell, normalise_label, parse_published_text, read_text_file
from fcast_desktop.exchange.report import ImportFailed
from fcast_desktop.model import Declaration, DepartmentOverall, Level2, SelfEvaluation
from fcast_desktop.model.money import format_money, format_number

EXPECTED_COUNTS = {"000": ("declaration", 11), "002": ("declaration", 21), "003": ("self_evaluation", 11),
                   "004": ("department_overall", 1)}

# labels, column titles and computed/printed-only cells: everything else in a seed form is a value to import
STRUCTURE = {
    "项目编码", "项目名称", "申请单位", "一级预算单位", "实施期限", "项目类型", "是否新增项目", "分配方式", "政策依据",
    "测算依据", "项目概况", "年度目标", "长期目标(跨度多年的项目需填)", "一级指标", "二级指标", "三级指标", "指标值",
    "指标解释", "绩效自评年度", "实施单位", "资金使用情况", "年初预算数", "全年预算数", "全年执行数", "分值",
    "执行率(%)", "得分", "项目资金(元)", "年度资金总额", "其中:当年财政拨款", "上年结转资金", "其他资金",
    "项目目标完成情况", "年度总体目标", "预期目标", "*实际完成情况", "年度绩效指标", "年度指标值", "*实际完成值",
    "*分值", "*得分", "偏差原因分析及改进措施", "总分", "—", "部门(单位)名称", "主管部门", "年度主要任务", "任务名称",
    "主要内容", "预算金额(元)", "总额", "财政拨款", "金额合计", "度量单位",
}
_AMOUNT_LABEL = re.compile(r"^(项目总金额\(中期规划,?(万元|万|元)\)|本年度项目金额\((万元|元)\))$")
_LEVEL_LABEL = re.compile(r"^\*?(产出|效益|满意度)(指标)?(\(\d+分\))?$"
                          r"|^\*?(数量|质量|时效|成本|经济效益|社会效益|生态效益|"
                          r"可持续影响|服务对象满意度|其他满意度)(指标)?$")


def _blocks(text: str) -> list[list[tuple[int, list[str]]]]:
    """The seed split into forms at its title lines, independently of the importer."""
    titles = ("二级项目支出绩效目标申报表", "项目支出绩效自评表", "部门（单位）整体支出绩效目标申报表")
    blocks: list[list[tuple[int, list[str]]]] = []
    for no, line in enumerate(text.splitlines(), 1):
        cells = [clean_cell(c) for c in line.split("\t")]
        filled = [c for c in cells if c]
        if len(filled) == 1 and filled[0].strip("#* ") in titles:
            blocks.append([])
            continue
        if blocks and filled:
            blocks[-1].append((no, filled))
    return blocks


def _imported_values(form) -> set[str]:
    """Every value the form holds, as the published form would print it."""
    values: set[str] = set()

    def add(v):
        if v is None:
            return
        if isinstance(v, Decimal):
            values.add(format_number(v))
            values.add(f"{v:.2f}")
        else:
            values.add(str(v))

    if isinstance(form, Declaration):
        for key in ("project_code", "project_name", "applicant_unit", "budget_unit", "duration_years", "project_type",
                    "is_new", "allocation_method", "policy_basis", "calculation_basis", "overview", "annual_goal",
                    "long_term_goal"):
            add(getattr(form, key))
        for key in ("total_amount", "annual_amount"):
            values.add(format_money(getattr(form, key), form.amount_unit))
        for r in form.indicators:
            values.update((r.name, r.target, r.explanation))
    elif isinstance(form, SelfEvaluation):
        for key in ("project_code", "project_name", "year", "implementing_unit", "budget_unit", "expected_goal",
                    "actual_result"):
            add(getattr(form, key))
        for line in (form.funds.total, form.funds.appropriation, form.funds.carryover, form.funds.other):
            for key in ("initial_budget", "annual_budget", "executed"):
                add(getattr(line, key))
        add(form.funds.weight)
        for r in form.indicators:
            values.update((r.name, r.target, r.actual, r.deviation))
            add(r.weight)
            add(r.score)
    else:
        for key in ("department_name", "supervising_department", "overall_goal"):
            add(getattr(form, key))
        for t in form.tasks:
            values.update((t.name, t.content))
            for key in ("total", "appropriation", "other"):
                add(getattr(t, key))
        for r in form.indicators:
            values.update((r.name, r.target, r.measure_unit, r.explanation))
    return values


def _computed_cells(kind: str, cells: list[str]) -> set[str]:
    """Printed results of the official system that the app computes instead of importing."""
    names = [normalise_label(c) for c in cells]
    if kind == "self_evaluation" and "年度资金总额" in names:
        return set(cells[-2:])  # 执行率, 得分
    if kind == "self_evaluation" and names[0] == "总分":
        return set(cells)
    if kind == "department_overall" and names[0].startswith("金额合计"):
        return set(cells)
    return set()


@pytest.mark.parametrize("prefix", sorted(EXPECTED_COUNTS))
def test_every_seed_cell_is_imported(prefix, seed_paths):
    """No loss: every value cell of the published text is held by the imported form (and counts match)."""
    text = read_text_file(seed_paths[prefix])
    result = parse_published_text(text, str(seed_paths[prefix]))
    kind, count = EXPECTED_COUNTS[prefix]
    assert len(result.forms) == count
    assert all(f.kind == kind for f in result.forms)
    blocks = _blocks(text)
    assert len(blocks) == count
    for form, block in zip(result.forms, blocks, strict=True):
        held = _imported_values(form)
        for no, cells in block:
            skip = _computed_cells(kind, cells)
            for cell in cells:
                n = normalise_label(cell)
                if (n in STRUCTURE or _LEVEL_LABEL.match(n) or _AMOUNT_LABEL.match(n) or cell in skip
                        or re.fullmatch(r"[(（]\d{4}年度[)）]", cell)):
                    continue
                assert cell in held, f"{seed_paths[prefix].name}:{no}: “{cell[:40]}” not imported"
    assert not [n for n in result.notes if n.level == "error"]


def test_imported_values_come_from_the_seed(seed_paths):
    """The other direction: every text the importer stored is in the seed (nothing invented)."""
    for prefix in EXPECTED_COUNTS:
        text = read_text_file(seed_paths[prefix])
        cells = {clean_cell(c) for line in text.splitlines() for c in line.split("\t")}
        for form in parse_published_text(text).forms:
            rows = form.indicators
            for r in rows:
                for key in ("name", "target", "explanation", "actual", "deviation", "measure_unit"):
                    v = getattr(r, key, "")
                    assert v == "" or v in cells or v == "不适用", (prefix, key, v)


def test_declaration_header_of_seed_000(seed_paths):
    forms = parse_published_text(read_text_file(seed_paths["000"])).forms
    f = forms[0]
    assert f.project_code == "440304221061500000046"
    assert f.project_name == "离退休干部节日慰问金（科级及以下）"
    assert f.applicant_unit == f.budget_unit == "深圳市福田区政务服务数据管理局（本级）"
    assert (f.duration_years, f.project_type, f.is_new, f.allocation_method) == (
        4, "15 其他经费", "否", "因素法和项目法")
    # the unit trap: the label says 万元, the stored value is what the label says (flagged by rule N3)
    assert f.amount_unit == "万元"
    assert f.annual_amount == Decimal("120000000.00")
    assert format_money(f.annual_amount, "万元") == "12,000.00"
    assert f.variant == "basis" and f.calculation_basis.startswith("4名科级以下退休干部")
    assert [r.level2 for r in f.indicators][:4] == [Level2.QUANTITY, Level2.QUALITY, Level2.TIMELINESS, Level2.COST]
    assert f.indicators[0].name == "发放离退休干部慰问金人数" and f.indicators[0].target == "≥8"
    assert f.year == 2023
    # `项目总金额(中期规划, 万)` without a colon (数据规划管理) and `<p>` paragraphs
    plan = next(x for x in forms if x.project_name == "数据规划管理")
    assert plan.total_amount == Decimal("216933000000.00") and plan.amount_unit == "万元"
    assert "<p>" not in plan.annual_goal and "\n" in plan.annual_goal
    assert plan.long_term_goal.startswith("通过本项目的实施")
    assert len(plan.indicators) == 26


def test_declaration_in_yuan_seed_002(seed_paths):
    f = parse_published_text(read_text_file(seed_paths["002"])).forms[0]
    assert f.amount_unit == "元"
    assert (f.total_amount, f.annual_amount) == (Decimal("49235800.00"), Decimal("10698600.00"))
    assert f.indicators[3].target == "≤1500万元"


def test_self_evaluation_seed_003(seed_paths):
    forms = parse_published_text(read_text_file(seed_paths["003"])).forms
    f = forms[1]
    assert (f.project_code, f.project_name, f.year) == ("440304221061500000007", "其他一般管理事务", 2022)
    assert f.funds.total.annual_budget == Decimal("1380357.22")
    assert f.funds.total.executed == Decimal("1356587.20")
    assert f.funds.weight == Decimal(10)
    assert f.expected_goal.startswith("通过本项目的实施") and f.actual_result.startswith("2022年")
    grid = forms[2]  # 网格信息管理: rows shifted left in the copy, one with a deviation text
    assert len(grid.indicators) == 20
    row = next(r for r in grid.indicators if r.name == "网格管理人员培训天数或线上培训时长")
    assert (row.target, row.actual, row.weight, row.score) == ("≥2天或16小时", "6天", Decimal(3), Decimal(2))
    assert row.deviation.startswith("偏差原因")
    shifted = next(r for r in grid.indicators if r.name == "网格管理相关宣传工作参与率")
    assert shifted.level2 == Level2.QUALITY
    # 民意速办: duplicated 实际完成值 cells are read once and reported
    fast = forms[-1]
    assert fast.project_name == "民意速办"
    first_row = fast.indicators[0]
    assert (first_row.target, first_row.actual, first_row.weight) == ("4人", "4人", Decimal(5))


def test_duplicated_cells_are_reported_with_line(seed_paths):
    result = parse_published_text(read_text_file(seed_paths["003"]), "003.txt")
    dup = [n for n in result.notes if "重复" in n.message]
    assert len(dup) == 8 and all(n.line and n.path == "003.txt" for n in dup)


def test_department_seed_004(seed_paths):
    result = parse_published_text(read_text_file(seed_paths["004"]))
    (f,) = result.forms
    assert isinstance(f, DepartmentOverall)
    assert (f.year, f.department_name) == (2026, "深圳市福田区政务服务和数据管理局（本级）")
    assert len(f.tasks) == 5 and sum(t.total for t in f.tasks) == Decimal("29141800.00")
    assert len(f.indicators) == 32
    assert f.indicators[0].measure_unit == "套"
    # rows printed out of order (可持续影响 before 生态效益) are kept in the official order and reported
    order = [r.level2 for r in f.indicators]
    assert order.index(Level2.ECOLOGICAL) < order.index(Level2.SUSTAINABLE)
    assert any("顺序" in n.message for n in result.notes)
    assert f.overall_goal.count("\n") >= 3


def test_unreadable_rows_are_reported_not_guessed():
    text = (
        "二级项目支出绩效目标申报表\n项目编码:\t440304221061500000046\t项目名称:\t测试\n"
        "一级指标\t二级指标\t三级指标\t指标值\t指标解释\n"
        "\t\t孤立的一行\t1\t2\n"
        "产出\t*数量\t人数\t≥8\t解释\n"
        "产出\t*质量\t只有名称\n"
    )
    result = parse_published_text(text, "x.txt")
    (form,) = result.forms
    assert [r.name for r in form.indicators] == ["人数"]
    errors = [n for n in result.notes if n.level == "error"]
    assert [n.line for n in errors] == [4, 6]


def test_foreign_text_is_refused(tmp_path):
    p = tmp_path / "note.txt"
    p.write_text("这是一份会议纪要\n与绩效表无关\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as exc:
        from fcast_desktop.exchange.importer import import_file

        import_file(p)
    assert "note.txt" in str(exc.value)


def test_cli_import_and_list_json(tmp_path, seed_paths, capsys):
    out = tmp_path / "seeds.fcast"
    srcs = [str(seed_paths[k]) for k in ("000", "002", "003", "004")]
    assert main(["import", *srcs, "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["list", "--json", str(out)]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert len(listing) == 44
    kinds = [e["form_type"] for e in listing]
    assert kinds == ["declaration"] * 32 + ["self_evaluation"] * 11 + ["department_overall"]
    first = listing[0]
    assert first == {"form": 0, "form_type": "declaration", "project_code": "440304221061500000046",
                     "project_name": "离退休干部节日慰问金（科级及以下）",
                     "unit": "深圳市福田区政务服务数据管理局（本级）", "year": 2023, "indicator_rows": 10}
    assert listing[43]["unit"] == "深圳市福田区政务服务和数据管理局（本级）" and listing[43]["indicator_rows"] == 32
    assert [e["indicator_rows"] for e in listing[32:43]] == [10, 11, 20, 10, 14, 10, 27, 19, 10, 10, 16]
    # importing the same files again adds nothing
    assert main(["import", srcs[0], "-o", str(out)]) == 0
    assert "未重复导入" in capsys.readouterr().err
    assert main(["list", "--json", str(out)]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 44


def test_cli_import_of_missing_file_exits_2(tmp_path, capsys):
    out = tmp_path / "p.fcast"
    assert main(["import", str(tmp_path / "nope.txt"), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "nope.txt" in err and "不存在" in err
    assert not out.exists()


def test_printed_total_that_the_rows_do_not_give_is_reported(seed_paths):
    """Seed 003 政务事项管理 prints 总分 99.88, but the copy lacks rows: its rows give 89.88. The model keeps no printed
    total, so import says so, with file and line, instead of the gap surfacing only as a wrong score later."""
    result = parse_published_text(read_text_file(seed_paths["003"]), "003.txt")
    totals = [n for n in result.notes if "原表总分" in n.message]
    assert len(totals) == 1
    (note,) = totals
    assert (note.path, note.line, note.level) == ("003.txt", 250, "warning")
    assert "原表总分 99.88 与各项得分之和 89.88 不符" in note.message
    assert "003.txt:250" in str(note)
    weights = [n for n in result.notes if "原表分值合计" in n.message]
    assert [(n.line, n.message) for n in weights] == [(250, "原表分值合计 100 与各项分值之和 90 不符")]


def test_printed_total_that_agrees_gives_no_note():
    text = (
        "项目支出绩效自评表\n"
        "项目编码:\t440304221061500000007\t项目名称:\t测试\t绩效自评年度:\t2022\n"
        "实施单位:\t单位\t一级预算单位:\t单位\n"
        "资金使用情况\n\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率(%)\t得分\n"
        "项目资金(元)\t年度资金总额\t100.00\t100.00\t90.00\t10\t90\t9\n"
        "一级指标\t二级指标\t三级指标\t年度指标值\t*实际完成值\t*分值\t*得分\t偏差原因分析及改进措施\n"
        "产出指标(50分)\t数量指标\t培训次数\t≥2次\t2次\t50\t50\n"
        "效益指标(30分)\t社会效益指标\t覆盖率\t100%\t100%\t30\t30\n"
        "满意度指标(10分)\t服务对象满意度指标\t满意度\t≥90%\t95%\t10\t10\n"
        "总分\t\t\t\t\t\t100\t{total}\t—\n"
    )
    assert not [n for n in parse_published_text(text.format(total="99"), "t.txt").notes if "总分" in n.message]
    (note,) = [n for n in parse_published_text(text.format(total="100"), "t.txt").notes if "原表总分" in n.message]
    assert note.line == 11 and "原表总分 100 与各项得分之和 99 不符" in note.message


def test_cli_import_prints_the_total_gap(tmp_path, seed_paths, capsys):
    out = tmp_path / "p.fcast"
    assert main(["import", str(seed_paths["003"]), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{seed_paths['003']}:250: [注意] 原表总分 99.88 与各项得分之和 89.88 不符" in err
