"""测算依据 arithmetic (rule D9) and money figures in free text (rule N3) — a safe reader, never ``eval``.

An expression is a chain of terms joined by ``* × / ÷ + -`` and ended by ``= result``, as staff write them:
``2768套/月*312元/套*11个月=949.98万元``, ``6134.65万元*6%+2436.24万元*3%=441万元``,
``每日邮递量138件*15元/件*每月22个工作日*11个月=50.1万元/年``. A term is an optional word, a number and an
optional unit; ``/`` followed by a non-digit belongs to the unit (``元/套``). Money units are converted to 元
(万元 × 10000), ``%`` divides by 100; other units are counts. The stated result is compared with the exact
value rounded (half-up) to the decimals the result shows; a result written with ``≈`` may be off by
``APPROX_TOLERANCE`` (5 %). ``6000元每套/5套=3万元`` is how staff write "6000 per set, 5 sets": when a ``/`` is
followed by a number with a unit and the division does not give the stated result, the product is tried too.

:func:`find_part_slips` compares an amount written just before expressions (``分厅后勤保障经费38.20万元,
50元/人/日*29人*22日*12个月=38.28万元``) with their stated results; a near miss (within 5 %) is a slip.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, InvalidOperation
from functools import cached_property, lru_cache
from itertools import pairwise
from typing import Any

from ..model.money import MONEY, in_range, normalise_digits

_NUM = r"\d+(?:,\d{1,3})*(?:\.\d+)?"
# a number starts where no digit (and no digit and comma: `1,234`) is before it, so a search never retries
# inside a long number: without this, 40,000 digits not followed by a unit took a minute (issue 11)
_NUM_START = r"(?<!\d)(?<!\d,)"
# ``ch``: a run of characters that are none of the others (they make one word: `元/套`, `每月`), matched at once
# rather than one by one (a 测算依据 is mostly such characters: a keystroke re-reads all of them)
_TOKEN = re.compile(
    rf"(?P<num>{_NUM})(?P<pct>%)?|(?P<op>[*×÷+\-－]|/(?=\s*\d))|(?P<stop>[，。；;：:、,（）()=\n])|(?P<space>\s+)"
    r"|(?P<ch>(?:[^\d*×÷+\-－/，。；;：:、,（）()=\n\s]|/(?!\s*\d))+|.)"
)
_OPS = {"*": "*", "×": "*", "/": "/", "÷": "/", "+": "+", "-": "-", "－": "-"}


APPROX_TOLERANCE = Decimal("0.05")
_TOO_LARGE = Decimal(10) ** 18
_MAX_PLACES = 10  # a stated result with more decimals is no written amount
_CHAIN_SPAN = 240  # characters before `=` an expression can span
# stops that never occur inside a number (the comma does: `1,234`): no expression reaches back over one, so the
# text read before a `=` starts after the last of them; `=` is one, so each part of the text is read once
_HARD_STOPS = "。；;：:、（）()=\n"
_HARD_STOP = re.compile("[" + re.escape(_HARD_STOPS) + "]")
_COUNT_TAIL = 64  # characters before an expression where a head count (`值班员6名(`) is looked for
_WIDE = Context(prec=120)
_WORDY = re.compile(r"[\u4e00-\u9fffA-Za-z]")


@dataclass(frozen=True)
class Calculation:
    text: str  # the expression as written, from its first number to the stated result
    start: int  # position of `=`/`≈` in the normalised text
    computed: Decimal  # exact value, in the unit of the stated result
    stated: Decimal
    unit: str  # unit of the stated result (万元, 元, …)
    places: int  # decimals shown in the stated result
    stated_text: str = ""  # the result as written (`704.80`)
    begin: int = 0  # span of the whole expression in the normalised text
    end: int = 0
    approx: bool = False  # written with ≈: within ``tolerance`` is a match
    tolerance: Decimal = APPROX_TOLERANCE

    @cached_property
    def rounded(self) -> Decimal:
        return self.computed.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP, context=_WIDE)

    @cached_property
    def matches(self) -> bool:
        if self.approx:
            return abs(self.computed - self.stated) <= abs(self.stated) * self.tolerance
        return self.rounded == self.stated

    @cached_property
    def stated_yuan(self) -> Decimal | None:
        """The stated result in 元 (None when it is not money)."""
        factor = _money_factor(self.unit) if self.unit else None
        return None if factor is None else self.stated * factor

    @property
    def correct_text(self) -> str:
        shown = self.computed.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP, context=_WIDE)
        text = f"{shown:f}".rstrip("0").rstrip(".")
        return text + self.unit

    @cached_property
    def truncated(self) -> bool:
        """The stated result is the exact value cut off (not rounded) at the decimals written: `704.808` written
        `704.80`, `198.6336` written `198`. Still wrong (forms round half-up), but not an arithmetic slip."""
        if self.approx or self.matches:
            return False
        cut = self.computed.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_DOWN, context=_WIDE)
        return cut == self.stated

    @property
    def half_up_text(self) -> str:
        """The exact value rounded half-up to the decimals written, at least 2 (money): `704.81万元`, `198.63万元`."""
        places = max(self.places, 2)
        shown = self.computed.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_WIDE)
        return f"{shown:f}" + self.unit

    @property
    def exact_text(self) -> str:
        """The exact value (`704.808万元`); a value with more than 6 decimals is shown to 6, with `约`."""
        exact = self.computed.normalize(_WIDE)
        exponent = exact.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -6:
            shown = self.computed.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP, context=_WIDE)
            return f"约 {shown:f}{self.unit}"
        text = f"{exact:f}"
        return text + self.unit


def _money_factor(unit: str) -> Decimal | None:
    head = unit.split("/")[0]
    if head.startswith("万元") or head == "万":
        return Decimal(10000)
    if head.startswith("元"):
        return Decimal(1)
    return None


def _to_decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "num" or kind == "pct":
            out.append(("num", m.group()))
        elif kind == "ch":
            if out and out[-1][0] == "word":
                out[-1] = ("word", out[-1][1] + m.group())
            else:
                out.append(("word", m.group()))
        elif kind == "op":
            out.append(("op", _OPS[m.group()]))
        elif kind == "stop":
            out.append(("stop", m.group()))
        # spaces are dropped
    return out


def _read_chain(text: str) -> tuple[list[Any], bool, int, set[int]] | None:
    """Values and operators of the expression that ends ``text`` (the part before ``=``), its money flag, the
    number of characters it spans from the end (to cut the expression's own text) and the positions in the
    list of the ``/`` operators whose right operand carries a unit (`/5套`, `/11个月`: maybe "×" in speech)."""
    tokens = _tokens(text[-240:])
    i = len(tokens) - 1
    items: list[Any] = []  # values (Decimal) and operators (str), alternating
    has_money = False
    unit_divisors: list[int] = []  # counted from the end of ``items``
    while i >= 0:
        unit = ""
        if tokens[i][0] == "word":
            unit = tokens[i][1]
            i -= 1
        if i < 0 or tokens[i][0] != "num":
            return None
        number = tokens[i][1]
        i -= 1
        value = _to_decimal(number.rstrip("%"))
        if value is None:
            return None
        if number.endswith("%"):
            value /= 100
        factor = _money_factor(unit)
        if factor is not None:
            has_money = True
            value *= factor
        items.insert(0, value)
        if i >= 0 and tokens[i][0] == "word":
            i -= 1  # a word before the number (`每月22个工作日`) belongs to the term
        if i >= 0 and tokens[i][0] == "op":
            items.insert(0, tokens[i][1])
            if tokens[i][1] == "/" and _WORDY.search(unit):
                unit_divisors.append(len(items))
            i -= 1
            continue
        break
    if len(items) < 3 or isinstance(items[0], str):
        return None
    chars = sum(len(tok) for _kind, tok in tokens[i + 1 :])
    divisors = {len(items) - k for k in unit_divisors}
    return items, has_money, chars, divisors


def _evaluate(items: list[Any]) -> Decimal | None:
    """Left-to-right with * and / before + and -."""
    try:
        terms: list[Decimal] = []
        signs: list[int] = []
        current = items[0]
        sign = 1
        i = 1
        while i < len(items):
            op, value = items[i], items[i + 1]
            if op == "*":
                current *= value
            elif op == "/":
                if value == 0:
                    return None
                current /= value
            else:
                terms.append(current)
                signs.append(sign)
                current = value
                sign = 1 if op == "+" else -1
            i += 2
        terms.append(current)
        signs.append(sign)
        return sum((s * t for s, t in zip(signs, terms, strict=True)), Decimal(0))
    except (InvalidOperation, IndexError, TypeError, ArithmeticError):
        return None


_RESULT = re.compile(rf"(?P<eq>=|≈)\s*(?P<num>{_NUM})\s*(?P<unit>万元|元|万)?")
_FIRST_NUMBER = re.compile(r"\d")


@lru_cache(maxsize=2048)
def _normalised(text: str) -> str:
    """The text with its digits normalised, once per text for every reader here (one cache keyed by the text)."""
    return normalise_digits(text)


def find_calculations(text: str, tolerance: Decimal = APPROX_TOLERANCE) -> tuple[Calculation, ...]:
    """Every checkable ``… = result`` (or ``≈ result``) expression in ``text`` (result in money or a number).
    Never raises; text without expressions gives ``()``. Cached by (text, tolerance), the same key whether the
    tolerance is passed or left to its default, so the D9 check and ``find_part_slips`` read a text once."""
    return _calculations(text or "", tolerance)


# how far before its `=` one expression's reading can look: the expression (``_CHAIN_SPAN``), the head count before
# it (``_COUNT_TAIL``) and the spaces before the `=` (at most ``_SPACES_BEFORE``; more are read without the memory)
_SPACES_BEFORE = 16
_WINDOW = _CHAIN_SPAN + _COUNT_TAIL + _SPACES_BEFORE


# ---- a long text, a run of lines at a time ------------------------------------------------------------------------
# A keystroke changes one line of a 测算依据: each run of lines is read on its own and remembered by its text, so the
# other runs' readings are reused (a 12,800-character text took 15 ms of rules a keystroke, issue 14). Lines are
# kept together wherever a reading here can go on over the line break: a line ending (spaces aside) in a `=`, a
# number (`12` + `万元`), a head count or its bracket (`6名` + `(`); a line starting with a `=`, a unit or a rate's
# `/`; blank lines (the spaces a reading skips may span them).
_JOINS_NEXT = frozenset("=≈(（0123456789名人个台套辆家")
_JOINS_PREVIOUS = frozenset("=≈/／亿万元")


@lru_cache(maxsize=256)
def _segments(text: str) -> tuple[tuple[int, str], ...]:
    """The normalised text as runs of whole lines that no reading crosses, each with its position in the normalised
    text (normalising line by line gives the same text: a line break is never changed or combined by NFKC)."""
    lines = [_normalised(line) for line in text.split("\n")]
    runs: list[str] = []
    run = [lines[0]]
    for previous, line in pairwise(lines):
        before, after = previous.rstrip(), line.lstrip()
        if not before or not after or before[-1] in _JOINS_NEXT or after[0] in _JOINS_PREVIOUS:
            run.append(line)
        else:
            runs.append("\n".join(run))
            run = [line]
    runs.append("\n".join(run))
    out, position = [], 0
    for segment in runs:
        out.append((position, segment))
        position += len(segment) + 1
    return tuple(out)


@lru_cache(maxsize=2048)
def _calculations(text: str, tolerance: Decimal) -> tuple[Calculation, ...]:
    """The expressions of each run of lines (``_segments``), at their positions in the normalised text."""
    out: list[Calculation] = []
    for position, segment in _segments(text):
        found = _calculations_in(segment, tolerance)
        out += [_moved(c, position) for c in found] if position else found
    return tuple(out)


@lru_cache(maxsize=4096)
def _calculations_in(t: str, tolerance: Decimal) -> tuple[Calculation, ...]:
    """Each `=` of the normalised text ``t`` is read from the few hundred characters before it (``_WINDOW``) and
    remembered by them (``_calculation_near``): within one long line too, a keystroke reads again only the
    expressions near the caret. The positions are ``t``'s own."""
    out = []
    stops = [s.start() for s in _HARD_STOP.finditer(t)]  # found once: the last one before each `=` is bisected
    for m in _RESULT.finditer(t):
        first = max(0, m.start() - _WINDOW)
        if first and not _spaces_before_within(t, m.start()):
            calc = _calculation_at(t, m, stops, tolerance)  # a `=` after a long run of spaces: read in place
        else:
            near = _calculation_near(t[first : m.end()], m.start() - first, tolerance)
            calc = _moved(near, first) if near is not None and first else near
        if calc is not None:
            out.append(calc)
    return tuple(out)


def _moved(calc: Calculation, by: int) -> Calculation:
    """``calc`` with its positions ``by`` characters later (its window's place in the text). Made without
    ``dataclasses.replace``, which runs the constructor: 300 of them took 6 ms a keystroke in a long 测算依据."""
    moved = object.__new__(Calculation)
    fields = moved.__dict__
    fields.update(calc.__dict__)
    fields["start"] += by
    fields["begin"] += by
    fields["end"] += by
    return moved


def _spaces_before_within(t: str, position: int) -> bool:
    """At most ``_SPACES_BEFORE`` spaces before ``position`` (the `=`): its expression then lies in its window."""
    end = position
    while end > 0 and t[end - 1].isspace():
        end -= 1
        if position - end > _SPACES_BEFORE:
            return False
    return True


@lru_cache(maxsize=8192)
def _calculation_near(window: str, position: int, tolerance: Decimal) -> Calculation | None:
    """The expression whose `=` is at ``position`` of ``window`` (the text up to the end of its result, from
    ``_WINDOW`` characters before the `=`), positions in the window."""
    m = _RESULT.match(window, position)
    if m is None or m.end() != len(window):  # (cannot happen: the window ends where the text's match ended)
        return None
    calc = _calculation_at(window, m, [s.start() for s in _HARD_STOP.finditer(window, 0, position)], tolerance)
    if calc is not None:  # worked out once here, kept by the copies at the text's positions (``_moved``)
        _ = calc.matches, calc.truncated, calc.stated_yuan
    return calc


def _calculation_at(t: str, m: re.Match[str], stops: list[int], tolerance: Decimal) -> Calculation | None:
    """The expression ended by the result ``m`` in the normalised text ``t`` (``stops``: the positions of its hard
    stops, at least those before ``m``), or None when there is none to check."""
    # the expression ends just before `=` (spaces skipped), within ``_CHAIN_SPAN`` characters and after the
    # last hard stop: reading only that keeps a text of 100,000 expressions linear (the whole prefix was sliced
    # and 240 characters tokenised for each `=`)
    end = m.start()
    while end > 0 and t[end - 1].isspace():
        end -= 1
    lo = max(0, end - _CHAIN_SPAN)
    k = bisect_left(stops, end) - 1
    offset = max(lo, stops[k] + 1) if k >= 0 else lo
    left = t[offset:end]
    chain = _read_chain(left)
    if chain is None:
        return None
    items, has_money, span, divisors = chain
    if not any(op in ("*", "/") for op in items[1::2]):
        return None
    stated_text = m.group("num")
    places = len(stated_text.split(".")[1]) if "." in stated_text else 0
    if places > _MAX_PLACES or len(stated_text) > 40:
        return None  # `=0.1111…` (40,000 digits): not a written amount, and beyond what quantize handles
    value = _evaluate(items)
    stated = _to_decimal(stated_text)
    if value is None or stated is None or abs(value) > _TOO_LARGE or stated > _TOO_LARGE:
        return None  # not an amount anyone budgets (and beyond what quantize handles)
    unit = m.group("unit") or ""
    factor = _money_factor(unit) if unit else None
    if has_money and factor is None:
        return None  # money on the left, a count on the right: not comparable
    expression_text = written = _expression_text(left, span)
    lead = _FIRST_NUMBER.search(written)
    if lead:
        written = written[lead.start() :]  # `按照计件量3333件/月…`: the expression starts at its first number
    begin = offset + len(left) - len(written)
    expression = written + t[m.start() : m.end()]
    values = [value]
    if divisors:  # `6000元每套/5套=3万元`: 6000 per set, 5 sets
        spoken = _evaluate([("*" if n in divisors else x) for n, x in enumerate(items)])
        if spoken is not None and abs(spoken) <= _TOO_LARGE:
            values.append(spoken)
    candidates = []
    for v in values:
        if factor is not None and not has_money:
            candidates += [v, v / factor]  # `2259*227*12=615.35万元`: the counts are 元
        else:
            candidates.append(v / factor if factor else v)
    count = _count_before(t, offset + len(left) - len(expression_text))
    if count:
        candidates += [c * count for c in list(candidates)]  # `值班员6名(19000元/月*12=…`
    calcs = [Calculation(expression, m.start(), c, stated, unit, places, m.group("num"), begin, m.end(),
                         m.group("eq") == "≈", tolerance) for c in candidates]
    default = calcs[1] if factor is not None and not has_money else calcs[0]
    return next((c for c in calcs if c.matches), default)


_COUNT_BEFORE = re.compile(r"(?<!\d)(\d{1,6})\s*(?:名|人|个|台|套|辆|家)\s*[(（]\s*$")


_SPACE = re.compile(r"\s")


def _expression_text(left: str, span: int) -> str:
    """The expression as written: the last tokens of ``left`` (spaces are not tokens, so walk back over them)."""
    i = len(left)
    if i >= span and not _SPACE.search(left, i - span):
        return left[i - span:]  # no space among them: the last ``span`` characters (the usual case, at C speed)
    count = 0
    while i > 0 and count < span:
        i -= 1
        if not left[i].isspace():
            count += 1
    return left[i:].strip()


def _count_before(t: str, start: int) -> int | None:
    """A head count written just before a bracketed expression that starts at ``start``: `值班员6名(19000元/月*12=…`."""
    m = _COUNT_BEFORE.search(t[max(0, start - _COUNT_TAIL) : start])
    return int(m.group(1)) if m else None


# ``(?=\d)`` first: the search rejects every other character at once instead of trying the lookbehinds there
_FIGURE = re.compile(rf"(?=\d){_NUM_START}(?P<num>{_NUM})\s*(?P<unit>亿元|万元|万|元)(?!\s*/)")


def quoted_expression(text: str, message: str) -> tuple[int, int, int] | None:
    """Where the expression a D9 message quotes (“…”, as the rules read it: digits normalised) is in ``text``:
    (start, end, line), positions in the normalised text, line counted from 1; None when it is not found. A part
    slip's quote may hold several expressions: the first one is looked for then."""
    start, end = message.find("“"), message.find("”")
    if start < 0 or end <= start + 1:
        return None
    quoted = message[start + 1 : end]
    normalised = _normalised(text or "")
    for candidate in dict.fromkeys((quoted, quoted.split("；")[0], quoted.split("，")[0])):
        found = normalised.find(candidate)
        if found >= 0:
            return found, found + len(candidate), normalised.count("\n", 0, found) + 1
    return None


def money_figures(text: str) -> list[Decimal]:
    """Amounts written in a text (`共1.2万元`, `464万元`, `12000元`), in 元; rates (`1000元/人`) excluded."""
    return list(_money_figures(text or ""))


@lru_cache(maxsize=2048)
def _money_figures(text: str) -> tuple[Decimal, ...]:
    return tuple(f for _position, segment in _segments(text) for f in _figures_in(segment))


@lru_cache(maxsize=4096)
def _figures_in(t: str) -> tuple[Decimal, ...]:
    """The amounts of the normalised text ``t`` (one run of lines)."""
    out = []
    for m in _FIGURE.finditer(t):
        value = _figure_value(m)
        if value is not None:
            out.append(value)
    return tuple(out)


def _figure_value(m: re.Match[str]) -> Decimal | None:
    """A figure in 元, or None when it is no amount a form can hold (40 digits: not under 10 万亿元)."""
    return _amount(m.group("num"), m.group("unit"))


@lru_cache(maxsize=8192)
def _amount(number: str, unit: str) -> Decimal | None:
    """(remembered: a keystroke in a long 测算依据 reads its thousands of figures again)"""
    value = _to_decimal(number) if len(number) <= 40 else None
    if value is None:
        return None
    value *= _UNIT_FACTOR[unit]
    return value if in_range(value, MONEY) else None


_UNIT_FACTOR = {"亿元": Decimal(100000000), "万元": Decimal(10000), "万": Decimal(10000), "元": Decimal(1)}
# a clause ends at 。 or a line break, and before an enumerator (`二、`, `(2)`, `2.` not followed by a digit)
# (the leading lookahead lets the search skip, at once, characters none of the alternatives can start with)
_CLAUSE_BREAK = re.compile(r"(?=[。\n一二三四五六七八九十(（\d])"
                           r"(?:[。\n]|(?=[一二三四五六七八九十]{1,3}、)|(?=[(（]\d{1,2}[)）])|(?=(?<![\d.])\d{1,2}[.、](?!\d)))")
_ROUGH = ("约", "近", "超", "≈", "每", "大约", "不超过", "不少于")
PART_TOLERANCE = Decimal("0.05")


@dataclass(frozen=True)
class PartSlip:
    """An amount written before its expressions that they do not reproduce (`38.20万元` vs `…=38.28万元`)."""

    heading: str  # `38.20万元` as written
    expressions: str  # the expression(s) it heads, as written
    stated: str  # what they add up to (`38.28万元`)
    difference: str  # `0.08万元`


def find_part_slips(text: str, tolerance: Decimal = APPROX_TOLERANCE) -> tuple[PartSlip, ...]:
    """Within one clause, the amount written just before the first expression must equal the stated result of the
    first expression or of the first k expressions together. Only near misses (within 5 %) are reported: a
    figure far off is some other amount (a monthly rate, a contract total), not this part. ``tolerance`` only makes
    the expressions the same (cached) ones the D9 check reads; it does not change the result."""
    return _part_slips(text or "", tolerance)


@lru_cache(maxsize=2048)
def _part_slips(text: str, tolerance: Decimal) -> tuple[PartSlip, ...]:
    return tuple(slip for _position, segment in _segments(text) for slip in _slips_in(segment, tolerance))


@lru_cache(maxsize=4096)
def _slips_in(t: str, tolerance: Decimal) -> tuple[PartSlip, ...]:
    """The slips of the normalised text ``t`` (one run of lines: a clause never spans two runs)."""
    calcs = [c for c in _calculations_in(t, tolerance) if c.stated_yuan is not None]
    if not calcs:
        return ()
    out = []
    bounds = [0] + [m.end() if m.group(0) else m.start() for m in _CLAUSE_BREAK.finditer(t)] + [len(t)]
    # each expression in the one clause it lies in, found by bisection (a scan of every clause for every
    # expression was quadratic in a long text)
    clauses: dict[int, list[Calculation]] = {}
    for c in calcs:
        k = bisect_right(bounds, c.begin) - 1
        if 0 <= k < len(bounds) - 1 and c.end <= bounds[k + 1]:
            clauses.setdefault(k, []).append(c)
    for k, inside in sorted(clauses.items()):
        a = bounds[k]
        heading = None
        for m in _FIGURE.finditer(t, a, inside[0].begin):
            before = t[max(a, m.start() - 3) : m.start()]
            if any(w in before for w in _ROUGH):
                heading = None
                continue
            heading = m
        if heading is None:
            continue
        value = _figure_value(heading)
        if value is None or value <= 0:
            continue
        unit = heading.group("unit")
        sums: list[Decimal] = []
        running = Decimal(0)
        for c in inside:
            running += c.stated_yuan or 0  # (never None: ``calcs`` keeps only money results)
            sums.append(running)
        if any(s == value for s in sums):
            continue
        nearest = min(range(len(sums)), key=lambda k: abs(sums[k] - value))
        off = abs(sums[nearest] - value)
        if off > value * PART_TOLERANCE:
            continue
        shown = Decimal(10000) if unit in ("万元", "万") else Decimal(1)
        used = inside[: nearest + 1]
        total = sums[nearest] / shown
        out.append(PartSlip(
            heading=heading.group(0),
            expressions="，".join(c.text for c in used),
            stated=_plain(total) + ("万元" if shown != 1 else "元"),
            difference=_plain(off / shown) + ("万元" if shown != 1 else "元"),
        ))
    return tuple(out)


def _plain(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP, context=_WIDE):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
