"""The open project as the GUI sees it: the model, its file, its undo stack and the findings of the rules.

Every change goes through a QUndoCommand (see ``commands.py``) which calls ``notify_form_changed``; the
document re-runs the rules for that form only and emits ``findingsChanged`` so views repaint from the cache.
Views never validate inside ``data()``.

A large project (more than ``BACKGROUND_FROM`` forms) is checked in the background: slices of a few milliseconds
on the event loop (``checkProgress(done, total)``, ``formsChecked(ids)``), so the window and the forms list show at
once. Meanwhile an edited or shown form is checked at once, on demand; a slice checks only forms without findings,
always against the project as it is then, so no result of the pass is ever stale. The lists ask
``findings_now``: None for a form the pass has not reached yet.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from ..layouts import layout_for
from ..model import AnyForm, Project, SelfEvaluation
from ..model.completion import complete
from ..model.editing import ReplaceRows, SetText
from ..model.fields import exists, path_name
from . import commands
from .safety import report_later


@dataclass
class Findings:
    """Rules output for one form, cached for the views."""

    problems: list = field(default_factory=list)  # rules.Problem, the coach's hints too
    score: object | None = None  # rules.EvaluationScore for self-evaluations
    by_cell: dict[tuple, list] = field(default_factory=dict)  # (field, row, key) → open errors and warnings
    items: list = field(default_factory=list)  # rules.explanations.Finding per problem (its kind, its 说明)

    # what ``kinds`` was computed from (the lists and their lengths), the kinds and their counts: the lists and the
    # status bar ask for them several times per edit, of the same findings
    _kinds_of: tuple = field(default=(), init=False, repr=False, compare=False)
    _kinds: list = field(default_factory=list, init=False, repr=False, compare=False)
    _kind_counts: Counter = field(default_factory=Counter, init=False, repr=False, compare=False)

    def kinds(self) -> list[str]:
        """error / warning / explained / hint of each problem (an explained warning is not counted as a warning).
        Computed once for the same problems (do not change the list returned)."""
        key = (id(self.problems), len(self.problems), id(self.items), len(self.items))
        if key != self._kinds_of:
            self._kinds = [f.kind for f in self.items] if len(self.items) == len(self.problems) else \
                [p.severity for p in self.problems]
            self._kind_counts = Counter(self._kinds)
            self._kinds_of = key
        return self._kinds

    def _count(self, kind: str) -> int:
        self.kinds()
        return self._kind_counts[kind]

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


def _settle_heap() -> None:
    """A large project's objects (the forms as loaded, their findings once checked) live as long as the window shows
    them: they are set aside from the cyclic garbage collector's full passes (``gc.freeze``), whose pauses would
    otherwise grow with the project (half a second at 10,000 forms, at random keystrokes). They are still freed as
    usual by reference counting when nothing refers to them any more (models and findings form no cycles).

    Frozen objects are never unfrozen and collected later: a full collection of objects set aside earlier (Qt's
    wrappers among them) crashed the program inside PySide6 (tests/test_gc_after_gui.py). Cycles among objects
    frozen here are therefore kept until the program ends — the price of never crashing."""
    import gc

    gc.freeze()


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
    checkProgress = Signal(int, int)  # forms checked, forms in all, while checking in the background (equal: done)
    formsChecked = Signal(list)  # ids of the forms a slice of the background pass has just checked

    BACKGROUND_FROM = 300  # more forms than this are checked in the background (opening, 检查全部)
    SLICE_SECONDS = 0.005  # checking per slice; with the lists taking in what it found, a slice is about 10 ms

    def __init__(self, project: Project | None = None, path: Path | None = None, parent=None):
        super().__init__(parent)
        self.project = project or Project()
        self.path = path
        self.undo_stack = QUndoStack(self)
        self._findings: dict[str, Findings] = {}
        # running totals of the kinds (error / warning / explained / hint) over the cached findings, kept by
        # ``_store``/``_drop`` (subtract the form's old counts, add its new ones) so the status bar costs O(1)
        self._counts: dict[str, Counter] = {}
        self._totals: Counter = Counter()
        # the S15 lookups (rules.index.FormIndex), rebuilt only when forms are added/removed/replaced or an edit
        # changes what the index is keyed on (a form's id, a 申报表's 项目编码 or year): see ``_index_stale``
        self._index = None
        self._index_keys: dict[int, tuple] = {}  # id(form object) → _index_key(form) when the index was built
        # S15 pairs: self-evaluation id → its 申报表 (or None), and id(申报表) → the self-evaluations paired with it,
        # so an edit of a 申报表 re-checks those (and only those) forms too
        self._pairing: dict[str, object] = {}
        self._dependents: dict[int, set[str]] = {}
        self._checked: dict[str, object] = {}  # form id → the form object its cached findings were computed for
        self._positions: dict[str, int] = {}  # form id → its place in project.forms (checked before use)
        self._profile = None
        self._by_id: dict[str, AnyForm] = {f.id: f for f in self.project.forms}
        # counts every change (redo, undo, typing merged into the previous undo step): the undo stack's index does
        # not move while the user keeps typing in one field, this does
        self.modifications = 0
        # what changed where, for the autosave's cached lines (``form_version``): a form's count moves with each of
        # its changes; the epoch with a change of unknown extent (a command that failed half-way)
        self._form_versions: dict[str, int] = {}
        self._versions_epoch = 0
        self._changed_forms: set[str] = set()  # ids of the forms changed since ``take_changed_forms``
        self.structure_version = 0  # moves when forms are added, removed, replaced or reordered
        self.applying = 0  # > 0 while an undo command changes the project (commands._safe)
        # while ``formChanged`` is emitted: the paths whose text the change wrote, when the command said (None: any
        # value of the form may have changed) — a grid cell's edit need not refresh the header fields
        self.changed_paths: list | None = None
        self.read_only = False  # opened read-only (someone else holds the lock): saving goes to 另存为
        self.loaded_stamp = None  # store.project_file.FileStamp of the file as loaded or last saved
        self.lock = None  # store.lock.ProjectLock held for ``path`` while this document is open
        self.copy_of: Path | None = None  # opened as an unsaved copy of this file (打开副本)
        self.sample_copy = False  # the program's sample, opened as an unsaved copy (打开示例（副本）)
        self._pass_timer: QTimer | None = None  # the background check (``check_in_background``)
        self._pass_position = 0
        self._unannounced: list[str] = []  # checked on demand during the pass, not yet in ``formsChecked``
        if len(self.project.forms) > self.BACKGROUND_FROM:
            _settle_heap()
            self.check_in_background()

    # ---- forms ------------------------------------------------------------------------------------

    def form(self, form_id: str) -> AnyForm | None:
        form = self._by_id.get(form_id)
        if form is None or (self.project.forms and form_id not in self._by_id):
            self._by_id = {f.id: f for f in self.project.forms}
            form = self._by_id.get(form_id)
        return form

    def index_of(self, form_id: str) -> int:
        forms = self.project.forms
        pos = self._positions.get(form_id)
        if pos is None or pos >= len(forms) or forms[pos].id != form_id:
            self._positions = {}
            for i, f in enumerate(forms):
                self._positions.setdefault(f.id, i)
            pos = self._positions.get(form_id)
            if pos is None:
                raise StopIteration(form_id)  # as the former search did for an unknown id
        return pos

    def take_changed_forms(self) -> set[str]:
        """The ids of the forms whose values changed since the last call (the autosave's one reader)."""
        changed, self._changed_forms = self._changed_forms, set()
        return changed

    def form_version(self, form_id: str) -> tuple[int, int]:
        """Moves whenever a value of the form ``form_id`` changes (counted before the views hear of it): what was
        derived from the form at one version (the autosave's text of it) holds while the version is the same."""
        return self._versions_epoch, self._form_versions.get(form_id, 0)

    # ---- cross-form index --------------------------------------------------------------------------

    @staticmethod
    def _index_key(form) -> tuple:
        return (form.id, type(form).__name__, getattr(form, "project_code", None), getattr(form, "year", None))

    def form_index(self):
        """The ``rules.index.FormIndex`` of the project's forms, built when first needed after a change."""
        if self._index is None:
            from ..rules.index import FormIndex

            self._set_index(FormIndex(self.project.forms))
        return self._index

    def _set_index(self, index) -> set[str]:
        """Keep ``index``; the self-evaluations whose 申报表 differs from the one of the index before (none when
        there was none: nothing was checked against it)."""
        had_index = self._index is not None
        old = self._pairing
        self._index = index
        self._index_keys = {id(f): self._index_key(f) for f in index.forms}
        self._pairing, self._dependents = {}, {}
        for f in index.forms:
            if isinstance(f, SelfEvaluation):
                self._pair(f.id, index.declaration_of(f))
        if not had_index:
            return set()
        return {fid for fid, decl in self._pairing.items() if old.get(fid) is not decl} | \
            {fid for fid in old if fid not in self._pairing}

    def _pair(self, evaluation_id: str, declaration) -> None:
        before = self._pairing.get(evaluation_id)
        if before is not None:
            self._dependents.get(id(before), set()).discard(evaluation_id)
        self._pairing[evaluation_id] = declaration
        if declaration is not None:
            self._dependents.setdefault(id(declaration), set()).add(evaluation_id)

    def _rebuild_index(self) -> set[str]:
        from ..rules.index import FormIndex

        return self._set_index(FormIndex(self.project.forms))

    def _invalidate_index(self) -> None:
        self._index = None
        self._index_keys = {}
        self._pairing, self._dependents = {}, {}

    def _index_stale(self, form) -> bool:
        """Whether an edit of ``form`` changed what the index is built on (or ``form`` is not the indexed object)."""
        return form is None or self._index_keys.get(id(form)) != self._index_key(form)

    # ---- rules ------------------------------------------------------------------------------------

    @property
    def profile(self):
        if self._profile is None or getattr(self._profile, "name", None) != self.project.profile:
            self._profile = _rules().load_profile(self.project.profile)
        return self._profile

    def findings(self, form_id: str) -> Findings:
        """The form's findings, checked now if need be (the form shown, edited, exported). Checked so during the
        background pass, the form is announced with the pass's next slice (the lists take it in then)."""
        found = self._findings.get(form_id)
        if found is None:
            found = self._compute(form_id)
            if self.checking:
                self._unannounced.append(form_id)
        return found

    def findings_now(self, form_id: str) -> Findings | None:
        """For the lists (badges, problems): the form's findings, or None while the background pass has not reached
        it — the list shows it as not checked yet instead of checking thousands of forms at once."""
        found = self._findings.get(form_id)
        if found is None and not self.checking:
            found = self._compute(form_id)
        return found

    def _compute(self, form_id: str) -> Findings:
        form = self.form(form_id)
        if form is None:
            return Findings()
        rules = _rules()
        try:
            score = rules.score_self_evaluation(form, self.profile) if isinstance(form, SelfEvaluation) else None
            problems = rules.check_form(form, self.profile, self.project, score, hints=True,
                                        index=self.form_index())
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
        for p, kind in zip(problems, found.kinds(), strict=True):
            if kind in ("error", "warning"):  # cells are marked for what needs doing, not for advice or 说明
                found.by_cell.setdefault((p.field, p.row, p.key), []).append(p)
        self._store(form_id, found, form)
        return found

    def _store(self, form_id: str, found: Findings, form=None) -> None:
        self._drop(form_id)
        self._findings[form_id] = found
        self._checked[form_id] = form
        found.kinds()
        counts = Counter(found._kind_counts)  # a copy: the running totals subtract it when the form is checked again
        self._counts[form_id] = counts
        self._totals.update(counts)

    def _drop(self, form_id: str) -> None:
        self._findings.pop(form_id, None)
        self._checked.pop(form_id, None)
        old = self._counts.pop(form_id, None)
        if old:
            self._totals.subtract(old)

    def _clear_findings(self) -> None:
        self._findings.clear()
        self._checked.clear()
        self._counts.clear()
        self._totals = Counter()

    def totals(self) -> Counter:
        """Problems of the whole project by kind (error / warning / explained / hint), from running totals: O(1)
        per edit; forms not yet checked (just added) are checked first — except while the background pass runs: then
        the totals of the forms checked so far."""
        if not self.checking and len(self._findings) < len(self.project.forms):
            for form in self.project.forms:
                if form.id not in self._findings:
                    self._compute(form.id)
        return self._totals

    def check_all(self) -> None:
        """Check every form again: at once for a small project, in the background for a large one."""
        if len(self.project.forms) > self.BACKGROUND_FROM:
            _settle_heap()
            self.check_in_background()
            return
        from ..rules.index import indexed

        self._stop_pass()
        self._clear_findings()
        with indexed(self.project) as index:
            self._set_index(index)  # still right after the loop: checking edits nothing
            for form in self.project.forms:
                self._compute(form.id)
        self.findingsChanged.emit("")

    # ---- background check --------------------------------------------------------------------------

    @property
    def checking(self) -> bool:
        """The background pass is running: some forms have no findings yet."""
        return self._pass_timer is not None and self._pass_timer.isActive()

    def checked_count(self) -> int:
        return min(len(self._findings), len(self.project.forms))

    def check_in_background(self) -> None:
        """Forget every finding and check the forms again in slices of ``SLICE_SECONDS`` on the event loop."""
        self._clear_findings()
        if self._pass_timer is None:
            self._pass_timer = QTimer(self)
            self._pass_timer.setInterval(0)
            self._pass_timer.timeout.connect(self._check_slice)
        self._pass_position = 0
        self._unannounced = []
        self._pass_timer.start()
        self.checkProgress.emit(0, len(self.project.forms))
        self.findingsChanged.emit("")  # the lists show the forms as not checked yet

    def _stop_pass(self) -> None:
        if self._pass_timer is not None:
            self._pass_timer.stop()

    def _check_slice(self) -> None:
        """One slice: the next forms without findings, until ``SLICE_SECONDS`` are spent. At the end a form added
        meanwhile (and not yet shown) is still missing: the pass goes round once more for it."""
        try:
            start = time.perf_counter()
            forms = self.project.forms
            checked, self._unannounced = self._unannounced, []
            while self._pass_position < len(forms):
                form_id = forms[self._pass_position].id
                self._pass_position += 1
                if form_id not in self._findings:
                    self._compute(form_id)
                    checked.append(form_id)
                if time.perf_counter() - start >= self.SLICE_SECONDS:
                    break
            finished = False
            if self._pass_position >= len(forms):
                if len(self._findings) < len(forms) and any(f.id not in self._findings for f in forms):
                    self._pass_position = 0
                else:
                    finished = True
                    self._stop_pass()
            if checked:
                self.formsChecked.emit(checked)
            self.checkProgress.emit(self.checked_count(), len(forms))
            if finished:
                _settle_heap()
                self.findingsChanged.emit("")  # the problems list and the totals, whole
        except Exception:  # noqa: BLE001 - a timer slot: never into Qt; the rest is checked on demand
            self._stop_pass()
            report_later()

    # ---- the edit door ------------------------------------------------------------------------------

    def edit(self, form_id: str, changes: list, text: str = "", merge: bool = False, label: str = "") -> int:
        """The one way the views change a form: typing (one value, no ``text``: an undo step named 修改 and the
        place's name, or ``label``; ``merge``: one step per typing burst), paste, delete and fill (``text``: 粘贴,
        清除单元格…), rows inserted or replaced (``ReplaceRows``), 金额单位 (``commands.unit_change``). ``changes``
        are ``model.editing`` changes; what they imply is added (``model.completion.complete``: a task's 总额) and
        the whole is one ``commands.EditCommand``, one undo step. Returns how many values were written (0 and
        nothing pushed when every value already shows its new text; rows replaced are not counted)."""
        form = self.form(form_id)
        if form is None or not changes:
            return 0
        if all(isinstance(c, SetText) and exists(form, c.path) and commands.safe_get_text(form, c.path) == c.text
               for c in changes):
            return 0
        typed = len(changes) == 1 and isinstance(changes[0], SetText) and not text
        if typed:
            label = label or path_name(layout_for(form), form, changes[0].path)
            text = commands.typing_text(label, changes[0].text)
        if not any(isinstance(c, ReplaceRows) for c in changes):
            completed = complete(form, changes)
            if typed and len(completed) > 1:
                text, typed = f"修改{label}（总额随之计算）", False
            changes = completed
        command = commands.EditCommand(self, form_id, changes, text or "修改", merge=merge and typed)
        self.undo_stack.push(command)
        return command.written

    # ---- change notification (called by undo commands) ---------------------------------------------

    def notify_form_changed(self, form_id: str, rows_changed: bool = False, paths: list | None = None) -> None:
        """The findings are computed first, so that whatever a view does on the signals (a model reset measuring
        every row, a row repainted) reads the new scores and problems, never those of the form before the change
        (after an inserted row the old scores would belong to other rows)."""
        self._form_versions[form_id] = self._form_versions.get(form_id, 0) + 1  # first: nothing may skip it
        self._changed_forms.add(form_id)
        self._count_modification()
        form = self.form(form_id)
        others: set[str] = set()
        if self._index is not None:
            if self._index_stale(form):  # its id, 项目编码 or year changed (or it was replaced): the lookups moved
                others = self._rebuild_index()
            elif isinstance(form, SelfEvaluation):  # its own 项目编码, year or 申报表 id may pair it anew
                self._pair(form_id, self._index.declaration_of(form))
            if form is not None and not isinstance(form, SelfEvaluation):
                others |= self._dependents.get(id(form), set())  # S15 compares them with this 申报表
        others.discard(form_id)
        self._drop(form_id)
        self._compute(form_id)
        for other in others:
            self._drop(other)
            self._compute(other)
        if rows_changed:
            self.formRowsChanged.emit(form_id)
        else:
            self.changed_paths = list(paths) if paths else None
            try:
                self.formChanged.emit(form_id)
            finally:
                self.changed_paths = None
            if paths:
                self.cellsChanged.emit(form_id, list(paths))
        self.findingsChanged.emit(form_id)
        for other in others:
            self.findingsChanged.emit(other)

    def notify_forms_changed(self) -> None:
        self.structure_version += 1
        self._count_modification()
        self._by_id = {f.id: f for f in self.project.forms}
        self._positions = {}
        # forms removed or replaced (an undo puts back other objects), and self-evaluations now paired otherwise
        stale = [k for k in self._findings if self._by_id.get(k) is not self._checked.get(k)]
        stale += self._rebuild_index() if self._index is not None else []
        for k in stale:
            self._drop(k)
        self.formsChanged.emit()
        self.findingsChanged.emit("")

    def _count_modification(self) -> None:
        self.modifications += 1
        self.modificationsChanged.emit(self.modifications)

    def refresh_after_error(self) -> None:
        """A change failed half-way (reported elsewhere): every view shows the project as it now is."""
        self._versions_epoch += 1  # any form may hold part of the failed change
        self.structure_version += 1
        try:
            self._by_id = {f.id: f for f in self.project.forms}
            self._invalidate_index()
            self._positions = {}
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
