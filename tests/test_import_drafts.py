"""Drafts with blanks import whole (issue 15 item 1): a self-evaluation whose 得分 / 分值 / 实际完成值 / 偏差原因 cells
are still empty, or a declaration with empty 指标值 / 指标解释, keeps every row with those cells empty; the rules then
flag what is missing."""

from __future__ import annotations

import json

import openpyxl
import pytest

from fcast_desktop.cli import main
from fcast_desktop.exchange.xlsx_export import META_SHEET
from fcast_desktop.store.project_file import load_project

EVAL_COLUMNS = {"name": 3, "target": 4, "actual": 5, "weight": 6, "score": 7, "deviation": 8}
EVAL_TITLE = "项目支出绩效自评表"


def _rows_to_blank(lines: list[str], need: str) -> list[tuple[int, int, list[str]]]:
    """(line index, form index, cells) of regular self-evaluation indicator rows (the seed's own column layout),
    the first row of each of the first forms whose ``need`` cell is filled."""
    picked: list[tuple[int, int, list[str]]] = []
    form = -1
    taken: set[int] = set()
    in_table = False
    for i, line in enumerate(lines):
        cells = line.split("\t")
        if [c for c in cells if c.strip()] == [EVAL_TITLE]:
            form += 1
            in_table = False
            continue
        if "三级指标" in (c.strip() for c in cells):
            in_table = True
            continue
        if not in_table:
            continue
        if form in taken or len(cells) < 8 or not cells[3].strip() or not cells[EVAL_COLUMNS[need]].strip():
            continue
        if any(c.strip() for c in cells[9:]) or cells[3].strip() in ("三级指标", "不适用"):
            continue
        if not (cells[6].strip().replace(".", "").isdigit() and cells[7].strip().replace(".", "").isdigit()):
            continue
        picked.append((i, form, cells))
        taken.add(form)
        if len(picked) == 4:
            break
    return picked


def _import(tmp_path, name: str, text: str):
    src = tmp_path / f"{name}.txt"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / f"{name}.fcast"
    assert main(["import", str(src), "-o", str(out)]) == 0
    return out, load_project(out)


def _check(capsys, project_file) -> list[dict]:
    capsys.readouterr()
    main(["check", str(project_file), "--json"])
    return json.loads(capsys.readouterr().out)


def _row_index(form, cells: list[str]) -> int:
    found = [n for n, r in enumerate(form.indicators)
             if r.name == cells[3].strip() and r.target == cells[4].strip()]
    assert len(found) == 1, cells
    return found[0]


@pytest.fixture(scope="module")
def seed_003(seed_paths):
    return seed_paths["003"].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def whole_003(seed_003, tmp_path_factory):
    out = tmp_path_factory.mktemp("whole") / "whole.fcast"
    src = out.with_suffix(".txt")
    src.write_text(seed_003, encoding="utf-8")
    assert main(["import", str(src), "-o", str(out)]) == 0
    return load_project(out)


@pytest.mark.parametrize("blank, cut", [(("score",), False), (("weight", "score"), False), (("actual",), False),
                                        (("deviation",), False), (("actual", "score"), False), (("score",), True)])
def test_self_evaluation_rows_with_empty_cells_import_whole(tmp_path, capsys, seed_003, whole_003, blank, cut):
    """``cut``: the line ends after the empty 得分 (an empty 偏差原因 cell is often trimmed away)."""
    lines = seed_003.split("\n")
    picked = _rows_to_blank(lines, blank[-1])
    assert len(picked) >= 2  # seed 003 has only two rows with a 偏差原因
    for i, _form, cells in picked:
        new = list(cells)
        for key in blank:
            new[EVAL_COLUMNS[key]] = ""
        if cut:
            assert not new[8].strip()
            new = new[:8]
        lines[i] = "\t".join(new)
    out, project = _import(tmp_path, "draft", "\n".join(lines))

    assert len(project.forms) == len(whole_003.forms) == 11
    blanked = {(form, _row_index(whole_003.forms[form], cells)) for _i, form, cells in picked}
    for f, (before, after) in enumerate(zip(whole_003.forms, project.forms, strict=True)):
        assert len(after.indicators) == len(before.indicators)
        for n, (b, a) in enumerate(zip(before.indicators, after.indicators, strict=True)):
            expected = b.model_copy()
            if (f, n) in blanked:
                for key in blank:
                    setattr(expected, key, None if key in ("weight", "score") else "")
            assert a.model_dump() == expected.model_dump(), (f, n)
        skip = {"indicators", "source", "id"}
        assert after.model_dump(exclude=skip) == before.model_dump(exclude=skip)

    entries = _check(capsys, out)
    for form, n in blanked:
        at = {(e["rule"], e["column"]) for e in entries
              if e["form"] == form and e["row"] == n and e["field"] == "indicators"}
        rules = {rule for rule, _column in at}
        if "weight" in blank:  # no 分值: the score cannot be suggested, the missing 分值 is what is flagged
            assert ("indicator.required", "分值") in at, (form, n, at)
        elif "score" in blank:
            assert rules & {"evaluation.score.missing", "evaluation.score.unknown"}, (form, n, at)
        if "actual" in blank:
            assert ("indicator.required", "实际完成值") in at, (form, n, at)


