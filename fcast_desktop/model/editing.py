"""Reading and writing the values of a form by path, as text — the one door through which every editor changes a
form (typing, paste, delete, row operations): :func:`apply`.

A path is a tuple (``model.fields``): ``("project_code",)`` for a header field, ``("indicators", 3, "target")``
for a table cell, ``("funds", "total", "executed")`` for the self-evaluation fund block, ``("tasks", 2, "total")``.
``get_text`` returns what the user sees/typed; ``set_text`` stores it: typed fields (money, years, scores)
keep a value when the text can be read and otherwise keep the text in ``raw`` — nothing the user typed is lost.

``apply(form, changes)`` makes a list of changes — :class:`SetText` (a value typed, pasted or cleared),
:class:`ReplaceRows` (a table's rows inserted, deleted, replaced), :class:`Restore` (a value put back exactly) — and
returns the changes that undo them; the undo commands of the GUI, the importers and the CLI can all write this way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from .fields import Path, container, money_unit, value_kind
from .forms import AnyForm, Record
from .money import SCORE, format_money, format_number, parse_decimal, parse_money


def get_text(form: AnyForm, path: Path, grouping: bool = True) -> str:
    obj, name = container(form, path)
    raw: str | None = obj.raw.get(name)
    if raw is not None:
        return raw
    value = getattr(obj, name)
    if value is None:
        return ""
    kind = value_kind(obj, name)
    if kind == "money":
        return format_money(value, money_unit(form, path), grouping=grouping)
    if kind == "score":
        return format_number(value)
    return str(value)


def get_value(form: AnyForm, path: Path) -> Any:
    obj, name = container(form, path)
    return getattr(obj, name)


def is_invalid(form: AnyForm, path: Path) -> bool:
    obj, name = container(form, path)
    return name in obj.raw


def set_text(form: AnyForm, path: Path, text: str) -> bool:
    """Store ``text`` at ``path`` (parsed for typed fields, kept verbatim in ``raw`` when unreadable or out of range).

    Never raises for any text — the undo commands of the editor call it inside Qt — and returns True when the text
    was stored (as a value or as raw text). Only a choice field (金额单位, 二级指标) refuses a text that is none of its
    choices: it keeps its value and False is returned."""
    obj, name = container(form, path)
    kind = value_kind(obj, name)
    text = "" if text is None else str(text)
    _touched(obj, name)
    if kind == "text":
        try:
            setattr(obj, name, text)
        except ValidationError:
            return False
        return True
    stripped = text.strip()
    value: Any
    if not stripped:
        value = None
    elif kind == "money":
        value = parse_money(stripped, money_unit(form, path))
    elif kind == "score":
        value = parse_decimal(stripped, SCORE)
    else:
        number = parse_decimal(stripped.removesuffix("年"))
        value = int(number) if number is not None and number == number.to_integral_value() else None
    raw = dict(obj.raw)
    if stripped and value is None:
        raw[name] = text
    else:
        raw.pop(name, None)
    obj.raw = raw
    setattr(obj, name, value)
    return True


def _touched(obj: Record, name: str) -> None:
    """The user edited ``name``: its review mark (set by 新年度申报 on amounts kept from last year) goes."""
    review = getattr(obj, "review", None)
    if review and name in review:
        obj.review = [k for k in review if k != name]


def snapshot(form: AnyForm, path: Path) -> tuple[Any, str | None, bool]:
    """The stored state at ``path`` (value, raw text, and whether it is marked for review), for exact undo."""
    obj, name = container(form, path)
    return getattr(obj, name), obj.raw.get(name), name in (getattr(obj, "review", None) or ())


def restore(form: AnyForm, path: Path, state: tuple[Any, ...]) -> None:
    """Put back a :func:`snapshot`; a (value, raw text) pair leaves the review mark as it is."""
    obj, name = container(form, path)
    value, raw_text = state[0], state[1]
    if len(state) > 2 and hasattr(obj, "review"):
        marked = name in obj.review
        if state[2] and not marked:
            obj.review = [*obj.review, name]
        elif not state[2] and marked:
            obj.review = [k for k in obj.review if k != name]
    raw = dict(obj.raw)
    if raw_text is None:
        raw.pop(name, None)
    else:
        raw[name] = raw_text
    obj.raw = raw
    setattr(obj, name, value)


# ---- the edit door --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SetText:
    """A value typed, pasted or cleared (``""``) at ``path``."""

    path: Path
    text: str


@dataclass(frozen=True)
class Restore:
    """The exact state of ``path`` put back (value, raw text, review mark: a :func:`snapshot`), as undo does."""

    path: Path
    state: tuple[Any, ...]


@dataclass(frozen=True)
class ReplaceRows:
    """The whole row list of a table (``indicators`` or ``tasks``): rows inserted, deleted, 不适用. The form keeps
    its list object (views holding it see the new rows); the rows stored are copies of ``rows``."""

    table: str
    rows: tuple[Any, ...]

    def __init__(self, table: str, rows: Iterable[Any]) -> None:
        object.__setattr__(self, "table", table)
        object.__setattr__(self, "rows", tuple(rows))


Change = SetText | Restore | ReplaceRows


def apply(form: AnyForm, changes: Sequence[Change],
          on_error: Callable[[BaseException], None] | None = None) -> list[Change]:
    """Make ``changes`` on ``form`` in order; returns the changes that undo them (``apply(form, undo)`` puts the
    form back exactly: values, raw texts, review marks, rows). Never raises for any text (``set_text``); a choice
    field that refuses a text keeps its value, and its undo change is a no-op.

    ``on_error`` (the GUI's undo commands, which must never raise into Qt): should storing a text fail all the
    same (a bug), the text is kept verbatim as the field's raw (unreadable) text — flagged by the rules, never
    lost — and the error is handed to ``on_error`` (called inside the ``except``) instead of raised."""
    undo: list[Change] = []
    for change in changes:
        if isinstance(change, ReplaceRows):
            rows = getattr(form, change.table)
            undo.append(ReplaceRows(change.table, [r.model_copy(deep=True) for r in rows]))
            rows[:] = [r.model_copy(deep=True) for r in change.rows]
        elif isinstance(change, Restore):
            undo.append(Restore(change.path, snapshot(form, change.path)))
            restore(form, change.path, change.state)
        else:
            undo.append(Restore(change.path, snapshot(form, change.path)))
            if on_error is None:
                set_text(form, change.path, change.text)
            else:
                _set_text_kept(form, change.path, change.text, on_error)
    undo.reverse()
    return undo


def _set_text_kept(form: AnyForm, path: Path, text: str, on_error: Callable[[BaseException], None]) -> None:
    """``set_text`` whose failure keeps ``text`` as the raw text of the field (see :func:`apply`)."""
    try:
        set_text(form, path, text)
    except Exception as error:  # noqa: BLE001 - kept as typed below; the caller hears of it
        on_error(error)
        text = "" if text is None else str(text)
        try:
            restore(form, path, (None, text))
        except Exception:  # noqa: BLE001 - the field takes no empty value: it keeps its value, shows the text
            try:
                restore(form, path, (snapshot(form, path)[0], text))
            except Exception as last:  # noqa: BLE001
                on_error(last)


def changed_paths(changes: Iterable[Change]) -> list[Path]:
    """The value paths ``changes`` write (not the tables whose rows they replace)."""
    return [c.path for c in changes if not isinstance(c, ReplaceRows)]


def replaces_rows(changes: Iterable[Change]) -> bool:
    return any(isinstance(c, ReplaceRows) for c in changes)


def unchanged(form: AnyForm, change: Change, grouping: bool = True) -> bool:
    """Whether ``change`` would leave ``form`` as it is: the same text typed over the field (``12000`` over
    ``12,000.00`` is not: :func:`apply` then finds the stored state unchanged)."""
    if isinstance(change, SetText):
        from .fields import exists

        return exists(form, change.path) and get_text(form, change.path, grouping=grouping) == change.text
    return False


__all__ = [
    "Change",
    "Decimal",
    "ReplaceRows",
    "Restore",
    "SetText",
    "apply",
    "changed_paths",
    "get_text",
    "get_value",
    "is_invalid",
    "money_unit",
    "replaces_rows",
    "restore",
    "set_text",
    "snapshot",
    "unchanged",
]
