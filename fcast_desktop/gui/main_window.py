"""The main window: composed from ``ui/main_window.ui``, behaviour added by its parts.

Start-up in two steps, so the window is on screen as fast as a bare Qt window: ``MainWindow(deferred=True)``
loads only the Designer file (Qt alone), the app shows and paints it, then ``finish_setup()`` imports the project
model (pydantic), the rules and the editors and opens the project. Input that arrives meanwhile waits in Qt's
queue. This module and its parts import only Qt at their top; the core is imported where it is used, the first
time by ``finish_setup()`` (about 200 ms, most of it pydantic building its validators).

The parts, one module each: ``actions`` (menus, toolbar, shortcuts), ``window_state`` (size and panes per
screen), ``forms_list`` (the forms list and the form shown), ``opening`` (new, open, save, locks, recent files),
``importing`` (导入, drag and drop), ``form_commands`` and ``row_commands`` (edits of forms and rows);
``window_base`` has what they share (the widgets, ask/inform, committing the typing in progress).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QFile, QTimer
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QApplication, QLabel

from .. import APP_NAME, __version__
from ..paths import ui_dir
from . import actions
from .form_commands import FormCommandsMixin
from .forms_list import FormsListMixin
from .importing import ImportingMixin
from .opening import OpeningMixin
from .row_commands import RowCommandsMixin
from .window_state import WindowStateMixin

if TYPE_CHECKING:
    from PySide6.QtCore import QObject
    from PySide6.QtGui import QAction, QCloseEvent
    from PySide6.QtWidgets import QLayout, QWidget

    from .document import ProjectDocument


class _Loader(QUiLoader):
    """Loads a .ui file into an existing instance (PySide6 has no ``loadUi(file, self)``)."""

    def __init__(self, base: QWidget):
        # without Designer's plugin folders: QUiLoader's constructor loads every custom-widget plugin it finds there
        # (PySide's own, Qt Quick's, WebEngine's: 12 ms before the first paint), and the window uses none of them
        paths = QCoreApplication.libraryPaths()
        QCoreApplication.setLibraryPaths([])
        try:
            super().__init__()
        finally:
            QCoreApplication.setLibraryPaths(paths)
        self.base = base

    def createWidget(self, class_name: str, parent: QWidget | None = None, name: str = "") -> QWidget:
        if parent is None and self.base is not None:
            return self.base
        widget = super().createWidget(class_name, parent, name)
        if name:
            setattr(self.base, name, widget)
        return widget

    def createAction(self, parent: QObject | None = None, name: str = "") -> QAction:
        action = super().createAction(parent, name)
        if name:
            setattr(self.base, name, action)
        return action

    def createLayout(self, class_name: str, parent: QObject | None = None, name: str = "") -> QLayout:
        layout = super().createLayout(class_name, parent, name)
        if name:
            setattr(self.base, name, layout)
        return layout


class MainWindow(OpeningMixin, ImportingMixin, FormCommandsMixin, RowCommandsMixin, FormsListMixin,
                 WindowStateMixin):
    def __init__(self, interactive: bool = True, deferred: bool = False):
        super().__init__()
        self.interactive = interactive  # tests set False: no modal dialogs, answers come from ``answers``
        self.answers: dict[str, Any] = {}
        ui = QFile(str(ui_dir() / "main_window.ui"))
        ui.open(QFile.OpenModeFlag.ReadOnly)
        _Loader(self).load(ui)
        ui.close()
        self.setAcceptDrops(True)
        self.document = None  # type: ignore[assignment]  # the first one comes with finish_setup()
        self.editor = None
        self.autosaver = None
        self.session = None  # this window's recovery file (autosave.py)
        self.terminating = False  # ending on a signal (SIGTERM, log-off): keep the recovery, ask nothing
        self.tree_model = None
        self.problems = None
        self.finder = None  # FindController, with the core
        self.start_page = None  # StartPage, with the core
        self.statusSummary = QLabel()  # forms and problem counts: a permanent part of the status bar, so hovering
        self.statusSummary.setObjectName("statusSummary")  # a menu (its status tips) never wipes it out
        self.statusbar.addPermanentWidget(self.statusSummary)
        actions.setup_actions(self)
        actions.setup_find(self)
        self._restore_window_state()
        if not deferred:
            self.finish_setup()

    def finish_setup(self) -> None:
        """Second step of start-up (module docstring): the core modules and an empty project."""
        from PySide6.QtCore import Qt  # first use creates all of Qt's namespace enums (about 16 ms): after the paint

        from ..model import Project
        from .autosave import RecoverySession
        from .document import ProjectDocument
        from .find import FindController
        from .panels import FormListDelegate
        from .start_page import StartPage

        for action in (self.actionCopy, self.actionPaste, self.actionCut):
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the table view handles the keys
        self.projectTree.setItemDelegate(FormListDelegate(self.projectTree))  # badges stay visible when names elide
        self.projectTree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.projectTree.customContextMenuRequested.connect(self._forms_menu_requested)
        self._tree_timer = QTimer(self)  # arrow keys in the forms list switch the form, once the keys rest
        self._tree_timer.setSingleShot(True)
        self._tree_timer.setInterval(60)
        self._tree_timer.timeout.connect(self._show_tree_current)
        self.finder = FindController(self, self.findBox, self.findCount)
        self.start_page = StartPage(self)
        self.editorStack.addWidget(self.start_page)
        self.session = RecoverySession()
        self.set_document(ProjectDocument(Project()))
        if self._shown_once:  # shown before the core loaded: the problems panel gets its size now
            self._fit_dock()

    # ---- document ----------------------------------------------------------------------------------
    def set_document(self, document: ProjectDocument) -> None:
        """Show ``document``; the previous one is let go: its autosaver stops listening to it (its undo stack is
        deleted with it) and its lock is released."""
        from .autosave import Autosaver
        from .panels import ProblemsPanel, ProjectTreeModel

        if self.autosaver is not None:
            self.autosaver.stop()
            self.autosaver.deleteLater()
            self.autosaver = None
        old = self.document
        if old is not None and old.lock is not None and old.lock is not document.lock:
            old.lock.release()
            old.lock = None
        self.document = document
        collector = getattr(QApplication.instance(), "idle_collector", None)
        if collector is not None:
            document.modificationsChanged.connect(collector.note_change)
        self._completions_key = None  # words of the project shown (forms_list._set_completions)
        document.setParent(self)
        self._show_editor(None)
        self.tree_model = ProjectTreeModel(document, self)
        self.projectTree.setModel(self.tree_model)
        self.projectTree.selectionModel().currentChanged.connect(self._tree_current_changed)
        self.projectTree.expandAll()
        if self.problems is not None:
            self.problemsLayout.removeWidget(self.problems)
            self.problems.hide()
            self.problems.deleteLater()
        self.problems = ProblemsPanel(document, self.problemsContents)
        self.problemsLayout.addWidget(self.problems)
        self.problems.problemActivated.connect(self.go_to_problem)
        self.problems.explainRequested.connect(self.explain_problem)
        self.problems.unexplainRequested.connect(self.unexplain_problem)
        stack = document.undo_stack
        stack.cleanChanged.connect(self._update_title)
        stack.canUndoChanged.connect(self.actionUndo.setEnabled)
        stack.canRedoChanged.connect(self.actionRedo.setEnabled)
        stack.undoTextChanged.connect(self._undo_text)
        stack.redoTextChanged.connect(self._redo_text)
        self.actionUndo.setEnabled(False)
        self.actionRedo.setEnabled(False)
        document.formsChanged.connect(self._forms_changed)
        document.selectRequested.connect(self.select_form)
        document.pathChanged.connect(self._update_title)
        document.findingsChanged.connect(self._update_status)
        document.checkProgress.connect(self._check_progress)
        assert self.session is not None  # made by finish_setup() before the first document
        self.autosaver = Autosaver(document, self.session, self)
        if old is not None:
            old.deleteLater()
        self._update_title()
        self._update_status()
        if document.project.forms:
            self.select_form(document.project.forms[0].id)

    # bound methods, not lambdas: Qt disconnects them when the window goes away
    def _undo_text(self, text: str) -> None:
        actions.show_undo_text(self, text)

    def _redo_text(self, text: str) -> None:
        actions.show_redo_text(self, text)

    def _update_title(self, *_args: object) -> None:
        doc = self.document
        self.setWindowModified(doc.modified)
        self.setWindowTitle(f"{doc.display_name()}[*] — {APP_NAME}")

    def _check_progress(self, done: int, total: int) -> None:
        """The background check's progress (``document.checkProgress``), in the permanent part of the status bar:
        the counts there are partial until it is done, and a message shown meanwhile stays readable."""
        if done < total:
            self.statusSummary.setText(f"正在检查 {done:,}/{total:,} 张表单…")
        else:
            self._update_status()

    def _update_status(self, *_args) -> None:
        if self.document.checking:  # the counts so far would mislead: the progress stays until the pass is done
            self._check_progress(self.document.checked_count(), len(self.document.project.forms))
            return
        forms = self.document.project.forms
        totals = self.document.totals()  # running totals: one edit costs O(1) here, not a pass over every form
        errors, warnings = totals["error"], totals["warning"]
        explained, hints = totals["explained"], totals["hint"]
        text = f"{len(forms)} 张表单　错误 {errors} 个　警告 {warnings} 个"
        if explained:
            text += f"，已说明 {explained} 个"
        if hints:
            text += f"　提示 {hints} 个"
        self.statusSummary.setText(text)

    def _forms_changed(self) -> None:
        self.projectTree.expandAll()
        if self.editor is not None and self.document.form(self.editor.form_id) is None:
            self._show_editor(None)
        elif self.editor is None:
            self._show_editor(None)  # the start page, or the hint to pick a form
        self._filter_tree(self.formFilter.text())

    # ---- problems and find -------------------------------------------------------------------------
    def check_project(self) -> None:
        self.commit_pending_edit()
        self.document.check_all()
        self.problemsDock.show()

    def explain_problem(self, form_id: str, problem, text: str | None = None) -> bool:
        """说明… on a warning of the problems panel: the text asked (tests: ``answers["explanation"]``; an explained
        warning offers its text to change), stored with the rule, the place and the values judged (rules/
        explanations.py) in one undo step. True when stored."""
        from ..rules.explanations import explain
        from .commands import ExplanationsCommand

        self.commit_pending_edit()
        form = self.document.form(form_id)
        if form is None:
            return False
        old = self.document.findings(form_id).explanation(problem)
        if text is None:
            prompt = f"为什么这里可以不改？写明原因，审核时随表单一起提供：\n{problem.message}"
            if self.interactive:
                from PySide6.QtWidgets import QInputDialog

                text, ok = QInputDialog.getMultiLineText(self, "出错说明", prompt, old.text if old else "")
                if not ok:
                    return False
            else:
                self.answers.setdefault("_asked", []).append(("explanation", prompt))
                text = self.answers.get("explanation")
                if text is None:
                    return False
        try:
            explanations = explain(self.document.project, form, problem, str(text))
        except ValueError as exc:
            self.inform("出错说明", str(exc), error=True)
            return False
        self.document.undo_stack.push(ExplanationsCommand(
            self.document, form_id, explanations, "修改说明" if old else "添加说明"))
        self.statusbar.showMessage("已保存说明：这条警告不再计入警告（可按 Ctrl+Z 撤销）", 6000)
        return True

    def unexplain_problem(self, form_id: str, problem) -> bool:
        """清除说明: the warning counts again; one undo step."""
        from ..rules.explanations import unexplain
        from .commands import ExplanationsCommand

        self.commit_pending_edit()
        form = self.document.form(form_id)
        if form is None:
            return False
        explanations = unexplain(self.document.project, form, problem)
        if len(explanations) == len(self.document.project.explanations):
            return False
        self.document.undo_stack.push(ExplanationsCommand(self.document, form_id, explanations, "清除说明"))
        return True

    def go_to_problem(self, form_id: str, problem) -> None:
        """A problem double-clicked (or Enter) in the problems panel: its cell or field shown — scrolled into view,
        the header pane opened if needed — with the keyboard there, ready to correct it."""
        self.select_form(form_id)
        if self.editor is not None:
            # after the panel's own handling of the click, which would otherwise keep the focus
            QTimer.singleShot(0, self.editor, lambda: self.show_place(problem, focus=True))

    def show_place(self, place, focus: bool = True, mark: bool = False) -> bool:
        """Show the form of ``place`` (a problem or a find hit) and bring the place into view (FormEditor.reveal)."""
        form_id = getattr(place, "form_id", None)  # a find hit names its form; a problem is of the form shown
        if form_id and self.document is not None and self.document.form(form_id) is not None:
            self.select_form(form_id)
        return self.editor is not None and self.editor.reveal(place, focus=focus, mark=mark)

    def clear_find_mark(self) -> None:
        if self.editor is not None:
            self.editor.clear_found()

    def focus_editor(self) -> None:
        """Esc in the find box: the keyboard back to the form, at the current cell."""
        if self.editor is not None:
            self.editor.grid.setFocus()

    def find_next(self, text: str | None = None, backwards: bool = False) -> bool:
        """The next (``backwards``: previous) place showing the find box's text (find.py): Enter / Shift+Enter in
        the box, F3 / Shift+F3 anywhere. ``text`` replaces the box's text first."""
        if self.finder is None:
            return False
        if text is not None and text != self.findBox.text():
            self.findBox.setText(text)
        return self.finder.find(backwards=backwards)

    # ---- export and print --------------------------------------------------------------------------
    def export_dialog(self, kind: str, only_current: bool = False) -> None:
        """导出 PDF / Excel; ``only_current``: the form shown, without asking (导出此表 in the forms list's menu)."""
        self.commit_pending_edit()
        from .export import ExportController

        ExportController(self).run_dialog(kind, only_current=only_current)

    def print_current(self) -> None:
        self.commit_pending_edit()
        from .printing import print_form

        if self.editor is not None:
            print_form(self, self.document.project, self.editor.form)

    def print_preview(self) -> None:
        self.commit_pending_edit()
        from .printing import preview_form

        if self.editor is not None:
            preview_form(self, self.document.project, self.editor.form)

    def checklist_preview(self) -> None:
        """文件 → 上报前检查清单: the print preview of the project's checklist (gui/checklist.py); tests (not
        interactive) keep the dialog in ``answers["_checklist_preview"]`` instead of showing it."""
        from .checklist import checklist_preview_dialog
        from .messages import error_text

        self.commit_pending_edit()
        try:
            preview = checklist_preview_dialog(self)
        except Exception as exc:  # noqa: BLE001 - a character the font lacks, a rules bug: told, never into Qt
            self.inform("上报前检查清单", f"无法生成检查清单：\n{error_text(exc)}", error=True)
            return
        if not self.interactive:
            self.answers["_checklist_preview"] = preview
            return
        preview.exec()
        preview.deleteLater()

    def export_checklist(self, kind: str) -> None:
        from .checklist import export_checklist

        self.commit_pending_edit()
        export_checklist(self, kind)

    # ---- help --------------------------------------------------------------------------------------
    def show_help(self) -> None:
        from .about import show_help

        show_help(self)

    def show_about(self) -> None:
        from .about import show_about

        show_about(self, __version__)

    # ---- closing -----------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.cancel_opening():  # closed while a project is read: the reading stops, then the window closes
            self._close_after_reading = True
            event.ignore()
            return
        if self.document is None:  # closed before start-up finished: nothing to keep
            event.accept()
            return
        self.commit_pending_edit()
        if not self.terminating and not self.maybe_save():
            event.ignore()
            return
        self._save_window_state()
        # saved or deliberately discarded: no recovery needed; ended by a signal: the recovery stays for next time
        self.release_session(keep_recovery=self.terminating)
        event.accept()

    def keep_recovery_and_quit(self) -> str:
        """The system ends the program (SIGTERM, log-off): write the recovery, release the lock, ask nothing."""
        status = self.autosaver.save_now() if self.autosaver is not None else "nothing"
        self.terminating = True
        self.close()
        return status


