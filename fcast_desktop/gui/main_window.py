"""The main window: composed from ``ui/main_window.ui``, behaviour added here.

Start-up in two steps, so the window is on screen as fast as a bare Qt window: ``MainWindow(deferred=True)``
loads only the Designer file (Qt alone), the app shows and paints it, then ``finish_setup()`` imports the project
model (pydantic), the rules and the editors and opens the project. Input that arrives meanwhile waits in Qt's
queue. The heavy modules are imported by ``_import_core()`` into this module's namespace, once.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from PySide6.QtCore import QByteArray, QFile, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QLineEdit,
    QMainWindow,
    QMessageBox,
)

from .. import APP_NAME, __version__
from ..paths import ui_dir
from .settings import settings


def _import_core() -> None:
    """The model, rules, store and editor modules (about 200 ms, most of it pydantic building its validators):
    imported after the first paint, into this module's namespace, where the methods below find them."""
    if "ProjectDocument" in globals():
        return
    from PySide6.QtCore import Qt  # first use creates all of Qt's namespace enums (about 16 ms): after the paint
    from ..model import FORM_KIND_TITLES, Declaration, Project, form_code, form_title
    from ..model.derive import blank_form, duplicate, evaluation_from_declaration
    from ..model.money import format_number
    from ..store.lock import ProjectLock, ProjectLocked
    from ..store.project_file import (
        ProjectChangedOnDisk,
        ProjectFileError,
        ProjectReadOnly,
        file_stamp,
        load_project_stamped,
        save_project,
    )
    from . import commands
    from .autosave import Autosaver, RecoverySession
    from .document import ProjectDocument
    from .form_editor import FormEditor
    from .panels import FormIdRole, FormListDelegate, ProblemsPanel, ProjectTreeModel

    globals().update({name: value for name, value in locals().items()})

MAX_RECENT = 8
LOCK_APP = "fcast-desktop"
FILE_FILTER = "绩效项目文件 (*.fcast);;所有文件 (*)"
IMPORT_FILTER = "公开表格文本或本程序导出的 Excel (*.txt *.xlsx);;公开表格文本 (*.txt);;Excel 工作簿 (*.xlsx);;所有文件 (*)"


class _Loader(QUiLoader):
    """Loads a .ui file into an existing instance (PySide6 has no ``loadUi(file, self)``)."""

    def __init__(self, base):
        super().__init__()
        self.base = base

    def createWidget(self, class_name, parent=None, name=""):  # noqa: N802
        if parent is None and self.base is not None:
            return self.base
        widget = super().createWidget(class_name, parent, name)
        if name:
            setattr(self.base, name, widget)
        return widget

    def createAction(self, parent=None, name=""):  # noqa: N802
        action = super().createAction(parent, name)
        if name:
            setattr(self.base, name, action)
        return action

    def createLayout(self, class_name, parent=None, name=""):  # noqa: N802
        layout = super().createLayout(class_name, parent, name)
        if name:
            setattr(self.base, name, layout)
        return layout


def _is_not_applicable_row(row) -> bool:
    """A row that already says 不适用 (or is empty): nothing the user typed is lost by replacing it."""
    texts = [v for k, v in row.model_dump(exclude={"level2", "raw"}).items() if isinstance(v, str) and v.strip()]
    return all(t.strip() in ("不适用", "无") for t in texts)


