"""The forms list (left pane) and the form shown beside it: choosing, filtering, the right-click menu."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .window_base import WindowBase

if TYPE_CHECKING:
    from PySide6.QtCore import QModelIndex, QPoint, QTimer
    from PySide6.QtWidgets import QMenu

    from .form_editor import FormEditor


def _form_id(index: QModelIndex) -> str | None:
    from .panels import FormIdRole

    return index.data(FormIdRole) if index.isValid() else None


class FormsListMixin(WindowBase):
    _tree_timer: QTimer  # arrow keys in the forms list switch the form, once the keys rest (finish_setup)

    def _tree_activated(self, index: QModelIndex) -> None:
        form_id = _form_id(index)
        if form_id:
            self._tree_timer.stop()
            self.select_form(form_id, from_tree=True)

    def _tree_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        """Arrow keys in the forms list switch the form shown (once the keys rest: holding ↓ does not build every
        form's editor on the way)."""
        form_id = _form_id(current)
        if form_id and (self.editor is None or self.editor.form_id != form_id):
            self._tree_timer.start()

    def _show_tree_current(self) -> None:
        form_id = _form_id(self.projectTree.currentIndex())
        if form_id and self.document is not None and self.document.form(form_id) is not None:
            self.select_form(form_id, from_tree=True)

    def _forms_menu_requested(self, pos: QPoint) -> None:
        index = self.projectTree.indexAt(pos)
        if not index.isValid():
            index = self.projectTree.currentIndex()
        menu = self.forms_menu(index)
        if menu is not None:
            menu.exec(self.projectTree.viewport().mapToGlobal(pos))
            menu.deleteLater()

    def forms_menu(self, index: QModelIndex) -> QMenu | None:
        """The forms list's right-click menu (also Shift+F10 / the menu key) for the form at ``index``: it is shown
        first, then 打开, 复制表单, 由申报表生成自评表 (declarations), 删除, 导出此表 (PDF / Excel)."""
        from ..model import Declaration

        form_id = _form_id(index)
        form = self.document.form(form_id) if form_id else None
        if form_id is None or form is None:
            return None
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self.projectTree)
        menu.setObjectName("formsMenu")

        def on_form(action: Callable[[], object]) -> None:  # every item acts on the form right-clicked: shown first
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
        from ..model import form_code, form_title
        from .panels import FormIdRole

        text = text.strip()
        model = self.tree_model
        if model is None:
            return
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
        if not from_tree and self.tree_model is not None:
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
        from .form_editor import FormEditor

        self.editor = FormEditor(self.document, form_id)
        self.editor.statusMessage.connect(lambda m: self.statusbar.showMessage(m, 5000))
        self.editor.ask = self.ask  # type: ignore[assignment]  # until FormEditor declares it (G2)
        self._set_completions(self.editor)
        self.editorStack.addWidget(self.editor)
        self.editorStack.setCurrentWidget(self.editor)
        if self.problems:
            self.problems.set_current_form(form_id)

    def _set_completions(self, editor: FormEditor) -> None:
        """三级指标 names and 指标解释 used in the other forms of the project, offered while typing."""
        from PySide6.QtCore import QStringListModel

        key = (id(self.document), self.document.modifications)  # the same project as last time: the same words
        if self._completions_key != key:
            self._completions = self._completion_words()
            self._completions_key = key
        for column, words in self._completions.items():
            editor.grid.delegate.completions[column] = QStringListModel(words, editor)

    _completions_key: tuple[int, int] | None = None
    _completions: dict[str, list[str]]

    def _completion_words(self) -> dict[str, list[str]]:
        values: dict[str, set[str]] = {"name": set(), "explanation": set(), "target": set(), "measure_unit": set()}
        for form in self.document.project.forms:
            for r in form.indicators:
                fields = r.__dict__  # not getattr: a column the row type lacks costs pydantic an exception each time
                for key, seen in values.items():
                    v = fields.get(key)
                    if v and v != "不适用":
                        seen.add(v)
        return {column: sorted(words) for column, words in values.items()}

