"""测算依据 arithmetic (rule D9) and money figures in free text (rule N3) — a safe reader, never ``eval``.

An expression is a chain of terms joined by ``* × / ÷ + -`` and ended by ``= result``, as staff write them:
``2768套/月*312元/套*11个月=949.98万元``, ``6134.65万元*6%+2436.24万元*3%=441万元``,
``每日邮递量138件*15元/件*每月22个工作日*11个月=50.1万元/年``. A term is an optional word, a number and an
optional unit; ``/`` followed by a non-digit belongs to the unit (``元/套``). Money units are converted to 元
(万元 × 10000), ``%`` divides by 100; other units are counts. The stated result is compared with the exact
value rounded (half-up) to the decimals the result shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from ..model.money import normalise_digits

_NUM = r"\d+(?:,\d{1,3})*(?:\.\d+)?"
_TOKEN = re.compile(
    rf"(?P<num>{_NUM})(?P<pct>%)?|(?P<op>[*×÷+\-－]|/(?=\s*\d))|(?P<stop>[，。；;：:、,（）()=\n])|(?P<space>\s+)|(?P<ch>.)"
)
_OPS = {"*": "*", "×": "*", "/": "/", "÷": "/", "+": "+", "-": "-", "－": "-"}
_MONEY_FIGURE = re.compile(rf"(?P<num>{_NUM})\s*(?P<unit>万元|万|元)")


@dataclass(frozen=True)
class Calculation:
    text: str  # the expression as written
    start: int
    computed: Decimal  # exact value, in the unit of the stated result
    stated: Decimal
    unit: str  # unit of the stated result (万元, 元, …)
    places: int  # decimals shown in the stated result

    @property
    def rounded(self) -> Decimal:
        return self.computed.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)

    @property
    def matches(self) -> bool:
        return self.rounded == self.stated

    @property
    def correct_text(self) -> str:
        shown = self.computed.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        text = f"{shown:f}".rstrip("0").rstrip(".")
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
        kind = m.lastgroup if m.lastgroup != "pct" else "num"
        if m.group("num") is not None:
            out.append(("num", m.group(0)))
        elif kind == "ch":
            if out and out[-1][0] == "word":
                out[-1] = ("word", out[-1][1] + m.group(0))
            else:
                out.append(("word", m.group(0)))
        elif kind == "op":
            out.append(("op", _OPS[m.group(0)]))
        elif kind == "stop":
            out.append(("stop", m.group(0)))
        # spaces are dropped
    return out


def _read_chain(text: str) -> tuple[list, bool, int] | None:
    """Values and operators of the expression that ends ``text`` (the part before ``=``), its money flag and the
    number of tokens it spans from the end (to cut the expression's own text)."""
    tokens = _tokens(text[-240:])
    i = len(tokens) - 1
    items: list = []
    has_money = False
    while i >= 0:
        unit = ""
        if tokens[i][0] == "word":
            unit = tokens[i][1]
            i -= 1
        if i < 0 or tokens[i][0] != "num":
            return None if not items else None
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
            i -= 1
            continue
        break
    if len(items) < 3 or isinstance(items[0], str):
        return None
    chars = sum(len(tok) for _kind, tok in tokens[i + 1 :])
    return items, has_money, chars


def _evaluate(items: list) -> Decimal | None:
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
        return sum((s * t for s, t in zip(signs, terms)), Decimal(0))
    except (InvalidOperation, IndexError, TypeError):
        return None


_RESULT = re.compile(rf"=\s*(?P<num>{_NUM})\s*(?P<unit>万元|元|万)?")


@lru_cache(maxsize=2048)
def find_calculations(text: str) -> tuple[Calculation, ...]:
    """Every checkable ``… = result`` expression in ``text`` (result in money or a plain number)."""
    t = normalise_digits(text or "")
    out = []
    for m in _RESULT.finditer(t):
        left = t[: m.start()].rstrip()
        chain = _read_chain(left)
        if chain is None:
            continue
        items, has_money, span = chain
        if not any(op in ("*", "/") for op in items[1::2]):
            continue
        value = _evaluate(items)
        stated = _to_decimal(m.group("num"))
        if value is None or stated is None:
            continue
        unit = m.group("unit") or ""
        factor = _money_factor(unit) if unit else None
        if has_money and factor is None:
            continue  # money on the left, a count on the right: not comparable
        places = len(m.group("num").split(".")[1]) if "." in m.group("num") else 0
        expression = _expression_text(left, span) + t[m.start() : m.end()]
        candidates = [value / factor] if factor else [value]
        if factor is not None and not has_money:
            candidates = [value, value / factor]  # `2259*227*12=615.35万元`: the counts are 元
        count = _count_before(left, span)
        if count:
            candidates += [c * count for c in list(candidates)]  # `值班员6名(19000元/月*12=1368000元`
        calcs = [Calculation(expression, m.start(), c, stated, unit, places) for c in candidates]
        out.append(next((c for c in calcs if c.matches), calcs[-1] if not has_money and factor else calcs[0]))
    return tuple(out)


_COUNT_BEFORE = re.compile(r"(\d+)\s*(?:名|人|个|台|套|辆|家)\s*[(（]\s*$")


def _expression_text(left: str, span: int) -> str:
    """The expression as written: the last tokens of ``left`` (spaces are not tokens, so walk back over them)."""
    count, i = 0, len(left)
    while i > 0 and count < span:
        i -= 1
        if not left[i].isspace():
            count += 1
    return left[i:].strip()


def _count_before(left: str, span: int) -> int | None:
    """A head count written just before a bracketed expression: `值班员6名(19000元/月*12=…`."""
    head = left[: len(left) - len(_expression_text(left, span))]
    m = _COUNT_BEFORE.search(head)
    return int(m.group(1)) if m else None


def money_figures(text: str) -> list[Decimal]:
    """Amounts written in a text (`共1.2万元`, `464万元`, `12000元`), in 元."""
    out = []
    for m in _MONEY_FIGURE.finditer(normalise_digits(text or "")):
        value = _to_decimal(m.group("num"))
        if value is None:
            continue
        out.append(value * (Decimal(10000) if m.group("unit").startswith("万") else 1))
    return out
