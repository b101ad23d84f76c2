"""Header fields bound to the form: a line edit, combo box or multi-line text per field of the layout, storing every
keystroke through the document's edit door without ever rewriting what the user is typing."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLineEdit, QMenu, QPlainTextEdit, QSizePolicy

from ..layouts import FieldSpec
from . import commands
from .safety import guarded
from .table_models import problems_tooltip

if TYPE_CHECKING:
    from .form_editor import FormEditor

ERROR_STYLE = "background:#f8d0d0;"
WARNING_STYLE = "background:#fbe7b5;"
FOUND_STYLE = "border:2px solid #e08a00;"  # the field a find hit is in (FindController)
HEADER_MIN_TEXT_LINES = 2
HEADER_MAX_TEXT_LINES = 8
_HEADER_HEIGHTS: dict[str, int] = {}  # header pane height the user chose, per form kind, for this session


def _choice_key(text: str) -> str:
    """Two spellings of one choice (`15 其他经费`, `15  其他经费`, `１５ 其他经费`) compare equal."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def choice_list(spec: FieldSpec, current: str = "") -> tuple[str, ...]:
    """The choices of a combo box as listed: once each, and for coded choices (项目类型 `15 其他经费`) sorted by
    code — `01 …, 03 …, 15 …, 15 …`, not in the order the layout happens to name them. The form's own value takes
    the place of a choice it only spells differently."""
    by_key: dict[str, str] = {}
    for choice in spec.choices:
        by_key.setdefault(_choice_key(choice), choice)
    if current and _choice_key(current) in by_key:
        by_key[_choice_key(current)] = current
    choices = list(by_key.values())
    if choices and all(c.split(" ", 1)[0].isdigit() for c in choices):
        choices.sort(key=lambda c: (int(c.split(" ", 1)[0]), c))
    return tuple(choices)


class UndoKeysToWindow(QObject):
    """One undo history: Ctrl+Z / Ctrl+Y (Ctrl+Shift+Z) typed in a header field undo and redo the project's undo
    stack, as the toolbar's 撤销/重做 do, instead of the field's own little history. Installed on every header
    editor: it refuses the keys the editor would claim (ShortcutOverride), so the window's actions get them, and
    drops them when those actions are disabled (nothing to undo), so the field never undoes on its own."""

    KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)

    @classmethod
    def is_undo_key(cls, event) -> bool:
        if any(event.matches(key) for key in cls.KEYS):
            return True
        return (event.key() == Qt.Key.Key_Y and event.modifiers() == Qt.KeyboardModifier.ControlModifier) or (
            event.key() == Qt.Key.Key_Z
            and event.modifiers() == Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)

    def eventFilter(self, obj, event):
        kind = event.type()
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and self.is_undo_key(event):
            event.ignore()  # not claimed: the shortcut of the window's 撤销/重做 takes it
            return True
        return False


UNDO_KEYS = UndoKeysToWindow()


class TextField(QPlainTextEdit):
    """A long header text (政策依据, 年度目标…) as tall as its text: at least HEADER_MIN_TEXT_LINES lines, at most
    HEADER_MAX_TEXT_LINES (then it scrolls), instead of QPlainTextEdit's fixed 192-pixel size hint.

    It tells when the user leaves it (``left``: the typing step ends, as with a one-line field's editingFinished)
    and when a paste or a drop is about to insert text and has inserted it (``pasting``: the paste is an undo step
    of its own, not merged with the typing before and after it)."""

    left = Signal()
    pasting = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setUndoRedoEnabled(False)  # the project's undo stack is the only history (UndoKeysToWindow)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._lines = 0
        self.document().documentLayout().documentSizeChanged.connect(self._document_size_changed)

    def focusOutEvent(self, event):
        super().focusOutEvent(event)
        self.left.emit()

    def insertFromMimeData(self, source):
        self.pasting.emit()
        super().insertFromMimeData(source)
        self.pasting.emit()

    def _document_size_changed(self, size) -> None:
        lines = int(size.height())  # a plain-text layout measures its height in (wrapped) lines
        if lines != self._lines:
            self._lines = lines
            self.updateGeometry()

    def _height_for(self, lines: int) -> int:
        margins = self.contentsMargins()
        return (lines * self.fontMetrics().lineSpacing() + int(2 * self.document().documentMargin())
                + margins.top() + margins.bottom() + 2)

    def sizeHint(self):
        lines = max(HEADER_MIN_TEXT_LINES, min(HEADER_MAX_TEXT_LINES, self._lines))
        return QSize(super().sizeHint().width(), self._height_for(lines))

    def minimumSizeHint(self):
        return QSize(super().minimumSizeHint().width(), self._height_for(HEADER_MIN_TEXT_LINES))


