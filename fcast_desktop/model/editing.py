"""Reading and writing one value of a form by path, as text — the single way every editor changes a form.

A path is a tuple: ``("project_code",)`` for a header field, ``("indicators", 3, "target")`` for a table cell,
``("funds", "total", "executed")`` for the self-evaluation fund block, ``("tasks", 2, "total")``.
``get_text`` returns what the user sees/typed; ``set_text`` stores it: typed fields (money, years, scores)
keep a value when the text can be read and otherwise keep the text in ``raw`` — nothing the user typed is lost.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, get_args

from pydantic import ValidationError

from .forms import AnyForm, Declaration, Record
from .money import SCORE, YUAN, format_money, format_number, parse_decimal, parse_money

Path = tuple


def _container(form: AnyForm, path: Path) -> tuple[Record, str]:
    obj: Any = form
    for part in path[:-1]:
        obj = obj[part] if isinstance(part, int) else getattr(obj, part)
    return obj, path[-1]


SCORE_FIELDS = frozenset({"weight", "score"})  # Decimal fields that are scores, not money


def _field_type(obj: Record, name: str) -> str:
    args = get_args(type(obj).model_fields[name].annotation)
    if Decimal in args:
        return "decimal" if name in SCORE_FIELDS else "money"
    if int in args:
        return "int"
    return "text"


def money_unit(form: AnyForm, path: Path) -> str:
    """Unit in which amounts at ``path`` are shown and typed (declarations: the label's unit)."""
    return form.amount_unit if isinstance(form, Declaration) and path[-1] in ("total_amount", "annual_amount") else YUAN


def get_text(form: AnyForm, path: Path, grouping: bool = True) -> str:
    obj, name = _container(form, path)
    raw = obj.raw.get(name)
    if raw is not None:
        return raw
    value = getattr(obj, name)
    if value is None:
        return ""
    kind = _field_type(obj, name)
    if kind == "money":
        return format_money(value, money_unit(form, path), grouping=grouping)
    if kind == "decimal":
        return format_number(value)
    return str(value)


def get_value(form: AnyForm, path: Path) -> Any:
    obj, name = _container(form, path)
    return getattr(obj, name)


def is_invalid(form: AnyForm, path: Path) -> bool:
    obj, name = _container(form, path)
    return name in obj.raw


def set_text(form: AnyForm, path: Path, text: str) -> bool:
    """Store ``text`` at ``path`` (parsed for typed fields, kept verbatim in ``raw`` when unreadable or out of range).

    Never raises for any text — the undo commands of the editor call it inside Qt — and returns True when the text
    was stored (as a value or as raw text). Only a choice field (金额单位, 二级指标) refuses a text that is none of its
    choices: it keeps its value and False is returned."""
    obj, name = _container(form, path)
    kind = _field_type(obj, name)
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
    elif kind == "decimal":
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
    obj, name = _container(form, path)
    return getattr(obj, name), obj.raw.get(name), name in (getattr(obj, "review", None) or ())


def restore(form: AnyForm, path: Path, state: tuple) -> None:
    """Put back a :func:`snapshot`; a (value, raw text) pair leaves the review mark as it is."""
    obj, name = _container(form, path)
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


__all__ = ["get_text", "get_value", "is_invalid", "money_unit", "restore", "set_text", "snapshot", "Decimal"]
