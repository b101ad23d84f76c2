"""The layout description (``fcast_desktop/layouts``) as the only source of the forms' official words.

* every official word of the layouts (titles, field labels, column titles, block captions, rows and columns,
  一级/二级 names) is written nowhere else in the package: a scan of the string constants fails naming file, line
  and word;
* a field added to a layout reaches the PDF and the importer without touching another module;
* the rule messages name places through the layouts (``layouts.words``);
* profiles are checked against a schema: unknown or misspelt keys are refused, naming the key and the file.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest

from fcast_desktop.layouts import forms as layout_forms
from fcast_desktop.layouts.forms import DECLARATION, LAYOUTS, FieldSpec, level1_name, level2_name
from fcast_desktop.layouts.words import UnknownReferenceError, resolve
from fcast_desktop.model import Level1, Level2

PACKAGE = Path(__file__).resolve().parents[1] / "fcast_desktop"
SEEDS = Path(__file__).resolve().parent / "data" / "seeds"

MIN_WORD = 4
"""Words shorter than four characters are not scanned for: 得分, 分值, 年度, 总额, 总分, 产出, 数量, 指标值, 满意度 are
ordinary Chinese words any sentence may use (资金得分, 分值合计, 年度留空), so finding them would say nothing
about a copied label. From four characters on, the official words are set phrases (项目编码, 三级指标, 年初预算数,
资金使用情况, 服务对象满意度指标) that only a copy of the form's wording writes."""

# Files that may still write official words, each with the reason.
ALLOWED: set[str] = set()  # none: the model keeps keys, the layouts every word


