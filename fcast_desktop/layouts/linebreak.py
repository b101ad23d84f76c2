"""Chinese line breaking and label fitting, measured with the printed font's advance widths.

Shared by the page layout (:mod:`.pagination`) and the Excel writer (row heights, label wrapping). Nothing here
imports reportlab or Qt: ``TextMetrics`` wraps the width function the PDF writer reads from the bundled font.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# type (points)
BODY_SIZE = 10.0  # table text (五号 is 10.5; 10 keeps the 9-column landscape tables readable)
LEADING = 1.3  # line height, in font sizes
MIN_LABEL_SIZE = 9.0  # a label is shrunk by at most 10 % to stay on one line


class TextMetrics:
    """Advance widths of the printed font: ``char_width(ch)`` is the width of ``ch`` at 1 pt (cached here)."""

    MEMO_LIMIT = 50_000  # texts laid out and remembered (a few MB): the labels and repeated values of an export

    def __init__(self, char_width: Callable[[str], float]):
        self._char_width = char_width
        self._cache: dict[str, float] = {}
        self._widths: dict[str, float] = {}  # of whole texts at 1 pt (a line's width is asked for on every page)
        self.memo: dict[object, object] = {}  # what the page layout made of a text, by text and width

    def remember(self, key: object, value: object) -> None:
        """Keep ``value`` in :attr:`memo` (emptied when full: the memory stays bounded, whatever the export)."""
        if len(self.memo) >= self.MEMO_LIMIT:
            self.memo.clear()
        self.memo[key] = value

    def char(self, ch: str) -> float:
        w = self._cache.get(ch)
        if w is None:
            w = self._cache[ch] = self._char_width(ch)
        return w

    def width(self, text: str, size: float) -> float:
        w = self._widths.get(text)
        if w is None:
            if len(self._widths) >= self.MEMO_LIMIT:
                self._widths.clear()
            w = self._widths[text] = sum(self.char(ch) for ch in text)
        return w * size


NO_LINE_START = frozenset("，。、：；！？）》〉」』】〕〗”’％‰℃…·—～,.;:!?)]}%")
NO_LINE_END = frozenset("（《〈「『【〔〖“‘([{￥$")
_GLUE = frozenset(".,%-+/:")
IGNORABLE = frozenset("\r\t\u200b\u200c\u200d\u2060\ufeff" + "".join(chr(c) for c in range(0xFE00, 0xFE10)))


def _wordlike(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in _GLUE)


def _may_break(text: str, j: int, keep_words: bool = True) -> bool:
    """May a line end before ``text[j]``? (``keep_words=False``: a Latin word or a number may be cut.)"""
    a, b = text[j - 1], text[j]
    if b in NO_LINE_START or a in NO_LINE_END:
        return False
    if keep_words and _wordlike(a) and _wordlike(b):
        return False
    return True


def _break_before(text: str, start: int, i: int) -> int:
    """Where to end a line that starts at ``start`` and is full before ``text[i]``: the last break allowed by all
    rules; else the last one that only cuts a word or number; else at ``i``."""
    for keep_words in (True, False):
        j = i
        while j > start + 1 and not _may_break(text, j, keep_words):
            j -= 1
        if _may_break(text, j, keep_words):
            return j
    return i


_UNCLEAN = re.compile("[\x00-\x09\x0b-\x1f\u200b-\u200d\u2060\ufeff\ufe00-\ufe0f]")  # what clean_text changes


def clean_text(text: str) -> str:
    """Line breaks normalised, tabs as spaces, control and invisible format characters dropped."""
    if not _UNCLEAN.search(text):  # the usual text: nothing to drop
        return text.strip("\n")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(ch for ch in text if ch == "\n" or (ch >= " " and ch not in IGNORABLE)).strip("\n")


def break_lines(text: str, width: float, metrics: TextMetrics, size: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points: a line never starts with a closing mark
    (，。：）》”…) nor ends with an opening one (（《“…), and a number or Latin word (3,500.00, 80%-100%, PDA) is
    not cut — a rule gives way only when a line would otherwise hold nothing (a 30-digit number in a narrow
    column)."""
    limit = width / size - 1e-6
    char = metrics.char
    out: list[str] = []
    for para in text.split("\n"):
        ws = [char(ch) for ch in para]
        if sum(ws) <= limit:  # the partial sums never exceed the whole (widths are not negative): one line
            out.append(para.rstrip(" "))
            continue
        n = len(para)
        start, used, i = 0, 0.0, 0
        while i < n:
            cw = ws[i]
            if used + cw > limit and i > start:
                j = _break_before(para, start, i)
                out.append(para[start:j].rstrip(" "))
                start = j
                while start < n and para[start] == " ":
                    start += 1
                i = max(i, start)
                used = sum(ws[start:i])
                continue
            used += cw
            i += 1
        out.append(para[start:].rstrip(" "))
    return out


_PAREN = re.compile(r"[（(]")


def fit_label(text: str, width: float, metrics: TextMetrics) -> tuple[list[str], float] | None:
    """Lines and font size for a short label (column title, 一级/二级 name, caption) in ``width``, in this order
    of preference: one line; broken before a parenthesis (产出指标 / (50分)); one line shrunk by at most 10 %;
    balanced lines (一级 / 指标) rather than a greedy break leaving one character alone; balanced and shrunk.
    None: wrap as usual."""
    text = text.strip()
    if not text or "\n" in text or len(text) > 24:
        return None
    if metrics.width(text, BODY_SIZE) <= width:  # the first choice, and the usual one
        return [text], BODY_SIZE
    paren: list[str] = []
    m = _PAREN.search(text)
    if m and m.start() > 0:
        paren = [text[:m.start()], text[m.start():]]
    balanced = []
    for k in (2, 3, 4):
        if len(text) >= k:
            step = -(-len(text) // k)
            lines = [text[i:i + step] for i in range(0, len(text), step)]
            joints = [sum(len(x) for x in lines[:q + 1]) for q in range(len(lines) - 1)]
            if all(_may_break(text, j) for j in joints):
                balanced.append(lines)
    order = [([text], False), (paren, False), ([text], True)]
    order += [(b, False) for b in balanced] + [(b, True) for b in balanced]
    for lines, shrink in order:
        if not lines:
            continue
        widest = max(metrics.width(line, BODY_SIZE) for line in lines)
        if widest <= width:
            return lines, BODY_SIZE
        size = int(BODY_SIZE * width / widest * 10) / 10
        if shrink and size >= MIN_LABEL_SIZE:
            return lines, size
    return None


def continued_label(text: str) -> str:
    """测算依据： → 测算依据（续）："""
    t = text.rstrip()
    if t.endswith(("（续）", "（续）：")):
        return t
    colon = t.endswith(("：", ":"))
    if colon:
        t = t[:-1]
    return f"{t}（续）" + ("：" if colon else "")



__all__ = [
    "BODY_SIZE",
    "IGNORABLE",
    "LEADING",
    "MIN_LABEL_SIZE",
    "NO_LINE_END",
    "NO_LINE_START",
    "TextMetrics",
    "break_lines",
    "clean_text",
    "continued_label",
    "fit_label",
]