class MainWindow(QMainWindow):
    def __init__(self, interactive: bool = True, deferred: bool = False):
        super().__init__()
        self.interactive = interactive  # tests set False: no modal dialogs, answers come from ``answers``
        self.answers: dict[str, object] = {}
        ui = QFile(str(ui_dir() / "main_window.ui"))
        ui.open(QFile.OpenModeFlag.ReadOnly)
        _Loader(self).load(ui)
        ui.close()
        self.setAcceptDrops(True)
        self.document: ProjectDocument | None = None
        self.editor: FormEditor | None = None
        self.autosaver: Autosaver | None = None
        self.session: RecoverySession | None = None  # this window's recovery file (autosave.py)
        self.terminating = False  # ending on a signal (SIGTERM, log-off): keep the recovery, ask nothing
        self.tree_model: ProjectTreeModel | None = None
        self.problems: ProblemsPanel | None = None
        self._setup_actions()
        self._setup_find()
        self._restore_window_state()
        if not deferred:
            self.finish_setup()

    def finish_setup(self) -> None:
        """Second step of start-up (module docstring): the core modules and an empty project."""
        _import_core()
        for action in (self.actionCopy, self.actionPaste, self.actionCut):
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the table view handles the keys
        self.projectTree.setItemDelegate(FormListDelegate(self.projectTree))  # badges stay visible when names elide
        self.session = RecoverySession()
        self.set_document(ProjectDocument(Project()))
        if self._shown_once:  # shown before the core loaded: the problems panel gets its size now
            self._fit_dock()

    # ---- set-up ------------------------------------------------------------------------------------
    def _setup_actions(self) -> None:
        standard = {
            self.actionNewProject: QKeySequence.StandardKey.New,
            self.actionOpen: QKeySequence.StandardKey.Open,
            self.actionSave: QKeySequence.StandardKey.Save,
            self.actionUndo: QKeySequence.StandardKey.Undo,
            self.actionCopy: QKeySequence.StandardKey.Copy,
            self.actionPaste: QKeySequence.StandardKey.Paste,
            self.actionCut: QKeySequence.StandardKey.Cut,
            self.actionFind: QKeySequence.StandardKey.Find,
        }
        for action, key in standard.items():
            action.setShortcuts(QKeySequence.keyBindings(key))
        self.actionRedo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        # setShortcuts([...]), not setShortcut(...): the single-key overload makes PySide create all of Qt's
        # namespace enums (16 ms) before the first paint
        self.actionSaveAs.setShortcuts([QKeySequence("Ctrl+Shift+S")])
        self.actionNewProject.triggered.connect(self.new_project)
        self.actionOpen.triggered.connect(self.open_dialog)
        self.actionSave.triggered.connect(self.save)
        self.actionSaveAs.triggered.connect(self.save_as)
        self.actionImport.triggered.connect(self.import_dialog)
        self.actionExportPdf.triggered.connect(lambda: self.export_dialog("pdf"))
        self.actionExportXlsx.triggered.connect(lambda: self.export_dialog("xlsx"))
        self.actionPrint.triggered.connect(self.print_current)
        self.actionPrintPreview.triggered.connect(self.print_preview)
        self.actionQuit.triggered.connect(self.close)
        self.actionUndo.triggered.connect(self.undo)
        self.actionRedo.triggered.connect(self.redo)
        self.actionCopy.triggered.connect(lambda: self._grid_call("copy_selection"))
        self.actionPaste.triggered.connect(lambda: self._grid_call("paste"))
        self.actionCut.triggered.connect(lambda: self._grid_call("cut"))
        self.actionInsertRow.triggered.connect(self.insert_row)
        self.actionDeleteRow.triggered.connect(self.delete_rows)
        self.actionNotApplicable.triggered.connect(self.mark_not_applicable)
        self.actionNewDeclaration.triggered.connect(lambda: self.new_form("declaration"))
        self.actionNewSelfEvaluation.triggered.connect(lambda: self.new_form("self_evaluation"))
        self.actionNewDepartment.triggered.connect(lambda: self.new_form("department_overall"))
        self.actionDuplicateForm.triggered.connect(self.duplicate_form)
        self.actionDeleteForm.triggered.connect(self.delete_form)
        self.actionEvaluationFromDeclaration.triggered.connect(self.evaluation_from_declaration)
        self.actionCheckProject.triggered.connect(self.check_project)
        self.actionHelp.triggered.connect(self.show_help)
        self.actionAbout.triggered.connect(self.show_about)
        toggle = self.problemsDock.toggleViewAction()
        toggle.setText("问题面板(&P)")
        self.menuView.insertAction(self.actionShowProblems, toggle)
        self.menuView.removeAction(self.actionShowProblems)
        self.projectTree.clicked.connect(self._tree_activated)
        self.projectTree.activated.connect(self._tree_activated)
        self.formFilter.textChanged.connect(self._filter_tree)
        self.mainSplitter.setStretchFactor(0, 0)
        self.mainSplitter.setStretchFactor(1, 1)
        self.mainSplitter.setSizes([300, 1100])
        self.menuRecent.aboutToShow.connect(self._fill_recent_menu)
        for action in self.mainToolBar.actions():  # toolbar buttons without the menus' access keys: 打印, not 打印(P)
            if "(&" in action.text():
                action.setIconText(re.sub(r"\(&\w\)", "", action.text()).rstrip("…"))

    def _setup_find(self) -> None:
        self.findBox = QLineEdit()
        self.findBox.setObjectName("findBox")
        self.findBox.setPlaceholderText("查找（Ctrl+F，回车查找下一个）")
        self.findBox.setClearButtonEnabled(True)
        self.findBox.setMaximumWidth(260)
        self.mainToolBar.addSeparator()
        self.mainToolBar.addWidget(self.findBox)
        self.findBox.returnPressed.connect(lambda: self.find_next(self.findBox.text()))
        self.actionFind.triggered.connect(lambda: (self.findBox.setFocus(), self.findBox.selectAll()))

    def _restore_window_state(self) -> None:
        s = settings()
        geometry = s.value("window/geometry")
        state = s.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        self._state_restored = isinstance(state, QByteArray) and self.restoreState(state)

    _state_restored = False
    _shown_once = False
    _session_released = False

    def showEvent(self, event):  # noqa: N802
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.fit_panes()

    def fit_panes(self) -> None:
        """Pane sizes for the window's size, unless the user's own layout was restored: on a small screen
        (1280×720) the forms list and the problems panel give the form editor as much room as they can."""
        if self._state_restored:
            return
        width = self.width()
        tree = max(220, min(320, int(width * 0.2)))
        self.mainSplitter.setSizes([tree, max(400, width - tree)])
        if self.document is not None:  # else finish_setup() does it (Qt's enums come with the core)
            self._fit_dock()
        QTimer.singleShot(0, self.projectTree, self._tree_from_top)

    def _fit_dock(self) -> None:
        if not self._state_restored:
            height = self.height()
            self.resizeDocks([self.problemsDock], [max(110, min(200, int(height * 0.18)))], Qt.Orientation.Vertical)

    def _tree_from_top(self) -> None:
        """The forms list at its final size: from the top (a group header is never left just above the view),
        scrolled only as far as the current form needs."""
        self.projectTree.scrollToTop()
        self.reveal_in_tree(self.projectTree.currentIndex())

    def reveal_in_tree(self, index) -> None:
        """Scroll the forms list to a form; the first form of a group brings its group header (title and count)
        into view with it — also when the list is not laid out yet and is only a row or two high."""
        if not index.isValid():
            return
        self.projectTree.scrollTo(index)
        if index.row() == 0 and index.parent().isValid():
            self.projectTree.scrollTo(index.parent())

    def _save_window_state(self) -> None:
        s = settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())

    # ---- document ----------------------------------------------------------------------------------
    def set_document(self, document: ProjectDocument) -> None:
        """Show ``document``; the previous one is let go: its autosaver stops listening to it (its undo stack is
        deleted with it) and its lock is released."""
        if self.autosaver is not None:
            self.autosaver.stop()
            self.autosaver.deleteLater()
            self.autosaver = None
        old = self.document
        if old is not None and old.lock is not None and old.lock is not document.lock:
            old.lock.release()
            old.lock = None
        self.document = document
        document.setParent(self)
        self._show_editor(None)
        self.tree_model = ProjectTreeModel(document, self)
        self.projectTree.setModel(self.tree_model)
        self.projectTree.expandAll()
        if self.problems is not None:
            self.problemsLayout.removeWidget(self.problems)
            self.problems.hide()
            self.problems.deleteLater()
        self.problems = ProblemsPanel(document, self.problemsContents)
        self.problemsLayout.addWidget(self.problems)
        self.problems.problemActivated.connect(self.go_to_problem)
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
        self.autosaver = Autosaver(document, self.session, self)
        if old is not None:
            old.deleteLater()
        self._update_title()
        self._update_status()
        if document.project.forms:
            self.select_form(document.project.forms[0].id)

    # bound methods, not lambdas: Qt disconnects them when the window goes away
    def _undo_text(self, text: str) -> None:
        self.actionUndo.setText(f"撤销(&U) {text}" if text else "撤销(&U)")
        self.actionUndo.setIconText("撤销")
        self.actionUndo.setToolTip(f"撤销 {text}（Ctrl+Z）" if text else "撤销（Ctrl+Z）")

    def _redo_text(self, text: str) -> None:
        self.actionRedo.setText(f"重做(&R) {text}" if text else "重做(&R)")
        self.actionRedo.setIconText("重做")
        self.actionRedo.setToolTip(f"重做 {text}（Ctrl+Y）" if text else "重做（Ctrl+Y）")

    def _update_title(self, *_args) -> None:
        doc = self.document
        self.setWindowModified(doc.modified)
        self.setWindowTitle(f"{doc.display_name()}[*] — {APP_NAME}")

    def _update_status(self, *_args) -> None:
        forms = self.document.project.forms
        errors = sum(self.document.findings(f.id).errors for f in forms)
        warnings = sum(self.document.findings(f.id).warnings for f in forms)
        self.statusbar.showMessage(f"{len(forms)} 张表单　错误 {errors} 个　警告 {warnings} 个")

    def _forms_changed(self) -> None:
        self.projectTree.expandAll()
        if self.editor is not None and self.document.form(self.editor.form_id) is None:
            self._show_editor(None)
        self._filter_tree(self.formFilter.text())

    # ---- forms list --------------------------------------------------------------------------------
    def _tree_activated(self, index) -> None:
        form_id = index.data(FormIdRole)
        if form_id:
            self.select_form(form_id, from_tree=True)

    def _filter_tree(self, text: str) -> None:
        text = text.strip()
        model = self.tree_model
        for g in range(model.rowCount()):
            group = model.item(g)
            for r in range(group.rowCount()):
                item = group.child(r)
                form = self.document.form(item.data(FormIdRole))
                hit = not text or (form is not None and (text in form_title(form) or text in form_code(form)))
                self.projectTree.setRowHidden(r, group.index(), not hit)

    def current_form_id(self) -> str | None:
        return self.editor.form_id if self.editor else None

    def select_form(self, form_id: str, from_tree: bool = False) -> None:
        if self.editor is None or self.editor.form_id != form_id:
            self.commit_pending_edit()  # the form being left keeps what was typed into it
            self._show_editor(form_id)
        if not from_tree:
            index = self.tree_model.index_of_form(form_id)
            if index.isValid():
                self.projectTree.setCurrentIndex(index)
                self.reveal_in_tree(index)

    def _show_editor(self, form_id: str | None) -> None:
        if self.editor is not None:
            self.editorStack.removeWidget(self.editor)
            self.editor.deleteLater()
            self.editor = None
        if form_id is None or self.document.form(form_id) is None:
            self.editorStack.setCurrentWidget(self.emptyPage)
            if self.problems:
                self.problems.set_current_form("")
            return
        self.editor = FormEditor(self.document, form_id)
        self.editor.statusMessage.connect(lambda m: self.statusbar.showMessage(m, 5000))
        self.editor.ask = self.ask
        self._set_completions(self.editor)
        self.editorStack.addWidget(self.editor)
        self.editorStack.setCurrentWidget(self.editor)
        if self.problems:
            self.problems.set_current_form(form_id)

    def _set_completions(self, editor: FormEditor) -> None:
        """三级指标 names and 指标解释 used in the other forms of the project, offered while typing."""
        from PySide6.QtCore import QStringListModel

        values: dict[str, set[str]] = {"name": set(), "explanation": set(), "target": set(), "measure_unit": set()}
        for form in self.document.project.forms:
            for r in form.indicators:
                for key in values:
                    v = getattr(r, key, "")
                    if v and v != "不适用":
                        values[key].add(v)
        for key, items in values.items():
            editor.grid.delegate.completions[key] = QStringListModel(sorted(items), editor)

    # ---- commit before acting --------------------------------------------------------------------------
    def commit_pending_edit(self) -> bool:
        """What the user is typing goes into the project before any command acts on it — as Excel and WPS do
        before saving, printing, switching sheets: an open cell editor is committed (its own undo step) and
        closed, and the typing burst of a header field is ended (the next key there starts a new undo step).
        Called at the start of every action; a second call finds nothing open. Never while an undo command is
        changing the project (it may show another form). Returns True when a cell editor was committed."""
        if self.editor is None or self.document is None or self.document.applying:
            return False
        committed = False
        focus = QApplication.focusWidget()
        for view in list(self.editor.tables):
            if view.state() != QAbstractItemView.State.EditingState:
                continue
            editor = view.indexWidget(view.currentIndex()) if view.currentIndex().isValid() else None
            if editor is None and focus is not None and view.viewport().isAncestorOf(focus):
                editor = focus
                while editor.parentWidget() is not None and editor.parentWidget() is not view.viewport():
                    editor = editor.parentWidget()
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
            top = self.document.undo_stack.command(self.document.undo_stack.index() - 1)
            if isinstance(top, commands.SetTextCommand):
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

    # ---- projects ----------------------------------------------------------------------------------
    def ask(self, key: str, title: str, text: str, buttons, default, labels: dict | None = None,
            details: str = ""):
        """A modal question; in non-interactive mode (tests) the answer comes from ``self.answers`` (every question
        asked is listed in ``answers["_asked"]``). ``labels`` gives buttons clearer texts than 是/否."""
        if not self.interactive:
            self.answers.setdefault("_asked", []).append((key, text + ("\n" + details if details else "")))
            return self.answers.get(key, default)
        if not labels and not details:
            return QMessageBox.question(self, title, text, buttons, default)
        box = QMessageBox(QMessageBox.Icon.Question, title, text, buttons, self)
        box.setDefaultButton(default)
        if details:
            box.setInformativeText(details)
        for button, label in (labels or {}).items():
            box.button(button).setText(label)
        box.exec()
        return box.standardButton(box.clickedButton()) if box.clickedButton() else QMessageBox.StandardButton.Cancel

    def inform(self, title: str, text: str, details: str = "", error: bool = False) -> None:
        self.statusbar.showMessage(text.splitlines()[0], 8000)
        if not self.interactive:
            self.answers.setdefault("_messages", []).append((title, text, details))
            return
        box = QMessageBox(QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information, title, text,
                          QMessageBox.StandardButton.Ok, self)
        if details:
            box.setDetailedText(details)
        box.exec()

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current project (saved, discarded or nothing to save)."""
        self.commit_pending_edit()
        if self.document is None or not self.document.modified:
            return True
        Button = QMessageBox.StandardButton
        answer = self.ask("unsaved", APP_NAME, f"“{self.document.display_name()}”有未保存的修改，是否保存？",
                          Button.Save | Button.Discard | Button.Cancel, Button.Save)
        if answer == Button.Save:
            return self.save()
        return answer == Button.Discard

    def new_project(self) -> None:
        self.commit_pending_edit()
        if self.maybe_save():
            self._discard_recovery()
            self.set_document(ProjectDocument(Project()))

    def open_dialog(self) -> None:
        self.commit_pending_edit()
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self, "打开项目", self._last_dir(), FILE_FILTER)
        if path:
            self.open_path(Path(path), check_unsaved=False)

    def open_path(self, path: Path, check_unsaved: bool = True) -> bool:
        """Open a project for writing: this window holds the file's lock while it shows it. When another window
        or computer holds it, the user chooses 只读打开 (saving goes to 另存为), 打开副本 (an unsaved copy with
        no file) or 取消."""
        self.commit_pending_edit()
        if check_unsaved and not self.maybe_save():
            return False
        path = Path(path)
        mode, lock = self._lock_for_opening(path)
        if mode is None:
            return False
        try:
            project, stamp = load_project_stamped(path)
        except ProjectFileError as exc:
            if lock is not None and (self.document is None or lock is not self.document.lock):
                lock.release()
            self.inform("无法打开项目", str(exc), error=True)
            return False
        document = ProjectDocument(project, None if mode == "copy" else path)
        document.loaded_stamp = stamp
        document.lock = lock
        document.read_only = mode == "read_only"
        document.copy_of = path if mode == "copy" else None
        self._discard_recovery()
        self.set_document(document)  # the forms list checks every form on the way
        if mode == "copy":
            document.undo_stack.resetClean()  # a copy exists in no file yet
            self._update_title()
        self._add_recent(path)
        if lock is not None and lock.took_over_from is not None:
            self.inform("已接管项目文件",
                        f"“{path.name}”上次由 {lock.took_over_from.describe()} 打开，那个程序已不在运行"
                        "（可能异常退出）。现在由本窗口打开。\n\n如果当时有未保存的修改，程序启动时会提供恢复。")
        elif mode == "read_only":
            self.statusbar.showMessage("只读打开：可以修改，但只能另存为新文件", 8000)
        elif mode == "copy":
            self.statusbar.showMessage("已打开副本：这是未保存的新项目，保存时请选择文件名", 8000)
        return True

    def _lock_for_opening(self, path: Path):
        """(mode, lock): ("write", lock or None), ("read_only", None), ("copy", None), or (None, None) to cancel."""
        current = self.document
        if (current is not None and current.lock is not None and current.path is not None
                and _same_file(current.path, path) and current.lock.owns()):
            return "write", current.lock  # opened again in the window that holds it
        if _is_bundled_sample(path):  # the program's own sample: no lock file inside the program folder
            return "write", None
        try:
            lock = ProjectLock.acquire(path, app=LOCK_APP)
        except ProjectLocked as exc:
            Button = QMessageBox.StandardButton
            answer = self.ask(
                "lock", "项目文件已被打开",
                f"项目文件“{path}”已被 {exc.info.describe()} 打开。\n\n"
                "两处同时修改同一个文件，后保存的一方会覆盖先保存的一方。",
                Button.Yes | Button.No | Button.Cancel, Button.Yes,
                labels={Button.Yes: "只读打开", Button.No: "打开副本", Button.Cancel: "取消"},
                details="只读打开：可以查看和修改，但只能另存为新文件，原文件不会被改动。\n"
                        "打开副本：作为未保存的新项目打开，保存时选择新的文件名。\n取消：不打开。")
            if answer == Button.Yes:
                return "read_only", None
            if answer == Button.No:
                return "copy", None
            return None, None
        except OSError as exc:  # e.g. a read-only folder: open anyway, the saves still check the file
            self.statusbar.showMessage(
                f"无法在“{path.parent}”中建立锁文件（{exc.strerror or exc}）：他人同时打开此文件时将无法提醒", 10000)
            return "write", None
        return "write", lock

    def choose_save_path(self, start: str) -> str:
        """The 另存为 file dialog; in non-interactive mode (tests) ``answers["save_as_path"]`` (none: cancelled)."""
        if not self.interactive:
            self.answers.setdefault("_asked", []).append(("save_as_path", start))
            value = self.answers.get("save_as_path")
            return str(value) if value else ""
        path, _ = QFileDialog.getSaveFileName(self, "项目另存为", start, FILE_FILTER)
        return path

    def save(self) -> bool:
        self.commit_pending_edit()
        if self.document.path is None or self.document.read_only:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self) -> bool:
        self.commit_pending_edit()
        doc = self.document
        if doc.path is not None:
            start = doc.path if not doc.read_only else doc.path.with_name(doc.path.stem + "（我的修改）.fcast")
        elif doc.copy_of is not None:
            start = doc.copy_of.with_name(doc.copy_of.stem + "（副本）.fcast")
        else:
            start = Path(self._last_dir()) / "绩效表单.fcast"
        path = self.choose_save_path(str(start))
        if not path:
            return False
        if not path.endswith(".fcast"):
            path += ".fcast"
        return self._save_to(Path(path))

    def _ask_conflict(self, path: Path, why: str) -> str:
        """覆盖 / 另存为 / 取消 when saving would overwrite someone else's work: "overwrite", "save_as", "cancel"."""
        Button = QMessageBox.StandardButton
        answer = self.ask(
            "conflict", "项目文件已被修改", f"{why}\n\n文件：{path}",
            Button.Yes | Button.No | Button.Cancel, Button.No,
            labels={Button.Yes: "覆盖", Button.No: "另存为…", Button.Cancel: "取消"},
            details="覆盖：用本窗口的内容替换这个文件，对方保存的修改会丢失。\n"
                    "另存为：保存为另一个文件，这个文件保持不变。\n取消：暂不保存。")
        return {Button.Yes: "overwrite", Button.No: "save_as"}.get(answer, "cancel")

    def _save_to(self, path: Path) -> bool:
        """Save, never over someone else's work without asking: the file must still be what this window loaded
        or last saved (size, time, content), and this window must still hold its lock."""
        doc = self.document
        same = doc.path is not None and not doc.read_only and _same_file(doc.path, path)
        new_lock = None
        origin = doc.path or doc.copy_of  # saving over the file it came from: it must still be as loaded
        expected = doc.loaded_stamp if origin is not None and _same_file(origin, path) else None
        if same and doc.lock is not None and not doc.lock.owns():
            from ..store.lock import read_lock

            holder = read_lock(path)
            who = holder.describe() if holder is not None else "其他程序"
            answer = self._ask_conflict(
                path, f"本窗口对这个文件的锁已失效，现在由 {who} 打开（锁曾被当作无人使用而接管）。"
                      "现在保存可能覆盖对方的修改。")
            if answer == "save_as":
                return self.save_as()
            if answer != "overwrite":
                self.statusbar.showMessage("未保存", 5000)
                return False
            expected = None
        if not same and not _is_bundled_sample(path):
            try:
                new_lock = ProjectLock.acquire(path, app=LOCK_APP)
            except ProjectLocked as exc:
                self.inform("不能保存到这个文件",
                            f"“{path}”已被 {exc.info.describe()} 打开，不能覆盖。请另选一个文件名。", error=True)
                return False
            except OSError:
                new_lock = None  # no lock possible there (read-only folder…): the save itself will tell
        try:
            stamp = self._write_checked(path, expected)
        except _SaveDeclined as declined:
            if new_lock is not None:
                new_lock.release()
            return self.save_as() if declined.save_as else False
        except ProjectReadOnly as exc:
            if new_lock is not None:
                new_lock.release()
            Button = QMessageBox.StandardButton
            answer = self.ask("read_only_file", "文件是只读的", f"{exc}\n\n是否另存为一个新文件？",
                              Button.Yes | Button.Cancel, Button.Yes,
                              labels={Button.Yes: "另存为…", Button.Cancel: "取消"})
            return self.save_as() if answer == Button.Yes else False
        except (ProjectFileError, OSError) as exc:
            if new_lock is not None:
                new_lock.release()
            reason = str(exc) if isinstance(exc, ProjectFileError) else f"{path}：{exc.strerror or exc}"
            self.inform("保存失败", f"无法保存：{reason}\n原文件未被改动。", error=True)
            return False
        if not same:
            if doc.lock is not None:
                doc.lock.release()
            doc.lock = new_lock
        doc.path = path
        doc.loaded_stamp = stamp if stamp is not None else file_stamp(path)
        doc.read_only = False
        doc.copy_of = None
        doc.undo_stack.setClean()
        if self.autosaver:
            self.autosaver.remove()
        doc.pathChanged.emit()
        self._update_title()
        self._add_recent(path)
        self.statusbar.showMessage(f"已保存到 {path}", 5000)
        return True

    def _write_checked(self, path: Path, expected):
        """save_project with the conflict question when the file changed on disk; raises _SaveDeclined."""
        try:
            return save_project(self.document.project, path, expected=expected)
        except ProjectChangedOnDisk:
            answer = self._ask_conflict(
                path, "这个文件在本窗口打开（或上次保存）之后已被修改：可能是别人、别的窗口或别的程序保存的。")
            if answer == "overwrite":
                return save_project(self.document.project, path, expected=None)
            raise _SaveDeclined(save_as=answer == "save_as") from None

    def _discard_recovery(self) -> None:
        if self.autosaver is not None:
            self.autosaver.remove()

    def release_session(self, keep_recovery: bool = False) -> None:
        """The window ends: its lock goes; its recovery goes too unless ``keep_recovery`` (ended by a signal, or
        the program quit without closing the window). Only the first call counts."""
        if self._session_released:
            return
        self._session_released = True
        if self.autosaver is not None:
            if not keep_recovery:
                self.autosaver.remove()
            self.autosaver.stop()
        if self.document is not None and self.document.lock is not None:
            self.document.lock.release()
            self.document.lock = None
        if self.session is not None:
            self.session.close()

    def _last_dir(self) -> str:
        recent = self.recent_files()
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    def recent_files(self) -> list[str]:
        value = settings().value("recentFiles", [])
        if isinstance(value, str):
            value = [value]
        return [v for v in (value or []) if v]

    def _add_recent(self, path: Path) -> None:
        files = [str(path.resolve())] + [f for f in self.recent_files() if f != str(path.resolve())]
        settings().setValue("recentFiles", files[:MAX_RECENT])

    def _fill_recent_menu(self) -> None:
        self.menuRecent.clear()
        files = self.recent_files()
        for n, f in enumerate(files, 1):
            action = QAction(f"&{n} {f}", self.menuRecent)
            action.triggered.connect(lambda _c=False, p=f: self.open_path(Path(p)))
            action.setEnabled(os.path.exists(f))
            self.menuRecent.addAction(action)
        if not files:
            self.menuRecent.addAction("（无）").setEnabled(False)

    # ---- import ------------------------------------------------------------------------------------
    def import_dialog(self) -> None:
        self.commit_pending_edit()
        paths, _ = QFileDialog.getOpenFileNames(self, "导入公开表格", self._last_dir(), IMPORT_FILTER)
        if paths:
            self.import_paths([Path(p) for p in paths])

    def import_paths(self, paths: list[Path]) -> int:
        from ..cli import form_identity
        from ..exchange.importer import import_file
        from ..exchange.report import ImportFailed

        forms, notes, failures = [], [], []
        for path in paths:
            try:
                result = import_file(path)
            except ImportFailed as exc:
                failures.append(str(exc))
                continue
            forms.extend(result.forms)
            notes.extend(str(n) for n in result.notes)
        existing = {form_identity(f) for f in self.document.project.forms}
        new = [f for f in forms if form_identity(f) not in existing]
        if new:
            self.document.undo_stack.push(
                commands.FormListCommand(self.document, self.document.project.forms + new, f"导入 {len(new)} 张表单",
                                         select=new[0].id, previous=self.current_form_id()))
            if not self.document.project.unit:
                from ..cli import _complete_project_header

                _complete_project_header(self.document.project)
        summary = f"导入 {len(new)} 张表单"
        if len(forms) > len(new):
            summary += f"；{len(forms) - len(new)} 张已在项目中，未重复导入"
        if failures:
            summary += f"；{len(failures)} 个文件无法导入"
        details = "\n".join(failures + notes)
        self.inform("导入结果", summary + ("\n\n" + "\n".join(failures) if failures else ""), details,
                    error=bool(failures))
        return len(new)

    def dragEnterEvent(self, event):  # noqa: N802
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event):  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        projects = [p for p in paths if p.suffix == ".fcast"]
        if projects:
            self.open_path(projects[0])
        others = [p for p in paths if p.suffix != ".fcast"]
        if others:
            self.import_paths(others)
        event.acceptProposedAction()

    # ---- forms -------------------------------------------------------------------------------------
    def _push_forms(self, forms: list, text: str, select: str | None) -> None:
        """One undo step; the command shows ``select`` now and on redo, and on undo the form shown before (or the
        form the change removed: undoing 删除表单 shows the restored form)."""
        self.document.undo_stack.push(
            commands.FormListCommand(self.document, forms, text, select=select, previous=self.current_form_id()))

    def new_form(self, kind: str) -> None:
        self.commit_pending_edit()
        form = blank_form(kind, self.document.project)
        self._push_forms(self.document.project.forms + [form], f"新建{FORM_KIND_TITLES[kind]}", form.id)
        if self.editor is not None and self.editor.fields:  # start typing in the first field of the new form
            next(iter(self.editor.fields.values())).widget.setFocus()

    def duplicate_form(self) -> None:
        self.commit_pending_edit()
        form = self.document.form(self.current_form_id() or "")
        if form is None:
            return
        copy = duplicate(form)
        forms = list(self.document.project.forms)
        forms.insert(forms.index(form) + 1, copy)
        self._push_forms(forms, "复制表单", copy.id)

    def delete_form(self) -> None:
        self.commit_pending_edit()
        form_id = self.current_form_id()
        if not form_id:
            return
        forms = [f for f in self.document.project.forms if f.id != form_id]
        old = self.document.project.forms
        position = self.document.index_of(form_id)
        same_kind = [f for f in old[position + 1:] + old[:position][::-1] if f.kind == old[position].kind]
        neighbour = same_kind[0].id if same_kind else (forms[0].id if forms else None)
        self._push_forms(forms, f"删除表单“{form_title(self.document.form(form_id))}”", neighbour)
        self.statusbar.showMessage("已删除表单（可按 Ctrl+Z 撤销）", 5000)

    def evaluation_from_declaration(self) -> None:
        self.commit_pending_edit()
        form = self.document.form(self.current_form_id() or "")
        if not isinstance(form, Declaration):
            self.inform("由申报表生成自评表", "请先在左侧选择一张二级项目支出绩效目标申报表。")
            return
        fix = self._unit_trap_fix(form)
        if fix is False:
            return
        # the corrected 年初预算数 goes in with the new form: one undo step
        evaluation = evaluation_from_declaration(form, initial_budget=fix)
        text = "由申报表生成自评表" + ("（年初预算数已改正单位）" if fix is not None else "")
        self._push_forms(self.document.project.forms + [evaluation], text, evaluation.id)
        if fix is not None:
            self.statusbar.showMessage(
                f"已生成自评表，年初预算数按 {fix:,.2f} 元填写；申报表的本年度项目金额仍需改正", 10000)
        if self.editor is not None and hasattr(self.editor, "funds_view"):  # show the copied amount
            view = self.editor.funds_view
            col = next(i for i, c in enumerate(view.model().columns()) if c.key == "initial_budget")
            view.setCurrentIndex(view.model().index(0, col))

    def _unit_trap_fix(self, declaration):
        """Before 由申报表生成自评表 copies 本年度项目金额 into 年初预算数: when the declaration's amount carries the N3
        warning (money.unit_trap / money.unit_magnitude: about 10,000 times off), say so at once — the warning
        would otherwise drown among the new form's empty cells — with the probable fix, and offer to copy the
        corrected amount. Returns the corrected amount (元), None to copy the amount as it is, False to cancel."""
        from ..rules import form_profile, unit_trap

        amount = declaration.annual_amount
        if amount is None:
            return None
        trap = unit_trap(declaration, form_profile(declaration, self.document.profile))
        if trap is None:
            return None
        warning = next((p for p in self.document.findings(declaration.id).problems
                        if p.rule in ("money.unit_trap", "money.unit_magnitude")), None)
        fixed = trap.fixed
        Button = QMessageBox.StandardButton
        text = (f"申报表“{form_title(declaration)}”的本年度项目金额很可能有单位错误，"
                f"自评表的年初预算数会照抄这个金额：{amount:,.2f} 元。\n\n"
                f"申报表的提示（N3）：{warning.message if warning else ''}\n\n"
                f"若确属单位错误，年初预算数应为 {fixed:,.2f} 元。")
        details = (f"改正：自评表的年初预算数（年度资金总额、当年财政拨款）填 {fixed:,.2f} 元，与生成自评表是同一个"
                   "撤销步骤；申报表本身不改，请另行改正。\n照抄：年初预算数填申报表的金额，问题面板会一直提示，直到改正。")
        answer = self.ask("evaluation_amount_trap", "由申报表生成自评表：金额可能有误", text,
                          Button.Yes | Button.No | Button.Cancel, Button.Yes,
                          labels={Button.Yes: f"改为 {fixed:,.2f} 元", Button.No: f"照抄 {amount:,.2f} 元",
                                  Button.Cancel: "取消"},
                          details=details)
        if answer == Button.Yes:
            return fixed
        if answer == Button.No:
            return None
        return False

    # ---- rows --------------------------------------------------------------------------------------
    def _current_grid_row(self):
        if self.editor is None:
            return None
        index = self.editor.grid.currentIndex()
        if not index.isValid():
            return None
        return self.editor.indicator_model.grid_row(index.row())

    def insert_row(self) -> None:
        self.commit_pending_edit()
        g = self._current_grid_row()
        if g is None:
            self.statusbar.showMessage("请先在指标表中选择一个单元格", 4000)
            return
        form = self.editor.form
        if g.index is None:
            from .table_models import _insert_position

            position = _insert_position(form, g.level2)
        else:
            position = g.index + 1
        self.document.undo_stack.push(commands.insert_row(self.document, form, g.level2, position))
        model = self.editor.indicator_model
        row = model.grid_row_of_indicator(position)
        self.editor.grid.setCurrentIndex(model.index(row, 2))

    def delete_rows(self) -> None:
        self.commit_pending_edit()
        if self.editor is None:
            return
        model = self.editor.indicator_model
        selected = {i.row() for i in self.editor.grid.selectionModel().selectedIndexes()}
        if not selected and self.editor.grid.currentIndex().isValid():
            selected = {self.editor.grid.currentIndex().row()}
        doomed = {model.grid_row(r).index for r in selected} - {None}
        if not doomed:
            return
        rows = [r for i, r in enumerate(self.editor.form.indicators) if i not in doomed]
        self.document.undo_stack.push(commands.ReplaceRowsCommand(
            self.document, self.editor.form_id, "indicators", rows, f"删除 {len(doomed)} 行指标"))

    def mark_not_applicable(self) -> None:
        self.commit_pending_edit()
        g = self._current_grid_row()
        if g is None:
            self.statusbar.showMessage("请先在指标表中选择要设为不适用的二级指标", 4000)
            return
        form = self.editor.form
        filled = [r for r in form.indicators if r.level2 == g.level2 and not _is_not_applicable_row(r)]
        if filled:
            from ..model import LEVEL2_INFO

            points = sum((getattr(r, "weight", None) or 0 for r in filled), 0)
            extra = f"（分值合计 {format_number(points)} 分）" if points else ""
            Button = QMessageBox.StandardButton
            answer = self.ask(
                "not_applicable", "设为不适用",
                f"二级指标“{LEVEL2_INFO[g.level2].long}”下已填写的 {len(filled)} 行指标{extra}将被删除，"
                f"改为一行“不适用”。\n\n是否继续？（可按 Ctrl+Z 撤销）",
                Button.Yes | Button.No, Button.Yes)
            if answer != Button.Yes:
                return
        row_type = type(form).model_fields["indicators"].annotation.__args__[0]
        na = row_type(level2=g.level2, name="不适用", target="不适用")
        for key, value in (("explanation", "不适用"), ("measure_unit", "不适用"), ("actual", "无"), ("weight", 0),
                           ("score", 0)):
            if key in row_type.model_fields:
                setattr(na, key, value)
        position = next((i for i, r in enumerate(form.indicators) if r.level2 == g.level2), None)
        rows = [r for r in form.indicators if r.level2 != g.level2]
        if position is None:
            from .table_models import _insert_position

            position = _insert_position(form, g.level2)
        rows.insert(position, na)
        self.document.undo_stack.push(commands.ReplaceRowsCommand(
            self.document, self.editor.form_id, "indicators", rows, "设为不适用"))

    # ---- problems and find -------------------------------------------------------------------------
    def check_project(self) -> None:
        self.commit_pending_edit()
        self.document.check_all()
        self.problemsDock.show()

    def go_to_problem(self, form_id: str, problem) -> None:
        self.select_form(form_id)
        if self.editor is not None:
            QTimer.singleShot(0, lambda: self.editor and self.editor.focus_problem(problem))

    def find_next(self, text: str) -> bool:
        """Jump to the next cell or field containing ``text`` (Enter in the find box repeats)."""
        from ..model.search import find_matches

        text = text.strip()
        if not text:
            return False
        matches = find_matches(self.document.project, text)
        if not matches:
            self.statusbar.showMessage(f"没有找到“{text}”", 4000)
            return False
        last_text, last_index = getattr(self, "_find_state", ("", -1))
        index = (last_index + 1) % len(matches) if last_text == text else 0
        self._find_state = (text, index)
        match = matches[index]
        self.select_form(match.form_id)
        self.editor.focus_problem(match)
        self.statusbar.showMessage(f"“{text}”：第 {index + 1} 处，共 {len(matches)} 处", 5000)
        return True

    # ---- export and print --------------------------------------------------------------------------
    def export_dialog(self, kind: str) -> None:
        self.commit_pending_edit()
        from .export import ExportController

        ExportController(self).run_dialog(kind)

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

    # ---- help --------------------------------------------------------------------------------------
    def show_help(self) -> None:
        from .about import show_help

        show_help(self)

    def show_about(self) -> None:
        from .about import show_about

        show_about(self, __version__)

    # ---- closing -----------------------------------------------------------------------------------
    def closeEvent(self, event):  # noqa: N802
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


class _SaveDeclined(Exception):
    def __init__(self, save_as: bool):
        super().__init__("save declined")
        self.save_as = save_as


def _same_file(a: Path, b: Path) -> bool:
    try:
        if os.path.exists(a) and os.path.exists(b):
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def _is_bundled_sample(path: Path) -> bool:
    from ..paths import sample_project

    return _same_file(Path(path), sample_project())