def official_words() -> dict[str, str]:
    """NFKC form → word, for every official word of the layouts of at least :data:`MIN_WORD` characters."""
    words: set[str] = set()
    for layout in LAYOUTS.values():
        words |= {layout.title, *layout.title_aliases, layout.table_caption, layout.total_label}
        for spec in (*layout.header, *layout.texts):
            words |= set(spec.names)
        for column in layout.columns:
            words |= {column.name, column.word, *(a.rstrip("…") for a in column.aliases)}
        if layout.funds is not None:
            words |= {layout.funds.title, layout.funds.caption}
            words |= {n for r in layout.funds.rows for n in r.names} | {c.title for c in layout.funds.columns}
        if layout.tasks is not None:
            words |= {layout.tasks.caption, layout.tasks.amount_caption, layout.tasks.sum_label}
            words |= {c.title for c in layout.tasks.columns}
        if layout.goals is not None:
            words |= {layout.goals.title, layout.goals.caption}
    for level1 in Level1:
        words |= {level1_name(level1, "short"), level1_name(level1)}
    for level2 in Level2:
        words |= {level2_name(level2, "short"), level2_name(level2)}
    return {unicodedata.normalize("NFKC", w): w for w in words if len(w) >= MIN_WORD}


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are documentation: a bare string statement (module, class, function and
    attribute docstrings)."""
    return {id(node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)}


def scan(root: Path, allowed: set[str]) -> list[str]:
    """``file:line: word`` for every string constant (docstrings excluded) of the modules under ``root``, outside
    ``layouts/`` and the ``allowed`` files, that contains an official word."""
    words = official_words()
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith("layouts/") or rel in allowed or any(rel.startswith(a) for a in allowed if a.endswith("/")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                text = unicodedata.normalize("NFKC", node.value)
                for normal, word in words.items():
                    if normal in text:
                        found.append(f"{rel}:{node.lineno}: {word}")
    return found


def test_the_minimum_length_keeps_the_set_phrases():
    words = set(official_words().values())
    assert {"项目编码", "三级指标", "年初预算数", "资金使用情况", "服务对象满意度指标", "其中：当年财政拨款"} <= words
    assert not {"得分", "分值", "年度", "总分", "指标值"} & words


def test_no_official_word_is_written_outside_the_layouts():
    found = scan(PACKAGE, ALLOWED)
    assert not found, "official words written outside layouts/ (read them from the layout):\n" + "\n".join(found)


def test_the_allow_list_names_existing_files_only():
    missing = [r for r in ALLOWED if not (PACKAGE / r).exists()]
    assert not missing, missing


def test_the_scan_finds_an_injected_label(tmp_path):
    """The scan itself works: a label written in a copy of a clean module is found, with its line; the same word
    in a docstring or comment is not."""
    root = tmp_path / "fcast_desktop"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__"))
    assert scan(root, ALLOWED) == scan(PACKAGE, ALLOWED)
    module = root / "exchange" / "importer.py"
    text = module.read_text(encoding="utf-8")
    lines = len(text.splitlines())
    module.write_text(text + '\n\n"""年初预算数 in a docstring is fine"""\n# 年初预算数 in a comment too\n'
                      'LABEL = f"{1}年初预算数"\n', encoding="utf-8")
    assert scan(root, ALLOWED) == [f"exchange/importer.py:{lines + 5}: 年初预算数"]
    module.write_text(text + '\nOTHER = "部门(单位)名称"\n', encoding="utf-8")  # a half-width variant
    assert scan(root, ALLOWED) == [f"exchange/importer.py:{lines + 2}: 部门（单位）名称"]


# ---- the words of rule messages ---------------------------------------------------------------------------------


def test_rule_messages_name_places_through_the_layouts(monkeypatch):
    from fcast_desktop.rules.catalogue import RULES

    assert "<" not in RULES["declaration.amounts.order"].template
    assert RULES["declaration.amounts.order"].template.startswith("项目总金额（中期规划）{total} 小于本年度项目金额")
    assert resolve("<eval.funds.col.initial_budget>与<decl.annual_amount>") == "年初预算数与本年度项目金额"
    assert resolve("<eval.col.deviation>、<l2.service_satisfaction>、x<90") == "偏差原因、服务对象满意度指标、x<90"
    with pytest.raises(UnknownReferenceError):
        resolve("<decl.no_such_field>")


def test_docs_rules_md_is_up_to_date():
    from fcast_desktop.rules.catalogue import markdown_table

    docs = (PACKAGE.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    assert markdown_table() in docs


# ---- a throwaway field -----------------------------------------------------------------------------------------


@pytest.fixture
def with_year_field(monkeypatch):
    """The declaration's layout with one more header field: 申报年度, on the model's ``year`` (which the official
    declaration does not print: the importers infer it from the 时效 deadlines)."""
    layout = replace(DECLARATION, header=(*DECLARATION.header, FieldSpec("year", "申报年度", "int")))
    monkeypatch.setitem(LAYOUTS, "declaration", layout)
    monkeypatch.setattr(layout_forms, "DECLARATION", layout)
    return layout


def _seed_project():
    from fcast_desktop.exchange.importer import import_file
    from fcast_desktop.model import Declaration, Project

    forms = [f for f in import_file(SEEDS / "000_504b0ed3bb28be2b.txt").forms if isinstance(f, Declaration)][:1]
    forms[0].year = 2031
    return Project(unit="测试单位", year=2031, forms=forms)


def _seed_text_with_year(tmp_path: Path) -> Path:
    """Seed 000 with a 申报年度 line under the first declaration's title."""
    lines = (SEEDS / "000_504b0ed3bb28be2b.txt").read_text(encoding="utf-8").split("\n")
    title = next(i for i, line in enumerate(lines) if line.strip() == DECLARATION.title)
    lines.insert(title + 1, "申报年度:\t2031\t")
    path = tmp_path / "seed.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_without_the_field_the_seed_line_is_not_read(tmp_path):
    from fcast_desktop.exchange.importer import import_file

    form = import_file(_seed_text_with_year(tmp_path)).forms[0]
    assert form.year == 2023  # from its deadlines: the extra line means nothing to the official layout


