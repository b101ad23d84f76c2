"""Issue 11 (store side): loaders that tell the truth, saves that leave no debris and notice the world, and the
project lock (one owner per project file)."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fcast_desktop.model import Project
from fcast_desktop.store import project_file as pf
from fcast_desktop.store.project_file import ProjectFileError, backup_path, load_project, save_project

CJK = re.compile(r"[\u4e00-\u9fff]")
ALLOWED_WORDS = {"JSON", "UTF", "fcast", "project"}  # our own vocabulary; anything else is a library's English


def lock_api():
    return importlib.import_module("fcast_desktop.store.lock")


def english_words(message: str) -> set[str]:
    """ASCII words of a message, leaving out what is quoted from the file (“…”) and the file path."""
    body = re.sub(r"“[^”]*”", "", message)
    return set(re.findall(r"[A-Za-z]{2,}", body)) - ALLOWED_WORDS


def refused(path: Path) -> ProjectFileError:
    with pytest.raises(ProjectFileError) as exc:
        load_project(path)
    assert CJK.search(exc.value.what), exc.value.what
    return exc.value


def dead_pid() -> int:
    """The id of a process that ran on this computer and has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def project_copy(tmp_path, seed_project_file) -> Path:
    path = tmp_path / "p.fcast"
    shutil.copy(seed_project_file, path)
    return path


@pytest.fixture
def good_text(seed_project_file) -> str:
    return seed_project_file.read_text(encoding="utf-8")


def old_format(text: str) -> str:
    """The layout earlier versions wrote: ``json.dumps(indent=1)``."""
    return json.dumps(json.loads(text), ensure_ascii=False, indent=1) + "\n"


# ------------------------------------------------------------------------------------------------------------
# the file format


def test_one_form_per_line_and_byte_identical_round_trip(tmp_path, seed_project, good_text):
    path = tmp_path / "p.fcast"
    save_project(seed_project, path)
    lines = path.read_text(encoding="utf-8").split("\n")
    for k, form in enumerate(seed_project.forms):  # form k alone on its line: line numbers stay useful
        assert json.loads(lines[pf.FIRST_FORM_LINE - 1 + k].rstrip(","))["id"] == form.id
    again = tmp_path / "again.fcast"
    save_project(load_project(path), again)
    assert again.read_bytes() == path.read_bytes()
    old = tmp_path / "old.fcast"  # files of earlier versions still load, and are saved in the new layout
    old.write_text(old_format(good_text), encoding="utf-8")
    save_project(load_project(old), old)
    assert old.read_bytes() == path.read_bytes()


def test_bom_is_accepted(tmp_path, good_text, seed_project):
    path = tmp_path / "notepad.fcast"
    path.write_bytes(b"\xef\xbb\xbf" + good_text.encode("utf-8"))
    assert load_project(path) == seed_project
    assert pf.loads_project("\ufeff" + good_text) == seed_project


@pytest.mark.parametrize("layout", ["new", "old"])
def test_duplicate_keys_are_refused_with_their_line(tmp_path, good_text, layout):
    text = good_text if layout == "new" else old_format(good_text)
    path = tmp_path / "p.fcast"
    # a trailing "forms": [] would otherwise open an empty project (and saving it would write the loss)
    path.write_text(re.sub(r"\}\s*\}\s*$", "", text) + ', "forms": []}}\n', encoding="utf-8")
    err = refused(path)
    assert "forms" in err.what and "两次" in err.what
    assert err.line == len(path.read_text(encoding="utf-8").splitlines())
    # a duplicate inside form 37
    doc = json.loads(text)
    marker = "重复名称标记"
    doc["project"]["forms"][36]["indicators"][1]["name"] = marker
    dup = json.dumps(doc, ensure_ascii=False, indent=1 if layout == "old" else None)
    dup = dup.replace(f'"name": "{marker}"', f'"name": "{marker}", "name": "另一个"')
    path.write_text(dup, encoding="utf-8")
    err = refused(path)
    assert "“name”" in err.what and "两次" in err.what
    assert err.line == next(n for n, line in enumerate(dup.split("\n"), 1) if marker in line)


def test_absurd_nesting_is_refused(tmp_path):
    path = tmp_path / "deep.fcast"
    path.write_text('{"format": "fcast-project", "schema_version": 1, "project": ' + "[" * 100_000 + "]" * 100_000
                    + "}", encoding="utf-8")
    err = refused(path)
    assert "嵌套" in err.what and err.line == 1


