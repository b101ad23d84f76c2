"""What an edit implies besides itself, and the rows the row commands make — domain rules of editing, out of the
GUI so that the CLI and the importers can apply them too:

- :func:`complete`: a task's 总额 follows its 财政拨款 + 其他资金 while the user has not typed a 总额 of their own;
- :func:`insert_position` / :func:`inserted_rows`: new empty 三级指标 rows of a 二级指标, where they belong;
- :func:`not_applicable_rows`: a 二级指标 set to one 不适用 row (``不适用 | 不适用 | 无 | 0 | 0``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from .editing import Change, SetText
from .forms import AnyForm, IndicatorBase, Record, Task
from .money import YUAN, format_money, parse_money
from .skeleton import LEVEL2_ORDER, NOT_APPLICABLE, Level2

TASK_PARTS = ("appropriation", "other")  # 财政拨款, 其他资金: 总额 is their sum


# ---- 年度主要任务: 总额 ------------------------------------------------------------------------------------------

def complete(form: AnyForm, changes: Sequence[Change]) -> list[Change]:
    """``changes`` and what they imply: typing, pasting or deleting 财政拨款/其他资金 of a task also sets its 总额 to
    their sum — while the user has not typed a 总额 of their own (it is empty, or still equals the old sum). A 总额
    the user typed is never overwritten (rule P1 reports it if it does not add up); unreadable amounts leave 总额
    alone, and a change that sets 总额 itself wins."""
    tasks = getattr(form, "tasks", None)
    if tasks is None:
        return list(changes)
    new_text = {c.path: c.text for c in changes if isinstance(c, SetText)}
    extra: list[Change] = []
    for row in sorted({p[1] for p in new_text if len(p) == 3 and p[0] == "tasks" and p[2] in TASK_PARTS}):
        if not 0 <= row < len(tasks) or ("tasks", row, "total") in new_text:
            continue
        total = completed_total(tasks[row], {p[2]: t for p, t in new_text.items() if p[:2] == ("tasks", row)})
        if total is not None:
            extra.append(SetText(("tasks", row, "total"), total))
    return [*changes, *extra]


def completed_total(task: Task, typed: dict[str, str]) -> str | None:
    """The text of the 总额 that follows the new 财政拨款/其他资金 ``typed`` (key → text) of ``task``; None when it
    stays as it is."""
    if any(k in task.raw for k in ("total", *TASK_PARTS)):
        return None
    parts = {key: getattr(task, key) for key in TASK_PARTS}
    if task.total is not None and task.total != _sum_or_none(parts.values()):
        return None  # the user's own 总额
    for key in TASK_PARTS:
        text = typed.get(key)
        if text is not None:
            parts[key] = parse_money(text, YUAN) if text.strip() else None
            if text.strip() and parts[key] is None:
                return None  # unreadable: kept as typed and flagged; the total waits for a number
    total = _sum_or_none(parts.values())
    return "" if total is None else format_money(total, YUAN, False)


def _sum_or_none(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal("0.00")) if present else None


def task_sum(form: AnyForm, key: str) -> Decimal:
    """金额合计 of a task column (总额, 财政拨款, 其他资金): the sum of the tasks' amounts, empty ones counting 0."""
    return sum((getattr(t, key) or Decimal(0) for t in getattr(form, "tasks", ())), Decimal("0.00"))


# ---- indicator rows -------------------------------------------------------------------------------------------

def row_type(form: AnyForm) -> type[IndicatorBase]:
    """The class of ``form``'s indicator rows."""
    kind: type[IndicatorBase] = type(form).model_fields["indicators"].annotation.__args__[0]  # type: ignore[union-attr]
    return kind


def insert_position(form: AnyForm, level2: Level2) -> int:
    """Index in ``form.indicators`` just after the last row of ``level2`` (or where the group belongs)."""
    order = LEVEL2_ORDER[level2]
    pos = 0
    for i, r in enumerate(form.indicators):
        if LEVEL2_ORDER[r.level2] <= order:
            pos = i + 1
    return pos


def inserted_rows(form: AnyForm, level2: Level2, position: int, count: int = 1) -> list[IndicatorBase]:
    """The indicator rows of ``form`` with ``count`` new empty rows of ``level2`` at ``position``."""
    rows = list(form.indicators)
    rows[position:position] = [row_type(form)(level2=level2) for _ in range(count)]
    return rows


NOT_APPLICABLE_VALUES = (("name", NOT_APPLICABLE), ("target", NOT_APPLICABLE), ("explanation", NOT_APPLICABLE),
                         ("measure_unit", NOT_APPLICABLE), ("actual", "无"), ("weight", 0), ("score", 0))


def is_not_applicable_row(row: Record) -> bool:
    """A row that already says 不适用 (or is empty): nothing the user typed is lost by replacing it."""
    texts = [v for v in row.model_dump(exclude={"level2", "raw"}).values() if isinstance(v, str) and v.strip()]
    return all(t.strip() in (NOT_APPLICABLE, "无") for t in texts)


def not_applicable_rows(form: AnyForm, level2: Level2) -> tuple[list[IndicatorBase], list[IndicatorBase]]:
    """The indicator rows of ``form`` with ``level2`` set to one 不适用 row (in the place of its first row, else where
    the group belongs), and the rows of ``level2`` that held something and would be lost (to ask first)."""
    kind = row_type(form)
    na = kind(level2=level2)
    for key, value in NOT_APPLICABLE_VALUES:
        if key in kind.model_fields:
            setattr(na, key, value)
    filled: list[IndicatorBase] = [r for r in form.indicators if r.level2 == level2 and not is_not_applicable_row(r)]
    position = next((i for i, r in enumerate(form.indicators) if r.level2 == level2), None)
    rows: list[IndicatorBase] = [r for r in form.indicators if r.level2 != level2]
    rows.insert(insert_position(form, level2) if position is None else position, na)
    return rows, filled


__all__ = ["complete", "completed_total", "insert_position", "inserted_rows", "is_not_applicable_row",
           "not_applicable_rows", "row_type", "task_sum"]
