"""What every part of the main window shares: the widgets of ``ui/main_window.ui``, the project shown, and the
ways to ask, inform and commit the typing in progress.

The parts (``actions``, ``window_state``, ``forms_list``, ``opening``, ``importing``, ``form_commands``,
``row_commands``) are mixins over this class; ``main_window.MainWindow`` puts them together. Only Qt is imported
at the top of these modules: the project model, the rules and the editors are imported where they are used, after
the first paint (see ``main_window``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QApplication, QMainWindow

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import (
        QDockWidget,
        QLabel,
        QLineEdit,
        QMenu,
        QMessageBox,
        QSplitter,
        QStackedWidget,
        QStatusBar,
        QToolBar,
        QTreeView,
        QVBoxLayout,
        QWidget,
    )

    from .autosave import Autosaver, RecoverySession
    from .document import ProjectDocument
    from .find import FindController
    from .form_editor import FormEditor
    from .import_dialog import ImportResultDialog
    from .panels import ProblemsPanel, ProjectTreeModel
    from .start_page import StartPage

def button_labels() -> dict[QMessageBox.StandardButton, str]:
    """Qt's Chinese standard buttons (保存, 丢弃, 取消…) have no access keys: these have."""
    from PySide6.QtWidgets import QMessageBox

    button = QMessageBox.StandardButton
    return {button.Save: "保存(&S)", button.Discard: "丢弃(&D)", button.Cancel: "取消(&C)", button.Yes: "是(&Y)",
            button.No: "否(&N)", button.Ok: "确定(&O)"}


