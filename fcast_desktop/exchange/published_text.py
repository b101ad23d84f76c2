"""Import of forms copied from published tables (the tab-separated text of ``seeds/000, 002, 003, 004``).

The tables were copied from web pages and word processors, so cells drift: a row may lack its leading empty
cell, a label may sit one column to the right, a value may be repeated. Rows are therefore read by what
their cells *are* (a known 一级/二级 label, a number, a known header) rather than by column position, and
everything that had to be tolerated or could not be read is reported with file and line.

Lines are the file's lines (LF, CR LF, or CR in a file without LF); U+2028, U+2029, VT, FF, FS, GS, RS, NEL and a lone
CR inside a line are line breaks inside its cell (noted), never the end of the row. Numbers out of range (a 30-digit
amount, `1E+400`) are kept as typed in ``raw`` with a note, and the rules flag them. Every step is linear in the size
of the text (no regular expression retries inside a run of spaces; no text grown line by line).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..layouts import LAYOUTS, FormLayout, layout_for, level2_name
from ..layouts.levels import level1_from_label, level2_from_label
from ..model.forms import (
    AnyForm,
    Declaration,
    DeclarationIndicator,
    DepartmentIndicator,
    DepartmentOverall,
    EvaluationIndicator,
    FundLine,
    SelfEvaluation,
    Task,
)
from ..model.money import (
    MONEY,
    MONEY_BOUND_TEXT,
    NUMBER,
    SCORE,
    SCORE_BOUND_TEXT,
    WAN_YUAN,
    YUAN,
    format_number,
    out_of_range,
    parse_decimal,
    parse_money,
)
from ..model.skeleton import LEVEL2_ORDER, NOT_APPLICABLE, Level2
from .report import ImportFailed, ImportNote, ImportResult


def _titles() -> dict[str, str]:
    """Form kind by title: every layout's title and its published variants, as written and normalised."""
    out = {}
    for kind, layout in LAYOUTS.items():
        for title in (layout.title, *layout.title_aliases):
            out[title] = kind
            out[normalise_label(title)] = kind
    return out


def no_title_message() -> str:
    """没有找到表名（…）: the official titles the importers look for."""
    return f"没有找到表名（{' / '.join(layout.title for layout in LAYOUTS.values())}），无法识别表格类型"


_CHINESE_COUNTS = "零一二三四五六七八九十"


def listing(words) -> str:
    """三级指标、指标值、指标解释三项: the words and how many they are, as the row messages say it."""
    words = list(words)
    count = _CHINESE_COUNTS[len(words)] if len(words) < len(_CHINESE_COUNTS) else str(len(words))
    return f"{'、'.join(words)}{count}项"


def content_columns(layout: FormLayout):
    """The indicator columns a row fills (not the merged caption and 一级/二级 columns)."""
    return [c for c in layout.columns if c.key not in ("caption", "level1", "level2")]


def header_titles(layout: FormLayout) -> tuple[str, ...]:
    """The content column titles as a published header line writes them (a prefix alias ending in “…” for a
    title that published forms shorten or vary)."""
    return tuple(next((a for a in c.aliases if a.endswith("…")), c.name) for c in content_columns(layout))

# `(?<!\s)`: spaces before a tag are matched from the start of their run only. Without it the search tried every
# space of a long run, each time scanning to its end: a `<sup>` between two runs of 60,000 spaces took a minute.
_P_SPLIT = re.compile(r"(?<!\s)\s*(?:</p>\s*<p>|<br\s*/?>)\s*", re.I)
_TAG = re.compile(r"</?p\s*>", re.I)
_SUP = re.compile(r"(?<!\s)\s*<sup>\s*([0-9])\s*</sup>", re.I)
SUPERSCRIPTS = {"2": "²", "3": "³"}

# Characters that ``str.splitlines`` takes for line ends but that, inside a line of a published table, are line
# breaks inside a cell (Word's manual line break is VT; web pages carry U+2028): they never end the row.
CELL_BREAKS = {
    "\x0b": "VT（垂直制表符）", "\x0c": "FF（换页符）", "\x1c": "FS（U+001C）", "\x1d": "GS（U+001D）",
    "\x1e": "RS（U+001E）", "\x85": "NEL（U+0085）", "\u2028": "U+2028（行分隔符）", "\u2029": "U+2029（段分隔符）",
    "\r": "CR（单独的回车符）",
}
_CELL_BREAK = re.compile("[" + "".join(CELL_BREAKS) + "]")
_SPACES = re.compile(r"\s+")


