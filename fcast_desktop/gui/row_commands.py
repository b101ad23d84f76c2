"""Commands on the rows of the indicator table (插入行, 删除行, 设为不适用): each one undo step through the
document's edit door; the rows themselves are made by ``model.completion``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .window_base import WindowBase

if TYPE_CHECKING:
    from .table_models import GridRow


class RowCommandsMixin(WindowBase):
    def _current_grid_row(self) -> GridRow | None:
        if self.editor is None:
            return None
        index = self.editor.grid.currentIndex()
        if not index.isValid():
            return None
        return self.editor.indicator_model.grid_row(index.row())

    def insert_row(self) -> None:
        from ..model.completion import insert_position, inserted_rows
        from ..model.editing import ReplaceRows

        self.commit_pending_edit()
        g = self._current_grid_row()
        editor = self.editor
        if g is None or editor is None:
            self.statusbar.showMessage("请先在指标表中选择一个单元格", 4000)
            return
        form = editor.form
        position = insert_position(form, g.level2) if g.index is None else g.index + 1
        self.document.edit(editor.form_id, [ReplaceRows("indicators", inserted_rows(form, g.level2, position))],
                           "插入指标行")
        model = editor.indicator_model
        row = model.grid_row_of_indicator(position)
        editor.grid.setCurrentIndex(model.index(row, 2))

    def delete_rows(self) -> None:
        from ..model.editing import ReplaceRows

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
        self.document.edit(self.editor.form_id, [ReplaceRows("indicators", rows)], f"删除 {len(doomed)} 行指标")

    def mark_not_applicable(self) -> None:
        from ..layouts import layout_for, level2_name
        from ..model.completion import not_applicable_rows
        from ..model.editing import ReplaceRows
        from ..model.money import format_number

        self.commit_pending_edit()
        g = self._current_grid_row()
        editor = self.editor
        if g is None or editor is None:
            from ..layouts import DECLARATION

            level2 = DECLARATION.column("level2").name
            self.statusbar.showMessage(f"请先在指标表中选择要设为不适用的{level2}", 4000)
            return
        form = editor.form
        rows, filled = not_applicable_rows(form, g.level2)
        if filled:
            from decimal import Decimal  # (here: this module is imported before the first paint)

            points = sum((getattr(r, "weight", None) or Decimal(0) for r in filled), Decimal(0))
            extra = f"（分值合计 {format_number(points)} 分）" if points else ""
            from PySide6.QtWidgets import QMessageBox

            button = QMessageBox.StandardButton
            answer = self.ask(
                "not_applicable", "设为不适用",
                f"{layout_for(form).column('level2').name}“{level2_name(g.level2)}”下已填写的 {len(filled)} 行"
                f"指标{extra}将被删除，改为一行“不适用”。\n\n是否继续？（可按 Ctrl+Z 撤销）",
                button.Yes | button.No, button.Yes)
            if answer != button.Yes:
                return
        self.document.edit(editor.form_id, [ReplaceRows("indicators", rows)], "设为不适用")