def test_xlsx_round_trip_keeps_rows_with_empty_scores(tmp_path, capsys, seed_paths):
    project_file = tmp_path / "p.fcast"
    assert main(["import", str(seed_paths["003"]), "-o", str(project_file)]) == 0
    book = tmp_path / "p.xlsx"
    assert main(["export", str(project_file), "--xlsx", str(book)]) == 0
    before = load_project(project_file)

    wb = openpyxl.load_workbook(book)
    rows = list(wb[META_SHEET].iter_rows(values_only=True))
    docs = [json.loads("".join(r[3 : 3 + r[2]])) for r in rows[1:]]
    blanked = set()
    for f, doc in enumerate(docs[:3]):
        ws = wb[doc["sheet"]]
        for ref, path, _t in doc["cells"]:
            if path in ("indicators.0.score", "indicators.1.score", "indicators.2.weight", "indicators.2.score"):
                ws[ref] = None
                blanked.add((doc["index"] if isinstance(doc.get("index"), int) else f, path))
    wb.save(book)
    again = tmp_path / "again.fcast"
    assert main(["import", str(book), "-o", str(again)]) == 0
    after = load_project(again)

    assert len(after.forms) == len(before.forms)
    for f, (b, a) in enumerate(zip(before.forms, after.forms, strict=True)):
        assert len(a.indicators) == len(b.indicators)
        for n, (rb, ra) in enumerate(zip(b.indicators, a.indicators, strict=True)):
            expected = rb.model_dump()
            for key in ("weight", "score"):
                if (f, f"indicators.{n}.{key}") in blanked:
                    expected[key] = None
            assert ra.model_dump() == expected, (f, n)
    entries = _check(capsys, again)
    for f in range(3):
        for n in (0, 1, 2):
            at = {(e["rule"], e["column"]) for e in entries
                  if e["form"] == f and e["row"] == n and e["field"] == "indicators"}
            if n == 2:
                assert ("indicator.required", "分值") in at, (f, n, at)
            else:
                assert {r for r, _c in at} & {"evaluation.score.missing", "evaluation.score.unknown"}, (f, n, at)


@pytest.mark.parametrize("blank", [(3,), (4,), (3, 4)])
def test_declaration_rows_with_empty_target_or_explanation_import_whole(tmp_path, capsys, seed_paths, blank):
    text = seed_paths["000"].read_text(encoding="utf-8")
    _whole_file, whole = _import(tmp_path, "whole", text)
    lines = text.split("\n")
    picked = []
    for i, line in enumerate(lines):
        cells = line.split("\t")  # the seed's declaration rows: 一级, 二级, 三级指标, 指标值, 指标解释
        if len(cells) == 5 and cells[2].strip() and cells[2].strip() != "三级指标" and cells[3].strip() \
                and cells[4].strip() and cells[3].strip() != "不适用":
            picked.append(i)
            new = list(cells)
            for c in blank:
                new[c] = ""
            lines[i] = "\t".join(new)
            if len(picked) == 5:
                break
    assert len(picked) == 5
    out, draft = _import(tmp_path, "draft", "\n".join(lines))
    assert [len(f.indicators) for f in draft.forms] == [len(f.indicators) for f in whole.forms]
    changed = 0
    for b, a in zip(whole.forms, draft.forms, strict=True):
        for rb, ra in zip(b.indicators, a.indicators, strict=True):
            if rb.model_dump() != ra.model_dump():
                changed += 1
                assert ra.name == rb.name and ra.level2 == rb.level2
                assert ra.target == ("" if 3 in blank else rb.target)
                assert ra.explanation == ("" if 4 in blank else rb.explanation)
    assert changed == 5
    entries = _check(capsys, out)
    assert sum(e["rule"] == "indicator.required" for e in entries) >= 5
