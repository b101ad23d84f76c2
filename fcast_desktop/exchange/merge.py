"""Imported forms merged into a project: one operation for the command line and the window.

``merge_forms`` changes nothing: it says what the project would become (its forms, and the project header fields
the forms complete) and what happened to each imported form. `fcast import` applies it and writes the file once;
the window applies it as one undo step (``gui.commands.MergeCommand``), so undo restores the header too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..model import AnyForm, DepartmentOverall, Project, form_code, form_unit

BAOAN_PREFIX = "440306"
"""项目编码 of 宝安区: a project whose forms all carry it is checked with the 宝安 profile."""

HEADER_FIELDS = ("unit", "year", "profile")
"""The project header: 单位, 年度 and the profile the rules check with."""


def form_identity(form: AnyForm) -> tuple[object, ...]:
    """Two forms with the same identity are the same form imported twice."""
    if isinstance(form, DepartmentOverall):
        return (form.kind, form.department_name, form.year)
    return (form.kind, form_code(form), getattr(form, "year", None), getattr(form, "project_name", ""))


def completed_header(project: Project, forms: Iterable[AnyForm]) -> dict[str, object]:
    """The project header fields that ``forms`` complete, with their new values (only those that change): an
    empty 单位 and 年度 take the most common ones of the forms; forms that are all 宝安's (项目编码 440306…) are
    checked with the 宝安 profile."""
    forms = list(forms)
    changes: dict[str, object] = {}
    if not project.unit:
        units = Counter(getattr(f, "budget_unit", "") or form_unit(f) for f in forms)
        units.pop("", None)
        if units:
            changes["unit"] = units.most_common(1)[0][0]
    if project.year is None:
        years = Counter(f.year for f in forms if getattr(f, "year", None))
        if years:
            changes["year"] = years.most_common(1)[0][0]
    codes = [form_code(f) for f in forms if form_code(f)]
    if codes and all(c.startswith(BAOAN_PREFIX) for c in codes) and project.profile != "shenzhen-baoan":
        changes["profile"] = "shenzhen-baoan"
    return changes


@dataclass
class Merge:
    """What merging imported forms into a project changes (``merge_forms``)."""

    forms: list[AnyForm]
    """The project's forms afterwards: those it had, then the added ones in the order imported."""
    added: list[AnyForm] = field(default_factory=list)
    skipped: list[AnyForm] = field(default_factory=list)
    """Imported forms already in the project (or imported twice): not added."""
    header: dict[str, object] = field(default_factory=dict)
    """Project header fields that change (``HEADER_FIELDS``), with their new values."""
    header_before: dict[str, object] = field(default_factory=dict)
    """The same fields as they were: what undo puts back."""
    _kept: dict[int, str] = field(default_factory=dict, repr=False)

    def kept_as(self, form: AnyForm) -> str:
        """The id of the form the project keeps for the imported ``form``: its own id when it was added, else the
        id of the form with its identity that was there first."""
        return self._kept.get(id(form), form.id)

    def was_skipped(self, form: AnyForm) -> bool:
        """Whether the imported ``form`` (this very object) was left out as already there."""
        return id(form) in self._kept

    @property
    def changed(self) -> bool:
        return bool(self.added or self.header)

    def apply(self, project: Project) -> None:
        """Change ``project`` as merged (the command line; the window goes through its undo stack)."""
        project.forms = list(self.forms)
        set_header(project, self.header)


def set_header(project: Project, values: dict[str, object]) -> None:
    for key, value in values.items():
        if key not in HEADER_FIELDS:
            raise KeyError(key)
        setattr(project, key, value)


def merge_forms(project: Project, incoming: Iterable[AnyForm], complete_header: bool = True) -> Merge:
    """``incoming`` merged into ``project`` (which is not changed): a form whose identity (``form_identity``) is
    already in the project, or came earlier in ``incoming``, is skipped. ``complete_header``: the header fields
    the forms complete (``completed_header``) change too."""
    existing = {form_identity(f): f.id for f in project.forms}
    merge = Merge(forms=list(project.forms))
    for form in incoming:
        identity = form_identity(form)
        if identity in existing:
            merge.skipped.append(form)
            merge._kept[id(form)] = existing[identity]
            continue
        existing[identity] = form.id
        merge.added.append(form)
        merge.forms.append(form)
    if complete_header:
        merge.header = completed_header(project, merge.forms)
        merge.header_before = {key: getattr(project, key) for key in merge.header}
    return merge
