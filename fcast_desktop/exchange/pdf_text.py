"""Import of 二级项目支出绩效目标申报表 from text extracted from a PDF (``seeds/001``).

A PDF loses the table grid: a row arrives as words separated by spaces, a label or a cell that did not fit
its column wraps onto the next line(s), and merged 一级/二级 cells print their label once, on a line of
its own. What is left to go on:

* **The two kinds of space.** The PDF's text layer puts a space between cells, and also wherever the script
  changes inside a cell (``IDC 机房``, ``“i 福田”``, ``3 人``). A space *between two Chinese characters* is
  therefore a cell boundary for certain ("hard"); any other space ("soft") may or may not be one.
* **The 指标值 grammar.** The value column holds comparisons, percentages, numbers with units, dates,
  periods and a small set of qualitative words (see ``value_kind``). On a row line the value is the run of
  words that matches this grammar with the 三级指标 before it and the 指标解释 after it, and no hard
  space inside any of the three.
* **Line widths.** A cell continues on the next line only when its line is (nearly) full. This is used for
  one decision only: where the 指标解释 of one row ends and the wrapped name of the next row begins when
  both are runs of plain text lines (``seeds/001`` line 944–951).

Whatever cannot be decided with these is reported (level ``error``, with the line and its text) and the row
is left out; the rest of the form is imported. Spaces inside a 指标值 (``7 个``) are PDF artefacts and are
removed (``7个``), with an ``info`` note listing each change. Spaces inside 三级指标 and 指标解释 are kept.
Only the declaration form is read from PDF text; other titles are reported and skipped.

Linear time (issue 11): a 指标值 spans at most ``MAX_VALUE_WORDS`` words of a line, a line has at most
``MAX_READINGS`` readings, the wrapped name of a row is looked for among at most ``MAX_RUN`` plain lines, and a label
wrapped over two lines is looked for near the line break only. Beyond these limits (far beyond any printed form) a
line or run is reported as undecidable rather than searched.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..layouts import FormLayout, layout_for, level1_name, level2_name
from ..layouts.levels import level1_from_label, level2_from_label
from ..model.forms import Declaration, DeclarationIndicator
from ..model.money import WAN_YUAN, parse_decimal, parse_money
from ..model.skeleton import (
    LEVEL2_INFO,
    LEVEL2_ORDER,
    NOT_APPLICABLE,
    Level1,
    Level2,
)
from .published_text import (
    _CELL_BREAK,
    Line,
    break_names,
    cell_break_note,
    clean_cell,
    decl_label,
    declaration_year,
    fill_declaration_years,
    label_table,
    no_title_message,
    normalise_label,
    physical_lines,
    title_kind,
    unreadable_amount,
)
from .report import ImportFailed, ImportNote, ImportResult

__all__ = ["parse_pdf_text", "split_row", "value_kind"]

# --------------------------------------------------------------------------------------------------
# characters, words, widths


def _is_cjk(ch: str) -> bool:
    """Chinese characters and full-width punctuation (a space between two of them is a cell boundary)."""
    if unicodedata.east_asian_width(ch) not in ("W", "F"):
        return False
    folded = unicodedata.normalize("NFKC", ch)  # full-width letters and digits behave like their ASCII forms
    return not (folded.isascii() and folded.isalnum())


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


_WORD = re.compile(r"\S+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class _Chunk:
    text: str
    start: int
    end: int


def _chunks(text: str) -> list[_Chunk]:
    return [_Chunk(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


def _hard(left: _Chunk, right: _Chunk) -> bool:
    return _is_cjk(left.text[-1]) and _is_cjk(right.text[0])


def _join(parts: list[str]) -> str:
    """Join wrapped lines of one cell: no separator, except a space between two Latin words or numbers."""
    out: list[str] = []
    for p in parts:
        p = p.strip()
        if not p:
            continue
        last = out[-1][-1] if out else ""
        if last and last.isascii() and last.isalnum() and p[0].isascii() and p[0].isalnum():
            out.append(" ")
        out.append(p)
    return "".join(out)


# --------------------------------------------------------------------------------------------------
# the 指标值 grammar

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CMP = (
    r"(?:[≥≤≧≦><=]=?|不低于|不高于|不少于|不多于|不超过|不大于|不小于|大于|小于|高于|低于|超过|达到|约|"
    r"(?:同比|较上年|环比)?(?:上升|下降|增长|减少|提高|降低))"
)
_UNIT_BASE = (
    "人次|户次|台次|场次|人天|课时|学时|工作日|小时|分钟|季度|平方米|平方公里|立方米|公里|千米|公斤|千克|米|吨|元|"
    "人|次|条|台|套|份|篇|场|起|家|项|户|件|天|日|周|年|月|辆|本|册|张|页|所|座|处|间|批|期|类|种|名|位|节|个|"
    "GB|TB|km|kg|m|G|T|M|%|‰|倍|分|点"
)
_UNIT = (rf"(?:[万千百亿])?(?:个[\u4e00-\u9fff]{{1,3}}|(?:{_UNIT_BASE}))?"
         r"(?:之内|以内|以上|以下|之前|以前|左右|内|前|后)?")
_QUANT = rf"{_CMP}?{_NUM}{_UNIT}"
_DATE = r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?(?:前|之前|以前|底|末|内|止)?"
_EVERY = r"每(?:年|半年|季度|季|月|周|天|日)(?:末|底|初)?(?:\d{1,2}日)?(?:前|之前)?"
_QUAL = (
    r"(?:有效|显著|明显|逐步|持续|稳步|进一步|大幅|不断|有所)(?:提高|提升|保障|改善|增强|降低|减少|增加|加强)|"
    r"及时|有效|显著|明显|良好|优秀|优良|合格|达标|稳定|稳定运转|稳定运行|正常运转|正常运行|全区|全市|全覆盖|"
    r"按时|按期|无|不适用|不适应|较好"
)
_ONE = rf"(?:{_DATE}|{_QUANT}|{_EVERY})"
_VALUE = re.compile(rf"(?:{_ONE}(?:(?:或|/|至|~|～|-){_ONE})?|{_QUAL})")
_BARE_NUMBER = re.compile(_NUM)


def value_kind(text: str) -> str | None:
    """``"strong"`` for a typical 指标值, ``"weak"`` for a bare number (may be part of a word), else None."""
    t = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    if not t or not _VALUE.fullmatch(t):
        return None
    return "weak" if _BARE_NUMBER.fullmatch(t) else "strong"


@dataclass(frozen=True)
class RowSplit:
    name: str
    value: str  # as printed, spaces included
    explanation: str
    strong: bool


MAX_VALUE_WORDS = 6  # a 指标值 spans at most this many words of a line (seed 001: 2, `≥ 95%`)
MAX_VALUE_CHARS = 40  # (seed 001: 8)
MAX_READINGS = 12  # more readings of a line are as ambiguous as two: at most this many are returned
_VALUE_START = re.compile(rf"\d|{_CMP}|每|{_QUAL}")  # what a 指标值 can begin with


def _compact(chunks: list[_Chunk]) -> tuple[str, list[int], list[int]]:
    """The line as ``value_kind`` reads a span of it (NFKC, no spaces) and where each chunk starts and ends in it,
    so that every span is matched in place instead of being cut out and normalised again."""
    pieces: list[str] = []
    starts, ends = [], []
    at = 0
    for c in chunks:
        piece = _SPACES.sub("", unicodedata.normalize("NFKC", c.text))
        starts.append(at)
        at += len(piece)
        ends.append(at)
        pieces.append(piece)
    return "".join(pieces), starts, ends


def split_row(text: str) -> list[RowSplit]:
    """Every reading of ``text`` as 三级指标 + 指标值 + 指标解释 (name and explanation may be empty), at most
    ``MAX_READINGS``.

    A number directly followed by a unit word takes the unit (``3 人``); a typical value wins over a bare
    number. More than one reading left means the line is ambiguous. Linear in the length of the line: hard
    boundaries are found once, a value spans at most ``MAX_VALUE_WORDS`` words and starts as a value can, and
    the spans are matched in place (trying every span of a long line anew was quartic: 800 words took 80 s).
    """
    chunks = _chunks(text)
    n = len(chunks)
    hard = [k for k in range(n - 1) if _hard(chunks[k], chunks[k + 1])]
    first_hard = hard[0] if hard else n  # the name (chunks before the value) has no hard space inside
    last_hard = hard[-1] if hard else -1  # nor has the explanation (chunks after it)
    next_hard = [n] * (n + 1)  # next_hard[i]: the first hard space at or after chunk i
    for k in reversed(range(n - 1)):
        next_hard[k] = k if _hard(chunks[k], chunks[k + 1]) else next_hard[k + 1]
    compact, begins, ends = _compact(chunks)
    best: dict[int, tuple[int, bool]] = {}
    strong_found = 0
    for i in range(min(n, first_hard + 2)):
        if not _VALUE_START.match(compact, begins[i]):
            continue
        stop = min(n, next_hard[i] + 1, i + MAX_VALUE_WORDS)  # no hard space inside the value
        for j in range(stop, max(i + 1, last_hard + 1) - 1, -1):  # the largest j first
            if chunks[j - 1].end - chunks[i].start > MAX_VALUE_CHARS:
                continue
            if _VALUE.fullmatch(compact, begins[i], ends[j - 1]):
                strong = not _BARE_NUMBER.fullmatch(compact, begins[i], ends[j - 1])
                best[i] = (j, strong)
                strong_found += strong
                break
        if strong_found >= MAX_READINGS:
            break
    if any(strong for _j, strong in best.values()):
        best = {i: (j, strong) for i, (j, strong) in best.items() if strong}
    found = []
    for i, (j, strong) in list(best.items())[:MAX_READINGS]:
        found.append(RowSplit(text[: chunks[i].start].strip(), text[chunks[i].start : chunks[j - 1].end],
                              text[chunks[j - 1].end :].strip(), strong))
    return found


def _hard_cells(text: str) -> list[str]:
    chunks = _chunks(text)
    cells: list[str] = []
    start = 0
    for k in range(len(chunks)):
        if k + 1 == len(chunks) or _hard(chunks[k], chunks[k + 1]):
            cells.append(text[chunks[start].start : chunks[k].end])
            start = k + 1
    return cells


def _compact_value(value: str) -> str:
    return _SPACES.sub("", value)


# --------------------------------------------------------------------------------------------------
# header: "label： value label： value", labels and values wrapped over lines

def _t(key: str) -> str:
    """The title of a declaration column, for messages (三级指标, 指标解释 …)."""
    return layout_for("declaration").column(key).name


def _f(key: str) -> str:
    """The name of a declaration field, for messages (项目名称 …)."""
    return layout_for("declaration").field(key).word


def _amount_labels(layout: FormLayout) -> list[str]:
    """The amount labels as published (normalised): with each unit, the comma before the unit optional."""
    out = []
    for spec in layout.header:
        if spec.kind != "money":
            continue
        label = normalise_label(spec.label.replace("{unit}", "\x00"))
        for variant in dict.fromkeys((label, label.replace(",\x00", "\x00"))):
            out += [variant.replace("\x00", unit) for unit in ("万元", "元", "万")]
    return out


_CHAR_CLASS = {"(": "[(（]", ")": "[)）]", ",": "[,，]", ":": "[:：]"}


def _label_pattern(label: str) -> str:
    return r"\s*".join(_CHAR_CLASS.get(c, re.escape(c)) for c in label)


_LABEL_SPAN = 64  # a label wrapped over two lines is looked for in this many characters before the break
_LABEL_RES: dict[int, tuple[FormLayout, re.Pattern[str]]] = {}


def _label_re() -> re.Pattern[str]:
    """A label of the declaration's header followed by its colon, spaces allowed anywhere inside (the layout's
    labels; built once per layout)."""
    layout = layout_for("declaration")
    cached = _LABEL_RES.get(id(layout))
    if cached is not None and cached[0] is layout:
        return cached[1]
    labels = [*label_table(layout).labels, *_amount_labels(layout)]
    pattern = re.compile(
        r"(?:(?<=\s)|^)(?P<label>"
        + "|".join(_label_pattern(lb) for lb in sorted(labels, key=len, reverse=True))
        + r")\s*[:：]"
    )
    _LABEL_RES[id(layout)] = (layout, pattern)
    return pattern
_PARAGRAPH_START = re.compile(
    r"^\s*(?:\d+\s*[.．、)）](?!\d)|[（(]\s*\d+\s*[)）]|[一二三四五六七八九十]+\s*[、.．]|[①-⑳])")


def _labels_in(text: str) -> list[re.Match]:
    return [m for m in _label_re().finditer(text) if decl_label(m.group("label"))]


def _is_indicator_header(text: str) -> bool:
    name = _t("name")
    if name not in unicodedata.normalize("NFKC", text):
        return False  # most lines: one normalisation of the line instead of one per word
    names = [normalise_label(c) for c in text.split()]
    return name in names and (_t("level1") in names or _t("level2") in names)


# --------------------------------------------------------------------------------------------------


@dataclass
class _Row:
    level2: Level2
    name_lines: list[tuple[int, str]]
    value: str
    value_line: int
    explanation_lines: list[tuple[int, str]] = field(default_factory=list)

    @property
    def first_line(self) -> int:
        return self.name_lines[0][0] if self.name_lines else self.value_line

    def lines(self) -> list[tuple[int, str]]:
        return [*self.name_lines, (self.value_line, self.value), *self.explanation_lines]


@dataclass
class _Widths:
    """Widest first line of a 三级指标 / 指标解释 cell in the form: the columns' wrap widths (lower bounds)."""

    name: int | None = None
    explanation: int | None = None
    SLACK = 4  # two Chinese characters: line-breaking rules and Latin words leave lines a little short

    def full(self, column: str, text: str) -> bool | None:
        width = getattr(self, column)
        if width is None:
            return None
        return display_width(text) >= width - self.SLACK


