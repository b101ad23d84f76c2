"""新年度申报: next year's draft declarations from this year's (issue 15, item 2; CLI `fcast rollover`).

:func:`rollover` makes a new draft of each chosen form (a 申报表 or the 部门整体表) for year ``year`` and lists every
change it made, so that the user can read them — and untick some — before anything is written:

* 预算年度 / 年度 becomes ``year`` (always; the one change that cannot be unticked);
* the plan year moves on in the time targets and the texts that denote the plan year: every 指标值, 三级指标 and
  指标解释: ``2023年12月31日前`` → ``2024年12月31日前``, ``2023年`` → ``2024年``; other years there stay — they are
  history (``2022年合同尾款``) or fixed milestones, and a deadline left outside the new year is pointed at by the
  coach (``coach.time_outside_year``). The texts of the year — 年度目标 (申报表), 年度总体目标 and the tasks'
  任务名称/主要内容 (部门整体表) — speak of the years around the plan year relative to it: those within
  :data:`NEARBY` years move with it (``2022年度档案整理`` in a 2023 form becomes ``2023年度档案整理``). Spans of years
  (``2023-2025年``, the project's period) are never touched. 政策依据, 测算依据, 项目概况 and 长期目标 are not changed:
  the years there cite documents and contracts, or the whole period;
* 实施期限 of a multi-year project counts down where the form says so: a span such as ``2023-2025年`` in 项目名称,
  年度目标 or 长期目标 that covers the old year and is as long as the 实施期限 gives the years left;
* amounts are kept and marked for review (``review``): a warning ``rollover.amount_review`` per amount until the
  user edits it (:func:`clear_review`).

Nothing else is altered; the sources are not touched (new forms, new ids). The GUI shows ``Rollover.changes`` with
check boxes and calls :func:`rollover` again with the unticked ``Change.id`` in ``skip``; adding the drafts is one
undo step.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..layouts import DECLARATION, DEPARTMENT_OVERALL, level2_name
from ..model.forms import AnyForm, Declaration, DepartmentOverall, Project, form_code, form_title, new_id

Review = tuple[str, str, int | None, str]  # (draft id, field, row, key) of an amount marked for review
ChangeId = tuple[str, str, int | None, str]

ROLLED_KINDS = ("declaration", "department_overall")

_RANGE_CHARS = "-－—–~～至到"
_SPAN = re.compile(rf"(20\d\d)\s*年?\s*[{_RANGE_CHARS}]\s*(20\d\d)\s*年")


@dataclass(frozen=True)
class Change:
    """One change of a new draft: in the source form number ``form`` (``form_id``), at ``field`` (header field or
    table), ``row`` (0-based, None for header fields), ``key`` (model attribute), shown as ``column``."""

    form: int
    form_id: str
    project_code: str
    field: str
    row: int | None
    key: str
    column: str
    before: str
    after: str
    level2: str = ""  # 二级指标 of an indicator row (时效指标), for the printed line
    optional: bool = True  # False: the year of the draft, which cannot be unticked

    @property
    def id(self) -> ChangeId:
        """What identifies the change in the ``skip`` set of :func:`rollover` (the GUI's unticked boxes)."""
        return (self.form_id, self.field, self.row, self.key)

    def entry(self) -> dict[str, object]:
        """The change as `fcast rollover --json` prints it."""
        return {"form": self.form, "field": self.field, "row": self.row, "column": self.column,
                "before": self.before, "after": self.after}

    def line(self) -> str:
        """One line of the printed change list: `表 3 4403…046  时效指标 第 3 行 · 指标值：2023年… → 2024年…`."""
        where = f"{self.level2 + ' ' if self.level2 else ''}第 {self.row + 1} 行 · {self.column}" \
            if self.row is not None else self.column
        if self.field == "tasks" and self.row is not None:
            block = DEPARTMENT_OVERALL.tasks
            where = f"{block.caption if block else ''} 第 {self.row + 1} 行 · {self.column}"
        before, after = (" ".join(t.split()) for t in (self.before, self.after))
        return f"表 {self.form} {self.project_code or '—'}  {where}：{before} → {after}"


@dataclass
class Rollover:
    """What :func:`rollover` made: the drafts (in the order of their sources), the changes applied (unticked ones
    left out), the amounts marked for review as (draft id, field, row, key), and notes for the user."""

    year: int
    drafts: list[AnyForm] = field(default_factory=list)
    sources: list[int] = field(default_factory=list)  # index in the project of each draft's source
    changes: list[Change] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class RolloverError(ValueError):
    """The rollover cannot be made (a form of another kind, a year not after the form's); Chinese message."""


def default_sources(project: Project, year: int) -> list[int]:
    """The forms rolled over when none are chosen: the declarations of the latest year before ``year`` and the
    department form(s) of the latest year before ``year``."""
    out: list[int] = []
    for kind in ROLLED_KINDS:
        years = [f.year for f in project.forms if f.kind == kind and f.year is not None and f.year < year]
        if years:
            latest = max(years)
            out += [n for n, f in enumerate(project.forms) if f.kind == kind and f.year == latest]
    return sorted(out)


def rollover(project: Project, year: int, forms: list[int] | None = None,
             skip: set[ChangeId] | frozenset[ChangeId] = frozenset()) -> Rollover:
    """New drafts for ``year`` from the project's forms numbered ``forms`` (None: :func:`default_sources`).

    ``skip``: ``Change.id`` of changes not to make (unticked). The project is not modified. Raises
    :class:`RolloverError` for a self-evaluation, or a form whose year is not before ``year``."""
    result = Rollover(year)
    chosen = default_sources(project, year) if forms is None else list(forms)
    if forms is None:
        for kind, name in (("declaration", "申报表"), ("department_overall", "部门整体表")):
            if not any(project.forms[n].kind == kind for n in chosen) and any(f.kind == kind for f in project.forms):
                result.notes.append(f"项目中没有早于 {year} 年的{name}，未生成{name}")
    for n in chosen:
        source = project.forms[n]
        if source.kind not in ROLLED_KINDS:
            raise RolloverError(f"表 {n}（{form_title(source)}）是绩效自评表：新年度申报只由申报表和部门整体表生成")
        if source.year is not None and source.year >= year:
            raise RolloverError(f"表 {n}（{form_title(source)}）的年度为 {source.year} 年，不早于 {year} 年，"
                                f"不能由它生成 "
                                f"{year} 年的申报")
        draft, changes, reviews = _roll(n, source, year, skip)
        if source.year is None:
            result.notes.append(f"表 {n}（{form_title(source)}）没有年度，按 {year - 1} 年的表单处理")
        result.drafts.append(draft)
        result.sources.append(n)
        result.changes += changes
        result.reviews += reviews
    return result


def _roll(n: int, source: AnyForm, year: int, skip: set[ChangeId] | frozenset[ChangeId]
          ) -> tuple[AnyForm, list[Change], list[Review]]:
    old_year = source.year if source.year is not None else year - 1
    draft = source.model_copy(deep=True)
    draft.id = new_id()
    draft.source = f"新年度申报：由 {old_year} 年的表单生成" + (f"（{source.source}）" if source.source else "")
    layout = DECLARATION if isinstance(source, Declaration) else DEPARTMENT_OVERALL
    changes: list[Change] = []
    code = form_code(source) or form_title(source)

    def change(field_name: str, row: int | None, key: str, column: str, before: str, after: str, level2: str = "",
               optional: bool = True) -> bool:
        c = Change(n, source.id, code, field_name, row, key, column, before, after, level2, optional)
        if optional and c.id in skip:
            return False
        changes.append(c)
        return True

    year_label = next(s.label for s in layout.header if s.key == "year") if isinstance(source, DepartmentOverall) \
        else "预算年度"
    change("year", None, "year", year_label, "" if source.year is None else str(source.year), str(year),
           optional=False)
    draft.year = year
    if isinstance(source, Declaration) and isinstance(draft, Declaration):
        _duration(source, draft, old_year, year, change)
    texts = ["annual_goal"] if isinstance(source, Declaration) else ["overall_goal"]
    for key in texts:
        text = getattr(source, key)
        moved = move_plan_year(text, old_year, year, nearby=True)
        if moved != text and change(key, None, key, layout.field(key).name, text, moved):
            setattr(draft, key, moved)
    columns = {c.key: c.title.lstrip("*") for c in layout.columns}
    for r, row in enumerate(source.indicators):
        for key in ("name", "target", "explanation"):
            text = getattr(row, key)
            moved = move_plan_year(text, old_year, year, dates=(key == "target"))
            if moved != text and change("indicators", r, key, columns[key], text, moved,
                                        level2_name(row.level2)):
                setattr(draft.indicators[r], key, moved)
    reviews: list[Review] = []
    if isinstance(source, Declaration):
        marked = [k for k in ("total_amount", "annual_amount") if getattr(source, k) is not None or k in source.raw]
        draft.review = marked
        reviews += [(draft.id, k, None, k) for k in marked]
    elif isinstance(source, DepartmentOverall) and isinstance(draft, DepartmentOverall):
        block = DEPARTMENT_OVERALL.tasks
        assert block is not None
        tasks = {c.key: c.title for c in block.columns}
        for t, task in enumerate(source.tasks):
            for key in ("name", "content"):
                text = getattr(task, key)
                moved = move_plan_year(text, old_year, year, nearby=True)
                if moved != text and change("tasks", t, key, tasks[key], text, moved):
                    setattr(draft.tasks[t], key, moved)
            marked = [k for k in ("total", "appropriation", "other") if getattr(task, k) is not None or k in task.raw]
            draft.tasks[t].review = marked
            reviews += [(draft.id, "tasks", t, k) for k in marked]
    return draft, changes, reviews


def _duration(source: Declaration, draft: Declaration, old_year: int, year: int,
              change: Callable[..., bool]) -> None:
    """实施期限 counts down when the form states its span (`2023-2025年`) and the span is as long as 实施期限."""
    years = source.duration_years
    if years is None or years <= 1:
        return
    for text in (source.project_name, source.annual_goal, source.long_term_goal):
        for m in _SPAN.finditer(text or ""):
            start, end = int(m.group(1)), int(m.group(2))
            if start <= old_year <= end and end - start + 1 == years:
                left = end - year + 1
                if left >= 1 and left != years and change("duration_years", None, "duration_years",
                                                          DECLARATION.field("duration_years").name,
                                                          str(years), str(left)):
                    draft.duration_years = left
                return


def _in_span(text: str, start: int, end: int) -> bool:
    """Is the year at ``text[start:end]`` part of a span (`2023-2025年`, `2023年至2025年`)?"""
    before = text[:start].rstrip()
    if before and before[-1] in _RANGE_CHARS and re.search(r"20\d\d\s*年?\s*[" + _RANGE_CHARS + r"]$", before):
        return True
    after = text[end:]
    return re.match(r"\s*年?\s*[" + _RANGE_CHARS + r"]\s*20\d\d", after) is not None


NEARBY = 2
"""In the texts of the year (年度目标 …) the years around the plan year move with it: `2022年度档案整理` in a 2023 form
is last year's archives, `2023年度` in the 2024 draft."""


def move_plan_year(text: str, old: int, new: int, dates: bool = False, nearby: bool = False) -> str:
    """``text`` with the plan year ``old`` moved to ``new`` where it denotes a year (`2023年`, and in a target
    ``dates`` also `2023-12-31`, `2023.12`), never inside a longer number or a span of years. ``nearby``: the years
    up to :data:`NEARBY` before or after the plan year move by as much (texts that speak of the year relative to it)."""
    if not text or not re.search(r"20\d\d", text):
        return text
    years = range(old - NEARBY, old + NEARBY + 1) if nearby else (old,)
    tail = r"(?=\s*年)" if not dates else r"(?=\s*年|[-./]\d{1,2}(?!\d))"
    pattern = re.compile(rf"(?<!\d)(?:{'|'.join(str(y) for y in years)})(?!\d){tail}")
    out, last = [], 0
    for m in pattern.finditer(text):
        if _in_span(text, m.start(), m.end()):
            continue
        out.append(text[last:m.start()])
        out.append(str(int(m.group(0)) + new - old))
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def clear_review(form: AnyForm, path: tuple[str | int, ...]) -> bool:
    """The user touched the field at ``path`` (an editor path, ``("annual_amount",)`` or ``("tasks", 2, "total")``):
    its review mark goes. True when there was one. Call it with every edit of an amount (one undo step with it)."""
    obj: Any = form
    for part in path[:-1]:
        obj = obj[part] if isinstance(part, int) else getattr(obj, part)
    name = path[-1]
    if name not in obj.review:
        return False
    obj.review = [k for k in obj.review if k != name]
    return True


__all__ = [
    "ROLLED_KINDS",
    "Change",
    "Rollover",
    "RolloverError",
    "clear_review",
    "default_sources",
    "move_plan_year",
    "rollover",
]
