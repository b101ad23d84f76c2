"""Cell values ↔ model fields: what the Excel export writes for a field and how :mod:`.xlsx_import` reads it back.

The round-trip format (see :mod:`.xlsx_export`): the hidden ``_fcast`` sheet's marker and version, the value written
for each printed model field (:class:`Codec`), the field types (``str``, ``int``, ``dec``, ``money:元`` …) and the
parsing of a cell value read by openpyxl back into a field value (:func:`parse_cell`). Shared by the writer and the
importer, so the two cannot drift apart; no openpyxl import here.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, get_args

from ..layouts.forms import layout_for
from ..layouts.printed import SCORE_FORMAT, PCell
from ..model import AnyForm, Declaration, FundLine, Task
from ..model.money import TEN_THOUSAND, WAN_YUAN, YUAN, format_number, parse_decimal, parse_money, round_half_up

FORMAT_MARKER = "fcast-xlsx"
FORMAT_VERSION = 1
META_SHEET = "_fcast"
MAX_CELL_TEXT = 32767

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_cell_text(text: str) -> str:
    """What a worksheet can hold: no control characters, at most 32767 characters."""
    return _ILLEGAL.sub("", text or "")[:MAX_CELL_TEXT]


def number_value(d: Decimal):
    return int(d) if d == d.to_integral_value() and abs(d) < 10**15 else float(d)


def as_read(value):
    """The value openpyxl reads back for a value written to a cell (numbers go through "%.16g")."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.replace("\r\n", "\n").replace("\r", "\n")
        return text or None
    if isinstance(value, bool):
        return value
    s = f"{value:.16g}"
    return float(s) if ("." in s or "e" in s or "E" in s) else int(s)


def resolve(obj, path: str):
    """``funds.total.executed`` → (form.funds.total, "executed"); works on models and on dumped dicts."""
    *parts, attr = path.split(".")
    for p in parts:
        obj = obj[int(p)] if isinstance(obj, list) else (obj[p] if isinstance(obj, dict) else getattr(obj, p))
    return obj, attr


def field_type(form: AnyForm, path: str) -> str:
    """``str``, ``int``, ``dec`` (scores) or ``money:元`` / ``money:万元`` for the field at ``path``."""
    owner, attr = resolve(form, path)
    kind = _annotated_kind(type(owner), attr)
    if kind == "dec":
        money = isinstance(owner, (FundLine, Task))
        if owner is form:
            spec = next((f for f in layout_for(form).fields_for(form) if f.key == attr), None)
            money = spec is not None and spec.kind == "money"
        if money:
            unit = form.amount_unit if isinstance(form, Declaration) else YUAN
            return f"money:{unit}"
        return "dec"
    return kind


def _annotated_kind(model: Any, attr: str) -> str:
    """``dec``, ``int`` or ``str``: the type of field ``attr`` of the model class (asked for every cell written,
    so kept)."""
    kind = _KINDS.get((model, attr))
    if kind is None:
        annotation = model.model_fields[attr].annotation
        types_ = set(get_args(annotation)) or {annotation}
        kind = _KINDS[(model, attr)] = "dec" if Decimal in types_ else "int" if int in types_ else "str"
    return kind


_KINDS: dict[tuple[Any, str], str] = {}


def _dec(value) -> Decimal:
    return Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))


