"""Naming a place of a form in its official words, by reference: ``<decl.annual_amount>`` → 本年度项目金额.

Text written outside ``layouts/`` (rule message templates, their reasons) names a field, a column, a block row or
an 一级/二级指标 through such a reference instead of copying its label, and :func:`resolve` fills the words in
when the text is built — so ``docs/rules.md`` and every message show the layouts' real words, and a label changed
in the layout changes everywhere.

References (``<form.…>`` with form ``decl``, ``eval``, ``dept`` or a layout kind):

=============================  ========================================================
``<decl.annual_amount>``       a header field or long text (its short name if it has one)
``<decl.long_term_goal.label>`` the field's full label, without unit or star
``<eval.col.deviation>``       an indicator column (its short name if it has one)
``<eval.col.deviation.label>`` the column's full title, without star
``<eval.caption>``             the indicator table's caption (年度绩效指标)
``<eval.title>``               the form's title
``<eval.funds.total>``         a row of 资金使用情况; ``<eval.funds.col.executed>`` one of its columns
``<eval.funds>``               the block's title (资金使用情况)
``<dept.tasks.col.total>``     a column of 年度主要任务; ``<dept.tasks.sum>`` its sum row; ``<dept.tasks>`` the block
``<l1.output>``, ``<l2.cost>`` an 一级/二级指标 (long name); ``<l2s.cost>`` its short name
=============================  ========================================================
"""

from __future__ import annotations

import re

from ..model.skeleton import Level1, Level2
from .forms import LAYOUTS, FormLayout, level1_name, level2_name

_FORMS = {"decl": "declaration", "eval": "self_evaluation", "dept": "department_overall"}
REFERENCE = re.compile(r"<([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)>")


class UnknownReferenceError(KeyError):
    """A reference that names no place of any layout (a programming error, raised when the text is built)."""


def word(ref: str) -> str:
    """The official words a reference names (see the module docstring)."""
    head, *rest = ref.split(".")
    try:
        if head in ("l1", "l2", "l2s"):
            (key,) = rest
            if head == "l1":
                return level1_name(Level1(key))
            return level2_name(Level2(key), "short" if head == "l2s" else "long")
        return _form_word(LAYOUTS[_FORMS.get(head, head)], rest)
    except (KeyError, ValueError, StopIteration) as exc:
        raise UnknownReferenceError(ref) from exc


def _form_word(layout: FormLayout, path: list[str]) -> str:
    match path:
        case ["title"]:
            return layout.title
        case ["caption"]:
            return layout.table_caption
        case ["total"]:
            return layout.total_label
        case ["col", key]:
            return layout.column(key).word
        case ["col", key, "label"]:
            return layout.column(key).name
        case ["funds"] if layout.funds is not None:
            return layout.funds.title
        case ["funds", "caption"] if layout.funds is not None:
            return layout.funds.caption
        case ["funds", "col", key] if layout.funds is not None:
            return layout.funds.column(key).title
        case ["funds", key] if layout.funds is not None:
            return layout.funds.row(key).word
        case ["funds", key, "label"] if layout.funds is not None:
            return layout.funds.row(key).label
        case ["tasks"] if layout.tasks is not None:
            return layout.tasks.caption
        case ["tasks", "sum"] if layout.tasks is not None:
            return layout.tasks.sum_label
        case ["tasks", "amounts"] if layout.tasks is not None:
            return layout.tasks.amount_caption
        case ["tasks", "col", key] if layout.tasks is not None:
            return layout.tasks.column(key).title
        case ["goals"] if layout.goals is not None:
            return layout.goals.title
        case ["goals", "caption"] if layout.goals is not None:
            return layout.goals.caption
        case [key]:
            return layout.field(key).word
        case [key, "label"]:
            return layout.field(key).name
    raise KeyError(".".join(path))


def resolve(text: str) -> str:
    """``text`` with every reference replaced by its words; :class:`UnknownReferenceError` for one naming nothing."""
    return REFERENCE.sub(lambda m: word(m.group(1)), text)


__all__ = ["REFERENCE", "UnknownReferenceError", "resolve", "word"]
