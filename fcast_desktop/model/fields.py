"""What a place on a form is: its path, the kind of value it holds, the unit of its amounts, and how the user names
it — one module for what the editors, the problems list and the undo texts used to work out each for itself.

Two notations name a place, both tuples:

- a **path** locates a stored value on the form object (``model.editing`` reads and writes by path):
  ``("project_code",)`` a header field; ``("indicators", 3, "target")`` a table cell (row index in the form's
  list); ``("funds", "total", "executed")`` an amount of the self-evaluation's fund block and ``("funds",
  "weight")`` its 分值; ``("tasks", 2, "total")``; and, in the indicator grid only, ``("placeholder", level2,
  key)`` for the row an empty 二级指标 shows (no stored value: typing there inserts the row first).
- a **problem place** ``(field, row, key)`` is where the rules pin a problem (``rules.Problem``): the header field
  or the table, the row as a number (the fund block's rows numbered in ``FUND_ROWS`` order), the column's key.

:func:`place_of` turns a path into its problem place and :func:`path_of` back. The user's words for a place come from
the form's layout (``layouts``, passed in: the model does not import it): :func:`place_name`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, get_args

from .forms import AnyForm, Declaration, Record
from .money import YUAN

Path = tuple[Any, ...]
Place = tuple[str, "int | None", "str | None"]  # (field, row, key) as the rules pin problems
ValueKind = Literal["money", "score", "int", "text"]

FUND_ROWS = ("total", "appropriation", "carryover", "other")  # the fund block's rows, in the printed order
SCORE_FIELDS = frozenset({"weight", "score"})  # Decimal fields that are points (分值, 得分), not money
DECLARATION_AMOUNTS = ("total_amount", "annual_amount")  # the two header amounts, in the form's 金额单位
TABLES = ("indicators", "funds", "tasks")
PLACEHOLDER = "placeholder"


# ---- the path notation ----------------------------------------------------------------------------------------

def is_placeholder(path: Path) -> bool:
    return bool(path) and path[0] == PLACEHOLDER


def container(form: AnyForm, path: Path) -> tuple[Any, str]:
    """The record holding the value at ``path`` and the value's attribute name."""
    obj: Any = form
    for part in path[:-1]:
        obj = obj[part] if isinstance(part, int) else getattr(obj, part)
    return obj, path[-1]


def exists(form: AnyForm, path: Path) -> bool:
    """Whether ``path`` names a stored value of ``form`` now (a row index may be past the end after a row change)."""
    if not path or is_placeholder(path):
        return False
    obj: Any = form
    for part in path[:-1]:
        if isinstance(part, int):
            if not 0 <= part < len(obj):
                return False
            obj = obj[part]
        else:
            obj = getattr(obj, part, None)
            if obj is None:
                return False
    return True


def place_of(path: Path) -> Place:
    """The problem place of a path: ``("funds", "total", "executed")`` → ``("funds", 0, "executed")``,
    ``("funds", "weight")`` → ``("funds", 0, "weight")``, ``("indicators", 3, "target")`` unchanged,
    ``("year",)`` → ``("year", None, None)``."""
    if path[0] == "funds":
        if len(path) == 2:
            return ("funds", 0, path[1])
        return ("funds", FUND_ROWS.index(path[1]), path[2])
    if len(path) == 3 and isinstance(path[1], int):
        return (path[0], path[1], path[2])
    return (path[0], None, None)


def path_of(place: Place) -> Path | None:
    """The path of the value at a problem place; None when the place is no single stored value (a whole table, a
    computed cell such as 执行率, a fund row past the block)."""
    field, row, key = place
    if field == "funds":
        if key == "weight" and row in (0, None):
            return ("funds", "weight")
        if row is None or not 0 <= row < len(FUND_ROWS) or key in (None, "execution_rate", "score"):
            return None
        return ("funds", FUND_ROWS[row], key)
    if field in TABLES:
        return None if row is None or key is None else (field, row, key)
    return (field,)


# ---- kind and unit --------------------------------------------------------------------------------------------