@dataclass
class Line:
    no: int  # 1-based line number in the file
    cells: list[str]
    breaks: str = ""  # the ``CELL_BREAKS`` characters found in the line (read as line breaks inside its cells)

    @property
    def filled(self) -> list[str]:
        return [c for c in self.cells if c]

    @property
    def blank(self) -> bool:
        return not self.filled


def clean_cell(text: str) -> str:
    """Strip `<p>` tags into paragraphs (one per line), `m <sup>2</sup>` into `m²`, and surrounding whitespace."""
    t = text.replace("\u3000", " ").replace("\u00a0", " ")
    if _CELL_BREAK.search(t):
        t = _CELL_BREAK.sub("\n", t)
    if "<" in t:
        t = _SUP.sub(lambda m: SUPERSCRIPTS.get(m.group(1), "^" + m.group(1)), t)  # m <sup>2</sup> → m²
        t = _P_SPLIT.sub("\n", t.strip())
        t = _TAG.sub("", t)
    return "\n".join(part.strip() for part in t.split("\n")).strip()


def normalise_label(text: str) -> str:
    """`项目总金额 (中期规划, 万元):` → `项目总金额(中期规划,万元)` (NFKC, no spaces, no trailing colon)."""
    t = unicodedata.normalize("NFKC", text)
    t = _SPACES.sub("", t)
    return t.rstrip(":").strip()


TITLES = _titles()


def title_kind(line: Line) -> str | None:
    filled = line.filled
    if len(filled) != 1:
        return None
    t = filled[0].strip("#* ")
    titles = _titles()
    return titles.get(t) or titles.get(normalise_label(t))


def physical_lines(text: str) -> list[str]:
    """The lines of a file as an editor numbers them: ended by LF or CR LF, or by CR in a file without any LF (old
    Mac). Unlike ``str.splitlines`` the ``CELL_BREAKS`` (U+2028, VT, NEL, a lone CR …) stay inside their line."""
    if "\n" in text:
        lines = [ln[:-1] if ln.endswith("\r") else ln for ln in text.split("\n")]
    else:
        lines = text.split("\r")
    if lines and lines[-1] == "":
        lines.pop()  # the end of the last line, not an empty line
    return lines


def break_names(text: str) -> str:
    """`U+2028（行分隔符）、VT（垂直制表符）` for the ``CELL_BREAKS`` characters in ``text``."""
    found = dict.fromkeys(m.group() for m in _CELL_BREAK.finditer(text))
    return "、".join(CELL_BREAKS[ch] for ch in found)


def cell_break_note(path: str, line: Line) -> ImportNote:
    return ImportNote(path, line.no, "info",
                      f"单元格中的 {line.breaks} 已按单元格内换行读取（没有把这一行拆成两行），请核对")


def split_lines(text: str) -> list[Line]:
    out = []
    for no, raw in enumerate(physical_lines(text), start=1):
        breaks = break_names(raw) if _CELL_BREAK.search(raw) else ""
        out.append(Line(no, [clean_cell(c) for c in raw.split("\t")], breaks))
    return out


def looks_numeric(cell: str) -> bool:
    """A number, also one out of every range (40 digits, `1E+400`): such a cell is read as a number and kept as
    typed, rather than taken for text and moving the cells after it."""
    return parse_decimal(cell) is not None or out_of_range(cell, NUMBER)


def unreadable_amount(text: str, unit: str = YUAN) -> str:
    """The importers' note on an amount kept as typed."""
    if out_of_range(text, MONEY, unit):
        return f"金额“{text}”超出范围（{MONEY_BOUND_TEXT}），已原样保留"
    return f"金额“{text}”无法识别，已原样保留"


def unreadable_score(text: str, what: str) -> str:
    if out_of_range(text, SCORE):
        return f"{what}“{text}”超出范围（{SCORE_BOUND_TEXT}），已原样保留"
    return f"{what}“{text}”不是数字，已原样保留"


def read_text_file(path: str | Path) -> str:
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ImportFailed(str(path), "文件不存在") from None
    except OSError as exc:
        raise ImportFailed(str(path), f"无法读取文件：{exc.strerror or exc}") from None
    if b"\x00" in data[:4096]:
        raise ImportFailed(str(path), "不是文本文件，无法按公开表格文本导入")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ImportFailed(str(path), "文件编码无法识别（应为 UTF-8 或 GB18030 文本）")


# --------------------------------------------------------------------------------------------------


