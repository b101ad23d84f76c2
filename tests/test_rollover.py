"""新年度申报 (issue 15, item 2): `fcast rollover` of the sample project's 2023 declarations gives 2024 drafts with
every time target moved, the change list complete (compared with a list written by hand from the published text),
amounts kept but marked for review, nothing else altered; the GUI's untick set; the CLI never writes PROJECT."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from fcast_desktop import cli
from fcast_desktop.cli import main
from fcast_desktop.model import Declaration, DeclarationIndicator, Level2, Project
from fcast_desktop.rules import check_form, load_profile
from fcast_desktop.rules.rollover import clear_review, default_sources, move_plan_year, rollover
from fcast_desktop.rules.values import parse_value
from fcast_desktop.store.lock import ProjectLock
from fcast_desktop.store.project_file import load_project

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "samples" / "sample.fcast"

# Written by hand from tests/data/seeds: 000 lines 5–24 (表 0), 002 lines 5–24 (表 31) and 442–462 (表 50); the
# numbers are those of `fcast list` on the sample project. 表 50's 年度目标 speaks of last year's archives (2022年度
# in the 2023 form): they become 2023年度 in the 2024 draft; its 政策依据 (2022年度) and 测算依据 are not touched.
BY_HAND = {
    0: [
        "表 0 440304221061500000046  预算年度：2023 → 2024",
        "表 0 440304221061500000046  时效指标 第 3 行 · 指标值：2023年12月31日前 → 2024年12月31日前",
    ],
    31: [
        "表 31 440306210601500000540  预算年度：2023 → 2024",
        "表 31 440306210601500000540  时效指标 第 3 行 · 指标值：2023年12月前 → 2024年12月前",
    ],
    50: [
        "表 50 440306231271525605017  预算年度：2023 → 2024",
        "表 50 440306231271525605017  年度目标：通过委托第三方机构开展2022年度档案整理工作,包括:"
        "2022年文书档案整理和扫描、照片档案整理、2022年实物档案整理、2022年会计档案整理、编研材料续编等,"
        "从而满足机关单位有效收集、管理、保护档案的需求。"
        " → 通过委托第三方机构开展2023年度档案整理工作,包括:2023年文书档案整理和扫描、照片档案整理、"
        "2023年实物档案整理、"
        "2023年会计档案整理、编研材料续编等,从而满足机关单位有效收集、管理、保护档案的需求。",
        "表 50 440306231271525605017  时效指标 第 3 行 · 指标值：2023年12月31日前 → 2024年12月31日前",
    ],
}


@pytest.fixture(scope="module")
def sample() -> Project:
    return load_project(SAMPLE)


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    path = tmp_path / "2023.fcast"
    shutil.copy(SAMPLE, path)
    return path


def test_default_sources_are_the_latest_declarations(sample):
    chosen = default_sources(sample, 2024)
    assert len(chosen) == 32 and all(sample.forms[n].kind == "declaration" and sample.forms[n].year == 2023
                                     for n in chosen)
    # the department form (2026) is not before 2024; for 2027 it is, and so are the 2023 declarations
    assert [sample.forms[n].kind for n in default_sources(sample, 2027)].count("department_overall") == 1


def test_change_list_of_three_forms_matches_the_list_by_hand(sample):
    result = rollover(sample, 2024)
    lines = [c.line() for c in result.changes]
    for n, expected in BY_HAND.items():
        assert [line for line in lines if line.startswith(f"表 {n} ")] == expected
    assert len(result.drafts) == 32 and result.notes == ["项目中没有早于 2024 年的部门整体表，未生成部门整体表"]


def test_every_time_target_moved_and_nothing_else_altered(sample):
    result = rollover(sample, 2024)
    changed = {(c.form, c.field, c.row, c.key) for c in result.changes}
    for n, draft in zip(result.sources, result.drafts, strict=True):
        source = sample.forms[n]
        assert draft.year == 2024 and draft.id != source.id and source.year == 2023
        for r, (old, new) in enumerate(zip(source.indicators, draft.indicators, strict=True)):
            v = parse_value(new.target)
            if v.kind == "deadline":
                assert v.date[0] == 2024, (n, new.target)
            if parse_value(old.target).kind == "deadline":
                assert (n, "indicators", r, "target") in changed
        # nothing else: the draft is the source with the listed changes applied, the year, and the review marks
        expected = source.model_dump()
        for c in result.changes:
            if c.form != n:
                continue
            if c.field == "indicators":
                assert expected["indicators"][c.row][c.key] == c.before
                expected["indicators"][c.row][c.key] = c.after
            else:
                assert str(expected[c.key]) == c.before
                expected[c.key] = int(c.after) if c.key in ("year", "duration_years") else c.after
        got = draft.model_dump()
        for d in (expected, got):
            d.pop("id"), d.pop("source"), d.pop("review", None)
        assert got == expected, n
    # the sources are untouched
    assert load_project(SAMPLE).model_dump() == sample.model_dump()


def test_amounts_are_marked_for_review_until_touched(sample):
    result = rollover(sample, 2024, [0])
    (draft,) = result.drafts
    assert draft.review == ["total_amount", "annual_amount"] and draft.annual_amount == sample.forms[0].annual_amount
    project = Project(forms=[draft])
    review = [p for p in check_form(draft, None, project) if p.rule == "rollover.amount_review"]
    assert [(p.field, p.severity) for p in review] == [("total_amount", "warning"), ("annual_amount", "warning")]
    assert review[1].message == ("本年度项目金额 12,000.00万元 是从上年表单原样带入的金额，请按 2024 年的预算核对"
                                 "（修改或重新填写此金额后提示消失）")
    assert clear_review(draft, ("annual_amount",)) is True and clear_review(draft, ("annual_amount",)) is False
    assert [p.field for p in check_form(draft, None, project) if p.rule == "rollover.amount_review"] == [
        "total_amount"]
    # the department form: each task amount
    dept = rollover(sample, 2027, [63])
    (d,) = dept.drafts
    assert all(t.review == ["total", "appropriation", "other"] for t in d.tasks)
    warned = [p for p in check_form(d, None, Project(forms=[d])) if p.rule == "rollover.amount_review"]
    assert len(warned) == 3 * len(d.tasks) and warned[0].field == "tasks" and warned[0].row == 0
    assert clear_review(d, ("tasks", 0, "total")) and d.tasks[0].review == ["appropriation", "other"]


def test_unticked_changes_are_not_made(sample):
    first = rollover(sample, 2024, [0, 50])
    untick = {c.id for c in first.changes if c.key in ("target", "annual_goal", "year")}
    again = rollover(sample, 2024, [0, 50], skip=untick)
    assert [c.key for c in again.changes] == ["year", "year"]  # the year of a draft cannot be unticked
    assert again.drafts[0].indicators[2].target == "2023年12月31日前"
    assert "2022年度档案整理" in again.drafts[1].annual_goal and again.drafts[1].year == 2024


def _multi_year(**kw) -> Declaration:
    rows = [DeclarationIndicator(level2=Level2.TIMELINESS, name="完成时间", target="2023年12月31日前",
                                 explanation="按时")]
    base = dict(project_code="440304221061500000099", project_name="三年行动（2023-2025年）", year=2023,
                duration_years=3, annual_goal="2023年完成一期", long_term_goal="2023年至2025年建成全部系统",
                indicators=rows)
    base.update(kw)
    return Declaration(**base)


def test_duration_counts_down_where_the_form_says_so():
    project = Project(forms=[_multi_year(), _multi_year(project_name="常年项目", long_term_goal="长期保障"),
                             _multi_year(project_name="项目", long_term_goal="2023年至2026年", duration_years=3)])
    result = rollover(project, 2024)
    said, silent, mismatch = result.drafts
    assert said.duration_years == 2 and silent.duration_years == 3 and mismatch.duration_years == 3
    lines = [c.line() for c in result.changes if c.form == 0]
    assert lines == ["表 0 440304221061500000099  预算年度：2023 → 2024",
                     "表 0 440304221061500000099  实施期限：3 → 2",
                     "表 0 440304221061500000099  年度目标：2023年完成一期 → 2024年完成一期",
                     "表 0 440304221061500000099  时效指标 第 1 行 · 指标值：2023年12月31日前 → 2024年12月31日前"]
    assert said.long_term_goal == "2023年至2025年建成全部系统" and said.project_name == "三年行动（2023-2025年）"
    # the last year of the span: 1 year left; after it, nothing to count down
    assert rollover(project, 2025, [0]).drafts[0].duration_years == 1
    assert rollover(project, 2026, [0]).drafts[0].duration_years == 3


@pytest.mark.parametrize("text,after", [
    ("2023年12月31日前", "2024年12月31日前"),
    ("2023年", "2024年"),
    ("截至2023年底完成", "截至2024年底完成"),
    ("2023-2025年", "2023-2025年"),  # the project's period
    ("2023年至2025年", "2023年至2025年"),
    ("2021年-2023年", "2021年-2023年"),
    ("20233年", "20233年"),
    ("12023年", "12023年"),
    ("2022年合同尾款", "2022年合同尾款"),  # not the plan year
    ("2023", "2023"),  # a number, not a year
    ("≥2023个", "≥2023个"),
])
def test_move_plan_year(text, after):
    assert move_plan_year(text, 2023, 2024) == after


def test_move_plan_year_in_targets_and_texts_of_the_year():
    assert move_plan_year("2023.12.31前", 2023, 2024, dates=True) == "2024.12.31前"
    assert move_plan_year("2023.12.31前", 2023, 2024) == "2023.12.31前"
    moved = move_plan_year("开展2022年度档案整理，2010年以来", 2023, 2024, nearby=True)
    assert moved == "开展2023年度档案整理，2010年以来"


def test_self_evaluations_and_later_years_are_refused(sample):
    from fcast_desktop.rules.rollover import RolloverError

    with pytest.raises(RolloverError, match="绩效自评表"):
        rollover(sample, 2024, [52])
    with pytest.raises(RolloverError, match="不早于 2024 年"):
        rollover(sample, 2024, [63])


# ---- the command ------------------------------------------------------------------------------------------------


def test_cli_writes_new_drafts_and_never_the_project(sample_copy, tmp_path, capsys):
    before = sample_copy.read_bytes()
    new = tmp_path / "2024.fcast"
    assert main(["rollover", str(sample_copy), "--year", "2024", "-o", str(new)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    for n, expected in BY_HAND.items():
        assert [line for line in lines if line.startswith(f"表 {n} ")] == expected
    assert "已生成 32 张 2024 年的申报草稿" in captured.err and "64 个金额沿用上年，已标为待核对" in captured.err
    assert sample_copy.read_bytes() == before
    project = load_project(new)
    assert len(project.forms) == 32 and project.year == 2024 and project.unit == load_project(sample_copy).unit
    assert all(f.review for f in project.forms)
    # --json: the same list, the shape of cli.md
    assert main(["rollover", str(sample_copy), "--year", "2024", "-o", str(tmp_path / "j.fcast"), "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert len(entries) == len(lines) and all(set(e) == {"form", "field", "row", "column", "before", "after"}
                                              for e in entries)
    assert {"form": 0, "field": "indicators", "row": 2, "column": "指标值", "before": "2023年12月31日前",
            "after": "2024年12月31日前"} in entries
    # a second run into the same file adds nothing twice
    assert main(["rollover", str(sample_copy), "--year", "2024", "-o", str(new)]) == 0
    assert "32 张已在" in capsys.readouterr().err and len(load_project(new).forms) == 32


@pytest.mark.parametrize("how", ["itself", "symlink", "backup"])
def test_cli_refuses_to_write_into_the_project(sample_copy, tmp_path, capsys, how):
    from fcast_desktop.store.project_file import backup_path

    link = tmp_path / "link.fcast"
    link.symlink_to(sample_copy)
    shutil.copy(sample_copy, backup_path(sample_copy))
    target = {"itself": sample_copy, "symlink": link, "backup": backup_path(sample_copy)}[how]
    before = {p: p.read_bytes() for p in tmp_path.iterdir() if not p.is_symlink()}
    assert main(["rollover", str(sample_copy), "--year", "2024", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "不能写入原项目文件" in err
    assert {p: p.read_bytes() for p in tmp_path.iterdir() if not p.is_symlink()} == before


def test_cli_takes_the_lock_of_the_new_project(sample_copy, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "LOCK_WAIT_SECONDS", 0.2)
    new = tmp_path / "2024.fcast"
    main(["rollover", str(sample_copy), "--year", "2024", "-o", str(new), "--form", "0"])
    capsys.readouterr()
    before = new.read_bytes()
    with ProjectLock.acquire(new, app="fcast-desktop") as window:
        assert main(["rollover", str(sample_copy), "--year", "2024", "-o", str(new)]) == 2
        err = capsys.readouterr().err
        assert window.info.describe() in err and "请对方关闭项目后再生成新年度申报" in err
    assert new.read_bytes() == before


@pytest.mark.parametrize("args,words", [
    (["--year", "2024", "--form", "52"], "绩效自评表"),
    (["--year", "2023"], "没有早于 2023 年"),
    (["--year", "24"], "不是有效的年度"),
    (["--year", "2024", "--form", "999999999999999999999"], "没有项目编码"),
])
def test_cli_unusable_requests(sample_copy, tmp_path, capsys, args, words):
    new = tmp_path / "n.fcast"
    assert main(["rollover", str(sample_copy), *args, "-o", str(new)]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and not new.exists()


def test_cli_department_form_by_ref(sample_copy, tmp_path, capsys):
    new = tmp_path / "2027.fcast"
    assert main(["rollover", str(sample_copy), "--year", "2027", "-o", str(new), "--form", "@department_overall"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"时效指标 第 18 行 · 指标值：2026年6月前 → 2027年6月前$", out, re.M)
    (dept,) = load_project(new).forms
    assert dept.kind == "department_overall" and dept.year == 2027
    problems = check_form(dept, load_profile(None), Project(forms=[dept]))
    assert sum(p.rule == "rollover.amount_review" for p in problems) == 3 * len(dept.tasks)


def test_cli_refuses_a_new_file_that_is_no_project(sample_copy, tmp_path, capsys):
    other = tmp_path / "报告.pdf"
    other.write_bytes(b"%PDF-1.4 not a project")
    assert main(["rollover", str(sample_copy), "--year", "2024", "-o", str(other)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(other) in err
    assert other.read_bytes() == b"%PDF-1.4 not a project"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023.fcast", "报告.pdf"]  # no lock or temp file left
