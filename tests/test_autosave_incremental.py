"""Autosave of a large project without freezing the window (issue 14): each form's line of the recovery is kept and
encoded again only when the form changed; the lines are joined and written on a worker thread. The recovery must
still be the whole project of one moment, written atomically."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtWidgets import QApplication

from fcast_desktop.model.editing import SetText
from fcast_desktop.store.project_file import dumps_project, load_project

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def saver(app, project_copy):
    """A document of the seed project (44 forms) with its autosaver, as the window makes them."""
    from fcast_desktop.gui.autosave import Autosaver, RecoverySession
    from fcast_desktop.gui.document import ProjectDocument

    document = ProjectDocument(load_project(project_copy), project_copy)
    session = RecoverySession()
    autosaver = Autosaver(document, session)
    yield autosaver
    autosaver.stop()
    session.close()


def named_forms(document) -> list:
    return [f for f in document.project.forms if hasattr(f, "project_name")]


def rename(document, form, text: str) -> int:
    """The form's 项目名称 typed anew (0: the form is not in the project, e.g. deleted)."""
    return document.edit(form.id, [SetText(("project_name",), text)])


def autosave_and_wait(saver, qtbot) -> None:
    """What the timers do (the snapshot now, the writing on the worker), until the write has been taken in."""
    saver._autosave()
    qtbot.waitUntil(lambda: not saver.writing and not saver._due, timeout=10_000)
    QApplication.processEvents()  # the worker's "finished" signal
    assert saver.last_error == ""


def recovery_bytes(saver) -> bytes:
    return saver.session.project_file.read_bytes()


def test_the_recovery_is_the_project_after_many_edits_across_forms_with_undo(saver, qtbot):
    from fcast_desktop.gui import commands

    document = saver.document
    forms = named_forms(document)
    rng = random.Random(14)
    for round_ in range(6):
        for n in range(5):
            form = rng.choice(forms)
            rename(document, form, f"{form.project_name}·{round_}.{n}")
        for _ in range(rng.randint(0, 3)):
            document.undo_stack.undo()
        if round_ == 2:  # a form deleted (new list), then undone: the same form objects come back
            kept = [f for f in document.project.forms if f.id != forms[0].id]
            document.undo_stack.push(commands.FormListCommand(document, kept, "删除表单"))
        if round_ == 4:
            document.undo_stack.undo()
        autosave_and_wait(saver, qtbot)
        assert recovery_bytes(saver) == dumps_project(document.project).encode("utf-8")
    document.undo_stack.undo()
    document.undo_stack.undo()
    document.undo_stack.redo()
    autosave_and_wait(saver, qtbot)
    assert recovery_bytes(saver) == dumps_project(document.project).encode("utf-8")
    assert load_project(saver.session.project_file) == document.project
    meta = json.loads(saver.session.meta_file.read_text(encoding="utf-8"))
    assert meta["modifications"] == document.modifications


def test_an_autosave_encodes_only_the_forms_changed_since_the_last(saver, qtbot, monkeypatch):
    from fcast_desktop.gui import autosave

    encoded: list[int] = []
    real = autosave.dumps_project

    def counting(project):
        encoded.append(len(project.forms))
        return real(project)

    monkeypatch.setattr(autosave, "dumps_project", counting)
    document = saver.document
    first, second = named_forms(document)[:2]
    rename(document, first, "甲项目")
    autosave_and_wait(saver, qtbot)
    assert sum(encoded) == len(document.project.forms)  # the first time: every form
    encoded.clear()
    rename(document, second, "乙项目")
    autosave_and_wait(saver, qtbot)
    assert sum(encoded) == 1  # then only the form changed
    assert recovery_bytes(saver) == real(document.project).encode("utf-8")


def test_the_timers_autosave_writes_on_a_worker_thread(saver, qtbot, monkeypatch):
    from fcast_desktop.gui import autosave

    monkeypatch.setattr(autosave, "IDLE_MS", 10)
    threads: list[bool] = []
    real = autosave.write_atomically

    def recording(path, data, keep_backup=True):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(path, data, keep_backup=keep_backup)

    monkeypatch.setattr(autosave, "write_atomically", recording)
    document = saver.document
    rename(document, named_forms(document)[0], "丙项目")
    qtbot.waitUntil(lambda: saver.session.project_file.exists() and not saver.writing, timeout=5000)
    assert threads and not any(threads)  # the metadata and the project text: neither on the window's thread
    assert "丙项目" in saver.session.project_file.read_text(encoding="utf-8")