class _Reader:
    """Reads one form (the lines between two titles) and collects notes."""

    def __init__(self, path: str, lines: list[Line], notes: list[ImportNote]):
        self.path = path
        self.lines = lines
        self.notes = notes

    def note(self, line: int | None, level: str, message: str) -> None:
        self.notes.append(ImportNote(self.path, line, level, message))  # type: ignore[arg-type]

    def read(self) -> AnyForm:
        raise NotImplementedError

    def integer(self, form, spec, value: str, line: int) -> None:
        """An integer field (实施期限, the year): kept as typed in ``raw`` with a note when it is not one."""
        number = parse_decimal(value)
        if number is not None and number == number.to_integral_value():
            setattr(form, spec.key, int(number))
        elif value:
            form.raw[spec.key] = value
            what = "年份" if spec.key == "year" else f"整数{spec.placeholder}"
            self.note(line, "warning", f"{spec.word}“{value}”不是{what}，已原样保留")

    # header fields: "label: value label: value" ------------------------------------------------

    def header_pairs(self, lines: list[Line], is_label) -> list[tuple[str, str, int]]:
        """(label key, value, line) for every label cell followed by its value cell on the same line."""
        pairs = []
        for line in lines:
            cells = line.filled
            i = 0
            while i < len(cells):
                key = is_label(cells[i])
                if key is None:
                    i += 1
                    continue
                value = ""
                if i + 1 < len(cells) and is_label(cells[i + 1]) is None:
                    value = cells[i + 1]
                    i += 1
                pairs.append((key, value, line.no))
                i += 1
        return pairs


# ---- 二级项目支出绩效目标申报表 --------------------------------------------------------------------

@dataclass(frozen=True)
class LabelTable:
    """The header labels of a layout as published forms write them: field key by normalised label (its name, short
    name and aliases), and for amounts a pattern of the label with its unit (万元 / 万 / 元, the comma optional)."""

    layout: FormLayout
    labels: dict[str, str]
    amounts: tuple[tuple[re.Pattern[str], str], ...]


_LABEL_TABLES: dict[int, LabelTable] = {}


def label_table(layout: FormLayout) -> LabelTable:
    """The labels of the fields ``layout`` prints in its header (and long texts), read from the layout (cached per
    layout object: a layout is immutable)."""
    table = _LABEL_TABLES.get(id(layout))
    if table is not None and table.layout is layout:
        return table
    printed = {place.key for row in layout.header_places() for place in row}
    specs = [f for f in layout.header if f.key in printed] + list(layout.texts)
    labels: dict[str, str] = {}
    amounts = []
    for spec in specs:
        if spec.kind == "money":
            text = re.escape(normalise_label(spec.label.replace("{unit}", "\x00")))
            text = text.replace(",\x00", ",?\x00").replace("\x00", "(万元|万|元)")
            amounts.append((re.compile(f"^{text}$"), spec.key))
            continue
        for name in spec.names:
            labels.setdefault(normalise_label(name), spec.key)
    table = _LABEL_TABLES[id(layout)] = LabelTable(layout, labels, tuple(amounts))
    return table


@lru_cache(maxsize=4096)
def _label_in(table_id: int, cell: str) -> str | None:
    table = _LABEL_TABLES[table_id]
    n = normalise_label(cell)
    if n in table.labels:
        return table.labels[n]
    for pattern, key in table.amounts:
        m = pattern.match(n)
        if m:
            return f"{key}:" + ("元" if m.group(1) == "元" else "万元")
    return None


def header_label(layout: FormLayout, cell: str) -> str | None:
    """The field key a header cell is the label of (``key:unit`` for an amount), or None."""
    table = label_table(layout)
    return _label_in(id(table.layout), cell)


def decl_label(cell: str) -> str | None:
    return header_label(layout_for("declaration"), cell)


_YEAR_IN_TEXT = re.compile(r"(20\d\d)\s*年")


def _is_indicator_header(line: Line) -> bool:
    names = [normalise_label(c) for c in line.filled]
    layout = layout_for("declaration")  # the three group/name titles are the same on every form
    level1, level2, name = (layout.column(k).name for k in ("level1", "level2", "name"))
    return name in names and (level1 in names or level2 in names)


def header_columns(header: Line | None, titles: tuple[str, ...]) -> list[int] | None:
    """Positions of the content columns named ``titles`` in an indicator header line (a title ending in “…” matches
    the start of the header cell), or None when the header lacks one or lists them out of order."""
    if header is None:
        return None
    names = [normalise_label(c).lstrip("*") for c in header.cells]
    columns = []
    for title in titles:
        prefix = title.rstrip("…")
        matches = (i for i, n in enumerate(names) if (n.startswith(prefix) if prefix != title else n == title))
        found = next(matches, None)
        if found is None:
            return None
        columns.append(found)
    return columns if columns == sorted(columns) and len(set(columns)) == len(columns) else None


