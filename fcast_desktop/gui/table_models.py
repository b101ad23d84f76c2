"""Qt table models over one form: the indicator grid, the self-evaluation fund block, the department tasks.

The models are thin adapters: values come from ``model.editing.get_text``, colours and tooltips from the
document's cached findings, edits go out as undo commands. Column sets come from ``layouts``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from ..layouts import ColumnSpec, layout_for, level1_label, level2_label, level2_name
from ..model import AnyForm, SelfEvaluation
from ..model.completion import insert_position, inserted_rows, task_sum
from ..model.editing import ReplaceRows, SetText, get_text
from ..model.fields import FUND_ROWS, exists, is_placeholder, place_of
from ..model.money import format_money, format_number
from ..model.skeleton import LEVEL2_INFO, SKELETON, Level1, Level2
from . import commands
from .safety import guarded, report_later

ERROR_BG = QColor("#f8d0d0")
WARNING_BG = QColor("#fbe7b5")
COMPUTED_BG = QColor("#eef1f5")
GROUP_BG = QColor("#f6f6f2")
SUGGESTED_FG = QColor("#4a6fa5")
NO_PARENT = QModelIndex()  # the default parent of the Qt API's row and column counts
PlaceholderRole = Qt.ItemDataRole.UserRole + 1
PathRole = Qt.ItemDataRole.UserRole + 2
ColumnKeyRole = Qt.ItemDataRole.UserRole + 3


def _suggestion(score: str) -> str:
    """The suggested score shown after a typed 得分 that differs from it: 3（建议 2.81）."""
    return f"（建议 {score}）"


def problems_tooltip(problems: list) -> str:
    icons = {"error": "错误", "warning": "警告"}
    return "\n".join(f"【{icons.get(p.severity, p.severity)}】{p.message}" for p in problems)


class FormTableModel(QAbstractTableModel):
    """Common behaviour: text from paths, colours from findings, edits through commands."""

    table_field = ""  # the ``field`` of problems that belong to this table
    # rows whose shown text may have changed with the last edit — typed text, or computed text (a suggested score,
    # 执行率, a 合计) of any row: the view measures their heights again (FormTableView.resize_rows). Emitted after
    # the rules have run, so the new text is measured, not the text before the edit.
    textRowsChanged = Signal(list)

    def __init__(self, document, form_id: str, parent=None):
        super().__init__(parent)
        self.document = document
        self.form_id = form_id
        self._data_errors: set = set()
        self._signatures: tuple[tuple, list] | None = None
        # values and colours are repainted once per edit, when the rules have run (findingsChanged follows
        # every change); the rows whose text changed are then measured again by the view (textRowsChanged)
        document.formRowsChanged.connect(self._on_rows_changed)
        document.cellsChanged.connect(self.note_cells_changed)
        document.findingsChanged.connect(self._on_findings)
        # what a cell looks like (``multiData``), kept until the model says the cell changed: a repaint (a row grown
        # taller repaints the whole grid, scrolling) then costs a dictionary look-up per cell, not the rules' findings
        # and the form's text looked up again for each role
        self._painted: dict[tuple[int, int], dict[int, Any]] = {}
        self._flags: dict[tuple[int, int], Qt.ItemFlag] = {}
        self._painted_form: Any = None
        self.dataChanged.connect(self._forget_painted)
        for signal in (self.modelAboutToBeReset, self.modelReset, self.rowsInserted, self.rowsRemoved,
                       self.rowsMoved, self.columnsInserted, self.columnsRemoved, self.layoutChanged):
            signal.connect(self._forget_all_painted)

    @property
    def form(self) -> Any:
        """The form shown (an ``AnyForm`` of the kind the table belongs to; None once the form is gone)."""
        return self.document.form(self.form_id)

    # subclasses ---------------------------------------------------------------------------------
    def columns(self) -> list[ColumnSpec]:
        raise NotImplementedError

    def cell_path(self, row: int, col: int) -> tuple | None:
        """Model path of an editable/stored cell; None for labels and computed cells."""
        raise NotImplementedError

    def label_text(self, row: int, col: int) -> str | None:
        return None

    def row_of_path(self, path: tuple) -> int | None:
        """The table row showing ``path`` (the row of its problem place, ``model.fields.place_of``), or None when the
        path is not in this table."""
        if is_placeholder(path):
            return None
        field, row, _key = place_of(path)
        return row if field == self.table_field else None

    def computed_text(self, row: int, col: int) -> str | None:
        return None

    def problem_key(self, row: int, col: int) -> tuple | None:
        return None

    def spans(self) -> list[tuple[int, int, int, int]]:
        return []

    # Qt API ------------------------------------------------------------------------------------
    def columnCount(self, parent=NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.columns())

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(self.columns()):
                return self.columns()[section].title
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        self._check_painted_form()
        key = (index.row(), index.column())
        flags = self._flags.get(key)
        if flags is None:  # (kept with what the cell looks like: ``_painted``)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if self.is_editable(*key):
                flags |= Qt.ItemFlag.ItemIsEditable
            self._flags[key] = flags
        return flags

    def is_editable(self, row: int, col: int) -> bool:
        spec = self.columns()[col]
        return spec.editable and not spec.computed and self.cell_path(row, col) is not None

    def problems_at(self, row: int, col: int) -> list:
        key = self.problem_key(row, col)
        if key is None:
            return []
        return self.document.findings(self.form_id).by_cell.get(key, [])

    _ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.BackgroundRole,
                        Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ToolTipRole,
                        Qt.ItemDataRole.TextAlignmentRole, PathRole, ColumnKeyRole})

    _ROLE_NUMBERS = frozenset(int(role) for role in _ROLES)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role not in self._ROLES:  # most calls: Qt asks for roles we do not use
            return None
        try:
            return self._data(index, role)
        except Exception:  # noqa: BLE001 - called by Qt: never raise into PySide6; reported once per cell and role
            key = (index.row(), index.column(), int(role))
            if key not in self._data_errors:
                self._data_errors.add(key)
                report_later()
            return None

    # what a view asks for to paint a cell (QStyledItemDelegate::initStyleOption), answered from ``_painted``
    _PAINT_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole,
                    Qt.ItemDataRole.FontRole, Qt.ItemDataRole.TextAlignmentRole)

    def multiData(self, index, roles) -> None:
        """All the roles a view asks for at once (one call per painted or measured cell instead of one per role).
        The roles it paints with come from ``_painted``, worked out once per cell until the cell changes; any other
        role is answered by ``data``."""
        try:
            if not index.isValid():
                for item in roles:
                    item.clearData()
                return
            self._check_painted_form()
            key = (index.row(), index.column())
            cell = self._painted.get(key)
            if cell is None:
                cell = {int(role): self._data(index, role) for role in self._PAINT_ROLES}
                self._painted[key] = cell
            for item in roles:
                role = item.role()
                if role in cell:
                    value = cell[role]
                elif role in self._ROLE_NUMBERS:
                    value = self.data(index, Qt.ItemDataRole(role))
                else:  # (check state, decoration: not used)
                    value = None
                if value is None:
                    item.clearData()
                else:
                    item.setData(value)
        except Exception:  # noqa: BLE001 - called by Qt: never raise into PySide6; the cell is painted empty
            self._painted.pop((index.row(), index.column()), None)
            for item in roles:
                item.clearData()
            failed = (index.row(), index.column(), -1)
            if failed not in self._data_errors:
                self._data_errors.add(failed)
                report_later()

    def _forget_painted(self, top_left, bottom_right, _roles=()) -> None:
        """Cells the model said changed are worked out again when next painted."""
        if not self._painted and not self._flags:
            return
        rows = range(top_left.row(), bottom_right.row() + 1)
        cols = range(top_left.column(), bottom_right.column() + 1)
        if len(rows) * len(cols) >= max(len(self._painted), len(self._flags)):
            self._forget_all_painted()
            return
        for r in rows:
            for c in cols:
                self._painted.pop((r, c), None)
                self._flags.pop((r, c), None)

    def _check_painted_form(self) -> None:
        """What is remembered belongs to the form object shown: another one under the same id (replaced, restored)
        is worked out anew."""
        form = self.form
        if form is not self._painted_form:
            self._forget_all_painted()
            self._painted_form = form

    def _forget_all_painted(self, *_args) -> None:
        self._painted.clear()
        self._flags.clear()

    def _data(self, index, role):
        if role not in self._ROLES or not index.isValid() or self.form is None:  # Qt asks for roles we do not use
            return None
        row, col = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            label = self.label_text(row, col)
            if label is not None:
                return label
            path = self.cell_path(row, col)
            if path is not None and self._path_exists(path):
                display = role == Qt.ItemDataRole.DisplayRole
                text = get_text(self.form, path, grouping=self.display_grouping if display else self.grouping)
                if role == Qt.ItemDataRole.DisplayRole and not text:
                    return self.computed_text(row, col) or ""
                if role == Qt.ItemDataRole.DisplayRole:
                    extra = self.display_suffix(row, col, text)
                    return text + extra if extra else text
                return text
            return self.computed_text(row, col) or ""
        if role == Qt.ItemDataRole.BackgroundRole:
            problems = self.problems_at(row, col)
            if any(p.severity == "error" for p in problems):
                return QBrush(ERROR_BG)
            if problems:
                return QBrush(WARNING_BG)
            if self.label_text(row, col) is not None:
                return QBrush(GROUP_BG)
            if not self.is_editable(row, col):
                return QBrush(COMPUTED_BG)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if self.is_suggestion(row, col):
                return QBrush(SUGGESTED_FG)
            return None
        if role == Qt.ItemDataRole.FontRole and self.is_suggestion(row, col):
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = problems_tooltip(self.problems_at(row, col))
            extra = self.tooltip_extra(row, col)
            return "\n".join(t for t in (tips, extra) if t) or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            spec = self.columns()[col]
            if spec.multiline:
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == PathRole:
            return self.cell_path(row, col)
        if role == ColumnKeyRole:
            return self.columns()[col].key
        return None

    grouping = False  # edit text: 12000.00 (what F2 shows and copy gives)
    display_grouping = False  # shown text: 12,000.00 for the amount tables

    def display_suffix(self, row: int, col: int, text: str) -> str:
        return ""

    def widest_texts(self, col: int) -> list[str]:
        """Texts column ``col`` should show on one line (the view keeps the column at least that wide)."""
        return []

    def is_suggestion(self, row: int, col: int) -> bool:
        return False

    def tooltip_extra(self, row: int, col: int) -> str:
        return ""

    def _path_exists(self, path: tuple) -> bool:
        return exists(self.form, path)

    @guarded(default=False)  # called by Qt: an error is reported afterwards, never raised into PySide6
    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self.is_editable(index.row(), index.column()):
            return False
        path = self.cell_path(index.row(), index.column())
        text = "" if value is None else str(value)
        if self._path_exists(path) and commands.safe_get_text(self.form, path, grouping=self.grouping) == text:
            return True
        self.document.edit(self.form_id, self.changes_for([(path, text)]))
        return True

    def changes_for(self, cells: list[tuple[tuple, str]]) -> list:
        """The ``model.editing`` changes that put ``cells`` ((path, text) of this table) into the form."""
        return [SetText(path, text) for path, text in cells if path is not None]

    # notifications ----------------------------------------------------------------------------------
    REPAINT_ROLES: ClassVar[list] = [
        Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.FontRole]

    def _on_form_changed(self, form_id: str) -> None:
        if form_id == self.form_id and self.rowCount() and self.columnCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1),
                                  self.REPAINT_ROLES)

    def _on_rows_changed(self, form_id: str) -> None:
        """Rows inserted or removed: a reset (the view applies its spans and measures every row on it; the findings
        are already those of the new rows, see ``ProjectDocument.notify_form_changed``)."""
        if form_id == self.form_id:
            self.beginResetModel()
            self.rebuild()
            self._pending_rows = []
            self._signatures = self.signatures() if self.form is not None else None
            self.endResetModel()

    def display_row_of(self, problem_row: int | None) -> int | None:
        """The table row that shows problems of ``problem_row`` (the row number problems carry)."""
        return problem_row

    def signatures(self) -> tuple[tuple, list]:
        """What the table shows besides stored text — problems of the whole table, and per row its problems and
        computed values — so that after an edit only rows whose signature changed are repainted."""
        findings = self.document.findings(self.form_id)
        marks: dict = {}
        for (field, row, key), problems in findings.by_cell.items():
            if field == self.table_field:
                shown = self.display_row_of(row) if row is not None else None
                marks.setdefault(shown, []).append((key, tuple((p.severity, p.message) for p in problems)))
        rows = [(tuple(sorted(marks.get(r, ()))), self.computed_signature(r)) for r in range(self.rowCount())]
        return tuple(sorted(marks.get(None, ()))), rows

    def computed_signature(self, row: int):
        return tuple(self.computed_text(row, c) for c in self.computed_columns())

    def computed_columns(self) -> range | list[int]:
        """The columns whose ``computed_text`` may be other than None (all, unless a table knows better)."""
        return range(self.columnCount())

    def _on_findings(self, form_id: str) -> None:
        if form_id not in ("", self.form_id) or self.form is None:
            return
        table, rows = self.signatures()
        old = getattr(self, "_signatures", None)
        self._signatures = (table, rows)
        pending, self._pending_rows = self._pending_rows, []
        if old is None or len(old[1]) != len(rows):
            self._on_form_changed(self.form_id)
            self.textRowsChanged.emit(list(range(len(rows))))
            return
        # shown text: typed (pending) or computed (the second part of a row's signature), of any row
        texts = sorted({r for r, (a, b) in enumerate(zip(old[1], rows, strict=True)) if a[1] != b[1]} | set(pending))
        if old[0] != table or form_id == "":
            self._on_form_changed(self.form_id)
        else:
            changed = {r for r, (a, b) in enumerate(zip(old[1], rows, strict=True)) if a != b} | set(pending)
            last = self.columnCount() - 1
            for r in sorted(changed):
                self.dataChanged.emit(self.index(r, 0), self.index(r, last), self.REPAINT_ROLES)
        if texts:
            self.textRowsChanged.emit(texts)

    _pending_rows: list = []  # noqa: RUF012 - replaced, never appended to: a default for the first edit

    def note_cells_changed(self, form_id: str, paths: list) -> None:
        """Rows whose text changed are repainted with the next findings update."""
        if form_id == self.form_id:
            self._pending_rows = [r for r in (self.row_of_path(p) for p in paths) if r is not None]

    def rebuild(self) -> None:
        pass


# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridRow:
    level2: Level2
    index: int | None  # index in form.indicators; None for the placeholder of an empty 二级指标


def grid_rows(form: AnyForm) -> list[GridRow]:
    """The rows of the indicator grid: the indicators by 二级指标 in the official order, and a placeholder row for
    each 二级指标 without any (the grid's row numbers, which the problems panel quotes too)."""
    by_level2: dict[Level2, list[int]] = {}
    for i, r in enumerate(form.indicators):
        by_level2.setdefault(r.level2, []).append(i)
    rows: list[GridRow] = []
    for info in SKELETON:
        indices = by_level2.get(info.key)
        rows.extend(GridRow(info.key, i) for i in indices) if indices else rows.append(GridRow(info.key, None))
    return rows


class IndicatorTableModel(FormTableModel):
    """The 一级/二级/三级 indicator grid. Empty 二级指标 show one placeholder row so the skeleton stays whole."""

    table_field = "indicators"

    def __init__(self, document, form_id: str, parent=None):
        self._rows: list[GridRow] = []
        self._grid_row: dict[int, int] = {}
        super().__init__(document, form_id, parent)
        self.layout_ = layout_for(self.form)
        self._columns = [c for c in self.layout_.columns if c.key != "caption"]
        self._score_columns = [i for i, c in enumerate(self._columns) if c.key == "score"]
        self.rebuild()
        self._signatures = self.signatures()  # what the view measures first: the first edit compares with it

    def columns(self) -> list[ColumnSpec]:
        return self._columns

    def rebuild(self) -> None:
        if self.form is None:  # the form was deleted (undo); the editor showing it is going away
            self._rows, self._grid_row, self._shown = [], {}, []
            return
        rows = grid_rows(self.form)
        self._rows = rows
        self._grid_row = {g.index: n for n, g in enumerate(rows) if g.index is not None}
        indicators = self.form.indicators
        self._shown = [None if g.index is None else indicators[g.index] for g in rows]

    _shown: list = []  # noqa: RUF012 - replaced, never appended to. The row object each grid row shows (None: placeholder), to tell what a row change changed

    @staticmethod
    def _row_key(level2: Level2, row) -> str:
        """What a grid row shows, comparable before and after a row change: the row objects are copies after
        every ``ReplaceRowsCommand``, but the old ones are kept (``_shown``) with their content up to date."""
        return f"placeholder {level2.value}" if row is None else repr(row)

    def _on_rows_changed(self, form_id: str) -> None:
        """Rows inserted, removed or replaced (insert, delete, 不适用, paste, typing into a placeholder, undo): told to
        the views as the rows that really came and went (``beginInsertRows``/``beginRemoveRows``) and the rows that
        changed in place, never as a reset. A reset would close the cell editor the user is typing in — the row
        being committed is replaced while its editor is open — and lose the current cell: Tab then went to the
        merged 产出 label, Enter left no current cell and the next key was lost. Rows that only moved keep their
        current cell, selection and open editor (Qt's persistent indexes follow them)."""
        if form_id != self.form_id:
            return
        if self.form is None or not self._rows:
            return super()._on_rows_changed(form_id)
        indicators = self.form.indicators
        new = grid_rows(self.form)
        old_keys = [self._row_key(g.level2, r) for g, r in zip(self._rows, self._shown, strict=True)]
        new_keys = [self._row_key(g.level2, None if g.index is None else indicators[g.index]) for g in new]
        opcodes = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes()
        old_signatures = getattr(self, "_signatures", None)
        if old_signatures is None or len(old_signatures[1]) != len(old_keys):  # unknown: every row counts as changed
            old_signatures = ((("", ("changed",)),), [self._CHANGED] * len(old_keys))
        old_level2 = [g.level2 for g in self._rows]
        # 1. every row that stays shows its new row at once (rows that only moved, or changed in place); rows about
        # to go show nothing (as a placeholder), so that the views read no stale index meanwhile
        rows = list(self._rows)
        for tag, i1, i2, j1, j2 in opcodes:
            keep = i2 - i1 if tag == "equal" else min(i2 - i1, j2 - j1)
            for k in range(i2 - i1):
                rows[i1 + k] = new[j1 + k] if k < keep else GridRow(rows[i1 + k].level2, None)
        self._rows = rows
        # 2. rows that came and went, from the end so that the positions before stay valid
        for tag, i1, i2, j1, j2 in reversed(opcodes):
            if tag == "equal":
                continue
            keep = min(i2 - i1, j2 - j1)
            if i2 - i1 > keep:
                self.beginRemoveRows(QModelIndex(), i1 + keep, i2 - 1)
                del self._rows[i1 + keep:i2]
                self.endRemoveRows()
            elif j2 - j1 > keep:
                self.beginInsertRows(QModelIndex(), i1 + keep, i1 + (j2 - j1) - 1)
                self._rows[i1 + keep:i1 + keep] = new[j1 + keep:j2]
                self.endInsertRows()
        self.rebuild()
        self._pending_rows = []
        # 3. the rows that changed — and every row of a 二级指标 whose row count changed (its merged label now
        # spans more or fewer rows: the heights change) — are repainted and measured with the findings update
        # that follows (``_on_findings`` compares what each row showed before with what it shows now)
        regrouped = {level2 for tag, i1, i2, j1, j2 in opcodes if tag != "equal" and i2 - i1 != j2 - j1
                     for level2 in old_level2[i1:i2] + [g.level2 for g in new[j1:j2]]}
        aligned: list = [None] * len(new)
        for tag, i1, i2, j1, j2 in opcodes:
            if tag == "equal":
                aligned[j1:j2] = old_signatures[1][i1:i2]
        self._signatures = (old_signatures[0], [
            self._CHANGED if s is None or new[n].level2 in regrouped else s for n, s in enumerate(aligned)])

    _CHANGED = ((("", ("changed",)),), ("changed",))  # the signature of a row that must be repainted and measured

    def rowCount(self, parent=NO_PARENT) -> int:
        return 0 if parent.isValid() or self.form is None else len(self._rows)

    def grid_row(self, row: int) -> GridRow:
        return self._rows[row]

    def row_of_path(self, path: tuple) -> int | None:
        row = super().row_of_path(path)
        return None if row is None else self.grid_row_of_indicator(row)

    def display_row_of(self, problem_row: int | None) -> int | None:
        return None if problem_row is None else self.grid_row_of_indicator(problem_row)

    def grid_row_of_indicator(self, index: int) -> int:
        return self._grid_row.get(index, 0)

    def stars(self) -> bool:
        """The 福田 stars (*数量) by the form's own district (a 宝安 form prints none), as ``rules.form_stars``
        decides, with the document's cached profile."""
        return self._profile_marks()[0]

    def weights(self) -> dict[Level1, Decimal] | None:
        """The 一级 weights of the form's own profile, printed in the self-evaluation's 产出指标(50分)."""
        return self._profile_marks()[1]

    def _profile_marks(self) -> tuple[bool, dict[Level1, Decimal] | None]:
        """(stars, weights) of the form's own profile; cached because ``data()`` asks for every label cell;
        refreshed when the form changes (项目编码)."""
        if self._marks is None:
            from ..rules import form_profile

            if self.form is None:
                self._marks = (False, None)
            else:
                own = form_profile(self.form, self.document.profile)
                weights = {l1: own.level1_weights[l1.value] for l1 in Level1 if l1.value in own.level1_weights}
                self._marks = (own.stars, weights if len(weights) == len(Level1) else None)
        return self._marks

    _marks: tuple[bool, dict[Level1, Decimal] | None] | None = None

    def _on_findings(self, form_id: str) -> None:
        if form_id in ("", self.form_id) and self.form is not None:
            before, self._marks = self._marks, None
            if before is not None and before != self._profile_marks():
                self._signatures = None  # every 一级/二级指标 label changes: repaint the whole grid
        super()._on_findings(form_id)

    def label_text(self, row: int, col: int) -> str | None:
        key = self._columns[col].key
        g = self._rows[row]
        if key == "level1":
            label = level1_label(self.layout_, LEVEL2_INFO[g.level2].level1, self.weights())
            # 满意度指标(10分): break before the points so a narrow merged cell wraps between words, not inside
            return label.replace("(", "\n(") if self.layout_.level_style == "weighted" else label
        if key == "level2":
            return level2_label(self.layout_, g.level2, self.stars())
        return None

    def cell_path(self, row: int, col: int) -> tuple | None:
        spec = self._columns[col]
        if spec.key in ("level1", "level2") or spec.computed:
            return None
        g = self._rows[row]
        if g.index is None:
            return ("placeholder", g.level2, spec.key)
        return ("indicators", g.index, spec.key)

    def problem_key(self, row: int, col: int) -> tuple | None:
        g = self._rows[row]
        key = self._columns[col].key
        if key in ("level1", "level2"):
            return ("indicators", None, g.level2.value) if g.index is None else None
        if g.index is None:
            return None
        return ("indicators", g.index, key)

    def problems_at(self, row: int, col: int) -> list:
        found = super().problems_at(row, col)
        g = self._rows[row]
        if self._columns[col].key == "name" and g.index is not None:
            # problems about the whole row are shown on its 三级指标 cell
            found = found + self.document.findings(self.form_id).by_cell.get(("indicators", g.index, None), [])
        if self._columns[col].key == "level2":
            found = found + self.document.findings(self.form_id).by_cell.get(("indicators", None, g.level2.value), [])
        return found

    def placeholder_changes(self, level2: Level2, values: list[tuple[str, str]]) -> list:
        """A new row of ``level2`` where it belongs (an empty 二级指标's placeholder becomes a real row), holding
        ``values`` ((column key, text))."""
        form = self.form
        position = insert_position(form, level2)
        return [ReplaceRows("indicators", inserted_rows(form, level2, position)),
                *(SetText(("indicators", position, key), text) for key, text in values)]

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):
        path = self.cell_path(index.row(), index.column()) if index.isValid() else None
        if path is None or not is_placeholder(path) or role != Qt.ItemDataRole.EditRole:
            return super().setData(index, value, role)
        return self._placeholder_data(index, path, "" if value is None else str(value))

    @guarded(default=False)  # called by Qt: an error is reported afterwards, never raised into PySide6
    def _placeholder_data(self, index, path: tuple, text: str) -> bool:
        """Typing into the placeholder of an empty 二级指标: the row is inserted and holds the text (one undo step)."""
        if not self.is_editable(index.row(), index.column()):
            return False
        self.document.edit(self.form_id, self.placeholder_changes(path[1], [(path[2], text)]),
                           f"新增{level2_name(path[1], 'short')}指标")
        return True

    def push_placeholder_cells(self, cells: list[tuple[tuple, str]]) -> int:
        """Values pasted into the placeholder rows of empty 二级指标, as typing there does: each such 二级 gets a
        real row holding them. Pushed onto the undo stack; the caller wraps the whole paste in one macro."""
        by_level2: dict = {}
        for path, text in cells:
            if text.strip():
                by_level2.setdefault(path[1], []).append((path[2], text))
        for level2, values in by_level2.items():  # one at a time: each insertion sees the rows of the one before
            self.document.edit(self.form_id, self.placeholder_changes(level2, values), "粘贴")
        return sum(len(values) for values in by_level2.values())

    def spans(self) -> list[tuple[int, int, int, int]]:
        """(row, column, rows, columns) of the merged 一级 and 二级 cells, like the printed form."""
        out = []
        c1 = next(i for i, c in enumerate(self._columns) if c.key == "level1")
        c2 = next(i for i, c in enumerate(self._columns) if c.key == "level2")
        for col, key_of in ((c1, lambda g: LEVEL2_INFO[g.level2].level1), (c2, lambda g: g.level2)):
            start = 0
            for n in range(1, len(self._rows) + 1):
                if n == len(self._rows) or key_of(self._rows[n]) != key_of(self._rows[start]):
                    if n - start > 1:
                        out.append((start, col, n - start, 1))
                    start = n
        return out

    # self-evaluation scores ----------------------------------------------------------------------
    def _row_score(self, row: int):
        g = self._rows[row]
        score = self.document.findings(self.form_id).score
        if score is None or g.index is None or g.index >= len(score.rows):
            return None
        return score.rows[g.index]

    def computed_columns(self) -> list[int]:
        """Only the 得分 column shows a computed text (the suggested score) in the indicator grid."""
        return self._score_columns

    def computed_signature(self, row: int):
        """The row's suggested score itself (what its computed text shows), not formatted: compared after every
        edit for each of the grid's rows."""
        g = self._rows[row]
        score = self._score_now
        if not self._score_columns or score is None or g.index is None or g.index >= len(score.rows):
            return None
        return score.rows[g.index].suggested

    _score_now = None  # the form's score while ``signatures`` runs

    def signatures(self) -> tuple[tuple, list]:
        self._score_now = self.document.findings(self.form_id).score
        try:
            return super().signatures()
        finally:
            self._score_now = None

    def computed_text(self, row: int, col: int) -> str | None:
        if self._columns[col].key == "score":
            s = self._row_score(row)
            if s is not None and s.suggested is not None:
                return format_number(s.suggested)
        return None

    def is_suggestion(self, row: int, col: int) -> bool:
        if self._columns[col].key != "score":
            return False
        g = self._rows[row]
        if g.index is None:
            return False
        r = self.form.indicators[g.index]
        return r.score is None and "score" not in r.raw and self._row_score(row) is not None

    def display_suffix(self, row: int, col: int, text: str) -> str:
        if self._columns[col].key == "score":
            s = self._row_score(row)
            r = self.form.indicators[self._rows[row].index]
            if s is not None and s.suggested is not None and r.score is not None and r.score != s.suggested:
                return _suggestion(format_number(s.suggested))
        return ""

    def widest_texts(self, col: int) -> list[str]:
        """The 得分 with a suggestion beside it (3（建议 2.81）), on one line: otherwise the row grows a line taller the
        moment a suggestion appears, and every row below it moves."""
        if self._columns[col].key != "score" or not self._score_columns or self.form is None:
            return []
        weights = [r.weight for r in self.form.indicators if r.weight is not None]
        most = format_number(max(weights)) if weights else "10"
        return [most + _suggestion(f"{most}.00")]

    def tooltip_extra(self, row: int, col: int) -> str:
        if self._columns[col].key != "score":
            return ""
        s = self._row_score(row)
        if s is None:
            return ""
        parts = []
        if s.suggested is not None:
            parts.append(f"建议得分：{format_number(s.suggested)}（按评分规则计算；直接输入得分可覆盖）")
        if getattr(s, "over_achieved", False):
            parts.append(f"{self.layout_.column('actual').name}超过指标值较多，请斟酌是否按偏离度调减得分")
        return "\n".join(parts)


