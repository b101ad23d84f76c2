"""Issue 11 (CLI side): `fcast import` takes the project lock and notices the world, no export writes over a
project, and no command ends in a traceback, whatever the project file holds."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from fcast_desktop import cli
from fcast_desktop.cli import main
from fcast_desktop.store.lock import LockInfo, ProjectLock, _host, lock_path, read_lock
from fcast_desktop.store.project_file import backup_path, load_project

CJK = re.compile(r"[\u4e00-\u9fff]")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path, seed_project_file) -> Path:
    path = tmp_path / "p.fcast"
    shutil.copy(seed_project_file, path)
    return path


def one_chinese_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and CJK.search(lines[0]) and "Traceback" not in err, err
    return lines[0]


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# ------------------------------------------------------------------------------------------------------------
# export never writes over a project


@pytest.mark.parametrize("how", ["pdf-itself", "xlsx-itself", "via-link", "other-project", "backup",
                                 "renamed-project"])
def test_export_over_a_project_is_refused(project, tmp_path, capsys, how):
    link = tmp_path / "link.fcast"
    link.symlink_to(project)
    other = tmp_path / "other.fcast"
    shutil.copy(project, other)
    renamed = tmp_path / "out.pdf"
    shutil.copy(project, renamed)
    shutil.copy(project, backup_path(project))
    target = {"pdf-itself": project, "xlsx-itself": project, "via-link": link, "other-project": other,
              "backup": backup_path(project), "renamed-project": renamed}[how]
    before = {p: p.read_bytes() for p in tmp_path.iterdir() if not p.is_symlink()}
    option = "--xlsx" if how == "xlsx-itself" else "--pdf"
    assert main(["export", str(project), option, str(target)]) == 2
    line = one_chinese_line(capsys.readouterr().err)
    assert str(target) in line and "未写入" in line
    assert {p: p.read_bytes() for p in tmp_path.iterdir() if not p.is_symlink()} == before
    assert load_project(project) and link.is_symlink()


# ------------------------------------------------------------------------------------------------------------
# import takes the lock


def test_import_into_a_project_open_elsewhere_is_refused(project, seed_paths, monkeypatch, capsys):
    monkeypatch.setattr(cli, "LOCK_WAIT_SECONDS", 0.3)
    before = project.read_bytes()
    with ProjectLock.acquire(project, app="fcast-desktop") as window:  # a window has the project open
        assert main(["import", str(seed_paths["001"]), "-o", str(project)]) == 2
        line = one_chinese_line(capsys.readouterr().err)
        assert window.info.describe() in line and "未写入" in line
        assert window.owns()
    assert project.read_bytes() == before and not backup_path(project).exists()


def test_import_waits_for_the_lock_and_then_loads_the_newer_file(project, seed_paths, monkeypatch, capsys):
    """The import loads the project only once it holds the lock, so what the holder saved is kept."""
    from fcast_desktop.store.project_file import load_project_stamped, save_project

    window = ProjectLock.acquire(project, app="fcast-desktop")
    edited, _stamp = load_project_stamped(project)
    edited.unit = "窗口中改过的单位"

    def save_and_close():
        save_project(edited, project)
        window.release()

    threading.Timer(0.5, save_and_close).start()
    assert main(["import", str(seed_paths["001"]), "-o", str(project)]) == 0
    capsys.readouterr()
    result = load_project(project)
    assert result.unit == "窗口中改过的单位" and len(result.forms) == len(edited.forms) + 20
    assert read_lock(project) is None


def test_stale_lock_of_a_dead_process_is_taken_over_openly(project, seed_paths, capsys):
    dead = LockInfo(user="张三", host=_host(), pid=dead_pid(), since="2026-01-05T09:00:00", app="fcast-desktop",
                    session="5" * 32)
    lock_path(project).write_text(dead.to_json(), encoding="utf-8")
    assert main(["import", str(seed_paths["001"]), "-o", str(project)]) == 0
    err = capsys.readouterr().err
    assert "接管" in err and dead.describe() in err
    assert read_lock(project) is None and len(load_project(project).forms) == 64


def test_lock_of_another_computer_is_not_taken(project, seed_paths, monkeypatch, capsys):
    monkeypatch.setattr(cli, "LOCK_WAIT_SECONDS", 0.2)
    other = LockInfo(user="王五", host="财务科-PC07", pid=dead_pid(), since="2026-01-05T09:00:00",
                     app="fcast-desktop", session="6" * 32)
    lock_path(project).write_text(other.to_json(), encoding="utf-8")
    before = project.read_bytes()
    assert main(["import", str(seed_paths["001"]), "-o", str(project)]) == 2
    line = one_chinese_line(capsys.readouterr().err)
    assert "王五" in line and "财务科-PC07" in line
    assert project.read_bytes() == before and read_lock(project) == other


def test_import_refuses_when_someone_ignored_the_lock(project, seed_paths, monkeypatch, capsys):
    """A program that does not take the lock saves while the import runs: the import says so, writes nothing."""
    from fcast_desktop.exchange import importer
    from fcast_desktop.model import Project
    from fcast_desktop.store.project_file import save_project

    real = importer.import_file

    def import_while_someone_saves(src):
        save_project(Project(unit="别人刚保存的"), project)
        return real(src)

    monkeypatch.setattr(importer, "import_file", import_while_someone_saves)
    assert main(["import", str(seed_paths["001"]), "-o", str(project)]) == 2
    line = one_chinese_line(capsys.readouterr().err)
    assert "已被其他程序或其他人修改" in line and "未保存" in line
    assert load_project(project).unit == "别人刚保存的" and read_lock(project) is None


def test_import_into_a_read_only_project_is_refused(project, seed_paths, capsys):
    os.chmod(project, 0o444)
    before = project.read_bytes()
    try:
        assert main(["import", str(seed_paths["001"]), "-o", str(project)]) == 2
        assert "只读" in one_chinese_line(capsys.readouterr().err)
        assert project.read_bytes() == before
    finally:
        os.chmod(project, 0o644)


# ------------------------------------------------------------------------------------------------------------
# broken project files: a Chinese line, never a traceback


def _broken_files(good: str) -> dict[str, tuple[bytes, set[int]]]:
    return {
        "duplicate-keys": ((re.sub(r"\}\s*\}\s*$", "", good) + ', "forms": []}}\n').encode(), {2}),
        "truncated": (good.encode()[: len(good.encode()) // 2], {2}),
        "truncated-in-character": (good.encode()[: good.encode().index("项目".encode()) + 1], {2}),
        "deep-nesting": (('{"format": "fcast-project", "schema_version": 1, "project": ' + "[" * 100_000
                          + "]" * 100_000 + "}").encode(), {2}),
        "huge-integer": (good.replace('"schema_version": 1', '"schema_version": ' + "9" * 5000, 1).encode(), {2}),
        "nan": (good.replace('"year": 2023', '"year": NaN', 1).encode(), {2}),
        "bom": (b"\xef\xbb\xbf" + good.encode(), {0, 1}),
    }


@pytest.mark.parametrize("case", ["duplicate-keys", "truncated", "truncated-in-character", "deep-nesting",
                                  "huge-integer", "nan", "bom"])
def test_reading_commands_on_broken_files(tmp_path, seed_project_file, capsys, case):
    data, allowed = _broken_files(seed_project_file.read_text(encoding="utf-8"))[case]
    path = tmp_path / "p.fcast"
    path.write_bytes(data)
    for command in (["list", str(path)], ["check", str(path)], ["score", "--json", str(path)],
                    ["export", str(path), "--xlsx", str(tmp_path / "o.xlsx")]):
        code = main(command)
        captured = capsys.readouterr()
        assert code in allowed, (command, captured.err)
        if code == 2:
            line = one_chinese_line(captured.err)
            assert str(path) in line and captured.out == ""
            assert not re.search(r"[A-Za-z]{3,}", re.sub(r"“[^”]*”", "", line.replace(str(path), "")).replace(
                "JSON", "").replace("UTF", "")), line
    assert path.read_bytes() == data
    expected = {"p.fcast"} | ({"o.xlsx"} if case == "bom" else set())
    assert {p.name for p in tmp_path.iterdir()} == expected


def test_deep_nesting_in_a_real_process(tmp_path):
    path = tmp_path / "deep.fcast"
    path.write_text('{"format": "fcast-project", "schema_version": 1, "project": {"forms": ' + "[" * 200_000
                    + "]" * 200_000 + "}}", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "fcast_desktop.cli", "check", str(path)], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "嵌套" in one_chinese_line(proc.stderr)


def test_last_resort_is_one_chinese_line_and_exit_2(project, monkeypatch, capsys):
    def broken(args):
        raise ZeroDivisionError("division by zero")

    parser = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda: _with_func(parser(), "check", broken))
    assert main(["check", str(project)]) == 2
    line = one_chinese_line(capsys.readouterr().err)
    assert "内部错误" in line and "没有写入" in line and "维护人员" in line


def test_interrupted_command_exits_130_quietly(project, monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    parser = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda: _with_func(parser(), "list", interrupted))
    assert main(["list", str(project)]) == 130
    assert "已中断" in one_chinese_line(capsys.readouterr().err)


def _with_func(parser, command, func):
    sub = next(a for a in parser._actions if a.dest == "command")
    sub.choices[command].set_defaults(func=func)
    return parser


def test_system_errors_are_said_in_chinese(project, tmp_path, capsys):
    out = tmp_path / "没有这个文件夹" / "o.xlsx"
    assert main(["export", str(project), "--xlsx", str(out)]) == 2
    line = one_chinese_line(capsys.readouterr().err)
    assert not re.search(r"[A-Za-z]{3,}", line.replace(str(out), "")), line


def test_reading_commands_do_not_need_the_lock(project, monkeypatch, capsys):
    with ProjectLock.acquire(project, app="fcast-desktop"):
        assert main(["list", "--json", str(project)]) == 0
        assert len(json.loads(capsys.readouterr().out)) == 44
        assert main(["check", str(project)]) in (0, 1)
    capsys.readouterr()