def cells_by_column(line: Line, rest: list[str], columns: list[int] | None,
                    reach: int | None = None) -> list[str] | None:
    """The content cells of an indicator row read by the header's columns, empty cells kept (a draft whose 得分 or
    指标值 is still blank), or None when the row does not sit under the header: its 三级指标 cell must be filled,
    its filled cells must be exactly the content cells ``rest``, all under content columns (a shifted row keeps
    being read by the order of its filled cells), and the line must hold the empty cells up to the ``reach``-th
    content column (default: all): a line cut short is not a draft but an incomplete row, reported as before."""
    if not columns or columns[0] >= len(line.cells) or not line.cells[columns[0]]:
        return None
    if len(line.cells) <= columns[(reach or len(columns)) - 1]:
        return None
    tail = line.cells[columns[0]:]
    if [c for c in tail if c] != rest:
        return None
    if any(c for i, c in enumerate(line.cells) if i >= columns[0] and i not in columns):
        return None
    return [line.cells[i] if i < len(line.cells) else "" for i in columns]


class DeclarationReader(_Reader):
    def read(self) -> Declaration:
        header_lines, table_lines = self._split_at_table()
        layout = layout_for("declaration")
        form = Declaration(source=f"{Path(self.path).name}:{self.lines[0].no}")
        units = set()
        for key, value, line in self.header_pairs(header_lines, lambda c: header_label(layout, c)):
            if ":" in key:
                field, unit = key.split(":")
                units.add(unit)
                amount = parse_money(value, unit)
                if amount is None and value:
                    form.raw[field] = value
                    self.note(line, "warning", unreadable_amount(value, unit))
                setattr(form, field, amount)
            elif layout.field(key).kind == "int":
                self.integer(form, layout.field(key), value, line)
            else:
                if getattr(form, key):
                    self.note(line, "warning", f"“{layout.field(key).word}”重复出现，保留第一次的内容")
                    continue
                setattr(form, key, value)
        if units:
            form.amount_unit = "万元" if WAN_YUAN in units else "元"
            if len(units) > 1:
                self.note(self.lines[0].no, "warning", "两个金额标签的单位不一致（万元/元），按万元读取")
        form.variant = "overview" if form.overview and not (form.policy_basis or form.calculation_basis) else "basis"
        form.indicators = self._indicators(table_lines)
        if form.year is None:
            form.year = declaration_year(form)
        if not form.project_code and not form.project_name:
            code, name = layout.field("project_code").word, layout.field("project_name").word
            self.note(self.lines[0].no, "error", f"没有找到{code}和{name}")
        return form

    def _split_at_table(self) -> tuple[list[Line], list[Line]]:
        for i, line in enumerate(self.lines):
            if _is_indicator_header(line):
                return self.lines[:i], self.lines[i:]
        titles = "/".join(layout_for("declaration").column(k).name for k in ("level1", "level2", "name"))
        self.note(self.lines[0].no, "error", f"没有找到“{titles}”表头，指标表未导入")
        return self.lines, []

    def _indicators(self, lines: list[Line]) -> list[DeclarationIndicator]:
        layout = layout_for("declaration")
        keys = [c.key for c in content_columns(layout)]
        n = len(keys)
        rows = []
        columns = None
        for line, level2, rest in indicator_rows(self, lines):
            if rest == [NOT_APPLICABLE] * len(rest) and len(rest) <= n:
                rest = [NOT_APPLICABLE] * n
            if len(rest) != n:
                if columns is None:
                    header = next((h for h in lines if h.no < line.no and _is_indicator_header(h)), None)
                    columns = header_columns(header, header_titles(layout)) or []
                by_column = cells_by_column(line, rest, columns)
                if by_column is not None:  # a draft: 指标值 or 指标解释 still empty
                    rest = by_column
            if len(rest) != n:
                self.note(line.no, "error", f"指标行应有{listing(c.name for c in content_columns(layout))}，"
                                            f"实际为 {len(rest)} 项：{' | '.join(rest)}；此行未导入")
                continue
            rows.append(DeclarationIndicator(level2=level2, **dict(zip(keys, rest, strict=True))))
        return rows