def test_a_field_added_to_the_layout_is_printed_in_the_pdf(with_year_field, tmp_path):
    from fcast_desktop.exchange.pdf_export import export_pdf

    out = export_pdf(_seed_project(), None, tmp_path / "out.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    line = next(line for line in text.splitlines() if "申报年度" in line)
    assert "2031" in line


def test_a_field_added_to_the_layout_is_read_by_the_importer(with_year_field, tmp_path):
    from fcast_desktop.exchange.importer import import_file

    result = import_file(_seed_text_with_year(tmp_path))
    assert result.forms[0].year == 2031
    assert not [n for n in result.notes if n.line == 4]  # the 申报年度 line is a field, not unreadable content


def test_a_field_added_to_the_layout_is_on_the_excel_sheet(with_year_field, tmp_path):
    from openpyxl import load_workbook

    from fcast_desktop.exchange.xlsx_export import export_xlsx

    project = _seed_project()
    export_xlsx(project, project.forms, tmp_path / "out.xlsx")
    ws = load_workbook(tmp_path / "out.xlsx").worksheets[0]
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert any("申报年度" in c for c in cells) and "2031" in cells


def test_a_field_added_to_the_layout_has_an_editor_in_the_grid(with_year_field, qtbot):
    from PySide6.QtWidgets import QLabel

    from fcast_desktop.gui.document import ProjectDocument
    from fcast_desktop.gui.form_editor import FormEditor

    project = _seed_project()
    editor = FormEditor(ProjectDocument(project), project.forms[0].id)
    qtbot.addWidget(editor)
    assert any("申报年度" in label.text() for label in editor.findChildren(QLabel))


# ---- profiles ----------------------------------------------------------------------------------------------------


def _futian() -> dict:
    from fcast_desktop.rules.profiles import profiles_dir

    return json.loads((profiles_dir() / "shenzhen-futian.json").read_text(encoding="utf-8"))


def test_the_shipped_profiles_pass_the_schema():
    from fcast_desktop.rules.profiles import available_profiles, profiles_dir, validate_profile

    for name in available_profiles():
        path = profiles_dir() / f"{name}.json"
        validate_profile(json.loads(path.read_text(encoding="utf-8")), str(path))


def test_a_misspelt_profile_key_is_refused_naming_the_key_and_the_file(tmp_path, monkeypatch):
    from fcast_desktop.rules import profiles

    data = _futian()
    data["over_achivement_factor"] = data.pop("over_achievement_factor")  # a typo: the default 1.2 would hold
    (tmp_path / "typo.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(profiles, "profiles_dir", lambda: tmp_path)
    with pytest.raises(profiles.ProfileError) as caught:
        profiles._load.__wrapped__("typo")  # the loader itself: the cache of the shipped profiles stays as it is
    message = str(caught.value)
    assert "over_achivement_factor" in message and str(tmp_path / "typo.json") in message
    assert "over_achievement_factor" in message  # the key it resembles


@pytest.mark.parametrize(("change", "words"), [
    ({"colour": "red"}, ["colour", "不是规则配置的设置项"]),
    ({"stars": [1]}, ["stars", "true 或 false"]),
    ({"level1_weights": None}, ["level1_weights"]),
])
def test_profile_problems_are_told_in_chinese(change, words):
    from fcast_desktop.rules.profiles import Profile, ProfileError

    data = {**_futian(), **change}
    with pytest.raises(ProfileError) as caught:
        Profile.from_dict(data, "某配置.json")
    message = str(caught.value)
    assert all(w in message for w in words) and "某配置.json" in message
    assert not any(fragment in message for fragment in ("Input should", "validation error", "Field required"))


# ---- weights' labels ------------------------------------------------------------------------------------------


def test_the_weighted_level1_label_takes_the_profiles_weights(monkeypatch):
    """产出指标(50分): the weight printed is the one of the form's profile, passed to the printed form."""
    from dataclasses import replace as copy
    from decimal import Decimal

    from fcast_desktop import rules
    from fcast_desktop.exchange.importer import import_file
    from fcast_desktop.exchange.pdf_export import printed_forms
    from fcast_desktop.layouts.cells import PRow, group_cells
    from fcast_desktop.model import Project, SelfEvaluation

    form = next(f for f in import_file(SEEDS / "003_8c6bbc88d7678e1b.txt").forms if isinstance(f, SelfEvaluation))
    original = rules.form_profile
    weights = {"output": Decimal(60), "benefit": Decimal(20), "satisfaction": Decimal(10)}
    monkeypatch.setattr(rules, "form_profile", lambda f, p: copy(original(f, p), level1_weights=weights))
    pf = printed_forms(Project(forms=[form]), [form])[0]
    row = PRow([], level1=Level1.OUTPUT, level2=Level2.QUANTITY)
    labels = [c.text for cells in group_cells(pf.layout, [row], None, pf.weights) for c in cells]
    assert labels[0] == "产出指标(60分)"
