"""The forms list (left) and the problems panel (bottom)."""

from __future__ import annotations

import unicodedata
from collections import Counter

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QRect, QSize, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QIcon, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..layouts import DECLARATION, LAYOUTS, form_kind_title
from ..model import form_code, form_title

NO_PARENT = QModelIndex()  # the default parent of the Qt API's row and column counts
FormIdRole = Qt.ItemDataRole.UserRole + 10
BadgeRole = Qt.ItemDataRole.UserRole + 11  # (errors, warnings) of a form, drawn by FormListDelegate
DetailRole = Qt.ItemDataRole.UserRole + 12  # what tells a form from others of the same name: 年度, end of 项目编码
GroupRole = Qt.ItemDataRole.UserRole + 13  # ((title, shorter titles…), count) of a group row
ERROR_COLOR = QColor("#b00020")
WARNING_COLOR = QColor("#8a5a00")
OK_COLOR = QColor("#1b6e20")
EXPLAINED_COLOR = QColor("#8a8f98")  # 已说明: still listed, greyed
HINT_COLOR = QColor("#2f5d8a")
KIND_NAMES = {"error": "错误", "warning": "警告", "explained": "已说明", "hint": "提示"}
DETAIL_COLOR = QColor("#5f6b7a")
KIND_ORDER = tuple(LAYOUTS)  # the forms list groups in the official order
# a group title that does not fit the list's width is shown shorter, the first that fits (the full title is its
# tooltip); the last one is elided when even it does not fit, its count never
SHORTER_KIND_TITLES = {"declaration": ("项目支出绩效目标申报表", "项目绩效目标申报表"),
                       "self_evaluation": ("项目绩效自评表",),
                       "department_overall": ("部门整体支出绩效目标申报表", "部门整体绩效目标申报表")}
NO_YEAR = "年度未填"
CODE_LABEL = DECLARATION.field("project_code").name  # also for a department form: 项目编码：—
NOT_CHECKED = "尚未检查（正在后台检查）"


def _same_name_key(form) -> str:
    """（…） and (…) look alike in the list: names are compared as NFKC, without spaces."""
    return unicodedata.normalize("NFKC", form_title(form)).replace(" ", "")


def form_details(forms: list) -> dict[str, str]:
    """What tells a form from others of the same name in the list (a declaration and the self-evaluation made from
    it, two years of one project, two projects of one name): its year (``NO_YEAR`` when not filled in); for forms
    of the same kind and year also the last digits of the 项目编码 (at least 4, as many as needed) — the code alone
    when the year tells nothing (every form of that name has it). Forms with a name of their own get none."""
    by_title: dict[str, list] = {}
    for f in forms:
        by_title.setdefault(_same_name_key(f), []).append(f)
    details: dict[str, str] = {}
    for same in by_title.values():
        if len(same) < 2:
            continue
        by_kind_year: dict[tuple, list] = {}
        for f in same:
            by_kind_year.setdefault((f.kind, getattr(f, "year", None)), []).append(f)
        for (_kind, year), group in by_kind_year.items():
            year_text = str(year) if year is not None else NO_YEAR
            if len(group) == 1:
                details[group[0].id] = year_text
                continue
            codes = [form_code(f) for f in group]
            year_tells_nothing = len(group) == len(same)
            if all(codes) and len(set(codes)) == len(codes):
                digits = 4
                while len({c[-digits:] for c in codes}) < len(codes):
                    digits += 1
                for f, code in zip(group, codes, strict=True):
                    tail = f"…{code[-digits:]}"
                    details[f.id] = tail if year_tells_nothing else f"{year_text} {tail}"
            else:  # no 项目编码 to tell them apart: their order
                for n, f in enumerate(group, 1):
                    details[f.id] = f"#{n}" if year_tells_nothing else f"{year_text} #{n}"
    return details