class WindowBase(QMainWindow):
    # ---- from ui/main_window.ui (``main_window._Loader`` sets them) -----------------------------------------
    centralwidget: QWidget
    mainSplitter: QSplitter
    formsPane: QWidget
    formFilter: QLineEdit
    projectTree: QTreeView
    editorStack: QStackedWidget
    emptyPage: QLabel
    menuFile: QMenu
    menuRecent: QMenu
    menuEdit: QMenu
    menuForm: QMenu
    menuView: QMenu
    menuHelp: QMenu
    mainToolBar: QToolBar
    statusbar: QStatusBar
    problemsDock: QDockWidget
    problemsContents: QWidget
    problemsLayout: QVBoxLayout
    actionNewProject: QAction
    actionOpen: QAction
    actionSave: QAction
    actionSaveAs: QAction
    actionImport: QAction
    actionExportPdf: QAction
    actionExportXlsx: QAction
    actionRollover: QAction
    actionChecklist: QAction
    actionPrintPreview: QAction
    actionPrint: QAction
    actionQuit: QAction
    actionUndo: QAction
    actionRedo: QAction
    actionCut: QAction
    actionCopy: QAction
    actionPaste: QAction
    actionFind: QAction
    actionInsertRow: QAction
    actionDeleteRow: QAction
    actionNotApplicable: QAction
    actionNewDeclaration: QAction
    actionNewSelfEvaluation: QAction
    actionNewDepartment: QAction
    actionDuplicateForm: QAction
    actionDeleteForm: QAction
    actionEvaluationFromDeclaration: QAction
    actionShowProblems: QAction
    actionCheckProject: QAction
    actionHelp: QAction
    actionAbout: QAction
    # ---- made in code ----------------------------------------------------------------------------------------
    actionFindNext: QAction
    actionFindPrevious: QAction
    actionToggleHeader: QAction
    findBox: QLineEdit
    findCount: QLabel
    statusSummary: QLabel
    # ---- state -----------------------------------------------------------------------------------------------
    interactive: bool
    answers: dict[str, Any]
    document: ProjectDocument  # None only until finish_setup() made the first one
    editor: FormEditor | None
    autosaver: Autosaver | None
    session: RecoverySession | None
    terminating: bool
    tree_model: ProjectTreeModel | None
    problems: ProblemsPanel | None
    finder: FindController | None
    start_page: StartPage | None
    import_result: ImportResultDialog | None = None  # the last ImportResultDialog

    if TYPE_CHECKING:  # defined by the other parts of MainWindow
        def set_document(self, document: ProjectDocument) -> None: ...
        def select_form(self, form_id: str, from_tree: bool = False) -> None: ...
        def current_form_id(self) -> str | None: ...
        def reveal_in_tree(self, index: Any) -> None: ...
        def _show_editor(self, form_id: str | None) -> None: ...
        def _update_title(self, *_args: object) -> None: ...
        def _fit_dock(self) -> None: ...
        def open_path(self, path: Path, check_unsaved: bool = True) -> bool: ...
        def import_paths(self, paths: list[Path]) -> int: ...
        def save_as(self) -> bool: ...
        def _last_dir(self) -> str: ...
        def export_dialog(self, kind: str, only_current: bool = False) -> None: ...
        def duplicate_form(self) -> None: ...
        def delete_form(self) -> None: ...
        def evaluation_from_declaration(self) -> None: ...
        def find_next(self, text: str | None = None, backwards: bool = False) -> bool: ...

    # ---- commit before acting --------------------------------------------------------------------------
    def commit_pending_edit(self) -> bool:
        """What the user is typing goes into the project before any command acts on it — as Excel and WPS do
        before saving, printing, switching sheets: an open cell editor is committed (its own undo step) and
        closed, and the typing burst of a header field is ended (the next key there starts a new undo step).
        Called at the start of every action; a second call finds nothing open. Never while an undo command is
        changing the project (it may show another form). Returns True when a cell editor was committed."""
        if self.editor is None or self.document is None or self.document.applying:
            return False
        from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView

        committed = False
        focus = QApplication.focusWidget()
        for view in list(self.editor.tables):
            if view.state() != QAbstractItemView.State.EditingState:
                continue
            editor = view.indexWidget(view.currentIndex()) if view.currentIndex().isValid() else None
            if editor is None and focus is not None and view.viewport().isAncestorOf(focus):
                editor = focus
                parent = editor.parentWidget()
                while parent is not None and parent is not view.viewport():
                    editor, parent = parent, parent.parentWidget()
            if editor is None:
                continue
            view.commitData(editor)
            view.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            committed = True
        if self.editor is not None:
            for field in self.editor.fields.values():
                widget = field.widget
                if focus is not None and (widget is focus or widget.isAncestorOf(focus)):
                    field.finish()  # shows the value as the form prints it and ends the typing burst
            from .commands import EditCommand

            top = self.document.undo_stack.command(self.document.undo_stack.index() - 1)
            if isinstance(top, EditCommand):
                top.sealed = True
        return committed

    def undo(self) -> None:
        self.commit_pending_edit()
        self.document.undo_stack.undo()

    def redo(self) -> None:
        self.commit_pending_edit()
        self.document.undo_stack.redo()

    def _grid_call(self, name: str) -> None:
        if self.editor is None:
            return
        view = QApplication.focusWidget()
        target = view if view in self.editor.tables else self.editor.grid
        getattr(target, name)()

    # ---- asking and telling ------------------------------------------------------------------------
    def ask(self, key: str, title: str, text: str, buttons, default, labels: dict | None = None,
            details: str = ""):
        """A modal question; in non-interactive mode (tests) the answer comes from ``self.answers`` (every question
        asked is listed in ``answers["_asked"]``). ``labels`` gives buttons clearer texts than 是/否."""
        if not self.interactive:
            self.answers.setdefault("_asked", []).append((key, text + ("\n" + details if details else "")))
            return self.answers.get(key, default)
        from PySide6.QtWidgets import QMessageBox

        box = self.question_box(title, text, buttons, default, labels, details)
        box.exec()
        answer = box.standardButton(box.clickedButton()) if box.clickedButton() else QMessageBox.StandardButton.Cancel
        box.deleteLater()
        return answer

    def question_box(self, title: str, text: str, buttons, default, labels: dict | None = None,
                     details: str = "") -> QMessageBox:
        """The box ``ask`` shows: every button with an access key (保存(&S), 丢弃(&D), 取消(&C)…) — Qt's own
        Chinese buttons have none — unless ``labels`` names it otherwise."""
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Question, title, text, buttons, self)
        box.setObjectName("questionBox")
        box.setDefaultButton(default)
        if details:
            box.setInformativeText(details)
        for button, label in {**button_labels(), **(labels or {})}.items():
            if box.button(button) is not None:
                box.button(button).setText(label)
        return box

    def inform(self, title: str, text: str, details: str = "", error: bool = False) -> None:
        self.statusbar.showMessage(text.splitlines()[0], 8000)
        if not self.interactive:
            self.answers.setdefault("_messages", []).append((title, text, details))
            return
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information, title, text,
                          QMessageBox.StandardButton.Ok, self)
        if details:
            box.setDetailedText(details)
        box.exec()
