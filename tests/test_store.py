"""Project files: byte-identical round trip, atomic save with backup, clear errors for bad files."""

from __future__ import annotations

import json
import os
import shutil
from decimal import Decimal

import pytest

from fcast_desktop.cli import main
from fcast_desktop.model import Declaration, EvaluationIndicator, Project, SelfEvaluation
from fcast_desktop.store import project_file as pf
from fcast_desktop.store.project_file import ProjectFileError, backup_path, load_project, save_project


def test_save_load_save_is_byte_identical(tmp_path, seed_project_file):
    first = tmp_path / "a.fcast"
    second = tmp_path / "b.fcast"
    save_project(load_project(seed_project_file), first)
    save_project(load_project(first), second)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == seed_project_file.read_bytes()


def test_invalid_input_is_kept_and_saved(tmp_path):
    form = SelfEvaluation(project_name="草稿")
    form.raw["year"] = "二〇二二"
    form.indicators = [EvaluationIndicator(level2="cost", name="支出进度", weight=None, raw={"weight": "十分"})]
    path = tmp_path / "draft.fcast"
    save_project(Project(forms=[form]), path)
    again = load_project(path)
    assert again.forms[0].raw == {"year": "二〇二二"}
    assert again.forms[0].indicators[0].raw == {"weight": "十分"}


def test_money_is_exact_decimal_in_the_file(tmp_path):
    form = Declaration(total_amount=Decimal("460905.20"), annual_amount=Decimal("0.10"), amount_unit="元")
    path = tmp_path / "m.fcast"
    save_project(Project(forms=[form]), path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == "fcast-project" and doc["schema_version"] == pf.SCHEMA_VERSION
    assert doc["project"]["forms"][0]["total_amount"] == "460905.20"
    assert load_project(path).forms[0].annual_amount == Decimal("0.10")


def test_save_keeps_previous_file_as_backup(tmp_path):
    path = tmp_path / "p.fcast"
    save_project(Project(unit="第一版"), path)
    save_project(Project(unit="第二版"), path)
    assert load_project(path).unit == "第二版"
    assert load_project(backup_path(path)).unit == "第一版"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.fcast", "p.fcast.bak"]


def test_failed_save_leaves_file_and_backup_untouched(tmp_path, monkeypatch):
    path = tmp_path / "p.fcast"
    save_project(Project(unit="一"), path)
    save_project(Project(unit="二"), path)
    before = path.read_bytes(), backup_path(path).read_bytes()
    real_replace = os.replace

    def failing_replace(src, dst):
        if str(dst) == str(path):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(pf.os, "replace", failing_replace)
    with pytest.raises(OSError):
        save_project(Project(unit="三"), path)
    monkeypatch.undo()
    assert path.read_bytes() == before[0]
    assert load_project(path).unit == "二"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def _broken_cases(good: str) -> dict[str, tuple[str, str]]:
    doc = json.loads(good)
    newer = dict(doc, schema_version=pf.SCHEMA_VERSION + 1)
    foreign = {"name": "别的程序的文件"}
    bad_value = json.loads(good)
    bad_value["project"]["forms"][0]["indicators"][0]["level2"] = "不存在的指标"
    return {
        "truncated": (good[: len(good) // 2], "截断"),
        "hand-broken": (good.replace('"forms": [', '"forms": [,', 1), "损坏"),
        "newer": (json.dumps(newer, ensure_ascii=False), "更新版本"),
        "foreign": (json.dumps(foreign, ensure_ascii=False), "不是 fcast 项目文件"),
        "bad-value": (json.dumps(bad_value, ensure_ascii=False, indent=1), "不符合格式"),
        "binary": ("\udcff", "UTF-8"),
    }


@pytest.mark.parametrize("case", ["truncated", "hand-broken", "newer", "foreign", "bad-value", "binary"])
def test_bad_project_file_gives_exit_2_and_touches_nothing(case, tmp_path, seed_project_file, capsys):
    path = tmp_path / "p.fcast"
    shutil.copy(seed_project_file, path)
    save_project(load_project(path), path)  # creates p.fcast.bak
    text, expected = _broken_cases(path.read_text(encoding="utf-8"))[case]
    if case == "binary":
        path.write_bytes(b"\xff\xfe\x00garbage")
    else:
        path.write_text(text, encoding="utf-8")
    before = path.read_bytes(), backup_path(path).read_bytes()
    for command in (["list", str(path)], ["list", "--json", str(path)], ["import", str(path), "-o", str(path)]):
        assert main(command) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert str(path) in captured.err and expected in captured.err
        assert len(captured.err.strip().splitlines()) == 1
    assert (path.read_bytes(), backup_path(path).read_bytes()) == before


def test_error_names_the_line(tmp_path, seed_project_file):
    path = tmp_path / "p.fcast"
    text = seed_project_file.read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[40] = lines[40] + "}"  # a stray brace in the middle
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ProjectFileError) as exc:
        load_project(path)
    assert exc.value.line == 41
    assert "第 41 行" in str(exc.value)


def test_migration_chain_is_applied(tmp_path, monkeypatch):
    """An older document is migrated step by step; the registry refuses a step registered twice."""
    monkeypatch.setattr(pf, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(pf, "MIGRATIONS", {})

    @pf.migration(1)
    def rename_unit(doc):
        doc["project"]["unit"] = doc["project"].pop("department")
        return doc

    @pf.migration(2)
    def add_year(doc):
        doc["project"].setdefault("year", 2023)
        return doc

    with pytest.raises(ValueError):
        pf.migration(1)(lambda d: d)
    old = {"format": "fcast-project", "schema_version": 1, "project": {"department": "福田", "forms": []}}
    path = tmp_path / "old.fcast"
    path.write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    project = load_project(path)
    assert (project.unit, project.year) == ("福田", 2023)
    assert path.read_text(encoding="utf-8") == json.dumps(old, ensure_ascii=False)  # loading never rewrites


def test_new_file_gets_normal_permissions(tmp_path):
    path = tmp_path / "p.fcast"
    save_project(Project(), path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("version", ["null", "true", '"1"', "[1]"])
def test_an_invalid_format_version_is_quoted_from_the_file(version):
    """The value is quoted as the file has it (“null”), not left bare in the sentence like an English word."""
    with pytest.raises(ProjectFileError) as exc:
        pf.loads_project('{"format": "fcast-project", "schema_version": ' + version + ', "project": {}}')
    assert exc.value.what == f"项目文件的格式版本无效：“{version}”"