class ProjectTreeModel(QStandardItemModel):
    """Forms grouped by kind, each with a badge of its problem counts."""

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.items: dict[str, QStandardItem] = {}
        self._details: dict[str, str] = {}
        self._keys: dict[str, tuple] = {}
        self._title_of: dict[str, str] = {}  # form id → its name as ``form_details`` compares it
        self._groups: dict[str, list[str]] = {}  # that name → the ids of its forms, in project order
        self._groups_ok = False
        self._described: dict[str, tuple] = {}  # form id → (its findings, its detail) as last shown
        document.formsChanged.connect(self.rebuild)
        document.findingsChanged.connect(self.update_badges)
        document.formsChecked.connect(self.update_checked)
        self.rebuild()

    def rebuild(self) -> None:
        self.clear()
        self.items = {}
        self._described = {}
        self._groups_ok = False  # forms came or went: the same-name details are worked out again
        groups = {}
        for kind in KIND_ORDER:
            item = QStandardItem(form_kind_title(kind))
            item.setEditable(False)
            item.setSelectable(False)
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            groups[kind] = item
            self.appendRow(item)
        for form in self.document.project.forms:
            item = QStandardItem()
            item.setEditable(False)
            item.setData(form.id, FormIdRole)
            groups[form.kind].appendRow(item)
            self.items[form.id] = item
        for kind, item in groups.items():
            # the count is drawn apart from the title (FormListDelegate), so a narrow list never cuts it off
            title = form_kind_title(kind)
            item.setText(f"{title}（{item.rowCount()}）")
            item.setData(((title,) + SHORTER_KIND_TITLES[kind], item.rowCount()), GroupRole)
            item.setToolTip(f"{title}：{item.rowCount()} 张")
        self.update_badges("")

    def update_badges(self, form_id: str = "") -> None:
        """The form's name as the item text; its problem counts in ``BadgeRole`` and what tells it from forms of the
        same name in ``DetailRole``, drawn right-aligned by ``FormListDelegate`` so they stay visible however long the
        name (the name is elided, never the badge or the year).

        ``form_id``: only that form changed. A name, year or code typed in it can change the details of the forms
        of its old and its new name, and of no other (``form_details`` compares forms of one name only), so only
        those are worked out again: typing costs the same in a project of 60 forms or of 10,000. "": every form's
        counts (names only after ``rebuild``: findings alone change no name)."""
        one = form_id and form_id in self.items
        form = self.document.form(form_id) if one else None
        key: tuple = (form_title(form), getattr(form, "year", None), form_code(form)) if form is not None else ()
        changed = []
        if not self._groups_ok:  # after ``rebuild`` (forms came or went), or forms sharing an id: the whole list
            forms = self.document.project.forms
            self._details = form_details(forms)
            self._keys = {f.id: (form_title(f), getattr(f, "year", None), form_code(f)) for f in forms}
            self._title_of = {f.id: _same_name_key(f) for f in forms}
            self._groups = {}
            for f in forms:
                self._groups.setdefault(self._title_of[f.id], []).append(f.id)
            self._groups_ok = len(self._title_of) == len(forms)  # forms sharing an id: always the whole list
            changed = [fid for fid, item in self.items.items() if item.data(DetailRole) != self._details.get(fid, "")]
        elif one and key != self._keys.get(form_id):
            self._keys[form_id] = key
            old_title, new_title = self._title_of.get(form_id, ""), _same_name_key(form)
            if old_title != new_title:
                if old_title in self._groups:
                    self._groups[old_title] = [fid for fid in self._groups[old_title] if fid != form_id]
                group = self._groups.setdefault(new_title, [])
                group.append(form_id)
                group.sort(key=self._position)
                self._title_of[form_id] = new_title
            affected = list(dict.fromkeys(self._groups.get(old_title, []) + self._groups.get(new_title, [])))
            affected.sort(key=self._position)
            details = form_details([f for f in map(self.document.form, affected) if f is not None])
            for fid in affected:
                if details.get(fid):
                    self._details[fid] = details[fid]
                else:
                    self._details.pop(fid, None)
            changed = [fid for fid in affected
                       if fid in self.items and self.items[fid].data(DetailRole) != self._details.get(fid, "")]
        ids = [form_id] if one else list(self.items)
        for fid in dict.fromkeys(ids + changed):
            self._describe(fid, self.items[fid], self._details.get(fid, ""))

    def update_checked(self, form_ids: list) -> None:
        """The background pass checked these forms: their badges (names and details did not change)."""
        for fid in form_ids:
            item = self.items.get(fid)
            if item is not None:
                self._describe(fid, item, self._details.get(fid, ""))

    def _position(self, form_id: str) -> int:
        try:
            return self.document.index_of(form_id)
        except StopIteration:
            return -1

    def _describe(self, fid: str, item: QStandardItem, detail: str) -> None:
        form = self.document.form(fid)
        if form is None:
            return
        found = self.document.findings_now(fid)
        last = self._described.get(fid)
        if found is not None and last is not None and last[0] is found:
            if last[1] == detail:
                return  # the same findings and detail as shown (an edit makes new findings): nothing to compare
            # only the detail moved (a form of the same name was renamed, added or removed): this form was not
            # edited (that makes new findings), so its name, counts, tip and colour are as shown
            title = item.text()
            self._described[fid] = (found, detail)
            item.setData(detail, DetailRole)
            shown = f"{title}（{detail}）" if detail else title
            counts = f"错误 {found.errors} 个，警告 {found.warnings} 个"
            item.setData(f"{shown}，{counts}", Qt.ItemDataRole.AccessibleTextRole)
            return
        year = getattr(form, "year", None)
        title = form_title(form)
        errors, warnings = (found.errors, found.warnings) if found is not None else (0, 0)
        badge = None if found is None else (errors, warnings)
        counts = NOT_CHECKED if found is None else f"错误 {errors} 个，警告 {warnings} 个"
        tip = (f"{title}\n{form_kind_title(form.kind)}\n{CODE_LABEL}：{form_code(form) or '—'}"
               f"\n年度：{year or '—'}\n{counts}")
        self._described[fid] = (found, detail)
        if (item.text() == title and item.data(BadgeRole) == badge and item.toolTip() == tip
                and item.data(DetailRole) == detail):
            return  # typing that changes neither name nor counts repaints nothing
        item.setText(title)
        item.setData(detail, DetailRole)
        item.setData(badge, BadgeRole)
        item.setToolTip(tip)
        shown = f"{title}（{detail}）" if detail else title
        item.setData(f"{shown}，{counts}", Qt.ItemDataRole.AccessibleTextRole)
        if found is None:
            color = DETAIL_COLOR
        else:
            color = ERROR_COLOR if errors else (WARNING_COLOR if warnings else OK_COLOR)
        item.setForeground(QBrush(color))

    def index_of_form(self, form_id: str) -> QModelIndex:
        item = self.items.get(form_id)
        return item.index() if item else QModelIndex()


