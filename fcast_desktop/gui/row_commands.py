"""Commands on the rows of the indicator table (插入行, 删除行, 设为不适用): each one undo step."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, get_args

from .window_base import WindowBase

if TYPE_CHECKING:
    from pydantic import BaseModel

    from .table_models import GridRow


def _is_not_applicable_row(row: BaseModel) -> bool:
    """A row that already says 不适用 (or is empty): nothing the user typed is lost by replacing it.
    (Domain knowledge: it belongs beside the rows in ``model``, where the importers could use it too.)"""
    texts = [v for k, v in row.model_dump(exclude={"level2", "raw"}).items() if isinstance(v, str) and v.strip()]
    return all(t.strip() in ("不适用", "无") for t in texts)


class RowCommandsMixin(WindowBase):
    def _current_grid_row(self) -> GridRow | None:
        if self.editor is None:
            return None
        index = self.editor.grid.currentIndex()
        if not index.isValid():
            return None
        return self.editor.indicator_model.grid_row(index.row())

    def insert_row(self) -> None:
        from . import commands

        self.commit_pending_edit()
        g = self._current_grid_row()
        editor = self.editor
        if g is None or editor is None:
            self.statusbar.showMessage("请先在指标表中选择一个单元格", 4000)
            return
        form = editor.form
        if g.index is None:
            from .table_models import _insert_position

            position = _insert_position(form, g.level2)
        else:
            position = g.index + 1
        self.document.undo_stack.push(commands.insert_row(self.document, form, g.level2, position))
        model = editor.indicator_model
        row = model.grid_row_of_indicator(position)
        editor.grid.setCurrentIndex(model.index(row, 2))

    def delete_rows(self) -> None:
        from . import commands

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
        from ..model.money import format_number
        from . import commands

        self.commit_pending_edit()
        g = self._current_grid_row()
        editor = self.editor
        if g is None or editor is None:
            self.statusbar.showMessage("请先在指标表中选择要设为不适用的二级指标", 4000)
            return
        form = editor.form
        filled = [r for r in form.indicators if r.level2 == g.level2 and not _is_not_applicable_row(r)]
        if filled:
            from ..model.skeleton import LEVEL2_INFO

            points = sum((getattr(r, "weight", None) or Decimal(0) for r in filled), Decimal(0))
            extra = f"（分值合计 {format_number(points)} 分）" if points else ""
            from PySide6.QtWidgets import QMessageBox

            button = QMessageBox.StandardButton
            answer = self.ask(
                "not_applicable", "设为不适用",
                f"二级指标“{LEVEL2_INFO[g.level2].long}”下已填写的 {len(filled)} 行指标{extra}将被删除，"
                f"改为一行“不适用”。\n\n是否继续？（可按 Ctrl+Z 撤销）",
                button.Yes | button.No, button.Yes)
            if answer != button.Yes:
                return
        row_type = get_args(type(form).model_fields["indicators"].annotation)[0]
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
            self.document, editor.form_id, "indicators", rows, "设为不适用"))