def declaration_year(form: Declaration) -> int | None:
    """A declaration prints no year: take the year its 时效 deadlines name (`2023年12月31日前` → 2023)."""
    deadlines = Counter(
        int(m) for r in form.indicators if r.level2 == Level2.TIMELINESS for m in _YEAR_IN_TEXT.findall(r.target)
    )
    return deadlines.most_common(1)[0][0] if deadlines else None


def indicator_rows(reader: _Reader, lines: list[Line]):
    """Yield (line, level2, content cells) for each indicator row, tracking merged 一级/二级 labels."""
    level2: Level2 | None = None
    seen_order: list[Level2] = []
    captions = {normalise_label(layout.table_caption) for layout in LAYOUTS.values() if layout.table_caption}
    for line in lines:
        if line.blank or _is_indicator_header(line):
            continue
        cells = line.filled
        if cells and normalise_label(cells[0]) in captions:
            cells = cells[1:]
        if cells and level1_from_label(cells[0]) is not None:
            cells = cells[1:]
        found = level2_from_label(cells[0]) if cells else None
        if found is not None:
            level2 = found
            cells = cells[1:]
            if seen_order and LEVEL2_ORDER[found] < LEVEL2_ORDER[seen_order[-1]]:
                reader.note(line.no, "info",
                            f"此{layout_for('declaration').column('level2').name}在原表中顺序不同，已按官方顺序排列")
            seen_order.append(found)
        if not cells:
            continue
        if level2 is None:
            title = layout_for("declaration").column("level2").name
            reader.note(line.no, "error", f"指标行前没有{title}：{' | '.join(cells)}；此行未导入")
            continue
        yield line, level2, cells


# ---- 项目支出绩效自评表 --------------------------------------------------------------------------

def _fund_row(layout: FormLayout, cell: str) -> str | None:
    """The 资金使用情况 row a label cell names (年度资金总额, 其中：当年财政拨款 or 当年财政拨款 …)."""
    assert layout.funds is not None
    n = normalise_label(cell)
    return next((r.key for r in layout.funds.rows if n in (normalise_label(x) for x in r.names)), None)


def _is_number(cell: str) -> bool:
    return looks_numeric(cell)