def badge_parts(badge) -> list[tuple[str, QColor]]:
    errors, warnings = badge
    parts = []
    if errors:
        parts.append((f"✖{errors}", ERROR_COLOR))
    if warnings:
        parts.append((f"⚠{warnings}", WARNING_COLOR))
    return parts or [("✓", OK_COLOR)]


class FormListDelegate(QStyledItemDelegate):
    """Draws the parts of a row that must stay visible right-aligned — a form's year/code detail and its problem
    badge (2023 ✖3 ⚠1 or ✓), a group's count (（52）) — and elides the name before them. A group title that does
    not fit is replaced by its compact form before it is elided."""

    GAP = 6

    def trailing_parts(self, index) -> list[tuple[str, QColor | None]]:
        """(text, colour) drawn right-aligned; colour None: the row's own text colour."""
        group = index.data(GroupRole)
        if group is not None:
            return [(f"（{group[1]}）", None)]
        parts: list[tuple[str, QColor | None]] = []
        detail = index.data(DetailRole)
        if detail:
            parts.append((detail, DETAIL_COLOR))
        badge = index.data(BadgeRole)
        if badge is not None:
            parts.extend(badge_parts(badge))
        return parts

    def row_texts(self, option, index) -> tuple[str, list[tuple[str, QColor | None]], int]:
        """What the row shows: the name as drawn (compact group title, elided), the right-aligned parts and their
        width (the same numbers ``paint`` uses)."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        metrics = QFontMetrics(opt.font)
        parts = self.trailing_parts(index)
        width = sum(metrics.horizontalAdvance(t) for t, _c in parts) + self.GAP * len(parts)
        style = opt.widget.style() if opt.widget else QApplication.style()
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        room = max(0, text_rect.width() - width - 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1))
        name = opt.text
        group = index.data(GroupRole)
        if group is not None:
            # the title and its count together when they fit (a shorter title if need be), else the count apart
            room = max(0, text_rect.width() - 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1))
            for title in group[0]:
                if metrics.horizontalAdvance(title + parts[0][0]) <= room:
                    return title + parts[0][0], [], 0
            room = max(0, room - width)
            name = group[0][-1]
        return metrics.elidedText(name, Qt.TextElideMode.ElideRight, room), parts, width

    def paint(self, painter, option, index):
        name, parts, width = self.row_texts(option, index)
        if not parts:
            if name != index.data():  # a group title that fits in its compact form
                opt = QStyleOptionViewItem(option)
                self.initStyleOption(opt, index)
                opt.text = name
                style = opt.widget.style() if opt.widget else QApplication.style()
                style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
                return
            return super().paint(painter, option, index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        right = option.rect.right()
        style = opt.widget.style() if opt.widget else QApplication.style()
        # the row's background and selection over the whole width, then the name in what is left of it
        full = QStyleOptionViewItem(opt)
        full.rect = option.rect
        full.text = ""
        full.icon = QIcon()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, full, painter, opt.widget)
        opt.rect = QRect(option.rect.left(), option.rect.top(), max(0, option.rect.width() - width),
                         option.rect.height())
        opt.text = name
        opt.backgroundBrush = QBrush()
        opt.state &= ~QStyle.StateFlag.State_HasFocus
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        painter.setFont(opt.font)
        metrics = QFontMetrics(opt.font)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        x = right - width + self.GAP // 2
        for text, color in parts:
            w = metrics.horizontalAdvance(text)
            if selected:
                color = option.palette.highlightedText().color()
            elif color is None:
                brush = index.data(Qt.ItemDataRole.ForegroundRole)
                color = brush.color() if isinstance(brush, QBrush) else option.palette.text().color()
            painter.setPen(color)
            painter.drawText(QRect(x, option.rect.top(), w + self.GAP, option.rect.height()),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
            x += w + self.GAP
        painter.restore()

    def sizeHint(self, option, index):
        size = super().sizeHint(option, index)
        parts = self.trailing_parts(index)
        if not parts:
            return size
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        metrics = QFontMetrics(opt.font)
        return QSize(size.width() + sum(metrics.horizontalAdvance(t) for t, _c in parts) + self.GAP * len(parts),
                     size.height())


def problem_location(problem, form=None, grid_row_of: dict[int, int] | None = None) -> str:
    """Where a problem is, the way the user finds it on screen, in the words of the form's layout
    (``model.fields.place_name``): "资金使用情况 · 年度资金总额 · 全年执行数", "年度主要任务 第 2 行 · 总额",
    "指标 第 5 行 · 实际完成值" (the grid's own row numbers: ``grid_row_of``), a header field's label."""
    from ..layouts import layout_for
    from ..model.fields import place_name

    kind = form.kind if form is not None else {"funds": "self_evaluation", "tasks": "department_overall"}.get(
        problem.field, "declaration")
    return place_name(layout_for(kind), problem.field, problem.row, problem.column, grid_row_of)


class ProblemsModel(QAbstractTableModel):
    """Every problem of the project: 级别, 表单, 位置, 说明, 规则."""

    COLUMNS = ("级别", "表单", "位置", "说明", "规则")

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.rows: list[tuple[str, object]] = []  # (form id, problem)
        self.kinds: list[str] = []  # error / warning / explained / hint of each row
        self.explanations: list = []  # the 说明 (model.Explanation) of each row, or None
        self.kind_counts: Counter = Counter()  # of ``kinds``, kept with it (the panel's count costs no pass)
        # each form's slice of the rows (forms in project order), so one form's change replaces only its rows: the
        # slice of the form at position p starts at sum(_lengths[:p]) (a sum in C: 50 µs at 10,000 forms)
        self._order: list[str] = []
        self._position: dict[str, int] = {}
        self._lengths: list[int] = []
        self._spans_ok = False
        self._taken: dict[str, object] = {}  # form id → the findings its rows were made from (None: not checked)
        self._grid_rows: dict[str, dict[int, int]] = {}  # form id → indicator index → grid row (see location())
        document.findingsChanged.connect(self.refresh)
        document.formsChanged.connect(self.refresh)
        # forms the background pass checked: their rows come in at once, a few at a time, each put in its sorted
        # place by the proxy — instead of a reset at the end that re-sorts the whole list (seconds at 10,000 forms)
        document.formsChecked.connect(self.take_checked)
        self.refresh()

    def take_checked(self, form_ids: list) -> None:
        for form_id in form_ids:
            if not self._refresh_form(form_id):
                self._refresh_all()
                return

    def location(self, form_id: str, problem) -> str:
        form = self.document.form(form_id)
        grid_row_of = None
        if form is not None and problem.field == "indicators" and problem.row is not None:
            grid_row_of = self._grid_rows.get(form_id)
            if grid_row_of is None:
                from .table_models import grid_rows

                grid_row_of = {g.index: n for n, g in enumerate(grid_rows(form)) if g.index is not None}
                self._grid_rows[form_id] = grid_row_of
        where = problem_location(problem, form, grid_row_of)
        if form is not None and problem.rule.startswith("calculation.") and problem.row is None:
            from ..rules.arithmetic import quoted_expression

            place = quoted_expression(getattr(form, problem.field, "") or "", problem.message)
            if place is not None:  # a 测算依据 of a hundred lines: which one
                where += f" · 第 {place[2]} 行"
        return where

    def refresh(self, form_id: str = "", *_args) -> None:
        """``form_id``: only that form's findings changed, so only its rows (one slice of the list, the forms in
        project order) are replaced; "" (or a form the list does not know yet): the whole list is rebuilt."""
        if form_id:
            self._grid_rows.pop(form_id, None)
            if self._refresh_form(form_id):
                return
        else:
            self._grid_rows.clear()
            if self._up_to_date():
                return
        self._refresh_all()

    def _up_to_date(self) -> bool:
        """Every form's rows were made from the findings it has now, in the project's order (the background pass
        took them in one by one): nothing to rebuild — a pass over ids, not over every problem."""
        forms = self.document.project.forms
        if not self._spans_ok or len(forms) != len(self._order):
            return False
        taken, now = self._taken, self.document.findings_now
        return all(f.id == fid and fid in taken and taken[fid] is now(fid)
                   for f, fid in zip(forms, self._order, strict=True))

    def _form_rows(self, form_id: str) -> tuple[list, list, list]:
        found = self.document.findings_now(form_id)
        self._taken[form_id] = found
        if found is None:  # not checked yet (background pass): its rows come when the pass checks it
            return [], [], []
        rows = [(form_id, p) for p in found.problems]
        kinds = list(found.kinds())  # (the findings keep theirs)
        explanations = [f.explanation for f in found.items] if len(found.items) == len(found.problems) \
            else [None] * len(found.problems)
        return rows, kinds, explanations

    def _refresh_all(self) -> None:
        rows: list[tuple[str, object]] = []
        kinds: list[str] = []
        explanations: list = []
        order: list[str] = []
        lengths: list[int] = []
        self._taken = {}
        for form in self.document.project.forms:
            r, k, e = self._form_rows(form.id)
            order.append(form.id)
            lengths.append(len(r))
            rows += r
            kinds += k
            explanations += e
        self._order, self._lengths = order, lengths
        self._position = {fid: i for i, fid in enumerate(order)}
        # forms sharing an id cannot be told apart by id: such a project is always rebuilt whole
        self._spans_ok = len(self._position) == len(order)
        if rows == self.rows and kinds == self.kinds and explanations == self.explanations:
            return  # typing that changes no problem keeps the list, its selection and its scroll position
        self.beginResetModel()
        self.rows, self.kinds, self.explanations = rows, kinds, explanations
        self.kind_counts = Counter(kinds)
        self.endResetModel()

    def _refresh_form(self, form_id: str) -> bool:
        """Replace ``form_id``'s rows; False when the list must be rebuilt instead (forms added, removed, moved)."""
        forms = self.document.project.forms
        pos = self._position.get(form_id)
        if (not self._spans_ok or pos is None or len(self._order) != len(forms) or forms[pos].id != form_id):
            return False
        rows, kinds, explanations = self._form_rows(form_id)
        start, old = sum(self._lengths[:pos]), self._lengths[pos]
        end = start + old
        if rows == self.rows[start:end] and kinds == self.kinds[start:end] \
                and explanations == self.explanations[start:end]:
            return True
        self.kind_counts.subtract(self.kinds[start:end])
        self.kind_counts.update(kinds)
        new = len(rows)
        common = min(old, new)
        if new < old:
            self.beginRemoveRows(QModelIndex(), start + new, end - 1)
            del self.rows[start + new:end], self.kinds[start + new:end], self.explanations[start + new:end]
            self.endRemoveRows()
        changed = [n for n in range(common) if (self.rows[start + n], self.kinds[start + n], self.explanations[
            start + n]) != (rows[n], kinds[n], explanations[n])]
        self.rows[start:start + common] = rows[:common]
        self.kinds[start:start + common] = kinds[:common]
        self.explanations[start:start + common] = explanations[:common]
        # one signal per changed row: the sorting proxy re-sorts a one-row change in place, while a range of rows
        # costs it a pass over the whole list (5 ms at 27,000 problems)
        last = len(self.COLUMNS) - 1
        for n in changed:
            self.dataChanged.emit(self.index(start + n, 0), self.index(start + n, last))
        if new > old:
            self.beginInsertRows(QModelIndex(), end, start + new - 1)
            self.rows[end:end] = rows[common:]
            self.kinds[end:end] = kinds[common:]
            self.explanations[end:end] = explanations[common:]
            self.endInsertRows()
        self._lengths[pos] = new
        return True

    def rowCount(self, parent=NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 5:
            return self.COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        form_id, p = self.rows[index.row()]
        kind = self.kinds[index.row()] if index.row() < len(self.kinds) else p.severity
        explanation = self.explanations[index.row()] if index.row() < len(self.explanations) else None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return KIND_NAMES.get(kind, kind)
            if col == 1:
                form = self.document.form(form_id)
                return form_title(form) if form else ""
            if col == 2:
                return self.location(form_id, p)
            if col == 3:
                return p.message + (f"　【说明】{explanation.text}" if explanation is not None else "")
            return rule_code(p.rule)
        if role == Qt.ItemDataRole.ForegroundRole:
            if kind == "explained":
                return QBrush(EXPLAINED_COLOR)
            if col == 0:
                return QBrush({"error": ERROR_COLOR, "hint": HINT_COLOR}.get(kind, WARNING_COLOR))
            return None
        if role == Qt.ItemDataRole.ToolTipRole and col == 3:
            return p.message + (f"\n说明：{explanation.text}" if explanation is not None else "")
        if role == Qt.ItemDataRole.ToolTipRole and col == 2:
            return self.location(form_id, p)
        if role == Qt.ItemDataRole.ToolTipRole and col == 4:
            return f"规则 {rule_code(p.rule)}（{p.rule}），见使用说明中的规则列表"
        if role == Qt.ItemDataRole.UserRole:
            return kind
        if role == FormIdRole:
            return form_id
        return None

    def problem(self, row: int):
        return self.rows[row]

    def kind(self, row: int) -> str:
        return self.kinds[row]


def rule_code(rule_id: str) -> str:
    """The code users see in the rule list of the help and the spec (D9, S7, N3…) for a catalogue id."""
    from ..rules import RULES

    rule = RULES.get(rule_id)
    return rule.code if rule else rule_id


class ProblemsFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.severity = ""
        self.form_id = ""
        self.hints = False

    def set_filter(self, severity: str, form_id: str, hints: bool = False) -> None:
        """Filter anew only when the filter changed: switching forms with 只看当前表单 unticked changes nothing, and
        filtering anew runs every problem of the project through ``filterAcceptsRow`` (0.6 s at 10,000 forms)."""
        if (severity, form_id, hints) == (self.severity, self.form_id, self.hints):
            return
        self.beginFilterChange()
        self.severity, self.form_id, self.hints = severity, form_id, hints
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row, parent):
        index = self.sourceModel().index(row, 0, parent)
        kind = index.data(Qt.ItemDataRole.UserRole)
        if self.severity and kind != self.severity:
            return False
        if not self.severity and kind == "hint" and not self.hints:
            return False
        if self.form_id and index.data(FormIdRole) != self.form_id:
            return False
        return True


