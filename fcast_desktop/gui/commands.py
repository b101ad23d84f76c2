"""Undo commands: every change to a project is one of these, pushed on the document's QUndoStack.

``QUndoStack.push()`` calls ``redo()``, so callers never change the model themselves. A form's values and rows
change through one command, :class:`EditCommand` (``model.editing.apply`` and the undo it returns), built by
``ProjectDocument.edit``; the project's form list, header and explanations have commands of their own.
``redo()``/``undo()`` are called by Qt: they never raise (``_safe``); a value the model cannot take is kept as
typed, as an unreadable raw text the rules flag (``editing.apply``'s ``on_error``), and the error goes to the app's
error handler afterwards. No other command writes a form's values (tests/test_edit_door.py checks it).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from PySide6.QtGui import QUndoCommand

from ..model import AnyForm, editing
from ..model.editing import Change, Restore, SetText, get_text, snapshot
from ..model.fields import exists
from .safety import report_later

MERGE_TYPING = 1


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
        self.written = 0  # values the last redo wrote (cells already showing their new text are left out)
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
        written = 0
        try:
            for change in self.changes:  # one at a time: should one fail, undo still puts back those made
                if isinstance(change, SetText):
                    if exists(form, change.path) and safe_get_text(form, change.path) == change.text:
                        continue  # a cell already showing its new text is left as it is (its review mark too)
                    written += 1
                undo[:0] = editing.apply(form, [change], on_error=_report)
        finally:
            self.undo_changes = undo
            self.written = written
            self._notify(self.changes)
        if self._nothing_changed():
            self.setObsolete(True)  # "12000" typed over "12,000.00": nothing changed, no undo step

    @_safe
    def undo(self) -> None:
        try:
            editing.apply(self.form, self.undo_changes, on_error=_report)
        finally:
            self._notify(self.undo_changes)


def _report(_error: BaseException) -> None:
    report_later()  # called inside the ``except`` of editing.apply: the error is the current one


def typing_text(label: str, text: str) -> str:
    """The undo step of a value typed: 修改项目名称“……”."""
    return f"修改{label or ''}“{_short(text)}”"


AMOUNT_PATHS = (("total_amount",), ("annual_amount",))


def unit_change(form: AnyForm, unit: str, keep_digits: bool) -> tuple[list[Change], str]:
    """金额单位 of a declaration changes: the changes and the undo step's name for ``ProjectDocument.edit``.
    ``keep_digits``: the digits shown stay and are read in the new unit (the stored amounts are divided or
    multiplied by 10,000); otherwise the amounts stay and only their display changes. One undo step either way;
    an amount the form cannot show stays as it is."""
    changes: list[Change] = [SetText(("amount_unit",), unit)]
    if keep_digits:
        texts = [(path, safe_get_text(form, path, grouping=False)) for path in AMOUNT_PATHS]  # in the old unit
        changes += [SetText(path, text) for path, text in texts if text is not None]
    return changes, f"金额单位改为{unit}" + ("（保留所填数字）" if keep_digits else "")


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
