"""Issue 15 in the window: 新年度申报 (one undo step, unticked changes kept), 说明 on a warning in the problems
panel, hints apart, the 上报前检查清单 preview, and review marks cleared by an edit. Real MainWindow, offscreen."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from conftest import ROOT

pytestmark = pytest.mark.gui
Button = QMessageBox.StandardButton
SAMPLE = ROOT / "resources" / "samples" / "sample.fcast"


@pytest.fixture
def window(app, qtbot, tmp_path):
    from fcast_desktop.gui.main_window import MainWindow

    path = tmp_path / "sample.fcast"
    shutil.copy(SAMPLE, path)
    w = MainWindow(interactive=False)
    qtbot.addWidget(w)
    w.resize(1280, 720)
    assert w.open_path(path)
    w.show()
    yield w
    w.interactive = False
    w.answers["unsaved"] = Button.Discard
    w.close()


def _rolled(window, skip_first_optional: bool = False):
    seen = {}

    def hook(dialog):
        seen["dialog_year"] = dialog.year.value()
        seen["ids"] = dialog.change_ids()
        seen["changes"] = list(dialog.preview.changes)
        if skip_first_optional:
            change = next(c for c in dialog.preview.changes if c.optional and c.row is not None)
            dialog.set_change_checked(change.id, False)
            seen["skipped"] = change
        return True

    window.answers["rollover"] = hook
    window.new_year()
    return seen


def test_new_year_adds_drafts_in_one_undo_step(window):
    from fcast_desktop.model.editing import get_text
    from fcast_desktop.rules.rollover import default_sources

    project = window.document.project
    before = list(project.forms)
    latest = max(f.year for f in before if f.kind == "declaration" and f.year is not None)
    sources = default_sources(project, latest + 1)
    seen = _rolled(window, skip_first_optional=True)
    assert seen["dialog_year"] == latest + 1
    assert seen["changes"] and len(seen["ids"]) == len(seen["changes"])
    forms = window.document.project.forms
    assert forms[:len(before)] == before
    drafts = forms[len(before):]
    assert len(drafts) == len(sources)
    assert all(d.year == latest + 1 for d in drafts)
    # the unticked change kept its text; a ticked one was made
    skipped = seen["skipped"]
    draft = drafts[sources.index(skipped.form)]
    assert get_text(draft, (skipped.field, skipped.row, skipped.key)) == skipped.before
    made = next(c for c in seen["changes"] if c.optional and c.row is not None and c.id != skipped.id)
    assert get_text(drafts[sources.index(made.form)], (made.field, made.row, made.key)) == made.after
    assert project.forms[skipped.form] is before[skipped.form]  # the source is not touched
    assert get_text(before[made.form], (made.field, made.row, made.key)) == made.before
    window.undo()
    assert window.document.project.forms == before
    window.redo()
    assert len(window.document.project.forms) == len(before) + len(drafts)


def test_new_year_cancelled_adds_nothing(window):
    before = list(window.document.project.forms)
    window.answers["rollover"] = lambda dialog: False
    window.new_year()
    assert window.document.project.forms == before
    assert not window.document.undo_stack.canUndo()


def _first_warning(window):
    model = window.problems.model
    row = model.kinds.index("warning")
    return row, model.rows[row]


def test_explain_a_warning_greys_it_and_counts_it_apart(window):
    window.document.check_all()
    model = window.problems.model
    warnings, explained = model.kinds.count("warning"), model.kinds.count("explained")
    row, (form_id, problem) = _first_warning(window)
    window.problems.select_row(row)
    menu = window.problems.context_menu(window.problems.current_row())
    explain = menu.findChild(type(menu.actions()[0]), "problemsMenuExplain")
    assert explain.isEnabled()
    window.answers["explanation"] = "该指标按上级文件口径填写"
    explain.trigger()
    assert model.kinds.count("warning") == warnings - 1
    assert model.kinds.count("explained") == explained + 1
    stored = window.document.project.explanations[-1]
    assert (stored.form_id, stored.rule, stored.text) == (form_id, problem.rule, "该指标按上级文件口径填写")
    shown = next(r for r, (fid, p) in enumerate(model.rows) if (fid == form_id and p is problem) or
                 (fid == form_id and p.rule == problem.rule and p.row == problem.row and p.key == problem.key))
    assert model.index(shown, 0).data() == "已说明"
    assert "该指标按上级文件口径填写" in model.index(shown, 3).data()
    assert model.index(shown, 3).data(Qt.ItemDataRole.ForegroundRole) is not None  # greyed
    assert f"已说明 {explained + 1} 个" in window.statusSummary.text()
    assert f"警告 {warnings - 1} 个" in window.statusSummary.text()
    assert window.document.findings(form_id).warnings == sum(
        1 for (fid, _p), k in zip(model.rows, model.kinds, strict=True) if fid == form_id and k == "warning")
    # one undo step brings the warning back; redo explains it again
    window.undo()
    assert model.kinds.count("warning") == warnings and model.kinds.count("explained") == explained
    window.redo()
    assert model.kinds.count("explained") == explained + 1
    # 清除说明
    window.problems.select_row(shown)
    clear = window.problems.context_menu(window.problems.current_row()).findChild(
        type(menu.actions()[0]), "problemsMenuUnexplain")
    assert clear.isEnabled()
    clear.trigger()
    assert model.kinds.count("warning") == warnings and not window.document.project.explanations


def test_hints_have_their_own_filter_and_are_not_warnings(window):
    window.document.check_all()
    panel = window.problems
    kinds = panel.model.kinds
    hints = kinds.count("hint")
    assert hints, "the sample project gets advice from the coach"
    total = sum(window.document.findings(f.id).warnings for f in window.document.project.forms)
    assert total == kinds.count("warning")
    assert f"警告 {total} 个" in window.statusSummary.text() and f"提示 {hints} 个" in window.statusSummary.text()
    shown = panel.proxy.rowCount()
    assert not panel.show_hints.isChecked()  # off by default: the list shows what needs doing
    assert shown == len(kinds) - hints
    panel.show_hints.setChecked(True)
    assert panel.proxy.rowCount() == shown + hints
    panel.severity.setCurrentIndex(panel.severity.findData("hint"))
    assert panel.proxy.rowCount() == hints
    assert all(panel.proxy.index(r, 0).data() == "提示" for r in range(panel.proxy.rowCount()))
    # a hint may not be explained
    panel.view.setCurrentIndex(panel.proxy.index(0, 0))
    assert not panel.explain_button.isEnabled()


def test_checklist_preview_pages_and_exports(window, tmp_path):
    from PySide6.QtGui import QImage, QPainter

    from fcast_desktop.gui.checklist import checklist_pages
    from fcast_desktop.gui.printing import paint_page

    pages = checklist_pages(window.document.project)
    assert pages
    texts = "".join(t.text for t in pages[0].texts)
    assert "上报前检查清单" in texts
    window.checklist_preview()
    preview = window.answers.pop("_checklist_preview")
    try:
        assert preview.windowTitle().startswith("上报前检查清单")
        assert {a.text() for a in preview.actions()} >= {"导出 PDF…", "导出 Excel…"}
        window.answers["checklist_path"] = str(tmp_path / "清单")
        next(a for a in preview.actions() if a.text() == "导出 PDF…").trigger()
        assert (tmp_path / "清单.pdf").read_bytes().startswith(b"%PDF")
        window.answers["checklist_path"] = str(tmp_path / "清单.xlsx")
        next(a for a in preview.actions() if a.text() == "导出 Excel…").trigger()
        assert (tmp_path / "清单.xlsx").stat().st_size > 0
    finally:
        preview.deleteLater()
    # the first page drawn as the preview draws it (docs/screenshot-checklist.png is made this way)
    image = QImage(int(pages[0].width * 2), int(pages[0].height * 2), QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(round(144 / 0.0254))
    image.setDotsPerMeterY(round(144 / 0.0254))
    image.fill(0xFFFFFF)
    painter = QPainter(image)
    paint_page(painter, pages[0])
    painter.end()
    assert any(image.pixel(x, y) != 0xFFFFFFFF for x in range(0, image.width(), 7) for y in range(0, 200, 3))


def test_review_mark_goes_when_the_amount_is_edited_and_comes_back_on_undo(window):
    from fcast_desktop.model.editing import SetText, get_text

    _rolled(window)
    project = window.document.project
    draft = next(f for f in reversed(project.forms) if f.kind == "declaration" and f.review)

    name = draft.review[0]
    assert any(p.rule == "rollover.amount_review" and p.field == name
               for p in window.document.findings(draft.id).problems)
    path = (name,)
    kept = get_text(draft, path)
    # the amount typed anew (the same text retyped is no change: no undo step, the mark stays)
    assert window.document.edit(draft.id, [SetText(path, kept)], label="金额") == 0 and name in draft.review
    assert window.document.edit(draft.id, [SetText(path, "2" if kept == "1" else "1")], label="金额") == 1
    assert name not in draft.review
    assert not any(p.rule == "rollover.amount_review" and p.field == name
                   for p in window.document.findings(draft.id).problems)
    window.undo()
    assert name in draft.review
    assert any(p.rule == "rollover.amount_review" and p.field == name
               for p in window.document.findings(draft.id).problems)