class SelfEvaluationReader(_Reader):
    def read(self) -> SelfEvaluation:
        layout = layout_for("self_evaluation")
        assert layout.funds is not None and layout.goals is not None
        funds_title, goals_title = normalise_label(layout.funds.title), normalise_label(layout.goals.title)
        expected = normalise_label(layout.field("expected_goal").name)
        total = normalise_label(layout.total_label)
        form = SelfEvaluation(source=f"{Path(self.path).name}:{self.lines[0].no}")
        section = "header"
        goal_columns: tuple[int, int] | None = None
        header: list[Line] = []
        indicator_lines: list[Line] = []
        total_line: Line | None = None
        indicator_header: Line | None = None
        for line in self.lines[1:]:
            if line.blank:
                continue
            first = normalise_label(line.filled[0])
            names = [normalise_label(c) for c in line.filled]
            if first == funds_title:
                section = "funds"
                continue
            if first == goals_title:
                section = "goals"
                continue
            if expected in names:
                section = "goals"
                goal_columns = self._goal_columns(line)
                continue
            if _is_indicator_header(line):
                section = "indicators"
                indicator_header = indicator_header or line
                continue
            if first == total:
                section = "end"
                total_line = line
                continue
            if section == "header":
                header.append(line)
            elif section == "funds":
                self._fund_line(form, line)
            elif section == "goals":
                self._goal_line(form, line, goal_columns)
            elif section == "indicators":
                indicator_lines.append(line)
            elif section == "end":
                self.note(line.no, "warning", f"“{layout.total_label}”行之后的内容未导入：{' | '.join(line.filled)}")
        for key, value, no in self.header_pairs(header, lambda c: header_label(layout, c)):
            spec = layout.field(key)
            if spec.kind == "int":
                self.integer(form, spec, value, no)
            else:
                setattr(form, key, value)
        form.indicators = self._indicators(indicator_lines, indicator_header)
        if section != "end":
            self.note(self.lines[-1].no, "info", f"表中没有“{layout.total_label}”行（表格可能不完整）")
        elif total_line is not None:
            self._printed_total(form, total_line)
        return form

    def _printed_total(self, form: SelfEvaluation, line: Line) -> None:
        """The printed `总分 | 100 | 99.88` row: the model keeps no printed total (the app computes it), so a total
        that differs from what the imported rows give is reported here, where the user learns of the gap."""
        from ..rules import load_profile, score_self_evaluation  # rules sit below exchange

        numbers = [n for c in line.filled[1:] if (n := parse_decimal(c)) is not None]
        if not numbers:
            return
        weight_total, total = (numbers[0], numbers[1]) if len(numbers) >= 2 else (None, numbers[0])
        score = score_self_evaluation(form, load_profile(None))
        if score.total is not None and score.total != total:
            self.note(line.no, "warning",
                      f"原表总分 {format_number(total)} 与各项得分之和 {format_number(score.total)} 不符"
                      f"（资金得分 {format_number(score.funds_score)} + "
                      f"指标得分 {format_number(score.indicators_total)}）："
                      "原表可能缺少指标行或有得分未导入，请对照原表核对；本程序按各项得分之和计算总分")
        if weight_total is not None and score.weight_total != weight_total:
            self.note(line.no, "warning",
                      f"原表分值合计 {format_number(weight_total)} 与各项分值之和 "
                      f"{format_number(score.weight_total)} 不符")

    def _goal_columns(self, line: Line) -> tuple[int, int] | None:
        layout = layout_for("self_evaluation")
        expected, actual = (normalise_label(layout.field(k).name) for k in ("expected_goal", "actual_result"))
        names = [normalise_label(c) for c in line.cells]
        try:
            return names.index(expected), next(i for i, n in enumerate(names) if n.lstrip("*") == actual)
        except (ValueError, StopIteration):
            return None

    def _goal_line(self, form: SelfEvaluation, line: Line, columns: tuple[int, int] | None) -> None:
        layout = layout_for("self_evaluation")
        assert layout.goals is not None
        caption = normalise_label(layout.goals.caption)
        if columns and max(columns) < len(line.cells):
            expected, actual = line.cells[columns[0]], line.cells[columns[1]]
            extra = [c for i, c in enumerate(line.cells) if c and i not in columns and normalise_label(c) != caption]
            if not extra:
                form.expected_goal, form.actual_result = expected, actual
                return
        cells = [c for c in line.filled if normalise_label(c) != caption]
        if len(cells) == 2:
            form.expected_goal, form.actual_result = cells
        elif cells:
            expected, actual = (layout.field(k).name for k in ("expected_goal", "actual_result"))
            self.note(line.no, "error", f"{layout.goals.caption}一行应有“{expected}”和“{actual}”两项，未能分辨，未导入")

    def _fund_line(self, form: SelfEvaluation, line: Line) -> None:
        layout = layout_for("self_evaluation")
        block = layout.funds
        assert block is not None
        amounts = block.columns[:block.amounts]
        cells = line.filled
        for i, cell in enumerate(cells):
            key = _fund_row(layout, cell)
            if key is None:
                continue
            values = cells[i + 1 :]
            fund = FundLine()
            for column, text in zip(amounts, values[:block.amounts], strict=False):
                amount = parse_money(text, YUAN)
                if amount is None:
                    fund.raw[column.key] = text
                    self.note(line.no, "warning", unreadable_amount(text))
                setattr(fund, column.key, amount)
            if len(values) < block.amounts:
                titles = "、".join(c.title for c in amounts)
                self.note(line.no, "error", f"“{cell}”一行缺少金额（应有{titles}）")
            setattr(form.funds, key, fund)
            if key == block.rows[0].key and len(values) > block.amounts:  # 分值 on the 年度资金总额 row
                text = values[block.amounts]
                weight = parse_decimal(text, SCORE)
                if weight is not None:
                    form.funds.weight = weight
                else:  # kept as typed: the default 10 would silently replace what the table says
                    form.funds.raw = {**form.funds.raw, "weight": text}
                    form.funds.weight = None
                    self.note(line.no, "warning", unreadable_score(text, "资金分值"))
            return
        if not any(normalise_label(c) in {normalise_label(col.title) for col in amounts[:2]} for c in cells):
            self.note(line.no, "warning", f"{block.title}中无法识别的行，未导入：{' | '.join(cells)}")

    def _indicators(self, lines: list[Line], header: Line | None = None) -> list[EvaluationIndicator]:
        rows = []
        layout = layout_for("self_evaluation")
        columns = header_columns(header, header_titles(layout))
        for line, level2, rest in indicator_rows(self, lines):
            by_column = cells_by_column(line, rest, columns, reach=5)  # 偏差原因 may be cut off when empty
            if by_column is not None and not all(by_column[:5]):
                rows.append(self._draft_row(line, level2, by_column))
                continue
            # from the right: [deviation text]?, score, weight
            deviation = ""
            if len(rest) >= 3 and not _is_number(rest[-1]) and _is_number(rest[-2]) and _is_number(rest[-3]):
                deviation = rest[-1]
                rest = rest[:-1]
            if len(rest) < 2 or not (_is_number(rest[-1]) and _is_number(rest[-2])):
                self.note(line.no, "error", f"指标行找不到分值和得分：{' | '.join(rest)}；此行未导入")
                continue
            weight, score = parse_decimal(rest[-2], SCORE), parse_decimal(rest[-1], SCORE)
            raw = {}
            for key, what, text, value in (("weight", "分值", rest[-2], weight), ("score", "得分", rest[-1], score)):
                if value is None:
                    raw[key] = text
                    self.note(line.no, "warning", unreadable_score(text, what))
            head = rest[:-2]
            if len(head) == 4:
                dup = next((i for i in range(1, 3) if head[i] == head[i + 1]), None)
                if dup is not None:
                    self.note(line.no, "warning", f"重复的单元格“{head[dup]}”只保留一次")
                    head = head[: dup + 1] + head[dup + 2 :]
            if len(head) != 3:
                self.note(
                    line.no,
                    "error",
                    f"指标行应有{listing(c.name for c in content_columns(layout)[:3])}，实际为 {len(head)} 项："
                    f"{' | '.join(head)}；此行未导入",
                )
                continue
            rows.append(
                EvaluationIndicator(
                    level2=level2,
                    name=head[0],
                    target=head[1],
                    actual=head[2],
                    weight=weight,
                    score=score,
                    deviation=deviation,
                    raw=raw,
                )
            )
        return rows

    def _draft_row(self, line: Line, level2: Level2, cells: list[str]) -> EvaluationIndicator:
        """A row with empty cells read by its columns: a draft whose 实际完成值, 分值 or 得分 is still to be filled
        (the rules flag what is missing and suggest the score)."""
        name, target, actual, weight_text, score_text, deviation = cells
        raw = {}
        values = {}
        for key, what, text in (("weight", "分值", weight_text), ("score", "得分", score_text)):
            values[key] = parse_decimal(text, SCORE) if text else None
            if text and values[key] is None:
                raw[key] = text
                self.note(line.no, "warning", unreadable_score(text, what))
        return EvaluationIndicator(level2=level2, name=name, target=target, actual=actual, weight=values["weight"],
                                   score=values["score"], deviation=deviation, raw=raw)


