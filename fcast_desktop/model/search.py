"""Find text in a project: every header field and table cell that contains it, in reading order."""

from __future__ import annotations

from dataclasses import dataclass

from .forms import Project


@dataclass(frozen=True)
class Match:
    form_id: str
    field: str  # header field name, or "indicators" / "tasks"
    row: int | None
    key: str | None  # column attribute for table cells
    column: str = ""


_NOT_TEXT = ("id", "kind", "source", "variant", "amount_unit", "declaration_id")  # identifiers, not the user's text
_ROW_KEYS = ("name", "target", "actual", "explanation", "measure_unit", "deviation", "content")


def find_matches(project: Project, text: str) -> list[Match]:
    needle = text.strip()
    if not needle:
        return []
    out: list[Match] = []
    for form in project.forms:
        for name, value in form:
            if isinstance(value, str) and name not in _NOT_TEXT:
                if needle in value:
                    out.append(Match(form.id, name, None, name))
        for table in ("tasks", "indicators"):
            for n, row in enumerate(getattr(form, table, [])):
                for key in _ROW_KEYS:
                    value = getattr(row, key, None)
                    if isinstance(value, str) and needle in value:
                        out.append(Match(form.id, table, n, key))
    return out
