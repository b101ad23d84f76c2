"""Never lose a keystroke (issue 11), on the real window: nothing raises into Qt, what is being typed is committed
before any action, autosave follows every change, recovery keeps every crashed window's work, one owner per
project file."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from fcast_desktop.store.project_file import load_project, save_project
from test_gui import cell, press, select, type_text

pytestmark = pytest.mark.gui
Button = QMessageBox.StandardButton
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def make_window(app, qtbot):
    """MainWindow(interactive=False) instances, closed (discarding) at the end of the test."""
    from fcast_desktop.gui.main_window import MainWindow

    made = []

    def make(path: Path | None = None, **answers):
        w = MainWindow(interactive=False)
        qtbot.addWidget(w)
        w.answers.update(answers)
        w.resize(1400, 900)
        if path is not None:
            assert w.open_path(path)
        w.show()
        made.append(w)
        return w

    yield make
    for w in made:
        w.answers["unsaved"] = Button.Discard
        w.close()


@pytest.fixture
def window(make_window, project_copy):
    return make_window(project_copy)


@pytest.fixture
def errors(monkeypatch):
    """Exceptions that reach sys.excepthook (instead of pytest-qt failing the test on them)."""
    seen: list = []
    monkeypatch.setattr(sys, "excepthook", lambda *exc: seen.append(exc))
    return seen


def config_dir() -> Path:
    return Path(os.environ["FCAST_CONFIG_DIR"])


def recovery_files() -> list[Path]:
    folder = config_dir() / "recovery"
    return sorted(folder.glob("*.fcast")) if folder.is_dir() else []


def recovery_holds(text: str) -> bool:
    return any(text in p.read_text("utf-8") for p in recovery_files())


def focus_editor(window):
    window.activateWindow()
    QApplication.processEvents()
    return QApplication.focusWidget()


def open_cell_editor(grid, index, text: str):
    """Type ``text`` into a cell and leave its editor open (no Enter): what the user has while reaching for Ctrl+S."""
    grid.setFocus()
    grid.setCurrentIndex(index)
    type_text(grid, text[0])  # the first key opens the editor
    editor = QApplication.focusWidget()
    type_text(editor, text[1:])
    assert grid.state() == grid.State.EditingState
    return editor


# ---- 5. nothing raises inside Qt callbacks -----------------------------------------------------------------------

def test_thirty_digits_typed_into_amounts_keep_the_app_the_text_and_show_a_problem(window, qtbot, errors):
    """Typing 23+ digits into a 万元 amount used to end the process (SIGSEGV): the model's exception went through
    the undo command's redo() into PySide6. Now the text stays as typed and is flagged."""
    digits = "1" * 30
    editor = select(window, "基层党建", "declaration")
    field = editor.fields["annual_amount"].widget
    field.setFocus()
    field.selectAll()
    type_text(field, digits)
    press(field, Qt.Key.Key_Return)
    qtbot.wait(20)
    form = editor.form
    from fcast_desktop.model.editing import get_text

    assert get_text(form, ("annual_amount",), grouping=False).replace(",", "") in (digits, digits + ".00")
    assert digits in field.text().replace(",", "")
    assert [p for p in window.document.findings(form.id).problems if p.field == "annual_amount"]
    # the same in a grid cell of 元 amounts, through the cell editor
    evaluation = select(window, "基层党建", "self_evaluation")
    view = evaluation.funds_view
    model = view.model()
    col = next(i for i, c in enumerate(model.columns()) if c.key == "initial_budget")
    index = model.index(0, col)
    open_cell_editor(view, index, digits)
    press(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.wait(20)
    assert digits in (index.data(Qt.ItemDataRole.EditRole) or "").replace(",", "")
    assert index.data(Qt.ItemDataRole.BackgroundRole) is not None  # flagged
    assert index.data(Qt.ItemDataRole.ToolTipRole)
    assert window.isVisible()
    assert errors == []  # a long number is input to flag, not an error


def test_an_error_inside_an_undo_command_is_reported_after_it_returned_and_the_text_kept(window, qtbot, errors,
                                                                                       monkeypatch):
    from fcast_desktop.model import editing

    def broken(form, path, text):
        raise ArithmeticError("model bug")

    monkeypatch.setattr(editing, "set_text", broken)  # the write editing.apply makes for the EditCommand
    editor = select(window, "基层党建", "self_evaluation")
    index = cell(editor, "党员政治生日活动次数", "actual")
    before = editor.form.indicators[0].actual
    assert editor.indicator_model.setData(index, "3次")  # Qt calls this: it must return, not raise
    assert errors == []  # not inside the Qt callback …
    assert editor.form.indicators[0].raw.get("actual") == "3次" or editor.form.indicators[0].actual == "3次"
    qtbot.waitUntil(lambda: bool(errors), timeout=2000)  # … but right after it, to the app's error handler
    assert errors[0][0] is ArithmeticError
    window.actionUndo.trigger()
    assert editor.form.indicators[0].actual == before and "actual" not in editor.form.indicators[0].raw


def test_the_error_box_says_the_recovery_was_written_only_when_it_was(window, qtbot, monkeypatch):
    from fcast_desktop.gui import app as gui_app
    from fcast_desktop.gui import autosave

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    gui_app.install_excepthook(window)

    def raise_in_hook():
        try:
            raise ValueError("boom")
        except ValueError:
            sys.excepthook(*sys.exc_info())

    raise_in_hook()
    qtbot.waitUntil(lambda: bool(window.answers.get("_errors")), timeout=2000)
    message = window.answers["_errors"][-1][0]
    assert "没有未保存的修改" in message and "恢复文件" not in message
    select(window, "基层党建", "declaration").push_field(("project_name",), "基层党建（改）", "项目名称")
    raise_in_hook()
    qtbot.waitUntil(lambda: len(window.answers["_errors"]) == 2, timeout=2000)
    assert "已写入恢复文件" in window.answers["_errors"][-1][0]
    assert "基层党建（改）" in recovery_files()[0].read_text(encoding="utf-8")

    def cannot_write(*_a, **_k):
        raise PermissionError(13, "拒绝访问")

    monkeypatch.setattr(autosave, "write_atomically", cannot_write)
    window.editor.push_field(("project_name",), "基层党建（再改）", "项目名称")
    raise_in_hook()
    qtbot.waitUntil(lambda: len(window.answers["_errors"]) == 3, timeout=2000)
    message = window.answers["_errors"][-1][0]
    assert "未能写入恢复文件" in message and "拒绝访问" in message and "已写入" not in message


# ---- 10. 新建项目 → 丢弃: no false error ---------------------------------------------------------------------------

def test_new_project_after_discarding_gives_no_error_from_the_old_autosave(make_window, project_copy, qtbot, errors,
                                                                          monkeypatch):
    """The old document's undo stack, deleted with it, restarted the old autosaver's timer on its way out; the
    timer then wrote through the deleted stack and the error box claimed a recovery file had been written."""
    from fcast_desktop.gui import autosave

    monkeypatch.setattr(autosave, "IDLE_MS", 30)
    window = make_window(project_copy)
    select(window, "基层党建", "declaration").push_field(("project_name",), "基层党建（丢弃）", "项目名称")
    window.answers["unsaved"] = Button.Discard
    window.new_project()
    assert window.document.project.forms == []
    qtbot.wait(300)  # the old document's undo stack is gone: nothing may still be bound to it
    QApplication.processEvents()
    assert errors == []
    assert recovery_files() == []  # deliberately discarded


# ---- 4. commit before acting ---------------------------------------------------------------------------------------

def test_ctrl_s_with_an_open_cell_editor_saves_the_typed_text(window, qtbot, project_copy):
    editor = select(window, "基层党建", "self_evaluation")
    open_cell_editor(editor.grid, cell(editor, "党员政治生日活动次数", "actual"), "7次（未按回车）")
    QTest.keyClick(focus_editor(window), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = load_project(project_copy)
    form = next(f for f in saved.forms if f.id == editor.form_id)
    assert form.indicators[0].actual == "7次（未按回车）"
    assert not window.document.modified
    assert editor.grid.state() != editor.grid.State.EditingState


def test_quit_with_an_open_cell_editor_asks_to_save_and_keeps_the_text(window, qtbot):
    editor = select(window, "基层党建", "self_evaluation")
    open_cell_editor(editor.grid, cell(editor, "党员政治生日活动次数", "actual"), "8次")
    window.answers["unsaved"] = Button.Cancel
    QTest.keyClick(focus_editor(window), Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert "unsaved" in [key for key, _text in window.answers.get("_asked", [])]
    assert window.isVisible()
    assert window.document.modified and editor.form.indicators[0].actual == "8次"


def test_undo_right_after_the_commit_undoes_just_that_cell(window, qtbot):
    editor = select(window, "基层党建", "self_evaluation")
    first = cell(editor, "党员政治生日活动次数", "actual")
    second = cell(editor, "党员政治生日活动次数", "deviation")
    old_second = editor.form.indicators[0].deviation
    editor.indicator_model.setData(first, "1次")
    open_cell_editor(editor.grid, second, "新的解释")
    window.actionUndo.trigger()  # commits the open cell (its own undo step), then undoes it
    assert editor.form.indicators[0].deviation == old_second
    assert editor.form.indicators[0].actual == "1次"
    window.actionRedo.trigger()
    assert editor.form.indicators[0].deviation == "新的解释"


def test_commit_happens_once_as_its_own_undo_step(window):
    editor = select(window, "基层党建", "self_evaluation")
    stack = window.document.undo_stack
    before = stack.count()
    open_cell_editor(editor.grid, cell(editor, "党员政治生日活动次数", "actual"), "5次")
    assert window.commit_pending_edit()
    assert not window.commit_pending_edit()
    window.save()
    assert stack.count() == before + 1
    assert editor.form.indicators[0].actual == "5次"


# ---- 3. autosave follows every change, merged typing too ------------------------------------------------------------

def test_autosave_after_merged_typing_holds_the_latest_text(window, qtbot, monkeypatch):
    """Typing on in one header field merges into one undo step (the stack's index does not move): the recovery
    must still follow the typing, not keep its first seconds."""
    from fcast_desktop.gui import autosave

    monkeypatch.setattr(autosave, "IDLE_MS", 30)
    editor = select(window, "基层党建", "declaration")
    field = editor.fields["project_name"].widget
    field.setFocus()
    field.end(False)
    type_text(field, "甲")
    qtbot.waitUntil(lambda: recovery_holds("基层党建甲"), timeout=3000)
    index = window.document.undo_stack.index()
    type_text(field, "乙丙")
    assert window.document.undo_stack.index() == index  # merged: same undo step
    qtbot.waitUntil(lambda: recovery_holds("基层党建甲乙丙"), timeout=3000)
    assert len(recovery_files()) == 1


def test_autosave_happens_while_typing_goes_on(window, qtbot, monkeypatch):
    """At the latest MAX_MS after the first unsaved change, even if the typing never pauses for IDLE_MS."""
    from fcast_desktop.gui import autosave

    monkeypatch.setattr(autosave, "IDLE_MS", 600_000)
    monkeypatch.setattr(autosave, "MAX_MS", 50)
    editor = select(window, "基层党建", "declaration")
    field = editor.fields["project_name"].widget
    field.setFocus()
    field.end(False)
    type_text(field, "丁")
    qtbot.waitUntil(lambda: recovery_holds("基层党建丁"), timeout=3000)


# ---- 2. recovery that keeps everything -------------------------------------------------------------------------------

def finished_pid() -> int:
    """The id of a process that has ended (and was reaped): a crashed window's."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def make_recovery(session: str, project, *, pid: int, original: Path | None = None, stamp=None,
                  modifications: int = 3, saved_at: float | None = None) -> Path:
    """A recovery as a crashed window leaves it: the project file and its metadata."""
    from fcast_desktop.gui import autosave
    from fcast_desktop.store.project_file import dumps_project

    folder = config_dir() / "recovery"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{session}.fcast").write_text(dumps_project(project), encoding="utf-8")
    meta = {"format": "fcast-recovery", "session": session, "pid": pid, "host": autosave.this_host(),
            "app_started": time.time() - 100, "original_path": str(original) if original else None,
            "original_stamp": ({"size": stamp.size, "mtime_ns": stamp.mtime_ns, "sha256": stamp.sha256}
                               if stamp else None),
            "saved_at": saved_at or time.time(), "modifications": modifications, "forms": len(project.forms)}
    (folder / f"{session}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return folder / f"{session}.fcast"


def renamed(project, name: str):
    copy = project.model_copy(deep=True)
    copy.forms[0].project_name = name
    return copy


def test_recoveries_of_two_crashed_windows_are_both_listed_and_later_keeps_them(make_window, seed_project,
                                                                                project_copy):
    from fcast_desktop.gui.app import offer_recovery

    pid = finished_pid()
    first = make_recovery("a" * 32, renamed(seed_project, "甲的修改"), pid=pid, original=project_copy, saved_at=1000)
    second = make_recovery("b" * 32, renamed(seed_project, "乙的修改"), pid=pid, saved_at=2000)
    w = make_window(recovery="later")
    assert not offer_recovery(w)
    asked = dict(w.answers["_asked"])["recovery"]
    assert asked == ["b" * 32, "a" * 32]  # both, newest first
    assert first.exists() and second.exists() and first.with_suffix(".json").exists()
    assert not w.document.modified  # nothing opened


def test_discarding_one_recovery_deletes_only_that_one(make_window, seed_project):
    from fcast_desktop.gui.app import offer_recovery

    pid = finished_pid()
    first = make_recovery("c" * 32, renamed(seed_project, "丙"), pid=pid)
    second = make_recovery("d" * 32, renamed(seed_project, "丁"), pid=pid)
    w = make_window(recovery={"c" * 32: "discard", "d" * 32: "later"})
    assert not offer_recovery(w)
    assert not first.exists() and not first.with_suffix(".json").exists()
    assert second.exists() and second.with_suffix(".json").exists()


def test_a_running_windows_recovery_is_never_offered_nor_deleted(make_window, project_copy, seed_project, qtbot):
    from fcast_desktop.gui.app import offer_recovery

    running = make_window(project_copy)
    select(running, "基层党建", "declaration").push_field(("project_name",), "正在编辑", "项目名称")
    assert running.autosaver.save_now() == "saved"
    own = recovery_files()
    assert len(own) == 1
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # another copy of the program
    try:
        other = make_recovery("e" * 32, renamed(seed_project, "另一个程序"), pid=alive.pid)
        second = make_window(recovery="discard")
        assert not offer_recovery(second)
        assert "recovery" not in dict(second.answers.get("_asked", []))
        assert own[0].exists() and other.exists()
    finally:
        alive.kill()
        alive.wait()


def test_recoveries_open_beside_the_requested_file(make_window, seed_project, project_copy, tmp_path, monkeypatch):
    """This window opens the file the user asked for; every recovery chosen opens in a window of its own
    (a new process started with --recover), except a recovery of that very file, which opens here."""
    from fcast_desktop.gui import app as gui_app

    launched = []
    monkeypatch.setattr(gui_app, "start_detached", lambda program, args: launched.append((program, args)) or True)
    other_file = tmp_path / "other.fcast"
    shutil.copy(project_copy, other_file)
    pid = finished_pid()
    make_recovery("f" * 32, renamed(seed_project, "F"), pid=pid, original=other_file)
    make_recovery("0" * 32, renamed(seed_project, "未命名"), pid=pid)
    w = make_window(recovery="restore")
    assert not gui_app.offer_recovery(w, requested=project_copy)  # nothing replaces the requested file here
    assert sorted(args[-1] for _p, args in launched) == ["0" * 32, "f" * 32]
    assert all(args[-2] == "--recover" and program == sys.executable for program, args in launched)
    assert launched[0][1][:2] == ["-m", "fcast_desktop.gui.app"]
    # a recovery of the requested file itself opens here, the other in a new window
    launched.clear()
    w2 = make_window(recovery="restore")
    assert gui_app.offer_recovery(w2, requested=other_file)
    assert w2.document.path == other_file and w2.document.modified
    assert w2.document.project.forms[0].project_name == "F"
    assert [args[-1] for _p, args in launched] == ["0" * 32]


def test_a_restored_recovery_is_unsaved_and_says_when_the_original_changed(make_window, seed_project, project_copy):
    from fcast_desktop.gui.app import offer_recovery
    from fcast_desktop.store.project_file import file_stamp

    stamp = file_stamp(project_copy)
    make_recovery("1" * 32, renamed(seed_project, "恢复的修改"), pid=finished_pid(), original=project_copy,
                  stamp=stamp)
    someone = renamed(seed_project, "别人保存的")  # the original changed after the crash
    save_project(someone, project_copy)
    w = make_window(recovery="restore", conflict=Button.Cancel)
    assert offer_recovery(w)
    assert w.document.path == project_copy and w.document.modified and w.isWindowModified()
    assert w.document.project.forms[0].project_name == "恢复的修改"
    assert any("已被修改" in text for _title, text, _d in w.answers["_messages"])
    assert not w.save()  # saving asks 覆盖 / 另存为 / 取消: cancelled, the other's file stays
    assert "conflict" in dict(w.answers["_asked"])
    assert load_project(project_copy).forms[0].project_name == "别人保存的"
    w.answers["conflict"] = Button.Yes  # 覆盖
    assert w.save()
    assert load_project(project_copy).forms[0].project_name == "恢复的修改"
    assert recovery_files() == []  # saved: the recovery went


def test_the_recovery_dialog_lists_every_entry_with_a_choice_each(app, qtbot, seed_project):
    from fcast_desktop.gui import autosave
    from fcast_desktop.gui.recovery_dialog import DISCARD, LATER, RESTORE, RecoveryDialog

    pid = finished_pid()
    make_recovery("2" * 32, renamed(seed_project, "x"), pid=pid, modifications=12)
    make_recovery("3" * 32, renamed(seed_project, "y"), pid=pid, original=Path("/某处/项目.fcast"))
    pending = autosave.pending_recoveries()
    dialog = RecoveryDialog(pending)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 2
    texts = {dialog.table.item(r, 0).text(): dialog.table.item(r, 2).text() for r in range(2)}
    assert texts["未命名项目（从未保存）"] == "12 处修改"
    assert "/某处/项目.fcast" in texts
    assert [c for _r, c in dialog.choices()] == [RESTORE, RESTORE]
    dialog.set_choice(0, LATER)
    dialog.set_choice(1, DISCARD)
    assert [c for _r, c in dialog.choices()] == [LATER, DISCARD]


def test_recovery_file_is_per_window_not_per_project(make_window, project_copy, qtbot):
    """Two windows with never-saved projects (or on one project) never share a recovery file."""
    first = make_window()
    second = make_window()
    for w, kind in ((first, "declaration"), (second, "self_evaluation")):
        w.new_form(kind)
        assert w.autosaver.save_now() == "saved"
    assert len(recovery_files()) == 2


# ---- 1. one owner per project file -----------------------------------------------------------------------------------

def test_two_windows_on_one_project_never_lose_the_first_save(make_window, project_copy):
    a = make_window(project_copy)
    b = make_window(lock=Button.Yes)  # 只读打开
    assert b.open_path(project_copy)
    asked = dict(b.answers["_asked"])
    assert "lock" in asked and "进程" in asked["lock"] and str(os.getpid()) in asked["lock"]
    assert b.document.read_only and "只读" in b.windowTitle()
    select(a, "基层党建", "declaration").push_field(("project_name",), "A 的修改", "项目名称")
    assert a.save()
    select(b, "基层党建", "declaration").push_field(("project_name",), "B 的修改", "项目名称")
    assert not b.save()  # read-only: only 另存为, cancelled here
    assert "save_as_path" in dict(b.answers["_asked"])
    names = [getattr(f, "project_name", "") for f in load_project(project_copy).forms]
    assert "A 的修改" in names and "B 的修改" not in names


def test_opening_a_locked_project_as_a_copy_or_not_at_all(make_window, project_copy, tmp_path):
    make_window(project_copy)
    b = make_window(lock=Button.Cancel)
    assert not b.open_path(project_copy)
    assert b.document.path is None and b.document.project.forms == []
    b.answers["lock"] = Button.No  # 打开副本
    assert b.open_path(project_copy)
    assert b.document.path is None and b.document.modified and "副本" in b.windowTitle()
    b.answers["save_as_path"] = str(tmp_path / "copy.fcast")
    assert b.save()
    assert b.document.path == tmp_path / "copy.fcast" and not b.document.modified


def test_save_asks_when_the_file_changed_on_disk(window, project_copy, seed_project):
    select(window, "基层党建", "declaration").push_field(("project_name",), "窗口的修改", "项目名称")
    save_project(renamed(seed_project, "别的程序写的"), project_copy)  # e.g. a program that ignores the lock
    window.answers["conflict"] = Button.Cancel
    assert not window.save()
    assert load_project(project_copy).forms[0].project_name == "别的程序写的"
    window.answers["conflict"] = Button.No  # 另存为
    window.answers["save_as_path"] = ""  # … then cancelled
    assert not window.save()
    window.answers["conflict"] = Button.Yes  # 覆盖
    assert window.save()
    assert "窗口的修改" in [getattr(f, "project_name", "") for f in load_project(project_copy).forms]


def test_save_asks_when_the_window_no_longer_holds_the_lock(window, project_copy):
    from fcast_desktop.store.lock import ProjectLock

    other = ProjectLock.take_over(project_copy, app="fcast")  # e.g. judged stale elsewhere
    try:
        select(window, "基层党建", "declaration").push_field(("project_name",), "锁已失效", "项目名称")
        window.answers["conflict"] = Button.Cancel
        assert not window.save()
        assert "锁" in dict(window.answers["_asked"])["conflict"]
    finally:
        other.release()


def test_a_lock_left_by_a_dead_process_is_taken_over_with_a_message(make_window, project_copy):
    from fcast_desktop.store.lock import LockInfo, host_name, lock_path

    dead = LockInfo(user="张三", host=host_name(), pid=finished_pid(),
                    since="2020-01-01T09:00:00", app="fcast-desktop", session="deadbeef" * 4)
    lock_path(project_copy).write_text(dead.to_json(), encoding="utf-8")
    w = make_window(project_copy)
    assert w.document.lock is not None and w.document.lock.owns()
    assert any("张三" in text and "已不在运行" in text for _t, text, _d in w.answers["_messages"])


def test_save_as_moves_the_lock_and_close_releases_it(make_window, project_copy, tmp_path):
    from fcast_desktop.store.lock import read_lock

    w = make_window(project_copy)
    assert read_lock(project_copy) is not None
    target = tmp_path / "另存.fcast"
    w.answers["save_as_path"] = str(target)
    assert w.save_as()
    assert read_lock(project_copy) is None and read_lock(target) is not None
    w.close()
    assert read_lock(target) is None


def test_a_read_only_project_file_is_not_overwritten(window, project_copy):
    before = project_copy.read_bytes()
    project_copy.chmod(0o444)
    try:
        select(window, "基层党建", "declaration").push_field(("project_name",), "只读文件", "项目名称")
        window.answers["read_only_file"] = Button.Cancel
        assert not window.save()
        assert "read_only_file" in dict(window.answers["_asked"])
        assert project_copy.read_bytes() == before
    finally:
        project_copy.chmod(0o644)


# ---- a real crash: the program killed while typing, and ended by SIGTERM --------------------------------------------

DRIVER = r"""
import sys
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from fcast_desktop.gui import app as gui_app, autosave

autosave.IDLE_MS = int(sys.argv[2])
application = gui_app.create_application(["fcast-desktop"])

def drive():
    window = next((w for w in QApplication.topLevelWidgets() if type(w).__name__ == "MainWindow"), None)
    forms = window.document.project.forms if window is not None and window.document is not None else []
    form = next((f for f in forms if f.kind == "declaration"), None)
    if form is None:  # the project is still being read (in the background): look again shortly
        QTimer.singleShot(100, drive)
        return
    window.select_form(form.id)
    field = window.editor.fields["project_name"].widget
    field.setFocus()
    field.end(False)
    for ch in sys.argv[3]:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(field, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))
    print("TYPED", form.id, flush=True)

QTimer.singleShot(300, drive)
sys.exit(gui_app.main(["fcast-desktop", sys.argv[1]]))
"""


def run_driver(tmp_path, project: Path, idle_ms: int, text: str):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FCAST_CONFIG_DIR=str(config_dir()))
    env.pop("FCAST_SMOKE_QUIT_MS", None)
    script = tmp_path / "driver.py"
    script.write_text(DRIVER, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(project), str(idle_ms), text], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    line = proc.stdout.readline()
    assert line.startswith("TYPED"), proc.communicate(timeout=30)
    return proc


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_while_typing_the_next_start_offers_the_last_text(tmp_path, project_copy, app):
    from fcast_desktop.gui import autosave

    proc = run_driver(tmp_path, project_copy, 100, "（最后输入的字）")
    try:
        assert wait_for(lambda: recovery_holds("（最后输入的字）"))
        assert autosave.pending_recoveries() == []  # still running: not offered
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    pending = autosave.pending_recoveries()
    assert len(pending) == 1 and pending[0].original_path == project_copy
    assert any("（最后输入的字）" in getattr(f, "project_name", "") for f in autosave.load_recovery(pending[0]).forms)


DIALOG_DRIVER = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from fcast_desktop.gui import app as gui_app

application = gui_app.create_application(["fcast-desktop"])

def watch():
    if QApplication.activeModalWidget() is not None:
        print("DIALOG", QApplication.activeModalWidget().windowTitle(), flush=True)
        return
    QTimer.singleShot(50, watch)

QTimer.singleShot(50, watch)
sys.exit(gui_app.main(["fcast-desktop"]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
def test_sigterm_ends_the_program_while_the_start_up_recovery_question_is_shown(tmp_path, project_copy, app):
    """A log-off while 恢复未保存的修改 is asked at start-up: the program ends (it did not: ``quit`` does nothing
    before the main event loop runs) and the recovery stays for the next start."""
    from fcast_desktop.gui import autosave

    proc = run_driver(tmp_path, project_copy, 100, "（留给下次的字）")
    try:
        assert wait_for(lambda: recovery_holds("（留给下次的字）"))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FCAST_CONFIG_DIR=str(config_dir()))
    env.pop("FCAST_SMOKE_QUIT_MS", None)
    script = tmp_path / "dialog_driver.py"
    script.write_text(DIALOG_DRIVER, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        line = proc.stdout.readline()
        assert line.startswith("DIALOG"), proc.communicate(timeout=30)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    pending = autosave.pending_recoveries()
    assert len(pending) == 1
    assert any("（留给下次的字）" in getattr(f, "project_name", "") for f in autosave.load_recovery(pending[0]).forms)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
def test_sigterm_writes_the_recovery_before_the_program_ends(tmp_path, project_copy, app):
    from fcast_desktop.gui import autosave
    from fcast_desktop.store.lock import read_lock

    proc = run_driver(tmp_path, project_copy, 600_000, "（结束前输入的字）")  # no autosave would come in time
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    pending = autosave.pending_recoveries()
    assert len(pending) == 1
    assert any("（结束前输入的字）" in getattr(f, "project_name", "") for f in autosave.load_recovery(pending[0]).forms)
    assert read_lock(project_copy) is None  # the lock was released on the way out
    assert "（结束前输入的字）" not in project_copy.read_text("utf-8")  # nothing saved without asking


def test_a_window_started_with_recover_opens_that_recovery(tmp_path, seed_project, app):
    """What the first window starts for each further recovery chosen: the same program with --recover <id>."""
    from fcast_desktop.gui.app import recovery_command

    small = seed_project.model_copy(deep=True)
    small.forms = small.forms[:3]
    make_recovery("4" * 32, small, pid=finished_pid())
    program, args = recovery_command("4" * 32)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FCAST_CONFIG_DIR=str(config_dir()), FCAST_SMOKE_QUIT_MS="0")
    done = subprocess.run([program, *args], capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "FCAST_WINDOW_SHOWN 3" in done.stdout  # the recovery, not the sample (64 forms)