# ---- 部门（单位）整体支出绩效目标申报表 ------------------------------------------------------------

_YEAR_LINE = re.compile(r"^[(（]?\s*(20\d\d)\s*年度\s*[)）]?$")


class DepartmentReader(_Reader):
    def read(self) -> DepartmentOverall:
        layout = layout_for("department_overall")
        tasks, goals = layout.tasks, layout.goals
        assert tasks is not None and goals is not None
        task_caption, task_name = normalise_label(tasks.caption), normalise_label(tasks.column("name").title)
        amount_titles = [normalise_label(c.title) for c in tasks.amount_columns]
        goal_caption, sum_label = normalise_label(goals.caption), normalise_label(tasks.sum_label)
        form = DepartmentOverall(source=f"{Path(self.path).name}:{self.lines[0].no}")
        section = "header"
        header: list[Line] = []
        indicator_lines: list[Line] = []
        published_sum: tuple[int, list[str]] | None = None
        goal: list[str] | None = None
        for line in self.lines[1:]:
            if line.blank:
                continue
            cells = line.filled
            first = normalise_label(cells[0])
            names = [normalise_label(c) for c in cells]
            m = _YEAR_LINE.match(first)
            if m and len(cells) == 1:
                form.year = int(m.group(1))
                continue
            if first == task_caption or task_name in names:
                section = "tasks"
                continue
            if names == amount_titles:
                continue
            if first == goal_caption:
                section = "goal"
                goal = list(cells[1:])
                continue
            if _is_indicator_header(line):
                section = "indicators"
                continue
            if section == "header":
                header.append(line)
            elif section == "tasks":
                if first.startswith(sum_label):
                    published_sum = (line.no, cells[1:])
                    continue
                self._task(form, line)
            elif section == "goal" and goal is not None:
                goal.extend(cells)  # joined once at the end: adding to a growing text per line was quadratic
            elif section == "indicators":
                indicator_lines.append(line)
        if goal is not None:
            form.overall_goal = "\n".join(goal).strip()
        for key, value, _line in self.header_pairs(header, lambda c: header_label(layout, c)):
            setattr(form, key, value)
        if published_sum:
            self._check_sum(form, *published_sum)
        form.indicators = self._indicators(indicator_lines)
        if form.year is None:
            self.note(self.lines[0].no, "warning", "没有找到“（XXXX年度）”，年度留空")
        return form

    def _task(self, form: DepartmentOverall, line: Line) -> None:
        block = layout_for("department_overall").tasks
        assert block is not None
        columns = block.amount_columns
        n = len(columns)
        cells = line.filled
        amounts = [c for c in cells if _is_number(c)]
        texts = [c for c in cells if not _is_number(c)]
        if len(amounts) != n or len(texts) not in (1, 2) or cells[-n:] != amounts:
            named = "、".join(c.title for c in block.columns[:block.texts])
            self.note(line.no, "error",
                      f"任务行应为{named}和{_CHINESE_COUNTS[n]}个金额：{' | '.join(cells)}；此行未导入")
            return
        task = Task(name=texts[0], content=texts[1] if len(texts) > 1 else "")
        for key, text in zip((c.key for c in columns), amounts, strict=True):
            amount = parse_money(text, YUAN)
            if amount is None:
                task.raw = {**task.raw, key: text}
                self.note(line.no, "warning", unreadable_amount(text))
            setattr(task, key, amount)
        form.tasks.append(task)

    def _check_sum(self, form: DepartmentOverall, line: int, cells: list[str]) -> None:
        """金额合计 is computed by the app; a published sum that disagrees is reported."""
        block = layout_for("department_overall").tasks
        assert block is not None
        for column, text in zip(block.amount_columns, cells, strict=False):
            published = parse_money(text, YUAN)
            computed = sum((getattr(t, column.key) or Decimal(0) for t in form.tasks), Decimal("0.00"))
            if published is None or published != computed:
                self.note(line, "warning", f"原表{block.sum_label}（{column.title}）为 {text}，"
                                           f"与各任务之和 {computed} 不符；本程序按各任务之和计算")

    def _indicators(self, lines: list[Line]) -> list[DepartmentIndicator]:
        columns = content_columns(layout_for("department_overall"))
        n = len(columns)
        rows = []
        for line, level2, rest in indicator_rows(self, lines):
            if rest == [NOT_APPLICABLE] * len(rest) and len(rest) <= n:
                rest = [NOT_APPLICABLE] * n
            if len(rest) != n:
                self.note(line.no, "error", f"指标行应有{listing(c.name for c in columns)}，实际为 {len(rest)} 项："
                                            f"{' | '.join(rest)}；此行未导入")
                continue
            rows.append(DepartmentIndicator(level2=level2, **dict(zip((c.key for c in columns), rest, strict=True))))
        return rows