MAX_RUN = 400  # plain lines after a row's value among which the next row's wrapped name is looked for


class _TableReader:
    """Reads the indicator table of one form, line by line, with a small state machine.

    States: ``fresh`` (after a 二级 label: a row starts), ``name`` (collecting a wrapped 三级指标 before its
    value), ``open`` (a row has its value; following plain lines are its 指标解释 or the wrapped name of the
    next row, decided when that row's value turns up), ``skip`` (swallowing the rest of an unreadable row).
    """

    def __init__(self, reader: _FormReader, lines: list[tuple[int, str]], widths: _Widths, probe: bool = False):
        self.r = reader
        self.probe = probe  # first pass: only learn the column widths
        self.lines = lines
        self.widths = widths
        self.original: dict[int, str] = {}  # line number → text as printed (for messages)
        for no, text in lines:  # a line with a U+2028 … comes as several pieces of one number
            self.original[no] = f"{self.original[no]} {text}" if no in self.original else text
        self.seen = _Widths()  # first-line widths observed in this pass
        self.rows: list[_Row] = []
        self.level1: Level1 | None = None
        self.level1_seen: set[Level1] = set()
        self.level2: Level2 | None = None
        self.level2_rows: dict[Level2, int] = {}
        self.level2_line: dict[Level2, int] = {}
        self.state = "fresh"
        self.pending: list[tuple[int, str]] = []  # name lines without a value yet
        self.row: _Row | None = None  # the open row
        self.run: list[tuple[int, str]] = []  # plain lines after the open row's value, not yet assigned
        self.skipped: list[tuple[int, str]] = []
        self.skip_reason = ""

    # -- bookkeeping ------------------------------------------------------------------------------

    def _see(self, column: str, text: str) -> None:
        w = display_width(text)
        if text and (getattr(self.seen, column) or 0) < w:
            setattr(self.seen, column, w)

    def error(self, lines: list[tuple[int, str]], why: str) -> None:
        numbers = sorted({no for no, _ in lines})
        quoted = numbers if len(numbers) <= 20 else [*numbers[:10], None, *numbers[-5:]]
        shown = " ⏎ ".join(self.original.get(no, "") if no is not None else f"…（共 {len(numbers)} 行）…"
                           for no in quoted)
        first = numbers[0] if numbers else None
        span = f"第 {numbers[0]}–{numbers[-1]} 行" if len(numbers) > 1 else f"第 {first} 行"
        self.r.note(first, "error", f"{span}：{why}；原文“{shown}”；此指标行未导入")

    def _emit(self, row: _Row) -> None:
        self.rows.append(row)
        self.level2_rows[row.level2] = self.level2_rows.get(row.level2, 0) + 1

    def _close_open_row(self) -> None:
        """The run after the open row ends without a new wrapped name: it is all 指标解释."""
        if self.row is None:
            return
        lines = self.row.explanation_lines + self.run
        if self.run and not self.row.explanation_lines:
            self._see("explanation", self.run[0][1])
        for (_no_a, a), (no_b, b) in itertools.pairwise(lines):
            if self.widths.full("explanation", a) is False:
                self.r.note(no_b, "warning", f"第 {no_b} 行“{b}”接在未写满的{_t('explanation')}行之后，"
                                             f"按{_t('explanation')}的续行读取，请核对")
        self.row.explanation_lines = lines
        if not lines:
            name = _join([t for _, t in self.row.name_lines])
            self.r.note(self.row.value_line, "warning", f"指标“{name}”没有{_t('explanation')}")
        self._emit(self.row)
        self.row, self.run = None, []

    def _end_row_context(self) -> None:
        """A label, a 不适用 row or the end of the table: whatever is open is finished."""
        if self.state == "open":
            self._close_open_row()
        elif self.state == "name" and self.pending:
            self.error(self.pending, f"{_t('name')}之后没有找到指标值")
        elif self.state == "skip":
            self._flush_skip()
        self.pending, self.run, self.row = [], [], None
        self.state = "fresh"

    def _flush_skip(self) -> None:
        if self.skipped:
            self.error(self.skipped, self.skip_reason)
        self.skipped, self.skip_reason = [], ""

    def _start_skip(self, lines: list[tuple[int, str]], why: str) -> None:
        self.skipped, self.skip_reason = list(lines), why
        self.pending, self.run, self.row = [], [], None
        self.state = "skip"

    # -- labels -----------------------------------------------------------------------------------

    def _strip_labels(self, no: int, text: str) -> tuple[str, bool]:
        """Remove a leading 一级 and/or 二级 label (merged cells); return the rest and whether a 二级 label was read."""
        chunks = _chunks(text)
        k = 0
        # a label is read once per form: a second `数量` is a piece of text, not a label
        if k < len(chunks):
            l1 = level1_from_label(chunks[k].text)
            if l1 is not None and l1 not in self.level1_seen:
                self.level1_seen.add(l1)
                self.level1 = l1
                k += 1
        new_level2 = False
        if k < len(chunks):
            l2 = level2_from_label(chunks[k].text)
            if l2 is not None and l2 not in self.level2_line:
                self._end_row_context()
                if self.level1 is not None and LEVEL2_INFO[l2].level1 != self.level1:
                    self.r.note(no, "warning", f"{_t('level2')}“{level2_name(l2, 'short')}”出现在"
                                               f"{_t('level1')}“{level1_name(self.level1, 'short')}”之下")
                if self.level2 is not None and LEVEL2_ORDER[l2] < LEVEL2_ORDER[self.level2]:
                    self.r.note(no, "info", f"此{_t('level2')}在原表中顺序不同，已按官方顺序排列")
                self.level2 = l2
                self.level1 = LEVEL2_INFO[l2].level1
                self.level2_rows.setdefault(l2, 0)
                self.level2_line[l2] = no
                new_level2 = True
                k += 1
        rest = text[chunks[k].start :] if k < len(chunks) else ""
        return rest.strip(), new_level2

    # -- lines ------------------------------------------------------------------------------------

    def read(self) -> list[_Row]:
        for no, text in self.lines:
            if _is_indicator_header(text):
                continue
            rest, _ = self._strip_labels(no, text)
            if not rest:
                continue
            self._line(no, rest)
        self._end_row_context()
        for l2, count in self.level2_rows.items():
            if count == 0:
                self.r.note(self.level2_line[l2], "warning",
                            f"{_t('level2')}“{level2_name(l2, 'short')}”下没有导入任何指标行")
        return self.rows

    def _line(self, no: int, text: str) -> None:
        words = text.split()
        if 1 <= len(words) <= 3 and all(w == NOT_APPLICABLE for w in words):
            self._end_row_context()
            if self.level2 is None:
                self.error([(no, text)], f"指标行前没有{_t('level2')}")
                return
            self._emit(_Row(self.level2, [(no, NOT_APPLICABLE)], NOT_APPLICABLE, no, [(no, NOT_APPLICABLE)]))
            return
        if self.level2 is None:
            self.error([(no, text)], f"指标行前没有{_t('level2')}")
            return
        splits = split_row(text)
        cells = _hard_cells(text)
        # a bare number followed by more words after the value is most likely part of a word (`288 芯`):
        # only a fresh row may start that way
        if self.state in ("open", "skip") and splits and not splits[0].strong and splits[0].explanation:
            splits = []
        if len(splits) > 1:
            count = f"{len(splits)} 种以上" if len(splits) >= MAX_READINGS else f"{len(splits)} 种"
            self._ambiguous(no, text, f"找到 {count}可能的指标值（{'、'.join(s.value for s in splits)}），无法确定")
            return
        if not splits and len(cells) == 3:
            # three cells for certain (spaces between Chinese characters): read by position
            name, value, explanation = cells
            self.r.note(no, "warning", f"指标值“{value}”不是常见的写法，按列位置读取（{_t('name')}“{name}”）")
            splits = [RowSplit(name, value, explanation, True)]
        if splits:
            self._row_line(no, splits[0])
        elif len(cells) > 1:
            self._ambiguous(no, text, f"一行中有 {len(cells)} 个单元格（{' | '.join(cells)}）但找不到指标值，"
                                      "无法确定各自属于哪一列")
        else:
            self._text_line(no, text)

    def _ambiguous(self, no: int, text: str, why: str) -> None:
        if self.state == "open" and self.row is not None:
            row, run = self.row, self.run
            last_expl = (row.explanation_lines + run)[-1:]
            closed = bool(last_expl) and self.widths.full("explanation", last_expl[0][1]) is False and (
                bool(run) or self.widths.full("name", row.name_lines[-1][1]) is False
            )
            if closed:  # the open row cannot continue on this line: it is complete
                self._close_open_row()
                self._start_skip([(no, text)], why)
            else:  # this line may hold the rest of the open row's cells (`完成率 量是否达到目标数值`)
                self._start_skip(row.lines() + run + [(no, text)], why)
        elif self.state == "name":
            self._start_skip(self.pending + [(no, text)], why)
        elif self.state == "skip":
            self.skipped.append((no, text))
        else:
            self._start_skip([(no, text)], why)

    def _text_line(self, no: int, text: str) -> None:
        if self.state == "fresh":
            self.pending = [(no, text)]
            self._see("name", text)
            self.state = "name"
        elif self.state == "name":
            self.pending.append((no, text))
        elif self.state == "open":
            self.run.append((no, text))
        else:  # skip
            self.skipped.append((no, text))

    def _row_line(self, no: int, split: RowSplit) -> None:
        name_lines: list[tuple[int, str]] = []
        if self.state == "name":
            name_lines = self.pending + ([(no, split.name)] if split.name else [])
            for (no_a, a), _ in itertools.pairwise(name_lines):
                if self.widths.full("name", a) is False:
                    name = _join([t for _, t in name_lines])
                    self.r.note(no_a, "warning", f"{_t('name')}“{name}”由几行拼成，但第 {no_a} 行未写满，请核对")
                    break
        elif self.state == "open" and not split.name:
            # a value with its name wrapped on the lines before: split the run between the open row's
            # 指标解释 and the new row's name
            run = self._split_run(no, split)
            if run is None:
                return
            name_lines = run
        else:
            if self.state == "open":
                self._close_open_row()
            elif self.state == "skip":
                self._flush_skip()
            if split.name:
                name_lines = [(no, split.name)]
                self._see("name", split.name)
        self.pending, self.run = [], []
        if not name_lines:
            self._start_skip([(no, split.value + (" " + split.explanation if split.explanation else ""))],
                             f"指标值“{split.value}”前没有{_t('name')}")
            return
        assert self.level2 is not None
        row = _Row(self.level2, name_lines, split.value, no)
        if split.explanation:
            row.explanation_lines = [(no, split.explanation)]
            self._see("explanation", split.explanation)
        self.row = row
        self.state = "open"

    def _split_run(self, no: int, split: RowSplit) -> list[tuple[int, str]] | None:
        """Plain lines after the open row's value, then a value without a name on its line.

        The first lines continue the open row's 指标解释, the rest are the new row's wrapped 三级指标. A cell
        continues on the next line only after a full line, so every line of either cell but its last must be
        full; the split is taken only when exactly one position satisfies that.
        """
        assert self.row is not None
        row, run = self.row, self.run
        forced = 0 if row.explanation_lines else 1  # a row's 指标解释 starts on the line after its value
        if forced and run:
            self._see("explanation", run[0][1])
        candidates = range(forced, len(run))  # the new name needs at least one line
        # the other reading: the "value" is only the next piece of the open row's 指标解释 (`…是否验收` + `合格`)
        so_far = row.explanation_lines + run
        continuation = not split.explanation and bool(so_far)
        if self.probe:
            valid = list(candidates)[:1]
            continuation = continuation and not valid
        elif len(run) > MAX_RUN:
            valid = []  # no cell wraps over hundreds of lines: not decided (and not searched, which is quadratic)
            continuation = False
        else:
            # k is valid when every line before it but the last is a full 指标解释 line and every line from k on but
            # the last is a full name line: prefix and suffix flags, linear in the run
            full_explanation = [True]  # full_explanation[m]: the first m lines of so_far are all full
            for _, t in so_far:
                full_explanation.append(full_explanation[-1] and bool(self.widths.full("explanation", t)))
            full_names = [True] * (len(run) + 1)  # full_names[k]: run[k:-1] are all full
            for k in reversed(range(len(run) - 1)):
                full_names[k] = full_names[k + 1] and bool(self.widths.full("name", run[k][1]))
            before = len(row.explanation_lines)
            valid = [k for k in candidates if full_explanation[max(0, before + k - 1)] and full_names[k]]
            continuation = continuation and full_explanation[len(so_far)]
        if continuation and not valid:
            self.run.append((no, split.value))
            return None
        if len(valid) != 1 or continuation:
            # the open row keeps what is certain (its value and the first line of its 指标解释)
            certain = forced if run else 0
            keep, doubtful = run[:certain], run[certain:]
            row.explanation_lines = row.explanation_lines + keep
            if doubtful:
                self.r.note(row.value_line, "warning",
                            f"指标“{_join([t for _, t in row.name_lines])}”的{_t('explanation')}可能不完整"
                            f"（第 {doubtful[0][0]} 行起无法确定），请核对")
            self._emit(row)
            if continuation:
                why = f"“{split.value}”既可能是上一行{_t('explanation')}的续行，也可能是新指标行的指标值，无法确定"
            elif doubtful:
                why = f"指标值前的几行分不清哪些是上一行的{_t('explanation')}、哪些是本行的{_t('name')}"
            else:
                why = f"指标值“{split.value}”前没有{_t('name')}"
            self._start_skip(doubtful + [(no, " ".join(filter(None, (split.value, split.explanation))))], why)
            return None
        k = valid[0]
        row.explanation_lines = row.explanation_lines + run[:k]
        self._emit(row)
        self.row, self.run = None, []
        name_lines = run[k:]
        self._see("name", name_lines[0][1])
        return name_lines


