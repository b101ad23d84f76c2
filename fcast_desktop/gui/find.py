"""查找 (Ctrl+F): the find box in the toolbar, next/previous hit (Enter / Shift+Enter in the box, F3 / Shift+F3
anywhere), "第 i/n 处" beside the box. Every hit is brought into view — a header field is scrolled to (its pane
opened if collapsed) and outlined, a cell becomes the current cell — while the keyboard stays in the find box, so
pressing Enter again finds the next hit and never starts editing the found cell."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt

from ..layouts import LAYOUTS

KIND_ORDER = tuple(LAYOUTS)  # the forms list's order: hits follow it


def ordered_matches(project, text: str) -> list:
    """Every place showing ``text``, in the order the user reads them: forms as the forms list shows them (by kind,
    then project order), inside a form the header fields in their on-screen order, then the tasks, then the
    indicator grid row by row. Fields the form does not show (the other 表式's texts) are left out."""
    from ..layouts import layout_for
    from ..model.search import find_matches

    matches = find_matches(project, text)
    if not matches:
        return []
    forms = {f.id: (KIND_ORDER.index(f.kind), n, f) for n, f in enumerate(project.forms)}
    shown_fields: dict[str, dict[str, int]] = {}

    def place(match) -> tuple | None:
        kind, n, form = forms[match.form_id]
        layout = layout_for(form)
        shown = shown_fields.get(match.form_id)
        if shown is None:
            shown = shown_fields[match.form_id] = {spec.key: i for i, spec in enumerate(layout.fields_for(form))}
        if match.field in ("tasks", "indicators"):
            columns = [c.key for c in layout.columns]
            column = columns.index(match.key) if match.key in columns else len(columns)
            return kind, n, 1 if match.field == "tasks" else 2, match.row or 0, column
        if match.field not in shown:
            return None
        return kind, n, 0, shown[match.field], 0

    placed = [(p, m) for m in matches for p in [place(m)] if p is not None]
    placed.sort(key=lambda pm: pm[0])
    return [m for _p, m in placed]


class FindController(QObject):
    """The find box's behaviour; the window shows the hits (``MainWindow.show_place``)."""

    def __init__(self, window, box, count_label):
        super().__init__(window)
        self.window = window
        self.box = box
        self.count_label = count_label
        self.text = ""
        self.index = -1
        box.installEventFilter(self)
        box.textChanged.connect(self._text_changed)

    def _text_changed(self, _text: str) -> None:
        self.count_label.setText("")
        self.window.clear_find_mark()

    def eventFilter(self, obj, event):
        if obj is self.box and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.find(backwards=bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
                return True
            if event.key() == Qt.Key.Key_Escape:  # back to the form, at the hit
                self.window.clear_find_mark()
                self.window.focus_editor()
                return True
        return False

    def find(self, backwards: bool = False) -> bool:
        """The next (or previous) hit of the box's text: shown, counted "第 i/n 处"; False when there is none."""
        window = self.window
        if window.document is None:
            return False
        window.commit_pending_edit()
        text = self.box.text().strip()
        if not text:
            self.count_label.setText("")
            return False
        matches = ordered_matches(window.document.project, text)
        if not matches:
            self.text, self.index = text, -1
            self.count_label.setText("没有找到")
            window.clear_find_mark()
            window.statusbar.showMessage(f"没有找到“{text}”", 4000)
            return False
        if text != self.text or self.index < 0:
            self.index = self._first_index(matches, backwards)
        else:
            self.index = (self.index + (-1 if backwards else 1)) % len(matches)
        self.text = text
        self.index = min(self.index, len(matches) - 1)
        match = matches[self.index]
        keep_focus = self.box.hasFocus()
        window.show_place(match, focus=False, mark=True)
        if keep_focus:
            self.box.setFocus(Qt.FocusReason.OtherFocusReason)
        shown = f"第 {self.index + 1}/{len(matches)} 处"
        self.count_label.setText(shown)
        window.statusbar.showMessage(f"查找“{text}”：{shown}", 5000)
        return True

    def _first_index(self, matches: list, backwards: bool) -> int:
        """A new search starts at the form on screen (its first hit; backwards: its last), else the next form."""
        current = self.window.current_form_id()
        if current is None:
            return len(matches) - 1 if backwards else 0
        ids = [m.form_id for m in matches]
        if current in ids:
            return len(ids) - 1 - ids[::-1].index(current) if backwards else ids.index(current)
        forms = self.window.document.project.forms
        order = {f.id: (KIND_ORDER.index(f.kind), n) for n, f in enumerate(forms)}
        here = order.get(current, (0, 0))
        if backwards:
            earlier = [i for i, m in enumerate(matches) if order[m.form_id] < here]
            return earlier[-1] if earlier else len(matches) - 1
        later = [i for i, m in enumerate(matches) if order[m.form_id] > here]
        return later[0] if later else 0
