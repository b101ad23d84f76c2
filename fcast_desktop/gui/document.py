"""The open project as the GUI sees it: the model, its file, its undo stack and the findings of the rules.

Every change goes through a QUndoCommand (see ``commands.py``) which calls ``notify_form_changed``; the
document re-runs the rules for that form only and emits ``findingsChanged`` so views repaint from the cache.
Views never validate inside ``data()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from ..model import AnyForm, Project, SelfEvaluation
from .safety import report_later


@dataclass
class Findings:
    """Rules output for one form, cached for the views."""

    problems: list = field(default_factory=list)  # rules.Problem, the coach's hints too
    score: object | None = None  # rules.EvaluationScore for self-evaluations
    by_cell: dict[tuple, list] = field(default_factory=dict)  # (field, row, key) → open errors and warnings
    items: list = field(default_factory=list)  # rules.explanations.Finding per problem (its kind, its 说明)

    def kinds(self) -> list[str]:
        """error / warning / explained / hint of each problem (an explained warning is not counted as a warning)."""
        return [f.kind for f in self.items] if len(self.items) == len(self.problems) else \
            [p.severity for p in self.problems]

    def _count(self, kind: str) -> int:
        return sum(k == kind for k in self.kinds())

    @property
    def errors(self) -> int:
        return self._count("error")

    @property
    def warnings(self) -> int:
        """Open warnings: neither explained nor hints."""
        return self._count("warning")

    @property
    def explained(self) -> int:
        return self._count("explained")

    @property
    def hints(self) -> int:
        return self._count("hint")

    def explanation(self, problem):
        """The 说明 that applies to ``problem`` (None: none)."""
        return next((f.explanation for f in self.items if f.problem is problem), None)


def _rules():
    from .. import rules

    return rules


class ProjectDocument(QObject):
    formChanged = Signal(str)  # form id: a value of the form changed
    cellsChanged = Signal(str, object)  # form id, paths whose text changed (table models note their rows)
    formRowsChanged = Signal(str)  # form id: rows inserted/removed (views reset)
    formsChanged = Signal()  # forms added/removed/reordered
    findingsChanged = Signal(str)  # form id
    pathChanged = Signal()
    selectRequested = Signal(str)  # form id: an undo/redo wants this form shown (restored or added form)
    modificationsChanged = Signal(int)  # every change of the project, merged into an undo step or not (autosave)

    def __init__(self, project: Project | None = None, path: Path | None = None, parent=None):
        super().__init__(parent)
        self.project = project or Project()
        self.path = path
        self.undo_stack = QUndoStack(self)
        self._findings: dict[str, Findings] = {}
        self._profile = None
        self._by_id: dict[str, AnyForm] = {f.id: f for f in self.project.forms}
        # counts every change (redo, undo, typing merged into the previous undo step): the undo stack's index does
        # not move while the user keeps typing in one field, this does
        self.modifications = 0
        self.applying = 0  # > 0 while an undo command changes the project (commands._safe)
        self.read_only = False  # opened read-only (someone else holds the lock): saving goes to 另存为
        self.loaded_stamp = None  # store.project_file.FileStamp of the file as loaded or last saved
        self.lock = None  # store.lock.ProjectLock held for ``path`` while this document is open
        self.copy_of: Path | None = None  # opened as an unsaved copy of this file (打开副本)
        self.sample_copy = False  # the program's sample, opened as an unsaved copy (打开示例（副本）)

    # ---- forms ------------------------------------------------------------------------------------

    def form(self, form_id: str) -> AnyForm | None:
        form = self._by_id.get(form_id)
        if form is None or (self.project.forms and form_id not in self._by_id):
            self._by_id = {f.id: f for f in self.project.forms}
            form = self._by_id.get(form_id)
        return form

    def index_of(self, form_id: str) -> int:
        return next(i for i, f in enumerate(self.project.forms) if f.id == form_id)

    # ---- rules ------------------------------------------------------------------------------------

    @property
    def profile(self):
        if self._profile is None or getattr(self._profile, "name", None) != self.project.profile:
            self._profile = _rules().load_profile(self.project.profile)
        return self._profile

    def findings(self, form_id: str) -> Findings:
        found = self._findings.get(form_id)
        if found is None:
            found = self._compute(form_id)
        return found

    def _compute(self, form_id: str) -> Findings:
        form = self.form(form_id)
        if form is None:
            return Findings()
        rules = _rules()
        try:
            score = rules.score_self_evaluation(form, self.profile) if isinstance(form, SelfEvaluation) else None
            problems = rules.check_form(form, self.profile, self.project, score, hints=True)
        except Exception:  # noqa: BLE001 - a rules bug must never cost the user's edit or crash the window
            report_later()  # after the Qt callback that got here has returned
            problems, score = [], None
        try:
            from ..rules.explanations import form_findings

            items = form_findings(self.project, form, problems, self.index_of(form_id))
        except Exception:  # noqa: BLE001 - the problems are shown, unexplained, rather than none
            report_later()
            items = []
        found = Findings(problems, score, {}, items)
        for p, kind in zip(problems, found.kinds()):
            if kind in ("error", "warning"):  # cells are marked for what needs doing, not for advice or 说明
                found.by_cell.setdefault((p.field, p.row, p.key), []).append(p)
        self._findings[form_id] = found
        return found

    def check_all(self) -> None:
        self._findings.clear()
        for form in self.project.forms:
            self._compute(form.id)
        self.findingsChanged.emit("")

    # ---- change notification (called by undo commands) ---------------------------------------------

    def notify_form_changed(self, form_id: str, rows_changed: bool = False, paths: list | None = None) -> None:
        """The findings are computed first, so that whatever a view does on the signals (a model reset measuring
        every row, a row repainted) reads the new scores and problems, never those of the form before the change
        (after an inserted row the old scores would belong to other rows)."""
        self._count_modification()
        self._findings.pop(form_id, None)
        self._compute(form_id)
        if rows_changed:
            self.formRowsChanged.emit(form_id)
        else:
            self.formChanged.emit(form_id)
            if paths:
                self.cellsChanged.emit(form_id, list(paths))
        self.findingsChanged.emit(form_id)

    def notify_forms_changed(self) -> None:
        self._count_modification()
        self._by_id = {f.id: f for f in self.project.forms}
        ids = set(self._by_id)
        self._findings = {k: v for k, v in self._findings.items() if k in ids}
        self.formsChanged.emit()
        self.findingsChanged.emit("")

    def _count_modification(self) -> None:
        self.modifications += 1
        self.modificationsChanged.emit(self.modifications)

    def refresh_after_error(self) -> None:
        """A change failed half-way (reported elsewhere): every view shows the project as it now is."""
        try:
            self._by_id = {f.id: f for f in self.project.forms}
            self._count_modification()
            self.check_all()
            self.formsChanged.emit()
            for form in self.project.forms:
                self.formRowsChanged.emit(form.id)
        except Exception:  # noqa: BLE001
            report_later()

    # ---- state ------------------------------------------------------------------------------------

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    def display_name(self) -> str:
        if self.path:
            return self.path.name + ("（只读）" if self.read_only else "")
        if self.copy_of is not None:
            return f"{self.copy_of.name} 的副本"
        if self.sample_copy:
            return "示例项目（副本）"
        return "未命名项目"
