"""Undo commands: every change to a project is one of these, pushed on the document's QUndoStack.

``QUndoStack.push()`` calls ``redo()``, so callers never change the model themselves. A form's values and rows
change through one command, :class:`EditCommand` (``model.editing.apply`` and the undo it returns), built by
``ProjectDocument.edit``; the project's form list, header and explanations have commands of their own.
``redo()``/``undo()`` are called by Qt: they never raise (``_safe``); a value the model cannot take is kept as
typed, as an unreadable raw text the rules flag, and the error goes to the app's error handler afterwards.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, cast

from PySide6.QtGui import QUndoCommand

from ..model import AnyForm, editing
from ..model.editing import Change, ReplaceRows, Restore, SetText, get_text, restore, set_text, snapshot
from .safety import report_later

if TYPE_CHECKING:
    from ..model import Declaration

MERGE_TYPING = 1


def safe_set_text(form: AnyForm, path: tuple, text: str) -> None:
    """``set_text`` that never raises: should the model refuse the text, it is kept verbatim as the field's raw
    (unreadable) text — flagged by the rules, never lost — and the error is reported once the command returned."""
    try:
        set_text(form, path, text)
    except Exception:  # noqa: BLE001
        report_later()
        text = "" if text is None else str(text)
        try:
            restore(form, path, (None, text))
        except Exception:  # noqa: BLE001 - the field takes no empty value: it keeps its value, shows the text
            try:
                restore(form, path, (snapshot(form, path)[0], text))
            except Exception:  # noqa: BLE001
                report_later()


def safe_get_text(form: AnyForm, path: tuple, grouping: bool = True) -> str | None:
    """``get_text`` for comparisons before pushing a command; None when the stored value cannot be shown."""
    try:
        return get_text(form, path, grouping=grouping)
    except Exception:  # noqa: BLE001
        report_later()
        return None


def _safe(method):
    """An undo command's redo/undo as Qt calls it: counted as a change in progress (the window commits no open
    editor meanwhile), and an exception is reported after the call instead of reaching PySide6; the views are then
    refreshed from the model as it is, so what the user sees is what is stored."""

    @functools.wraps(method)
    def inner(self):
        document = self.document
        document.applying += 1
        try:
            method(self)
        except Exception:  # noqa: BLE001
            report_later()
            document.refresh_after_error()
        finally:
            document.applying -= 1

    return inner


def _short(text: str, n: int = 12) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= n else text[: n - 1] + "…"


class FormCommand(QUndoCommand):
    def __init__(self, document, form_id: str, text: str):
        super().__init__(text)
        self.document = document
        self.form_id = form_id

    @property
    def form(self) -> AnyForm:
        return self.document.form(self.form_id)


class EditCommand(FormCommand):
    """The one undo command of a form's values and rows: ``changes`` (``model.editing``: SetText, Restore,
    ReplaceRows) made through ``editing.apply``, which returns the changes that undo them. A command that changed no
    value (``12000`` typed over ``12,000.00``) makes no undo step. ``merge``: consecutive typing into the same field
    is one step, until the field's editing finishes (``sealed``)."""

    def __init__(self, document, form_id: str, changes: Sequence[Change], text: str, merge: bool = False):
        super().__init__(document, form_id, text)
        self.changes: list[Change] = list(changes)
        self.undo_changes: list[Change] = []
        self._merge = merge
        self.sealed = False  # editing of the field finished: the next typing there is a new undo step

    @property
    def path(self) -> tuple | None:
        """The field or cell typed into, for a command of one typed value; else None."""
        if len(self.changes) == 1 and isinstance(self.changes[0], SetText):
            return self.changes[0].path
        return None

    def id(self) -> int:
        return MERGE_TYPING if self._merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        try:
            return self._merge_with(other)
        except Exception:  # noqa: BLE001 - never into Qt; not merged, the new command stays a step of its own
            report_later()
            return False

    def _merge_with(self, other: QUndoCommand) -> bool:
        if self.sealed or not (isinstance(other, EditCommand) and other._merge and other.form_id == self.form_id
                               and self.path is not None and other.path == self.path):
            return False
        self.changes = other.changes  # what this step makes now; undoing it still puts back the state before it
        self.setText(other.text())
        if self._nothing_changed():
            self.setObsolete(True)
        return True

    def _nothing_changed(self) -> bool:
        """Every value is as it was before the command (rows replaced always count as a change)."""
        form = self.form
        return all(isinstance(c, Restore) and snapshot(form, c.path) == c.state for c in self.undo_changes)

    def _notify(self, changes: Sequence[Change]) -> None:
        self.document.notify_form_changed(self.form_id, rows_changed=editing.replaces_rows(changes),
                                          paths=editing.changed_paths(changes))

    @_safe
    def redo(self) -> None:
        form = self.form
        undo: list[Change] = []
        try:
            for change in self.changes:  # one at a time: should one fail, undo still puts back those made
                if isinstance(change, SetText):  # editing.apply's own step, with the text kept should it fail
                    undo.insert(0, Restore(change.path, snapshot(form, change.path)))
                    safe_set_text(form, change.path, change.text)
                else:
                    undo[:0] = editing.apply(form, [change])
        finally:
            self.undo_changes = undo
            self._notify(self.changes)
        if self._nothing_changed():
            self.setObsolete(True)  # "12000" typed over "12,000.00": nothing changed, no undo step

    @_safe
    def undo(self) -> None:
        try:
            editing.apply(self.form, self.undo_changes)
        finally:
            self._notify(self.undo_changes)


