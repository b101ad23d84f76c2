"""The main window's menus, toolbar and shortcuts: each action wired to what it does.

Runs before the first paint: Qt only (no enum of Qt's namespace either: their first use costs 16 ms).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QLineEdit

if TYPE_CHECKING:
    from .main_window import MainWindow


def setup_actions(window: MainWindow) -> None:
    """Shortcuts, signals and the actions made in code (find next/previous, 收起表头)."""
    standard = {
        window.actionNewProject: QKeySequence.StandardKey.New,
        window.actionOpen: QKeySequence.StandardKey.Open,
        window.actionSave: QKeySequence.StandardKey.Save,
        window.actionUndo: QKeySequence.StandardKey.Undo,
        window.actionCopy: QKeySequence.StandardKey.Copy,
        window.actionPaste: QKeySequence.StandardKey.Paste,
        window.actionCut: QKeySequence.StandardKey.Cut,
        window.actionFind: QKeySequence.StandardKey.Find,
    }
    for action, key in standard.items():
        action.setShortcuts(QKeySequence.keyBindings(key))
    window.actionRedo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
    # setShortcuts([...]), not setShortcut(...): the single-key overload makes PySide create all of Qt's
    # namespace enums (16 ms) before the first paint
    window.actionSaveAs.setShortcuts([QKeySequence("Ctrl+Shift+S")])
    window.actionNewProject.triggered.connect(window.new_project)
    window.actionOpen.triggered.connect(window.open_dialog)
    window.actionSave.triggered.connect(window.save)
    window.actionSaveAs.triggered.connect(window.save_as)
    window.actionImport.triggered.connect(window.import_dialog)
    window.actionExportPdf.triggered.connect(lambda: window.export_dialog("pdf"))
    window.actionExportXlsx.triggered.connect(lambda: window.export_dialog("xlsx"))
    window.actionPrint.triggered.connect(window.print_current)
    window.actionPrintPreview.triggered.connect(window.print_preview)
    window.actionRollover.triggered.connect(window.new_year)
    window.actionChecklist.triggered.connect(window.checklist_preview)
    window.actionQuit.triggered.connect(window.close)
    window.actionUndo.triggered.connect(window.undo)
    window.actionRedo.triggered.connect(window.redo)
    window.actionCopy.triggered.connect(lambda: window._grid_call("copy_selection"))
    window.actionPaste.triggered.connect(lambda: window._grid_call("paste"))
    window.actionCut.triggered.connect(lambda: window._grid_call("cut"))
    window.actionInsertRow.triggered.connect(window.insert_row)
    window.actionDeleteRow.triggered.connect(window.delete_rows)
    window.actionNotApplicable.triggered.connect(window.mark_not_applicable)
    window.actionNewDeclaration.triggered.connect(lambda: window.new_form("declaration"))
    window.actionNewSelfEvaluation.triggered.connect(lambda: window.new_form("self_evaluation"))
    window.actionNewDepartment.triggered.connect(lambda: window.new_form("department_overall"))
    window.actionDuplicateForm.triggered.connect(window.duplicate_form)
    window.actionDeleteForm.triggered.connect(window.delete_form)
    window.actionEvaluationFromDeclaration.triggered.connect(window.evaluation_from_declaration)
    window.actionCheckProject.triggered.connect(window.check_project)
    window.actionHelp.triggered.connect(window.show_help)
    window.actionAbout.triggered.connect(window.show_about)
    window.actionFindNext = QAction("查找下一个(&G)", window)
    window.actionFindNext.setShortcuts([QKeySequence("F3")])
    window.actionFindNext.setStatusTip("查找下一处（在查找框中按回车也可以）")
    window.actionFindPrevious = QAction("查找上一个(&V)", window)
    window.actionFindPrevious.setShortcuts([QKeySequence("Shift+F3")])
    window.actionFindPrevious.setStatusTip("查找上一处（在查找框中按 Shift+回车也可以）")
    window.actionFindNext.triggered.connect(lambda: window.find_next(window.findBox.text()))
    window.actionFindPrevious.triggered.connect(lambda: window.find_next(window.findBox.text(), backwards=True))
    window.menuEdit.addAction(window.actionFindNext)
    window.menuEdit.addAction(window.actionFindPrevious)
    window.addAction(window.actionFindNext)
    window.addAction(window.actionFindPrevious)
    window.actionToggleHeader = QAction("收起/展开表头(&H)", window)
    window.actionToggleHeader.setShortcuts([QKeySequence("Ctrl+Shift+H")])
    window.actionToggleHeader.setStatusTip("收起表头，把地方留给指标表；再按一次展开")
    window.actionToggleHeader.triggered.connect(lambda: _toggle_header(window))
    window.menuView.addAction(window.actionToggleHeader)
    toggle = window.problemsDock.toggleViewAction()
    toggle.setText("问题面板(&P)")
    window.menuView.insertAction(window.actionShowProblems, toggle)
    window.menuView.removeAction(window.actionShowProblems)
    window.projectTree.clicked.connect(window._tree_activated)
    window.projectTree.activated.connect(window._tree_activated)
    window.formFilter.textChanged.connect(window._filter_tree)
    window.mainSplitter.setStretchFactor(0, 0)
    window.mainSplitter.setStretchFactor(1, 1)
    window.mainSplitter.setSizes([300, 1100])
    window.menuRecent.aboutToShow.connect(window._fill_recent_menu)
    for action in window.mainToolBar.actions():  # toolbar buttons without the menus' access keys: 打印, not 打印(P)
        if "(&" in action.text():
            action.setIconText(re.sub(r"\(&\w\)", "", action.text()).rstrip("…"))

def setup_find(window: MainWindow) -> None:
    """The find box and its "第 i/n 处" count in the toolbar; the behaviour (find.py) comes with the core."""
    window.findBox = QLineEdit()
    window.findBox.setObjectName("findBox")
    window.findBox.setPlaceholderText("查找（Ctrl+F）")
    window.findBox.setToolTip("查找（Ctrl+F）：回车或 F3 查找下一处，Shift+回车或 Shift+F3 查找上一处，Esc 回到表单")
    window.findBox.setClearButtonEnabled(True)
    window.findBox.setMinimumWidth(120)
    window.findBox.setMaximumWidth(260)
    window.findCount = QLabel()
    window.findCount.setObjectName("findCount")
    window.mainToolBar.addSeparator()
    window.mainToolBar.addWidget(window.findBox)
    window.mainToolBar.addWidget(window.findCount)
    window.actionFind.triggered.connect(lambda: _to_find_box(window))

def show_undo_text(window: MainWindow, text: str) -> None:
    """撤销(&U) and what it undoes."""
    window.actionUndo.setText(f"撤销(&U) {text}" if text else "撤销(&U)")
    window.actionUndo.setIconText("撤销")
    window.actionUndo.setToolTip(f"撤销 {text}（Ctrl+Z）" if text else "撤销（Ctrl+Z）")

def show_redo_text(window: MainWindow, text: str) -> None:
    window.actionRedo.setText(f"重做(&R) {text}" if text else "重做(&R)")
    window.actionRedo.setIconText("重做")
    window.actionRedo.setToolTip(f"重做 {text}（Ctrl+Y）" if text else "重做（Ctrl+Y）")


def _toggle_header(window: MainWindow) -> None:
    if window.editor is not None:
        window.editor.toggle_header()


def _to_find_box(window: MainWindow) -> None:
    window.findBox.setFocus()
    window.findBox.selectAll()