READERS: dict[str, type[_Reader]] = {
    "declaration": DeclarationReader, "self_evaluation": SelfEvaluationReader, "department_overall": DepartmentReader,
}


def looks_tabular(text: str) -> bool:
    """The tab-separated published format (000, 002, 003, 004) rather than PDF text (001)."""
    lines = [ln for ln in physical_lines(text) if ln.strip()]
    return bool(lines) and sum("\t" in ln for ln in lines) >= len(lines) / 3


def parse_published_text(text: str, path: str = "<文本>") -> ImportResult:
    """Read every form in ``text`` (tab-separated published tables; several forms per file)."""
    result = ImportResult()
    lines = split_lines(text)
    result.notes.extend(cell_break_note(path, line) for line in lines if line.breaks)
    starts = [(i, kind) for i, line in enumerate(lines) if (kind := title_kind(line))]
    if not starts:
        raise ImportFailed(path, no_title_message())
    for n, (i, kind) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        reader = READERS[kind](path, lines[i:end], result.notes)
        result.forms.append(reader.read())
    fill_declaration_years(result, path)
    return result


def fill_declaration_years(result: ImportResult, path: str) -> None:
    """A declaration prints no year; use its deadlines, else the year shared by the file's other declarations."""
    years = Counter(f.year for f in result.forms if isinstance(f, Declaration) and f.year)
    if not years:
        return
    common = years.most_common(1)[0][0]
    filled = []
    for form in result.forms:
        if isinstance(form, Declaration) and form.year is None:
            form.year = common
            filled.append(form.project_name or form.project_code)
    if filled:
        result.notes.append(
            ImportNote(path, None, "info", f"{len(filled)} 张申报表的{level2_name(Level2.TIMELINESS)}未写年份，"
                                           f"年度按同一文件其他表单取 {common} 年：{'、'.join(filled)}")
        )