_insert_position = insert_position  # (the window's row commands import it from here)


# --------------------------------------------------------------------------------------------------

class FundsTableModel(FormTableModel):
    """资金使用情况 of a self-evaluation: amounts typed in 元; 执行率 and 得分 computed."""

    table_field = "funds"
    display_grouping = True

    def __init__(self, document, form_id: str, parent=None):
        super().__init__(document, form_id, parent)
        funds = layout_for("self_evaluation").funds
        assert funds is not None
        self._row_titles = [row.label for row in funds.rows]
        self._columns = [
            ColumnSpec(c.key, c.title, 10, editable=c.key in ("initial_budget", "annual_budget", "executed", "weight"),
                       computed=c.key in ("execution_rate", "score"), numeric=True)
            for c in funds.columns
        ]
        self._signatures = self.signatures()

    def columns(self) -> list[ColumnSpec]:
        return self._columns

    def rowCount(self, parent=NO_PARENT) -> int:
        return 0 if parent.isValid() or self.form is None else len(FUND_ROWS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return self._row_titles[section]
        return super().headerData(section, orientation, role)

    def cell_path(self, row: int, col: int) -> tuple | None:
        key = self._columns[col].key
        if key in ("initial_budget", "annual_budget", "executed"):
            return ("funds", FUND_ROWS[row], key)
        if key == "weight" and row == 0:
            return ("funds", "weight")
        return None

    def problem_key(self, row: int, col: int) -> tuple | None:
        return ("funds", row, self._columns[col].key)

    def computed_text(self, row: int, col: int) -> str | None:
        key = self._columns[col].key
        if row > 0 and key in ("weight", "execution_rate", "score"):
            return "—"
        score = self.document.findings(self.form_id).score
        if score is None:
            return None
        if key == "execution_rate":
            return "" if score.execution_rate is None else format_number(score.execution_rate)
        if key == "score":
            return "" if score.funds_score is None else format_number(score.funds_score)
        return None


class TasksTableModel(FormTableModel):
    """年度主要任务 of the department form, with the computed 金额合计 row."""

    table_field = "tasks"
    display_grouping = True

    def __init__(self, document, form_id: str, parent=None):
        super().__init__(document, form_id, parent)
        tasks = layout_for("department_overall").tasks
        assert tasks is not None
        amounts = {c.key for c in tasks.amount_columns}
        self._columns = [ColumnSpec(c.key, c.title, 10, numeric=c.key in amounts, multiline=c.key == "content")
                         for c in tasks.columns]
        self._sum_label = tasks.sum_label
        total, appropriation, other = (tasks.column(k).title for k in ("total", "appropriation", "other"))
        self._total_tip = (f"{total} = {appropriation} + {other}：填写这两项时，未另行填写的{total}自动按两者之和填写；"
                           f"也可直接输入{total}")
        self._signatures = self.signatures()

    def columns(self) -> list[ColumnSpec]:
        return self._columns

    def rowCount(self, parent=NO_PARENT) -> int:
        return 0 if parent.isValid() or self.form is None else len(self.form.tasks) + 1

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return "合计" if section == len(self.form.tasks) else str(section + 1)  # the row numbers' own word
        return super().headerData(section, orientation, role)

    def is_sum_row(self, row: int) -> bool:
        return row == len(self.form.tasks)

    def cell_path(self, row: int, col: int) -> tuple | None:
        if self.is_sum_row(row):
            return None
        return ("tasks", row, self._columns[col].key)

    def label_text(self, row: int, col: int) -> str | None:
        if self.is_sum_row(row) and col == 0:
            return self._sum_label
        return None

    def problem_key(self, row: int, col: int) -> tuple | None:
        return ("tasks", None if self.is_sum_row(row) else row, self._columns[col].key)

    def computed_text(self, row: int, col: int) -> str | None:
        key = self._columns[col].key
        if self.is_sum_row(row) and key in ("total", "appropriation", "other"):
            return format_money(task_sum(self.form, key), "元", grouping=True)
        return None

    def tooltip_extra(self, row: int, col: int) -> str:
        if self._columns[col].key == "total" and not self.is_sum_row(row):
            return self._total_tip
        if self.is_sum_row(row):
            return f"{self._sum_label}按各任务求和，自动计算"
        return ""



def is_self_evaluation(form: AnyForm) -> bool:
    return isinstance(form, SelfEvaluation)