class ProblemsPanel(QWidget):
    """Sortable, filterable list of problems; double-click (or Enter) jumps to the cell."""

    problemActivated = Signal(str, object)  # form id, problem
    explainRequested = Signal(str, object)  # form id, problem: 说明… (the window asks for the text)
    unexplainRequested = Signal(str, object)  # form id, problem: 清除说明

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.current_form_id = ""
        self.model = ProblemsModel(document, self)
        self.proxy = ProblemsFilter(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.severity = QComboBox()
        self.severity.setObjectName("severityFilter")
        self.severity.addItem("全部", "")
        self.severity.addItem("仅错误", "error")
        self.severity.addItem("仅警告", "warning")
        self.severity.addItem("仅已说明", "explained")
        self.severity.addItem("仅提示", "hint")
        self.show_hints = QCheckBox("提示")
        self.show_hints.setObjectName("showHints")
        self.show_hints.setToolTip("显示填报建议（提示）：不影响上报，也不计入警告")
        self.show_hints.setChecked(False)  # off: the list is what needs doing; the count names the hints
        self.only_current = QCheckBox("只看当前表单")
        self.only_current.setObjectName("onlyCurrentForm")
        self.explain_button = QPushButton("说明(&E)…")
        self.explain_button.setObjectName("explainButton")
        self.explain_button.setToolTip("为选中的警告写说明：写明原因后它不再计为警告（灰色显示）")
        self.unexplain_button = QPushButton("清除说明")
        self.unexplain_button.setObjectName("unexplainButton")
        self.count = QLabel()
        self.count.setObjectName("problemsCount")
        # the counts give way on a narrow window (full text in the tooltip) rather than widen the window
        self.count.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.count.setMinimumWidth(0)
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bar.addWidget(QLabel("显示："))
        bar.addWidget(self.severity)
        bar.addWidget(self.show_hints)
        bar.addWidget(self.only_current)
        bar.addWidget(self.explain_button)
        bar.addWidget(self.unexplain_button)
        bar.addWidget(self.count, 1)
        layout.addLayout(bar)
        self.view = QTableView()
        self.view.setObjectName("problemsView")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 50), (1, 180), (2, 290), (4, 60)):
            self.view.setColumnWidth(col, width)
        layout.addWidget(self.view)
        self.severity.currentIndexChanged.connect(self._apply_filter)
        self.show_hints.toggled.connect(self._apply_filter)
        self.only_current.toggled.connect(self._apply_filter)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._menu_requested)
        self.explain_button.clicked.connect(self.explain_current)
        self.unexplain_button.clicked.connect(self.unexplain_current)
        self.view.selectionModel().currentChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.view.activated.connect(self._activated)
        self.view.doubleClicked.connect(self._activated)
        self.model.modelReset.connect(self._update_count)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.dataChanged):
            signal.connect(self._rows_changed)  # one form's rows replaced (ProblemsModel._refresh_form)
        self._progress: tuple[int, int] | None = None
        document.checkProgress.connect(self._check_progress)
        if document.checking:
            self._progress = (document.checked_count(), len(document.project.forms))
        self._update_count()

    def _check_progress(self, done: int, total: int) -> None:
        self._progress = (done, total) if done < total else None
        self._update_count()

    def set_current_form(self, form_id: str) -> None:
        self.current_form_id = form_id
        self._apply_filter()

    def _apply_filter(self, *_args) -> None:
        self.proxy.set_filter(self.severity.currentData(),
                              self.current_form_id if self.only_current.isChecked() else "",
                              self.show_hints.isChecked())
        self._update_count()
        self._update_buttons()

    def _rows_changed(self, *_args) -> None:
        self._update_count()
        self._update_buttons()

    def _update_count(self) -> None:
        kinds = self.model.kind_counts
        errors, warnings = kinds["error"], kinds["warning"]
        explained, hints = kinds["explained"], kinds["hint"]
        text = f"错误 {errors} 个，警告 {warnings} 个"
        if explained:
            text += f"，已说明 {explained} 个"
        if hints:
            text += f"，提示 {hints} 个"
        shown = f"共 {len(self.model.rows)} 个问题（{text}）；显示 {self.proxy.rowCount()} 个"
        if self._progress is not None:
            done, total = self._progress
            shown = f"正在检查 {done:,}/{total:,} 张表单… " + shown
        self.count.setText(shown)
        self.count.setToolTip(self.count.text())

    # ---- 说明 ----------------------------------------------------------------------------------------

    def current_row(self) -> int | None:
        """The source row of the problem selected in the list (None: none)."""
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        row = self.proxy.mapToSource(index).row()
        return row if 0 <= row < len(self.model.rows) else None

    def select_row(self, row: int) -> None:
        """Make source row ``row`` the current one (shown by the filter)."""
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.view.setCurrentIndex(index)

    def _explainable(self, row: int | None) -> bool:
        if row is None:
            return False
        form_id, problem = self.model.rows[row]
        form = self.document.form(form_id)
        if form is None or self.model.kinds[row] in ("hint", "explained"):
            return False
        from ..rules.explanations import explainable

        try:
            return explainable(problem, form, self.document.project)
        except Exception:  # noqa: BLE001 - a bad rule profile: no 说明 offered
            return False

    def _update_buttons(self, *_args) -> None:
        row = self.current_row()
        explained = row is not None and self.model.kinds[row] == "explained"
        self.explain_button.setEnabled(self._explainable(row) or explained)
        self.unexplain_button.setEnabled(row is not None and self.model.kinds[row] == "explained")

    def explain_current(self) -> None:
        row = self.current_row()
        if row is not None and (self._explainable(row) or self.model.kinds[row] == "explained"):
            self.explainRequested.emit(*self.model.rows[row])

    def unexplain_current(self) -> None:
        row = self.current_row()
        if row is not None and self.model.kinds[row] == "explained":
            self.unexplainRequested.emit(*self.model.rows[row])

    def context_menu(self, row: int | None) -> QMenu:
        """The list's right-click menu for source row ``row``: 转到, 说明…, 清除说明."""
        menu = QMenu(self.view)
        menu.setObjectName("problemsMenu")
        go = menu.addAction("转到(&G)", lambda: self._go_to(row))
        go.setEnabled(row is not None)
        explained = row is not None and self.model.kinds[row] == "explained"
        explain = menu.addAction("修改说明(&E)…" if explained else "说明(&E)…", self.explain_current)
        explain.setObjectName("problemsMenuExplain")
        explain.setEnabled(explained or self._explainable(row))
        clear = menu.addAction("清除说明(&R)", self.unexplain_current)
        clear.setObjectName("problemsMenuUnexplain")
        clear.setEnabled(explained)
        return menu

    def _go_to(self, row: int | None) -> None:
        if row is not None:
            self.problemActivated.emit(*self.model.rows[row])

    def _menu_requested(self, pos) -> None:
        index = self.view.indexAt(pos)
        if index.isValid():
            self.view.setCurrentIndex(index)
        menu = self.context_menu(self.current_row())
        menu.exec(self.view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _activated(self, index) -> None:
        source = self.proxy.mapToSource(index)
        form_id, problem = self.model.problem(source.row())
        self.problemActivated.emit(form_id, problem)