class SetTextCommand(EditCommand):
    """One value typed into one field or cell (the name ``document.edit`` still builds)."""

    def __init__(self, document, form_id: str, path: tuple, text: str, label: str = "", merge: bool = False):
        super().__init__(document, form_id, [SetText(path, text)], typing_text(label, text), merge=merge)


class SetCellsCommand(EditCommand):
    """Many cells at once (paste, clear, fill): one undo step; cells already showing their new text are left out
    (the name ``document.edit`` still builds)."""

    def __init__(self, document, form_id: str, changes: list[tuple[tuple, str]], text: str = "粘贴"):
        form = document.form(form_id)
        super().__init__(document, form_id, [SetText(path, new) for path, new in changes
                                             if safe_get_text(form, path) != new], text)


class ReplaceRowsCommand(EditCommand):
    """Replace the whole row list of a table (``indicators`` or ``tasks``): insert, delete, 不适用 (the name
    ``document.edit`` still builds)."""

    def __init__(self, document, form_id: str, table: str, new_rows: list, text: str):
        super().__init__(document, form_id, [ReplaceRows(table, [r.model_copy(deep=True) for r in new_rows])], text)


def typing_text(label: str, text: str) -> str:
    """The undo step of a value typed: 修改项目名称“……”."""
    return f"修改{label or ''}“{_short(text)}”"


AMOUNT_PATHS = (("total_amount",), ("annual_amount",))