@pytest.mark.parametrize("number", ["9" * 5000, "-" + "9" * 5000, "1" * 25])
def test_huge_integers_are_refused(tmp_path, good_text, number):
    path = tmp_path / "p.fcast"
    path.write_text(good_text.replace('"schema_version": 1', f'"schema_version": {number}', 1), encoding="utf-8")
    err = refused(path)
    assert "位数过多" in err.what and err.line == 1


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1E+400", "-1e999"])
def test_nan_and_infinite_numbers_are_refused(tmp_path, good_text, value):
    doc = json.loads(good_text)
    form = next(f for f in doc["project"]["forms"] if f["kind"] == "self_evaluation")
    form["indicators"][0]["weight"] = "@@"
    text = json.dumps(doc, ensure_ascii=False, indent=1).replace('"@@"', value)
    path = tmp_path / "p.fcast"
    path.write_text(text, encoding="utf-8")
    err = refused(path)
    assert value in err.what
    assert err.line == next(n for n, line in enumerate(text.split("\n"), 1) if value in line)


def _broken(good: str) -> dict[str, str]:
    cases = {
        "expecting value": good.replace('"forms": [', '"forms": [,', 1),
        "expecting delimiter": good.replace('"schema_version": 1,', '"schema_version": 1 "x": 2,', 1),
        "property name": good.replace("{", "{'a': 1, ", 1),
        "control character": good.replace("项目", "项\x01目", 1),
        "bad escape": good.replace("项目", "项\\q目", 1),
        "bad unicode escape": good.replace("项目", "项\\u12G4目", 1),
        "extra data": good + "\n{}",
        "truncated": good[: len(good) // 3],
    }
    for name, change in {
        "extra field": lambda f: f["indicators"][0].__setitem__("bogus_field", 1),
        "missing field": lambda f: f["indicators"][0].pop("level2"),
        "wrong type": lambda f: f.__setitem__("year", [2023]),
        "not a number": lambda f: f.__setitem__("year", "二〇二二"),
        "unknown choice": lambda f: f["indicators"][0].__setitem__("level2", "不存在的指标"),
        "unknown form kind": lambda f: f.__setitem__("kind", "memo"),
        "no form kind": lambda f: f.pop("kind"),
        "object expected": lambda f: f.__setitem__("indicators", [5]),
    }.items():
        d = json.loads(good)
        change(d["project"]["forms"][3])
        cases[name] = json.dumps(d, ensure_ascii=False, indent=1)
    return cases


CASES = ["expecting value", "expecting delimiter", "property name", "control character", "bad escape",
         "bad unicode escape", "extra data", "truncated", "extra field", "missing field", "wrong type",
         "not a number", "unknown choice", "unknown form kind", "no form kind", "object expected"]


@pytest.mark.parametrize("case", CASES)
def test_messages_are_chinese_without_library_english(tmp_path, good_text, case):
    path = tmp_path / "p.fcast"
    path.write_text(_broken(good_text)[case], encoding="utf-8")
    err = refused(path)
    assert not english_words(err.what), err.what
    assert err.line is not None and 1 <= err.line <= len(path.read_text(encoding="utf-8").split("\n"))
    assert str(err) == f"{path} 第 {err.line} 行：{err.what}"


@pytest.mark.parametrize("layout", ["new", "old"])
@pytest.mark.parametrize("field", ["weight", "extra"])
def test_error_in_form_37_names_its_real_line(tmp_path, good_text, layout, field):
    doc = json.loads(good_text)
    forms = doc["project"]["forms"]
    assert len(forms) >= 40
    marker = "第三十七张表单的错误值"
    target = forms[36]
    if field == "weight":
        target = next(f for f in forms[36:] if f["kind"] == "self_evaluation")
        target["indicators"][2]["weight"] = marker
    else:
        target["indicators"][2]["explanation" if target["kind"] == "declaration" else "target"] = marker
        target["indicators"][2]["unknown_" + "x"] = 1
    text = (json.dumps(doc, ensure_ascii=False, indent=1) if layout == "old"
            else pf.dumps_project(Project.model_validate(json.loads(good_text)["project"])))
    if layout == "new":  # the same change made in the new layout, form per line
        lines = text.split("\n")
        k = forms.index(target)
        lines[pf.FIRST_FORM_LINE - 1 + k] = json.dumps(target, ensure_ascii=False) + ","
        text = "\n".join(lines)
    path = tmp_path / "p.fcast"
    path.write_text(text, encoding="utf-8")
    err = refused(path)
    key = "unknown_x" if field == "extra" else marker
    expected = next(n for n, line in enumerate(text.split("\n"), 1) if key in line)
    assert err.line == expected and expected > 30  # not the line of the first form or of the header
    assert f"第 {forms.index(target) + 1} 张表单" in err.what and "指标第 3 行" in err.what


def test_truncated_inside_a_chinese_character_is_called_truncated(tmp_path, good_text):
    data = good_text.encode("utf-8")
    cut = data.index("项目".encode(), len(data) // 2) + 1  # inside the 3 bytes of 项
    path = tmp_path / "p.fcast"
    path.write_bytes(data[:cut])
    err = refused(path)
    assert "截断" in err.what and "UTF-8" not in err.what


def test_failed_loads_write_nothing(tmp_path, good_text):
    for n, text in enumerate(_broken(good_text).values()):
        folder = tmp_path / str(n)
        folder.mkdir()
        path = folder / "p.fcast"
        path.write_text(text, encoding="utf-8")
        before = path.read_bytes(), path.stat().st_mtime_ns
        with pytest.raises(ProjectFileError):
            load_project(path)
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before
        assert [p.name for p in folder.iterdir()] == ["p.fcast"]


# ------------------------------------------------------------------------------------------------------------
# saving


def test_symlinked_project_is_saved_through_the_link(tmp_path, seed_project):
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "p.fcast"
    save_project(Project(unit="旧"), real)
    link = tmp_path / "link.fcast"
    link.symlink_to(real)
    save_project(seed_project, link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert load_project(real) == seed_project
    assert load_project(backup_path(real)).unit == "旧"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.fcast", "real"]


def test_read_only_project_is_refused_untouched(tmp_path):
    path = tmp_path / "p.fcast"
    save_project(Project(unit="只读的"), path)
    os.chmod(path, 0o444)
    before = path.read_bytes(), path.stat().st_mtime_ns, sorted(os.listdir(tmp_path))
    try:
        with pytest.raises(pf.ProjectReadOnly) as exc:
            save_project(Project(unit="改了"), path)
        assert isinstance(exc.value, ProjectFileError) and "只读" in str(exc.value)
        assert (path.read_bytes(), path.stat().st_mtime_ns, sorted(os.listdir(tmp_path))) == before
        assert path.stat().st_mode & 0o777 == 0o444
    finally:
        os.chmod(path, 0o644)


def test_permissions_are_kept(tmp_path):
    path = tmp_path / "p.fcast"
    save_project(Project(unit="一"), path)
    os.chmod(path, 0o640)
    save_project(Project(unit="二"), path)
    assert path.stat().st_mode & 0o777 == 0o640


def _debris(folder: Path, base: str, pid: int) -> Path:
    tag = lock_api().host_tag()
    p = folder / f".{base}.{tag}-{pid}-0123abcd.tmp"
    p.write_bytes(b"x" * 1000)
    return p


def test_temp_files_of_killed_saves_are_cleaned_on_the_next_save(tmp_path):
    path = tmp_path / "p.fcast"
    save_project(Project(unit="一"), path)
    gone = dead_pid()
    stale = [_debris(tmp_path, "p.fcast", gone), _debris(tmp_path, "p.fcast.bak", gone)]
    old_style = tmp_path / ".p.fcast.k2j4_9zq.tmp"  # tempfile.mkstemp name of earlier versions
    old_style.write_bytes(b"y")
    hour_ago = time.time() - 7200
    os.utime(old_style, (hour_ago, hour_ago))
    other = tmp_path / ".other.fcast.abcdefgh.tmp"  # another project's: not ours to judge
    other.write_bytes(b"z")
    os.utime(other, (hour_ago, hour_ago))
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as running:
        try:
            live = _debris(tmp_path, "p.fcast", running.pid)  # a save in progress in another process
            save_project(Project(unit="二"), path)
            assert not any(p.exists() for p in stale + [old_style])
            assert live.exists() and other.exists()
            with lock_api().ProjectLock.acquire(path, app="fcast"):  # holding the lock: every temp file is stale
                save_project(Project(unit="三"), path)
            assert not live.exists() and other.exists()
        finally:
            running.kill()
    assert load_project(path).unit == "三" and load_project(backup_path(path)).unit == "二"


def test_backup_is_replaced_only_after_the_new_file_is_in_place(tmp_path, monkeypatch):
    path = tmp_path / "p.fcast"
    save_project(Project(unit="一"), path)
    save_project(Project(unit="二"), path)
    before = path.read_bytes(), backup_path(path).read_bytes()
    real_replace = os.replace

    def failing_replace(src, dst):
        if Path(dst) == path:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(pf.os, "replace", failing_replace)
    with pytest.raises(OSError):
        save_project(Project(unit="三"), path)
    monkeypatch.undo()
    assert (path.read_bytes(), backup_path(path).read_bytes()) == before  # the older backup too
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.fcast", "p.fcast.bak"]

    def failing_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(pf.os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        save_project(Project(unit="三"), path)
    monkeypatch.undo()
    assert (path.read_bytes(), backup_path(path).read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.fcast", "p.fcast.bak"]


def test_windows_retries_the_final_rename_then_says_why(tmp_path, monkeypatch):
    path = tmp_path / "p.fcast"
    save_project(Project(unit="一"), path)
    real_replace = os.replace
    attempts = []

    def busy_twice(src, dst):
        if Path(dst) == path and len(attempts) < 2:
            attempts.append(dst)
            raise PermissionError(13, "Access is denied")
        return real_replace(src, dst)

    monkeypatch.setattr(pf, "_RETRY_REPLACE", True)
    monkeypatch.setattr(pf.os, "replace", busy_twice)
    save_project(Project(unit="二"), path)  # an antivirus held the file for a moment
    assert len(attempts) == 2 and load_project(path).unit == "二"

    monkeypatch.setattr(pf, "REPLACE_RETRY_SECONDS", 0.2)
    monkeypatch.setattr(pf.os, "replace", lambda src, dst: (_ for _ in ()).throw(PermissionError(13, "denied")))
    with pytest.raises(PermissionError) as exc:
        save_project(Project(unit="三"), path)
    assert "占用" in str(exc.value.strerror)
    monkeypatch.undo()
    assert load_project(path).unit == "二"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.fcast", "p.fcast.bak"]


def test_stamps_and_conflict_detection(tmp_path):
    path = tmp_path / "p.fcast"
    written = save_project(Project(unit="一"), path)
    project, stamp = pf.load_project_stamped(path)
    assert stamp == written == pf.file_stamp(path)
    assert pf.file_stamp(tmp_path / "missing.fcast") is None
    # someone else saves in between: refused, their file untouched
    save_project(Project(unit="别人改的"), path)
    theirs = path.read_bytes(), backup_path(path).read_bytes()
    project.unit = "我改的"
    with pytest.raises(pf.ProjectChangedOnDisk) as exc:
        save_project(project, path, expected=stamp)
    assert isinstance(exc.value, ProjectFileError)
    assert "已被其他程序或其他人修改" in str(exc.value) and "未保存" in str(exc.value)
    assert (path.read_bytes(), backup_path(path).read_bytes()) == theirs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.fcast", "p.fcast.bak"]
    # the same content written again (only the time changed) is no conflict
    _project, stamp = pf.load_project_stamped(path)
    path.write_bytes(path.read_bytes())
    os.utime(path, ns=(stamp.mtime_ns + 5_000_000_000, stamp.mtime_ns + 5_000_000_000))
    new_stamp = save_project(project, path, expected=stamp)
    assert new_stamp == pf.file_stamp(path) and load_project(path).unit == "我改的"
    # deleted meanwhile
    path.unlink()
    with pytest.raises(pf.ProjectChangedOnDisk):
        save_project(project, path, expected=new_stamp)
    assert not path.exists()


# ------------------------------------------------------------------------------------------------------------
# the lock


def test_lock_file_beside_the_project_names_its_holder(tmp_path):
    lk = lock_api()
    project = tmp_path / "预算.fcast"
    with lk.ProjectLock.acquire(project, app="fcast-desktop") as held:
        path = lk.lock_path(project)
        assert path.parent == tmp_path and "lock" in path.name and held.path == path and path.exists()
        info = lk.read_lock(project)
        assert info == held.info and info.pid == os.getpid() and info.app == "fcast-desktop"
        assert not lk.is_stale(info) and held.owns() and held.took_over_from is None
        text = info.describe()
        assert info.user in text and info.host in text and str(os.getpid()) in text and "fcast-desktop" in text
        with pytest.raises(lk.ProjectLocked) as exc:  # a second window of the same program
            lk.ProjectLock.acquire(project, app="fcast-desktop", wait=0.3)
        assert exc.value.info == info and info.describe() in str(exc.value) and CJK.search(str(exc.value))
    assert not path.exists() and lk.read_lock(project) is None


def test_two_sessions_in_one_process_and_waiting(tmp_path):
    lk = lock_api()
    project = tmp_path / "p.fcast"
    first = lk.ProjectLock.acquire(project, app="fcast-desktop")
    threading.Timer(0.3, first.release).start()
    second = lk.ProjectLock.acquire(project, app="fcast-desktop", wait=30)  # waits for the first
    assert second.info.session != first.info.session and second.owns() and not first.owns()
    second.release()
    second.release()  # idempotent
    assert lk.read_lock(project) is None


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    lk = lock_api()
    project = tmp_path / "p.fcast"
    dead = lk.LockInfo(user="张三", host=lk._host(), pid=dead_pid(), since="2026-01-05T09:00:00", app="fcast",
                       session="0" * 32)
    lk.lock_path(project).write_text(dead.to_json(), encoding="utf-8")
    assert lk.read_lock(project) == dead and lk.is_stale(dead)
    with lk.ProjectLock.acquire(project, app="fcast") as held:
        assert held.took_over_from == dead and held.owns()
    with pytest.raises(lk.ProjectLocked):  # not when the caller does not want it
        lk.lock_path(project).write_text(dead.to_json(), encoding="utf-8")
        lk.ProjectLock.acquire(project, app="fcast", take_stale=False)
    mine_before = lk.LockInfo(user="李四", host=lk._host(), pid=os.getpid(), since="2026-01-05T09:00:00",
                              app="fcast-desktop", session="1" * 32)  # our pid, but no session of ours
    assert lk.is_stale(mine_before)


def test_other_computers_and_live_processes_are_never_stale(tmp_path):
    lk = lock_api()
    project = tmp_path / "p.fcast"
    other = lk.LockInfo(user="王五", host="另一台电脑", pid=dead_pid(), since="2020-01-01T00:00:00",
                        app="fcast-desktop", session="2" * 32)
    assert not lk.is_stale(other)
    lk.lock_path(project).write_text(other.to_json(), encoding="utf-8")
    with pytest.raises(lk.ProjectLocked) as exc:
        lk.ProjectLock.acquire(project, app="fcast")
    assert "王五" in str(exc.value) and "另一台电脑" in str(exc.value)
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as running:
        try:
            live = lk.LockInfo(user="赵六", host=lk._host(), pid=running.pid, since=lk._now_iso(), app="fcast",
                               session="3" * 32)
            assert not lk.is_stale(live)
        finally:
            running.kill()
    # the user confirmed: take it over whoever holds it
    with lk.ProjectLock.take_over(project, app="fcast-desktop") as held:
        assert held.took_over_from == other and held.owns()


def test_release_removes_only_our_own_lock(tmp_path):
    lk = lock_api()
    project = tmp_path / "p.fcast"
    ours = lk.ProjectLock.acquire(project, app="fcast-desktop")
    theirs = lk.ProjectLock.take_over(project, app="fcast-desktop")  # someone broke our lock
    assert theirs.took_over_from == ours.info
    assert not ours.owns() and theirs.owns()
    ours.release()
    assert lk.read_lock(project) == theirs.info
    theirs.release()
    assert lk.read_lock(project) is None


@pytest.mark.parametrize("content", [b"", b"\x00\xff garbage", b'{"pid": "x"}', b"[" * 10000])
def test_unreadable_lock_file_is_held_by_unknown_until_old(tmp_path, content):
    lk = lock_api()
    project = tmp_path / "p.fcast"
    path = lk.lock_path(project)
    path.write_bytes(content)
    info = lk.read_lock(project)
    assert info is not None and not info.readable and CJK.search(info.describe())
    with pytest.raises(lk.ProjectLocked):  # it may be a lock being written right now
        lk.ProjectLock.acquire(project, app="fcast")
    old = time.time() - 3600
    os.utime(path, (old, old))
    with lk.ProjectLock.acquire(project, app="fcast") as held:  # nobody writes a lock for an hour: left over
        assert held.took_over_from is not None and not held.took_over_from.readable


def test_move_to_for_save_as(tmp_path):
    lk = lock_api()
    first, second, taken = tmp_path / "a.fcast", tmp_path / "b.fcast", tmp_path / "c.fcast"
    held = lk.ProjectLock.acquire(first, app="fcast-desktop")
    moved = held.move_to(second)
    assert moved.owns() and not held.owns()
    assert lk.read_lock(first) is None and lk.read_lock(second) == moved.info
    other = lk.ProjectLock.acquire(taken, app="fcast")
    with pytest.raises(lk.ProjectLocked):
        moved.move_to(taken)
    assert moved.owns() and other.owns()  # refused: both keep what they had
    moved.release()
    other.release()


def test_links_to_one_project_share_one_lock(tmp_path):
    lk = lock_api()
    real = tmp_path / "p.fcast"
    real.write_text("{}", encoding="utf-8")
    link = tmp_path / "link.fcast"
    link.symlink_to(real)
    assert lk.lock_path(link) == lk.lock_path(real)
    with lk.ProjectLock.acquire(real, app="fcast"):
        with pytest.raises(lk.ProjectLocked):
            lk.ProjectLock.acquire(link, app="fcast")


def test_lock_never_leaves_temporary_files(tmp_path):
    lk = lock_api()
    project = tmp_path / "p.fcast"
    gone = dead_pid()
    leftover = tmp_path / f".{lk.lock_path(project).name}.{lk.host_tag()}-{gone}-0123abcd.tmp"
    leftover.write_bytes(b"{")
    for _ in range(3):
        with lk.ProjectLock.acquire(project, app="fcast"):
            pass
    assert sorted(os.listdir(tmp_path)) == []


# ------------------------------------------------------------------------------------------------------------
# property: whatever the bytes, a Project or a Chinese refusal, and nothing written


@pytest.fixture(scope="module")
def small_texts(seed_project_file) -> list[bytes]:
    doc = json.loads(seed_project_file.read_text(encoding="utf-8"))
    doc["project"]["forms"] = doc["project"]["forms"][:3] + doc["project"]["forms"][-1:]
    small = pf.dumps_project(Project.model_validate(doc["project"]))
    return [small.encode("utf-8"), old_format(small).encode("utf-8")]


MUTATION = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 255)),
    st.tuples(st.just("insert"), st.floats(0, 1),
              st.sampled_from(["\x00", "\x01", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029",
                               "\r", "\ufeff", '"', "\\", ",", "}", "]", "{", "["])),
    st.tuples(st.just("number"), st.floats(0, 1),
              st.sampled_from(["9" * 5000, "1E+400", "-1e999", "NaN", "Infinity", "1" * 40, "0." + "1" * 5000,
                               '"' + "9" * 40 + '"', '"1E+400"', '"-0"', "true", "null"])),
    st.tuples(st.just("nest"), st.floats(0, 1), st.integers(1, 200_000)),
    st.tuples(st.just("duplicate"), st.floats(0, 1), st.sampled_from(['"forms": []', '"unit": "x"', '"kind": "x"',
                                                                          '"weight": "1"', '"project": {}'])),
)


def mutate(data: bytes, mutations) -> bytes:
    for what, where, *arg in mutations:
        i = int(where * len(data))
        if what == "truncate":
            data = data[:i]
        elif what == "flip" and data:
            i = min(i, len(data) - 1)
            data = data[:i] + bytes([arg[0]]) + data[i + 1:]
        elif what == "insert":
            data = data[:i] + arg[0].encode("utf-8") + data[i:]
        elif what == "number":  # in place of a value: after a ": "
            j = data.find(b": ", i)
            if j >= 0:
                k = j + 2
                end = k
                while end < len(data) and data[end:end + 1] not in b",}]\n":
                    end += 1
                data = data[:k] + arg[0].encode() + data[end:]
        elif what == "nest":
            data = data[:i] + b"[" * arg[0] + b"]" * arg[0] + data[i:]
        elif what == "duplicate":
            j = data.find(b"{", i)
            if j >= 0:
                data = data[: j + 1] + arg[0].encode("utf-8") + b", " + data[j + 1:]
    return data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                     HealthCheck.too_slow])
@given(which=st.integers(0, 1), mutations=st.lists(MUTATION, min_size=1, max_size=3))
def test_loader_refuses_in_chinese_or_loads_and_writes_nothing(small_texts, which, mutations):
    data = mutate(small_texts[which], mutations)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.fcast"
        path.write_bytes(data)
        try:
            project = load_project(path)
        except ProjectFileError as exc:
            assert CJK.search(exc.what), exc.what
            assert not english_words(exc.what), exc.what
        else:
            assert isinstance(project, Project)
        assert path.read_bytes() == data
        assert os.listdir(tmp) == ["p.fcast"]