def value_kind(obj: Record, name: str) -> ValueKind:
    """What the attribute ``name`` of a record holds: an amount of money, points (分值/得分), a whole number (年度,
    实施期限) or text."""
    args = get_args(type(obj).model_fields[name].annotation)
    if Decimal in args:
        return "score" if name in SCORE_FIELDS else "money"
    if int in args:
        return "int"
    return "text"


def kind_at(form: AnyForm, path: Path) -> ValueKind:
    obj, name = container(form, path)
    return value_kind(obj, name)


def money_unit(form: AnyForm, path: Path) -> str:
    """Unit in which the amount at ``path`` is shown and typed: a declaration's two header amounts in its 金额单位,
    every other amount (fund block, tasks) in 元."""
    if isinstance(form, Declaration) and len(path) == 1 and path[0] in DECLARATION_AMOUNTS:
        return form.amount_unit
    return YUAN


def is_money(form: AnyForm, path: Path) -> bool:
    return kind_at(form, path) == "money"


# ---- the user's name for a place ------------------------------------------------------------------------------

def place_name(layout: Any, field: str, row: int | None, column: str | None = None,
               grid_row_of: dict[int, int] | None = None) -> str:
    """Where a place is, the way the user finds it on screen, in the official words of the form's ``layout``
    (a ``layouts.FormLayout``): the table, the row as the table numbers it (the indicator grid's own row numbers,
    placeholder rows of empty 二级指标 counted: ``grid_row_of`` maps an indicator's index to its grid row), then the
    column — "资金使用情况 · 年度资金总额 · 全年执行数", "年度主要任务 第 2 行 · 总额", "指标 第 5 行 · 实际完成值".
    A header field: its label. ``column``: the column's or field's title as the problem gives it (a star goes)."""
    return str(_place_name(layout, field, row, (column or "").lstrip("*"), grid_row_of))


def _place_name(layout: Any, field: str, row: int | None, column: str, grid_row_of: dict[int, int] | None) -> Any:
    if field == "funds" and getattr(layout, "funds", None) is not None:
        parts = [layout.funds.title]
        rows = layout.funds.rows
        if row is not None and 0 <= row < len(rows):
            parts.append(rows[row].word)
        return " · ".join(parts + ([column] if column else []))
    if field == "tasks" and getattr(layout, "tasks", None) is not None:
        caption = layout.tasks.caption
        where = caption if row is None else f"{caption} 第 {row + 1} 行"
        return f"{where} · {column}" if column else where
    if field == "indicators":
        caption = "指标"
        if row is None:
            return f"{caption} · {column}" if column else caption
        shown = (grid_row_of or {}).get(row, row)
        return f"{caption} 第 {shown + 1} 行 · {column}" if column else f"{caption} 第 {shown + 1} 行"
    if not column:
        spec = next((s for s in (*layout.header, *layout.texts) if s.key == field), None)
        column = spec.name if spec is not None else field
    return column + (f" 第 {row + 1} 行" if row is not None else "")


def path_name(layout: Any, form: AnyForm, path: Path) -> str:
    """How an undo step names the place it changed: the field's label or the column's title, without its star or
    unit (项目名称, 实际完成值, 全年执行数, 总额)."""
    return str(_path_name(layout, path))


def _path_name(layout: Any, path: Path) -> Any:
    key = path[-1]
    if len(path) == 1:
        spec = next((s for s in (*layout.header, *layout.texts) if s.key == key), None)
        return spec.name if spec is not None else key
    if path[0] == "funds" and getattr(layout, "funds", None) is not None:
        return next((c.title for c in layout.funds.columns if c.key == key), key)
    if path[0] == "tasks" and getattr(layout, "tasks", None) is not None:
        return next((c.title for c in layout.tasks.columns if c.key == key), key)
    return next((c.name for c in layout.columns if c.key == key), key)


__all__ = [
    "DECLARATION_AMOUNTS",
    "FUND_ROWS",
    "PLACEHOLDER",
    "SCORE_FIELDS",
    "Path",
    "Place",
    "ValueKind",
    "container",
    "exists",
    "is_money",
    "is_placeholder",
    "kind_at",
    "money_unit",
    "path_name",
    "path_of",
    "place_name",
    "place_of",
    "value_kind",
]
