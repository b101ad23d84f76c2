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
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
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
    from .find import FindController
    from .form_editor import FormEditor
    from .panels import FormIdRole, FormListDelegate, ProblemsPanel, ProjectTreeModel
    from .start_page import StartPage

    globals().update({name: value for name, value in locals().items()})

MAX_RECENT = 8
FIRST_SIZE = 0.9  # share of the screen's available width and height the window takes at its first start
SMALL_SCREEN = (1100, 800)  # on a screen smaller than this (logical pixels: 1366×768, 1920×1080 at 150 %) the
# window starts maximized: every pixel goes to the form
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


def button_labels() -> dict:
    """Qt's Chinese standard buttons (保存, 丢弃, 取消…) have no access keys: these have."""
    Button = QMessageBox.StandardButton
    return {Button.Save: "保存(&S)", Button.Discard: "丢弃(&D)", Button.Cancel: "取消(&C)", Button.Yes: "是(&Y)",
            Button.No: "否(&N)", Button.Ok: "确定(&O)"}


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
        self.finder = None  # FindController, with the core
        self.start_page = None  # StartPage, with the core
        self.statusSummary = QLabel()  # forms and problem counts: a permanent part of the status bar, so hovering
        self.statusSummary.setObjectName("statusSummary")  # a menu (its status tips) never wipes it out
        self.statusbar.addPermanentWidget(self.statusSummary)
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
        self.actionRollover.triggered.connect(self.new_year)
        self.actionChecklist.triggered.connect(self.checklist_preview)
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
        self.actionFindNext = QAction("查找下一个(&G)", self)
        self.actionFindNext.setShortcuts([QKeySequence("F3")])
        self.actionFindNext.setStatusTip("查找下一处（在查找框中按回车也可以）")
        self.actionFindPrevious = QAction("查找上一个(&V)", self)
        self.actionFindPrevious.setShortcuts([QKeySequence("Shift+F3")])
        self.actionFindPrevious.setStatusTip("查找上一处（在查找框中按 Shift+回车也可以）")
        self.actionFindNext.triggered.connect(lambda: self.find_next(self.findBox.text()))
        self.actionFindPrevious.triggered.connect(lambda: self.find_next(self.findBox.text(), backwards=True))
        self.menuEdit.addAction(self.actionFindNext)
        self.menuEdit.addAction(self.actionFindPrevious)
        self.addAction(self.actionFindNext)
        self.addAction(self.actionFindPrevious)
        self.actionToggleHeader = QAction("收起/展开表头(&H)", self)
        self.actionToggleHeader.setShortcuts([QKeySequence("Ctrl+Shift+H")])
        self.actionToggleHeader.setStatusTip("收起表头，把地方留给指标表；再按一次展开")
        self.actionToggleHeader.triggered.connect(lambda: self.editor is not None and self.editor.toggle_header())
        self.menuView.addAction(self.actionToggleHeader)
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
        """The find box and its "第 i/n 处" count in the toolbar; the behaviour (find.py) comes with the core."""
        self.findBox = QLineEdit()
        self.findBox.setObjectName("findBox")
        self.findBox.setPlaceholderText("查找（Ctrl+F）")
        self.findBox.setToolTip("查找（Ctrl+F）：回车或 F3 查找下一处，Shift+回车或 Shift+F3 查找上一处，Esc 回到表单")
        self.findBox.setClearButtonEnabled(True)
        self.findBox.setMinimumWidth(120)
        self.findBox.setMaximumWidth(260)
        self.findCount = QLabel()
        self.findCount.setObjectName("findCount")
        self.mainToolBar.addSeparator()
        self.mainToolBar.addWidget(self.findBox)
        self.mainToolBar.addWidget(self.findCount)
        self.actionFind.triggered.connect(lambda: (self.findBox.setFocus(), self.findBox.selectAll()))

    # ---- window size: fits the screen it is on -------------------------------------------------------------
    @staticmethod
    def screen_key(screen) -> str:
        """Settings key of a screen: its name and size (logical pixels, so a change of scaling counts as another
        screen) — a laptop alone and the same laptop at the office monitor each keep their own window geometry."""
        if screen is None:
            return "screen"
        size = screen.size()
        name = re.sub(r"[^0-9A-Za-z_.-]+", "_", screen.name() or "screen")
        return f"{name}-{size.width()}x{size.height()}"

    def _screen(self):
        return self.screen() or QGuiApplication.primaryScreen()

    def _restore_window_state(self) -> None:
        """The geometry and panes this window had when last closed on this screen; at the first start on a screen,
        FIRST_SIZE of its available area, centred. Never larger than the screen's available area."""
        s = settings()
        screen = self._screen()
        key = self.screen_key(screen)
        geometry = s.value(f"window/{key}/geometry")
        state = s.value(f"window/{key}/state")
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            self.keep_on_screen(screen)  # e.g. the same screen name at a larger scaling
        else:
            self.fit_to_screen(screen)
        self._state_restored = isinstance(state, QByteArray) and self.restoreState(state)

    start_maximized = False  # set by fit_to_screen on a small screen: show_first() maximizes

    def fit_to_screen(self, screen=None) -> None:
        """First start on a screen: FIRST_SIZE of its available area, centred; maximized on a small screen."""
        screen = screen or self._screen()
        if screen is None:
            return
        area = screen.availableGeometry()
        self.start_maximized = area.width() < SMALL_SCREEN[0] or area.height() < SMALL_SCREEN[1]
        share = 1.0 if self.start_maximized else FIRST_SIZE
        width, height = int(area.width() * share), int(area.height() * share)
        self.resize(width, height)
        self.move(area.x() + (area.width() - width) // 2, area.y() + max(0, (area.height() - height) // 3))

    def show_first(self) -> None:
        """Show the window as it starts: maximized at the first start on a small screen, else as sized."""
        if self.start_maximized:
            self.showMaximized()
        else:
            self.show()

    def keep_on_screen(self, screen=None) -> None:
        """No larger than the available area (less the window frame), and inside it."""
        screen = screen or self._screen()
        if screen is None or self.isMaximized() or self.isFullScreen():
            return
        area = screen.availableGeometry()
        frame = self.frameGeometry().size() - self.geometry().size() if self.isVisible() else None
        extra_w, extra_h = (frame.width(), frame.height()) if frame is not None else (0, 0)
        width = min(self.width(), area.width() - extra_w)
        height = min(self.height(), area.height() - extra_h)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        x = min(max(self.x(), area.x()), area.right() - width - extra_w + 1)
        y = min(max(self.y(), area.y()), area.bottom() - height - extra_h + 1)
        if (x, y) != (self.x(), self.y()):
            self.move(max(area.x(), x), max(area.y(), y))

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
        tree = max(180 if width < SMALL_SCREEN[0] else 220, min(320, int(width * 0.2)))
        self.mainSplitter.setSizes([tree, max(400, width - tree)])
        if self.document is not None:  # else finish_setup() does it (Qt's enums come with the core)
            self._fit_dock()
        QTimer.singleShot(0, self.projectTree, self._tree_from_top)

    def _fit_dock(self) -> None:
        """The problems panel: about a fifth of the window, between two and six problem rows."""
        if not self._state_restored:
            height = self.height()
            self.resizeDocks([self.problemsDock], [max(100, min(200, int(height * 0.18)))], Qt.Orientation.Vertical)

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
        key = self.screen_key(self._screen())
        s.setValue(f"window/{key}/geometry", self.saveGeometry())
        s.setValue(f"window/{key}/state", self.saveState())

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

    # ---- forms list --------------------------------------------------------------------------------
    def _tree_activated(self, index) -> None:
        form_id = index.data(FormIdRole)
        if form_id:
            self._tree_timer.stop()
            self.select_form(form_id, from_tree=True)

    def _tree_current_changed(self, current, _previous) -> None:
        """Arrow keys in the forms list switch the form shown (once the keys rest: holding ↓ does not build every
        form's editor on the way)."""
        form_id = current.data(FormIdRole) if current.isValid() else None
        if form_id and (self.editor is None or self.editor.form_id != form_id):
            self._tree_timer.start()

    def _show_tree_current(self) -> None:
        form_id = self.projectTree.currentIndex().data(FormIdRole)
        if form_id and self.document is not None and self.document.form(form_id) is not None:
            self.select_form(form_id, from_tree=True)

    def _forms_menu_requested(self, pos) -> None:
        index = self.projectTree.indexAt(pos)
        if not index.isValid():
            index = self.projectTree.currentIndex()
        menu = self.forms_menu(index)
        if menu is not None:
            menu.exec(self.projectTree.viewport().mapToGlobal(pos))
            menu.deleteLater()

    def forms_menu(self, index) -> QMenu | None:
        """The forms list's right-click menu (also Shift+F10 / the menu key) for the form at ``index``: it is shown
        first, then 打开, 复制表单, 由申报表生成自评表 (declarations), 删除, 导出此表 (PDF / Excel)."""
        form_id = index.data(FormIdRole) if index.isValid() else None
        form = self.document.form(form_id) if form_id else None
        if form is None:
            return None
        menu = QMenu(self.projectTree)
        menu.setObjectName("formsMenu")

        def on_form(action) -> None:  # every item acts on the form right-clicked: shown first
            self.select_form(form_id)
            action()

        menu.addAction("打开(&O)", lambda: self.select_form(form_id)).setObjectName("formsMenuOpen")
        menu.addAction("复制表单(&C)", lambda: on_form(self.duplicate_form)).setObjectName("formsMenuDuplicate")
        derive = menu.addAction("由申报表生成自评表(&G)", lambda: on_form(self.evaluation_from_declaration))
        derive.setObjectName("formsMenuEvaluation")
        derive.setEnabled(isinstance(form, Declaration))
        menu.addSeparator()
        menu.addAction("删除(&D)", lambda: on_form(self.delete_form)).setObjectName("formsMenuDelete")
        menu.addSeparator()
        export = menu.addMenu("导出此表(&E)")
        export.setObjectName("formsMenuExport")
        export.addAction("PDF(&P)…", lambda: on_form(lambda: self.export_dialog("pdf", only_current=True)))
        export.addAction("Excel(&X)…", lambda: on_form(lambda: self.export_dialog("xlsx", only_current=True)))
        return menu

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
            if self.start_page is not None and not self.document.project.forms:
                self.start_page.refresh()
                self.editorStack.setCurrentWidget(self.start_page)
                self.start_page.buttons["declaration"].setFocus()  # the keyboard starts on the start page
            else:
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
        box = self.question_box(title, text, buttons, default, labels, details)
        box.exec()
        answer = box.standardButton(box.clickedButton()) if box.clickedButton() else QMessageBox.StandardButton.Cancel
        box.deleteLater()
        return answer

    def question_box(self, title: str, text: str, buttons, default, labels: dict | None = None,
                     details: str = "") -> QMessageBox:
        """The box ``ask`` shows: every button with an access key (保存(&S), 丢弃(&D), 取消(&C)…) — Qt's own
        Chinese buttons have none — unless ``labels`` names it otherwise."""
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
        from .file_dialogs import open_file_name

        path = open_file_name(self, "打开项目", self._last_dir(), FILE_FILTER)
        if path:
            self.open_path(Path(path), check_unsaved=False)

    def open_sample(self) -> bool:
        """打开示例（副本）: the bundled sample project as an unsaved copy (start page)."""
        from ..paths import sample_project

        return self.open_path(sample_project())

    def open_path(self, path: Path, check_unsaved: bool = True) -> bool:
        """Open a project for writing: this window holds the file's lock while it shows it. When another window
        or computer holds it, the user chooses 只读打开 (saving goes to 另存为), 打开副本 (an unsaved copy with
        no file) or 取消."""
        self.commit_pending_edit()
        if check_unsaved and not self.maybe_save():
            return False
        path = Path(path)
        if _is_bundled_sample(path):
            return self._open_sample_copy(path)
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

    def _open_sample_copy(self, path: Path) -> bool:
        """The program's own sample opens as an unsaved copy: no file, no lock, not in 最近的项目 — the program
        folder is never written to (saving asks for a file name, in the user's documents folder)."""
        try:
            project, _stamp = load_project_stamped(path)
        except ProjectFileError as exc:
            self.inform("无法打开示例项目", str(exc), error=True)
            return False
        document = ProjectDocument(project, None)
        document.sample_copy = True
        self._discard_recovery()
        self.set_document(document)
        self.statusbar.showMessage("示例项目已作为副本打开：可以随意修改；保存时请选择文件名", 8000)
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
                f"无法在“{path.parent}”中建立锁文件（{_os_reason(exc)}）：他人同时打开此文件时将无法提醒", 10000)
            return "write", None
        return "write", lock

    def choose_save_path(self, start: str) -> str:
        """The 另存为 file dialog; in non-interactive mode (tests) ``answers["save_as_path"]`` (none: cancelled)."""
        if not self.interactive:
            self.answers.setdefault("_asked", []).append(("save_as_path", start))
            value = self.answers.get("save_as_path")
            return str(value) if value else ""
        from .file_dialogs import save_file_name

        return save_file_name(self, "项目另存为", start, FILE_FILTER)

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
        elif doc.copy_of is not None and not _in_program_folder(doc.copy_of):
            start = doc.copy_of.with_name(doc.copy_of.stem + "（副本）.fcast")
        else:
            name = "示例项目.fcast" if getattr(doc, "sample_copy", False) else "绩效表单.fcast"
            start = Path(self._last_dir()) / name
        path = self.choose_save_path(str(start))
        if not path:
            return False
        if not path.endswith(".fcast"):
            path += ".fcast"
        if _in_program_folder(Path(path)):
            self.inform("不能保存到程序文件夹",
                        f"“{path}”在程序自己的文件夹中（示例项目所在处），程序更新时会被替换。请保存到其他文件夹，"
                        "例如“文档”。", error=True)
            return False
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
            from .messages import os_error_text

            reason = str(exc) if isinstance(exc, ProjectFileError) else os_error_text(exc, path)
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
        """Where file dialogs start: the folder of the last project used, else the user's documents folder."""
        from .file_dialogs import documents_dir

        for recent in self.recent_files():
            folder = Path(recent).parent
            if folder.is_dir() and not _in_program_folder(folder):
                return str(folder)
        return documents_dir()

    def recent_files(self) -> list[str]:
        value = settings().value("recentFiles", [])
        if isinstance(value, str):
            value = [value]
        return [v for v in (value or []) if v]

    def _add_recent(self, path: Path) -> None:
        if _in_program_folder(path):
            return
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
        from .file_dialogs import open_file_names

        paths = open_file_names(self, "导入公开表格", self._last_dir(), IMPORT_FILTER)
        if paths:
            self.import_paths([Path(p) for p in paths])

    def import_paths(self, paths: list[Path]) -> int:
        """Import the files (one undo step) and show what happened, line by line (import_dialog.py). Returns the
        number of forms added."""
        from ..cli import form_identity
        from ..exchange.importer import import_file
        from ..exchange.report import ImportFailed
        from .import_dialog import ImportLine, ImportResultDialog, note_form, summary_text
        from .messages import error_text

        self.commit_pending_edit()
        kinds = {"declaration": "目标申报表", "self_evaluation": "绩效自评表", "department_overall": "部门整体目标表"}
        existing = {form_identity(f): f.id for f in self.document.project.forms}
        new, lines, failed, skipped = [], [], 0, 0
        for path in paths:
            try:
                result = import_file(path)
            except ImportFailed as exc:
                what = str(exc).split("：", 1)[1] if "：" in str(exc) else str(exc)
                lines.append(ImportLine(str(path), exc.line, "无法导入", what))
                failed += 1
                continue
            except Exception as exc:  # noqa: BLE001 - an unreadable file is reported, it never ends the import
                if not isinstance(exc, OSError):
                    from .safety import report_later

                    report_later()
                lines.append(ImportLine(str(path), None, "无法导入", error_text(exc)))
                failed += 1
                continue
            starts: dict[str, list[tuple[int, str]]] = {}
            file_lines = []
            for form in result.forms:
                name, _, line = (form.source or "").rpartition(":")
                number = int(line) if line.isdigit() else None
                identity = form_identity(form)
                what = f"{kinds.get(form.kind, '表单')}“{form_title(form)}”"
                if identity in existing:
                    skipped += 1
                    file_lines.append(ImportLine(str(path), number, "未导入", f"{what}已在项目中，未重复导入",
                                                 existing[identity]))
                    shown = existing[identity]
                else:
                    existing[identity] = form.id
                    new.append(form)
                    file_lines.append(ImportLine(str(path), number, "已导入", what, form.id))
                    shown = form.id
                if number is not None:
                    starts.setdefault(name or Path(path).name, []).append((number, shown))
            labels = {"error": "无法读取", "warning": "注意", "info": "说明"}
            for note in result.notes:
                file_lines.append(ImportLine(note.path, note.line, labels.get(note.level, "说明"), note.message,
                                             note_form(starts, note.path, note.line)))
            file_lines.sort(key=lambda ln: (ln.line is None, ln.line or 0))
            lines.extend(file_lines)
        if new:
            self.document.undo_stack.push(
                commands.FormListCommand(self.document, self.document.project.forms + new, f"导入 {len(new)} 张表单",
                                         select=new[0].id, previous=self.current_form_id()))
            if not self.document.project.unit:
                from ..cli import _complete_project_header

                _complete_project_header(self.document.project)
        lines.sort(key=lambda ln: ln.outcome != "无法导入")  # files that could not be imported first (stable)
        summary = summary_text(len(new), skipped, failed)
        self.statusbar.showMessage(summary, 8000)
        dialog = ImportResultDialog(summary, lines, self)
        dialog.formRequested.connect(self.select_form)
        if self.import_result is not None:
            self.import_result.close()
            self.import_result.deleteLater()
        self.import_result = dialog
        if not self.interactive:
            self.answers.setdefault("_messages", []).append(("导入结果", summary, dialog.text()))
        else:
            dialog.show()  # not modal: the user can go from line to line and look at each form
            dialog.raise_()
        return len(new)

    import_result = None  # the last ImportResultDialog

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
        """由申报表生成自评表: 绩效自评年度 from the declaration (its 年度, else its 时效 targets). When the project
        already has the self-evaluation of that project and year, offer to update it — 三级指标 and 指标值 refreshed,
        the user's 实际完成值, 分值, 得分 and 偏差原因 kept — instead of making a duplicate. One undo step."""
        from ..model.evaluation_update import declaration_year, existing_evaluation

        self.commit_pending_edit()
        form = self.document.form(self.current_form_id() or "")
        if not isinstance(form, Declaration):
            self.inform("由申报表生成自评表", "请先在左侧选择一张二级项目支出绩效目标申报表。")
            return
        year = declaration_year(form)
        existing = existing_evaluation(self.document.project, form, year)
        if existing is not None:
            self._update_evaluation(form, existing, year)
            return
        fix = self._unit_trap_fix(form)
        if fix is False:
            return
        # the corrected 年初预算数 goes in with the new form: one undo step
        evaluation = evaluation_from_declaration(form, evaluation_year=year, initial_budget=fix)
        text = "由申报表生成自评表" + ("（年初预算数已改正单位）" if fix is not None else "")
        self._push_forms(self.document.project.forms + [evaluation], text, evaluation.id)
        if fix is not None:
            self.statusbar.showMessage(
                f"已生成自评表，年初预算数按 {fix:,.2f} 元填写；申报表的本年度项目金额仍需改正", 10000)
        elif year is None:
            self.statusbar.showMessage("已生成自评表；申报表的时效指标没有写年份，请填写绩效自评年度", 10000)
        else:
            self.statusbar.showMessage(f"已生成 {year} 年度的绩效自评表", 6000)
        if self.editor is not None and hasattr(self.editor, "funds_view"):  # show the copied amount
            view = self.editor.funds_view
            col = next(i for i, c in enumerate(view.model().columns()) if c.key == "initial_budget")
            view.setCurrentIndex(view.model().index(0, col))

    def _update_evaluation(self, declaration, evaluation, year) -> None:
        from ..model.editing import get_text
        from ..model.evaluation_update import update_evaluation

        Button = QMessageBox.StandardButton
        year_text = f"{year} 年度" if year is not None else "未填年度"
        answer = self.ask(
            "evaluation_update", "由申报表生成自评表",
            f"项目“{form_title(declaration)}”已有{year_text}的绩效自评表。\n\n"
            "按申报表更新这张自评表，而不是再生成一张重复的？",
            Button.Yes | Button.Cancel, Button.Yes,
            labels={Button.Yes: "更新自评表(&U)", Button.Cancel: "取消(&C)"},
            details="更新：三级指标和年度指标值按申报表刷新，申报表新增的指标行加入；已填写的实际完成值、分值、得分、"
                    "偏差原因全部保留；表头中空着的项目（如预期目标、年初预算数）按申报表补填，已填写的不改。"
                    "可按 Ctrl+Z 撤销。")
        if answer != Button.Yes:
            return
        fix = None
        funds = evaluation.funds
        if funds.total.initial_budget is None or funds.appropriation.initial_budget is None:
            fix = self._unit_trap_fix(declaration)  # the amount is about to be copied
            if fix is False:
                return
        update = update_evaluation(evaluation, declaration, year, initial_budget=fix)
        new = update.form
        paths = [("project_code",), ("project_name",), ("year",), ("implementing_unit",), ("budget_unit",),
                 ("expected_goal",), ("declaration_id",), ("funds", "total", "initial_budget"),
                 ("funds", "appropriation", "initial_budget")]
        changes = [(path, get_text(new, path, grouping=False)) for path in paths
                   if get_text(new, path) != get_text(evaluation, path)]
        stack = self.document.undo_stack
        stack.beginMacro("由申报表更新自评表")
        try:
            stack.push(commands.ReplaceRowsCommand(self.document, evaluation.id, "indicators", new.indicators,
                                                   "由申报表更新指标"))
            if changes:
                stack.push(commands.SetCellsCommand(self.document, evaluation.id, changes, "由申报表补填表头"))
        finally:
            stack.endMacro()
        self.select_form(evaluation.id)
        message = "已按申报表更新自评表：" + update.summary()
        if update.notes:
            message += "；" + "；".join(update.notes)
        self.statusbar.showMessage(message + "（可按 Ctrl+Z 撤销）", 15000)

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

    def new_year(self) -> None:
        """文件 → 新年度申报…: the dialog (rollover_dialog.py); OK adds the drafts as one undo step. In
        non-interactive mode (tests) ``answers["rollover"]``, a function given the dialog, sets it up and returns
        whether to accept (absent: accept as proposed)."""
        from .rollover_dialog import RolloverDialog

        self.commit_pending_edit()
        project = self.document.project
        if not any(f.kind in ("declaration", "department_overall") for f in project.forms):
            self.inform("新年度申报", "项目中没有申报表或部门整体表，无法生成新年度申报。")
            return
        dialog = RolloverDialog(project, self)
        try:
            if self.interactive:
                accepted = dialog.exec() == dialog.DialogCode.Accepted
            else:
                hook = self.answers.get("rollover")
                accepted = bool(hook(dialog)) if callable(hook) else True
            made = dialog.result_rollover() if accepted else None
            if accepted and made is None and dialog.error:
                self.inform("新年度申报", dialog.error, error=True)
        finally:
            dialog.deleteLater()
        if not made or not made.drafts:
            return
        self._push_forms(project.forms + list(made.drafts), f"新年度申报（{made.year} 年，{len(made.drafts)} 张）",
                         made.drafts[0].id)
        reviews = f"，{len(made.reviews)} 处金额待核对" if made.reviews else ""
        self.statusbar.showMessage(f"已生成 {made.year} 年度的 {len(made.drafts)} 张申报草稿{reviews}（可按 Ctrl+Z 撤销）",
                                   10000)

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
        self.document.undo_stack.push(commands.ExplanationsCommand(
            self.document, form_id, explanations, "修改说明" if old else "添加说明"))
        self.statusbar.showMessage("已保存说明：这条警告不再计入警告（可按 Ctrl+Z 撤销）", 6000)
        return True

    def unexplain_problem(self, form_id: str, problem) -> bool:
        """清除说明: the warning counts again; one undo step."""
        from ..rules.explanations import unexplain

        self.commit_pending_edit()
        form = self.document.form(form_id)
        if form is None:
            return False
        explanations = unexplain(self.document.project, form, problem)
        if len(explanations) == len(self.document.project.explanations):
            return False
        self.document.undo_stack.push(commands.ExplanationsCommand(self.document, form_id, explanations, "清除说明"))
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


def _os_reason(exc: OSError) -> str:
    from .messages import os_reason

    return os_reason(exc)


def _in_program_folder(path: Path) -> bool:
    """Inside the program's own resources (the bundled sample's folder): nothing of the user's goes there."""
    from ..paths import resources_dir

    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(resources_dir()))
    except ValueError:
        return False
    return True
