"""What an import found: the forms it read and notes about what it could not read or had to tolerate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..model import AnyForm

NoteLevel = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class ImportNote:
    path: str
    line: int | None
    level: NoteLevel
    message: str

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "")
        label = {"error": "无法读取", "warning": "注意", "info": "说明"}[self.level]
        return f"{where}: [{label}] {self.message}"


@dataclass
class ImportResult:
    forms: list[AnyForm] = field(default_factory=list)
    notes: list[ImportNote] = field(default_factory=list)

    def extend(self, other: ImportResult) -> None:
        self.forms.extend(other.forms)
        self.notes.extend(other.notes)


class ImportFailed(Exception):  # noqa: N818 (the name cli and gui code against)
    """The source cannot be used at all (missing, not text, unknown format); message is Chinese."""

    def __init__(self, path: str, what: str, line: int | None = None):
        self.path = path
        self.line = line
        where = path + (f" 第 {line} 行" if line else "")
        super().__init__(f"{where}：{what}")


class ExportError(Exception):
    """An export that cannot be written; the message is Chinese and says what to do."""


class ExportCancelled(Exception):  # noqa: N818 (a signal, not a fault)
    """The user cancelled the export; no file was written."""