class FieldEditor:
    """Binds one header field (line edit, combo box or multi-line text) to a path of the form.

    Every keystroke is stored at once (one merged undo step per typing burst, live checks), but the widget the
    user is typing into is never rewritten with the stored value's formatting: ``45.`` stays ``45.`` while the
    user types ``45.5``. The formatted value (``45.50``, ``12,000.00``) is shown when editing finishes (Enter,
    leaving the field) and whenever the value changes from elsewhere (undo/redo, paste, loading).
    """

    def __init__(self, editor_widget: FormEditor, spec: FieldSpec, widget):
        self.owner = editor_widget
        self.spec = spec
        self.widget = widget
        self.path = (spec.key,)
        self._pushing = False  # our own edit is being stored: do not write it back into the widget
        self._style: str | None = None
        self._problem_style = ""
        self._found = False
        self._tip: str | None = None
        for target in (widget, widget.lineEdit() if isinstance(widget, QComboBox) else None):
            if target is not None:
                target.installEventFilter(UNDO_KEYS)
                if isinstance(target, (QLineEdit, QPlainTextEdit)):
                    target.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
                    target.customContextMenuRequested.connect(lambda pos, t=target: self._context_menu(t, pos))
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(self._edited)
            widget.editingFinished.connect(self.finish)
        elif isinstance(widget, QComboBox):
            widget.currentTextChanged.connect(self._edited)
            line = widget.lineEdit()
            if line is not None:
                line.editingFinished.connect(self.finish)
        else:
            widget.textChanged.connect(lambda: self._edited(widget.toPlainText()))
            if isinstance(widget, TextField):
                widget.left.connect(self.finish)
                widget.pasting.connect(self._end_step)

    def context_menu(self, target) -> QMenu:
        """The field's own right-click menu, but its 撤消/重做 are the window's (one undo history)."""
        menu = target.createStandardContextMenu()
        window = target.window()
        for action in menu.actions():
            name = action.objectName()
            if name not in ("edit-undo", "edit-redo"):
                continue
            mine = getattr(window, "actionUndo" if name == "edit-undo" else "actionRedo", None)
            replacement = QAction(("撤销(&U)" if name == "edit-undo" else "重做(&R)") + "\t"
                                  + ("Ctrl+Z" if name == "edit-undo" else "Ctrl+Y"), menu)
            replacement.setObjectName(name)
            replacement.setEnabled(mine is not None and mine.isEnabled())
            if mine is not None:
                replacement.triggered.connect(mine.trigger)
            menu.insertAction(action, replacement)
            menu.removeAction(action)
        return menu

    @guarded()
    def _context_menu(self, target, pos) -> None:
        menu = self.context_menu(target)
        menu.exec(target.mapToGlobal(pos))
        menu.deleteLater()

    @guarded()  # a slot of the widget's signal: an error is reported afterwards, the typed text stays in the widget
    def _edited(self, text: str) -> None:
        if self.owner.updating:
            return
        self._pushing = True
        try:
            self.owner.push_field(self.path, text, self.spec.name)
        finally:
            self._pushing = False

    def text(self) -> str:
        if isinstance(self.widget, QLineEdit):
            return self.widget.text()
        if isinstance(self.widget, QComboBox):
            return self.widget.currentText()
        return self.widget.toPlainText()

    @guarded()
    def _end_step(self) -> None:
        """The typing before a paste is a step of its own, and so is the paste."""
        if self.owner.form is not None:
            self.owner.end_typing(self.path)

    @guarded()
    def finish(self) -> None:
        """Editing finished: show the stored value the way the form prints it (``45.5`` → ``45.50``), and end the
        typing burst, so the next edit of this field is an undo step of its own."""
        if self.owner.form is not None:
            self.owner.end_typing(self.path)
            self.refresh(force=True)

    def refresh(self, force: bool = False) -> None:
        """Show the stored value, unless it comes from the user's own typing in this widget."""
        if self._pushing and not force:
            return
        value = commands.safe_get_text(self.owner.form, self.path)
        if value is None or value == self.text():
            return
        with QSignalBlocker(self.widget):
            if isinstance(self.widget, QLineEdit):
                self.widget.setText(value)
            elif isinstance(self.widget, QComboBox):
                if not self.widget.isEditable() and value and self.widget.findText(value) < 0:
                    self.widget.addItem(value)  # keep what the form says even when it is not a listed choice
                self.widget.setCurrentText(value)
            else:
                cursor = self.widget.textCursor()
                position = cursor.position()
                self.widget.setPlainText(value)
                if self.widget.hasFocus():  # undo/redo while typing: keep the caret near where it was
                    cursor = self.widget.textCursor()
                    cursor.setPosition(min(position, len(value)))
                    self.widget.setTextCursor(cursor)

    def show_problems(self, problems: list) -> None:
        style = ""
        if any(p.severity == "error" for p in problems):
            style = ERROR_STYLE
        elif problems:
            style = WARNING_STYLE
        tip = problems_tooltip(problems)
        self._problem_style = style
        self._apply_style()
        if tip != self._tip:
            self._tip = tip
            self.widget.setToolTip(tip)

    def set_found(self, found: bool) -> None:
        """Outline the field while a find hit is in it."""
        self._found = found
        self._apply_style()

    def _apply_style(self) -> None:
        rules = self._problem_style + (FOUND_STYLE if self._found else "")
        # a selector, so the colour stays on the field: a combo box's drop-down list keeps its own background
        style = f"{type(self.widget).__name__}{{{rules}}}" if rules else ""
        if isinstance(self.widget, TextField) and rules:
            style = f"TextField, QPlainTextEdit{{{rules}}}"
        if style != self._style:  # restyling a widget costs far more than comparing two strings
            self._style = style
            self.widget.setStyleSheet(style)