def test_a_large_projects_lines_are_made_in_slices_and_an_edit_meanwhile_is_kept(saver, qtbot, monkeypatch):
    """An autosave due while the lines are first made waits for them; a form edited after its line was made is
    encoded again: the recovery holds the edit."""
    document = saver.document
    monkeypatch.setattr(type(saver), "WARM_FROM", 2)
    monkeypatch.setattr(type(saver), "WARM_SECONDS", 0.0)  # one form per slice
    forms = named_forms(document)
    rename(document, forms[-1], "先改的项目")  # the first change starts making the lines
    assert saver._warm_timer is not None and saver._warm_timer.isActive()
    while saver._warm_position <= document.index_of(forms[0].id):  # slices, as the event loop would run them
        saver._warm_slice()
    assert len(saver._lines) < len(document.project.forms)
    rename(document, forms[0], "后改的项目")  # its line was already made
    saver._autosave()
    assert saver._due and not saver.session.project_file.exists()  # waits for the lines
    qtbot.waitUntil(lambda: saver.session.project_file.exists() and not saver.writing and not saver._due,
                    timeout=10_000)
    QApplication.processEvents()
    assert recovery_bytes(saver) == dumps_project(document.project).encode("utf-8")


def test_save_now_waits_for_the_write_in_progress_and_holds_every_change(saver, qtbot):
    document = saver.document
    forms = named_forms(document)
    rename(document, forms[0], "丁项目")
    saver._autosave()
    rename(document, forms[1], "戊项目")  # while the worker may still write the first snapshot
    assert saver.save_now() == "saved"
    assert not saver.writing
    assert recovery_bytes(saver) == dumps_project(document.project).encode("utf-8")
    assert saver.save_now() == "current"


def test_removing_the_recovery_waits_for_the_write_in_progress(saver, qtbot):
    document = saver.document
    rename(document, named_forms(document)[0], "己项目")
    saver._autosave()
    saver.remove()  # saved: the recovery goes, and no write still in progress may bring it back
    QApplication.processEvents()
    time.sleep(0.05)
    assert not saver.session.project_file.exists()


CHILD = r"""
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, sys.argv[2])
from PySide6.QtWidgets import QApplication
from fcast_desktop.gui.autosave import Autosaver, RecoverySession
from fcast_desktop.gui.document import ProjectDocument
from fcast_desktop.model.derive import duplicate
from fcast_desktop.model.editing import SetText
from fcast_desktop.store.project_file import load_project

app = QApplication([])
project = load_project(sys.argv[1])
base = list(project.forms)
for _ in range(7):
    project.forms.extend(duplicate(f) for f in base)
document = ProjectDocument(project)
named = [f for f in project.forms if hasattr(f, "project_name")]
for f in named:
    f.project_name = "步0"
saver = Autosaver(document, RecoverySession())
step = 0

def edit():
    global step
    step += 1
    form = named[step % len(named)]
    document.edit(form.id, [SetText(("project_name",), f"步{step}")])

edit()
assert saver.save_now() == "saved"
print(saver.session.project_file, flush=True)
while True:
    for _ in range(3):
        edit()
    saver._autosave()
    app.processEvents()
"""


def consistent_step(project) -> bool:
    """The names as one moment of the child's edits left them: form k of the named ones holds 步s for the last step s
    with s ≡ k (mod n) — the same latest step for every form."""
    named = [f for f in project.forms if hasattr(f, "project_name")]
    steps = [int(f.project_name[1:]) for f in named]
    last = max(steps)
    n = len(named)
    expected = [max((s for s in range(k, last + 1, n)), default=0) if k <= last else 0 for k in range(n)]
    return steps == expected


def test_a_kill_during_autosave_leaves_a_readable_consistent_recovery(project_copy, tmp_path):
    rng = random.Random(11)
    for _ in range(5):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(project_copy), str(ROOT)],
                                 stdout=subprocess.PIPE, text=True, env=dict(os.environ))
        try:
            line = child.stdout.readline().strip() if child.stdout else ""
            assert line, "the child wrote no first recovery"
            time.sleep(rng.uniform(0.05, 0.8))  # the child autosaves on: killed in the middle of one, or between
        finally:
            child.kill()
            child.wait(timeout=30)
            if child.stdout:
                child.stdout.close()
        recovered = load_project(Path(line))  # the whole file, never half of one
        assert consistent_step(recovered)
        meta = json.loads(Path(line).with_suffix(".json").read_text(encoding="utf-8"))
        assert meta["forms"] == len(recovered.forms)