# --------------------------------------------------------------------------------------------------


class _FormReader:
    def __init__(self, path: str, lines: list[tuple[int, str]], notes: list[ImportNote]):
        self.path = path
        self.lines = lines  # (line number, cleaned text), non-blank, title excluded
        self.notes = notes

    def note(self, line: int | None, level: str, message: str) -> None:
        self.notes.append(ImportNote(self.path, line, level, message))  # type: ignore[arg-type]

    def read(self, title_line: int) -> Declaration:
        form = Declaration(source=f"{Path(self.path).name}:{title_line}")
        split = next((i for i, (_, t) in enumerate(self.lines) if _is_indicator_header(t)), None)
        if split is None:
            titles = " ".join(c.name for c in layout_for("declaration").columns)
            self.note(title_line, "error", f"没有找到“{titles}”表头，指标表未导入")
            header, table = self.lines, []
        else:
            header, table = self.lines[:split], self.lines[split:]
        self._header(form, header, title_line)
        form.indicators = self._table(table)
        form.variant = "overview" if form.overview and not (form.policy_basis or form.calculation_basis) else "basis"
        if form.year is None:
            form.year = declaration_year(form)
        if not form.project_code and not form.project_name:
            self.note(title_line, "error", f"没有找到{_f('project_code')}和{_f('project_name')}")
        return form

    # -- header -----------------------------------------------------------------------------------

    def _header_lines(self, lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """Join a line with the next when a label was wrapped between them (`项目总金额（中期规` + `划，万元）：`): a
        label of the two lines together runs over the line break.

        Only the last ``_LABEL_SPAN`` characters of the text joined so far are searched for a label that the next
        line completes (searching all of it again at every join was quadratic)."""
        out: list[tuple[int, str]] = []
        i = 0
        while i < len(lines):
            no, text = lines[i]
            parts, tail = [text], text[-_LABEL_SPAN:]
            while i + 1 < len(lines):
                nxt = lines[i + 1][1]
                joined, cut = tail + nxt, len(tail)
                if (":" in nxt or "：" in nxt) and any(m.start() < cut < m.end() for m in _labels_in(joined)):
                    parts.append(nxt)
                    tail, i = joined[-_LABEL_SPAN:], i + 1
                else:
                    break
            out.append((no, "".join(parts)))
            i += 1
        return out

    def _header(self, form: Declaration, lines: list[tuple[int, str]], title_line: int) -> None:
        fields: list[tuple[str, int, list[tuple[int, str]]]] = []  # (key, label line, value lines)
        for no, text in self._header_lines(lines):
            matches = _labels_in(text)
            if not matches:
                if fields:
                    fields[-1][2].append((no, text))
                else:
                    self.note(no, "warning", f"表名之后、第一个栏目之前无法识别的内容，未导入：“{text}”")
                continue
            if text[: matches[0].start()].strip():
                target = fields[-1][2] if fields else None
                before = text[: matches[0].start()].strip()
                if target is not None:
                    target.append((no, before))
                else:
                    self.note(no, "warning", f"表名之后、第一个栏目之前无法识别的内容，未导入：“{before}”")
            for m, nxt in zip(matches, [*matches[1:], None], strict=False):
                value = text[m.end() : nxt.start() if nxt else len(text)].strip()
                key = decl_label(m.group("label"))
                assert key is not None
                fields.append((key, no, [(no, value)] if value else []))
        units = set()
        seen: set[str] = set()
        for key, no, value_lines in fields:
            field_name, _, unit = key.partition(":")
            if field_name in seen:
                self.note(no, "warning", f"“{_label_of(field_name)}”重复出现，保留第一次的内容")
                continue
            seen.add(field_name)
            spec = layout_for("declaration").field(field_name)
            if spec in layout_for("declaration").header or unit:
                value = _join([t for _, t in value_lines])
            else:
                value = self._paragraphs([t for _, t in value_lines])
            if unit:
                units.add(unit)
                amount = parse_money(value, unit)
                if amount is None and value:
                    form.raw[field_name] = value
                    self.note(no, "warning", unreadable_amount(value, unit))
                setattr(form, field_name, amount)
            elif spec.kind == "int":
                number = parse_decimal(value)
                if number is not None and number == number.to_integral_value():
                    setattr(form, field_name, int(number))
                elif value:
                    form.raw[field_name] = value
                    what = "年份" if field_name == "year" else f"整数{spec.placeholder}"
                    self.note(no, "warning", f"{spec.word}“{value}”不是{what}，已原样保留")
            else:
                setattr(form, field_name, value)
        if units:
            form.amount_unit = "万元" if WAN_YUAN in units else "元"
            if len(units) > 1:
                self.note(title_line, "warning", "两个金额标签的单位不一致（万元/元），按万元读取")
        name = form.project_name
        if name.count("（") + name.count("(") != name.count("）") + name.count(")"):
            line = next((no for key, no, _ in fields if key == "project_name"), title_line)
            self.note(line, "warning", f"{_f('project_name')}“{name}”的括号不成对，原表可能截断了名称，请核对")

    @staticmethod
    def _paragraphs(parts: list[str]) -> str:
        """Numbered lines (`1.项目背景：…`) start paragraphs; other lines continue the one before (wrapping)."""
        paragraphs: list[list[str]] = []
        for p in parts:
            if not paragraphs or _PARAGRAPH_START.match(p):
                paragraphs.append([p])
            else:
                paragraphs[-1].append(p)
        return "\n".join(_join(p) for p in paragraphs)

    # -- table ------------------------------------------------------------------------------------

    def _table(self, lines: list[tuple[int, str]]) -> list[DeclarationIndicator]:
        # first pass: learn the columns' wrap widths from first lines of cells; second pass: read with them
        scratch: list[ImportNote] = []
        probe = _TableReader(_FormReader(self.path, [], scratch), lines, _Widths(), probe=True)
        probe.read()
        table = _TableReader(self, lines, probe.seen)
        rows = table.read()
        out = []
        squeezed = []
        for row in rows:
            target = _compact_value(row.value)
            if target != row.value:
                squeezed.append(f"第 {row.value_line} 行“{row.value}”→“{target}”")
            out.append(
                DeclarationIndicator(
                    level2=row.level2,
                    name=_join([t for _, t in row.name_lines]),
                    target=target,
                    explanation=_join([t for _, t in row.explanation_lines]),
                )
            )
        if squeezed:
            first = next(r.value_line for r in rows if _compact_value(r.value) != r.value)
            self.note(first, "info", f"指标值中的空格是 PDF 文字层加的，已去掉：{'；'.join(squeezed)}")
        return out


def _label_of(field_name: str) -> str:
    return layout_for("declaration").field(field_name).word


# --------------------------------------------------------------------------------------------------


def parse_pdf_text(text: str, path: str = "<文本>") -> ImportResult:
    """Read the 二级项目支出绩效目标申报表 in text extracted from a PDF (several forms per file)."""
    result = ImportResult()
    lines: list[tuple[int, str]] = []
    for no, raw in enumerate(physical_lines(text), start=1):
        if _CELL_BREAK.search(raw):  # U+2028, VT, NEL, a lone CR…: a line break, but the file's line numbers stay
            result.notes.append(cell_break_note(path, Line(no, [], break_names(raw))))
            lines.extend((no, clean_cell(part)) for part in _CELL_BREAK.split(raw))
        else:
            lines.append((no, clean_cell(raw)))
    titles = [(i, kind) for i, (no, t) in enumerate(lines)
              if t and "表" in unicodedata.normalize("NFKC", t) and (kind := title_kind(Line(no, [t])))]
    if not titles:
        raise ImportFailed(path, no_title_message())
    if not any(kind == "declaration" for _, kind in titles):
        raise ImportFailed(path, f"PDF 文字只能导入“{layout_for('declaration').title}”；"
                                 "请导入自评表、部门整体表的公开表格文本（制表符分隔）")
    before = [(no, t) for no, t in lines[: titles[0][0]] if t]
    if before:
        result.notes.append(ImportNote(path, before[0][0], "warning", f"第一张表之前的 {len(before)} 行内容未导入"))
    for n, (i, kind) in enumerate(titles):
        end = titles[n + 1][0] if n + 1 < len(titles) else len(lines)
        title_line = lines[i][0]
        if kind != "declaration":
            result.notes.append(ImportNote(path, title_line, "error",
                                           f"PDF 文字中的“{lines[i][1]}”暂不支持导入，已跳过此表"))
            continue
        body = [(no, t) for no, t in lines[i + 1 : end] if t]
        result.forms.append(_FormReader(path, body, result.notes).read(title_line))
    fill_declaration_years(result, path)
    if result.forms and not any(f.year for f in result.forms):
        result.notes.append(ImportNote(path, None, "info", f"文件中没有可推断年度的内容"
                                                           f"（{level2_name(Level2.TIMELINESS)}未写年份），年度留空"))
    return result