def _number_text(value, number_format: str = "") -> str:
    d = _dec(value)
    if "%" in (number_format or ""):
        return format_number(d * 100) + "%"
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_cell(value, ftype: str, number_format: str = "") -> tuple[object, str | None, str | None]:
    """A cell value read by openpyxl → (field value in JSON form, raw text or None, note or None).

    Invalid typed input is kept as raw text, as everywhere in the model.
    """
    note = None
    if isinstance(value, bool):
        value = "TRUE" if value else "FALSE"
    if isinstance(value, (datetime, date, time)):
        midnight = isinstance(value, datetime) and value.time() == time(0)
        if isinstance(value, date) and (midnight or not isinstance(value, datetime)):
            value = f"{value.year}年{value.month}月{value.day}日"
        else:
            value = str(value)
        note = f"单元格被 Excel 识别为日期或时间，已按“{value}”读取，请核对"
    if ftype == "str":
        if value is None:
            return "", None, note
        if isinstance(value, (int, float)):
            return _number_text(value, number_format), None, note
        return value, None, note
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None, note
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, str(value), note
        d = _dec(value)
        if ftype.startswith("money:"):
            factor = TEN_THOUSAND if ftype.endswith(WAN_YUAN) else Decimal(1)
            return str(round_half_up(d * factor)), None, note
        if ftype == "int":
            if d == d.to_integral_value():
                return int(d), None, note
            return None, _number_text(value), note
        return str(d), None, note
    text = str(value)
    if ftype.startswith("money:"):
        amount = parse_money(text, WAN_YUAN if ftype.endswith(WAN_YUAN) else YUAN)
        return (str(amount), None, note) if amount is not None else (None, text, note)
    parsed = parse_decimal(text)
    if ftype == "int":
        if parsed is not None and parsed == parsed.to_integral_value():
            try:
                return int(parsed), None, note
            except (OverflowError, InvalidOperation, ValueError):
                pass
        return None, text, note
    return (str(parsed), None, note) if parsed is not None else (None, text, note)


def _same(parsed_value, parsed_raw, orig_value, orig_raw) -> bool:
    if (parsed_raw or None) != (orig_raw if orig_raw is not None else None):
        return False
    if parsed_value is None or orig_value is None:
        return parsed_value is None and orig_value is None
    return type(parsed_value) is type(orig_value) and str(parsed_value) == str(orig_value)


class Codec:
    """Writes model fields to cells and records how to read them back."""

    def __init__(self, form: AnyForm):
        self.form = form
        self.dump = form.model_dump(mode="json")
        self.cells: list[list] = []
        self.keep: dict[str, list] = {}
        self.paths: list[str] = []

    def cell(self, ref: str, cell: PCell, path: str):
        ftype = field_type(self.form, path)
        owner_dump, attr = resolve(self.dump, path)
        orig_value = owner_dump.get(attr)
        orig_raw = (owner_dump.get("raw") or {}).get(attr)
        fmt = ""
        if cell.number is not None:
            value, fmt = number_value(cell.number), excel_format(cell.number_format)
        elif cell.role == "computed":
            value, fmt = display_value(cell)
        elif ftype == "int" and isinstance(orig_value, int) and orig_raw is None and cell.text == str(orig_value):
            value = orig_value
            fmt = "0"
        else:
            value = clean_cell_text(cell.text) or None
        written = as_read(value)
        parsed_value, parsed_raw, _ = parse_cell(written, ftype, fmt)
        if not _same(parsed_value, parsed_raw, orig_value, orig_raw):
            self.keep[path] = [written, {"v": orig_value, "r": orig_raw}]
        self.cells.append([ref, path, ftype])
        self.paths.append(path)
        return value, fmt

    def base(self) -> dict:
        """The dump without the fields that are read back from cells (the codec's own dump, taken out of it:
        the cells are all written by then)."""
        base, self.dump = self.dump, {}
        for path in self.paths:
            owner, attr = resolve(base, path)
            owner.pop(attr, None)
            raw = owner.get("raw")
            if raw and attr in raw:
                del raw[attr]
                if not raw:
                    del owner["raw"]
        return base


def display_value(cell: PCell):
    """Value and number format of a cell that shows no model field (labels, computed values, sums)."""
    if cell.number is not None:
        return number_value(cell.number), excel_format(cell.number_format)
    if cell.role in ("computed", "total") and cell.text:
        d = parse_decimal(cell.text)
        if d is not None:
            return number_value(d), "General"
    return clean_cell_text(cell.text) or None, ""


def excel_format(number_format: str) -> str:
    """Excel shows ``10`` in the score format ``0.##`` as "10." (a trailing point); General shows ``10``, ``9.9``
    and ``9.83``, which is what the form prints."""
    return "General" if number_format in ("", SCORE_FORMAT) else number_format


def is_number_cell(cell: PCell) -> bool:
    return cell.number is not None or (cell.role in ("computed", "total") and parse_decimal(cell.text) is not None)


# ---- widths, heights, pages ------------------------------------------------------------------------