class ChangeUnitCommand(FormCommand):
    """金额单位 of a declaration changes. ``keep_digits``: the digits shown stay and are read in the new unit (the
    stored amounts are divided or multiplied by 10,000); otherwise the amounts stay and only their display
    changes. One undo step either way."""

    def __init__(self, document, form_id: str, unit: str, keep_digits: bool):
        super().__init__(document, form_id, f"金额单位改为{unit}" + ("（保留所填数字）" if keep_digits else ""))
        form = self.declaration
        self.unit = cast("Literal['万元', '元']", unit)  # the form editor offers only these
        self.keep_digits = keep_digits
        self.old_unit = form.amount_unit
        texts = [(path, safe_get_text(form, path, grouping=False)) for path in AMOUNT_PATHS]
        self.texts = [(path, text) for path, text in texts if text is not None]  # an amount it cannot show stays
        self.old = [(path, snapshot(form, path)) for path in AMOUNT_PATHS]

    @property
    def declaration(self) -> Declaration:
        return cast("Declaration", self.form)  # 金额单位 is a declaration's

    @_safe
    def redo(self) -> None:
        form = self.declaration
        form.amount_unit = self.unit
        if self.keep_digits:
            for path, text in self.texts:
                safe_set_text(form, path, text)  # the same digits, now read in the new unit
        self.document.notify_form_changed(self.form_id, paths=list(AMOUNT_PATHS))

    @_safe
    def undo(self) -> None:
        form = self.declaration
        form.amount_unit = self.old_unit
        for path, state in self.old:
            restore(form, path, state)
        self.document.notify_form_changed(self.form_id, paths=list(AMOUNT_PATHS))


class FormListCommand(QUndoCommand):
    """Add, remove or replace forms of the project.

    ``select``: the form to show after the change (a new form, or the neighbour of a deleted one); ``previous``:
    the form shown before it. Undo shows a form the change had removed (undoing 删除表单 shows the restored
    form), else ``previous``. The document's ``selectRequested`` carries the wish to the window."""

    def __init__(self, document, new_forms: list, text: str, select: str | None = None, previous: str | None = None):
        super().__init__(text)
        self.document = document
        self.old_forms = list(document.project.forms)
        self.new_forms = list(new_forms)
        self.select = select
        new_ids = {f.id for f in self.new_forms}
        removed = [f.id for f in self.old_forms if f.id not in new_ids]
        self.undo_select = removed[0] if removed else previous

    def _set(self, forms: list, select: str | None) -> None:
        self.document.project.forms = list(forms)
        self.document.notify_forms_changed()
        if select and self.document.form(select) is not None:
            self.document.selectRequested.emit(select)

    @_safe
    def redo(self) -> None:
        self._set(self.new_forms, self.select)

    @_safe
    def undo(self) -> None:
        self._set(self.old_forms, self.undo_select)


class ExplanationsCommand(QUndoCommand):
    """出错说明 added, changed or removed (``project.explanations`` replaced by the list the rules made): one undo
    step; the findings of ``form_id`` are computed again, so the warning shows as explained (or open) at once."""

    def __init__(self, document, form_id: str, explanations: list, text: str):
        super().__init__(text)
        self.document = document
        self.form_id = form_id
        self.old = list(document.project.explanations)
        self.new = list(explanations)

    def _set(self, explanations: list) -> None:
        self.document.project.explanations = list(explanations)
        if self.document.form(self.form_id) is not None:
            self.document.notify_form_changed(self.form_id)
        else:
            self.document.notify_forms_changed()

    @_safe
    def redo(self) -> None:
        self._set(self.new)

    @_safe
    def undo(self) -> None:
        self._set(self.old)


class MergeCommand(FormListCommand):
    """Imported forms added, and the project header fields they complete (单位, 年度, profile): one undo step
    (``exchange.merge.merge_forms``); undo puts the header back as it was. A changed profile changes what the
    rules say about every form: they are all checked again."""

    def __init__(self, document, merge, text: str, select: str | None = None, previous: str | None = None):
        super().__init__(document, merge.forms, text, select=select, previous=previous)
        self.header = dict(merge.header)
        self.header_before = {key: getattr(document.project, key) for key in self.header}

    def _apply(self, forms: list, header: dict, select: str | None) -> None:
        from ..exchange.merge import set_header

        project = self.document.project
        profile = project.profile
        set_header(project, header)
        self._set(forms, select)
        if project.profile != profile:
            self.document.check_all()  # every form, with the profile's weights and rules

    @_safe
    def redo(self) -> None:
        self._apply(self.new_forms, self.header, self.select)

    @_safe
    def undo(self) -> None:
        self._apply(self.old_forms, self.header_before, self.undo_select)
