"""Exact money and number reading/writing (rule N1, N2), bounded to what a budget form can hold.

Money is stored once, in 元, as a ``Decimal`` with two places. Forms print it either in 元 or in 万元.

Bounds (issue 11): an amount is under ``MONEY_LIMIT`` = 10^13 元 (10 万亿元: at most 13 integer digits in 元, 9 in
万元). Thirteen integer digits and two decimals are 15 significant digits, the most a spreadsheet number (a double)
holds exactly, so every amount survives an Excel round trip to the cent; and 10 万亿元 is far above any budget a
district or city department draws up. A 分值 or 得分 is under ``SCORE_LIMIT`` = 1000 (the weights add up to 100);
any other number (年度, 实施期限, figures of a 指标值) has at most ``MAX_DIGITS`` = 15 integer digits. A nonzero
number smaller than 10^-15 is out of range as well (quotients by it would overflow). Out-of-range text is not read
(the parsers return None), so the model keeps it as typed in ``raw`` and the rules flag it (``money.too_large``,
``number.too_large``); :func:`out_of_range` tells such text from text that is no number at all.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Final

CENT = Decimal("0.01")
TEN_THOUSAND = Decimal(10000)

YUAN: Final = "元"
WAN_YUAN: Final = "万元"

MONEY_LIMIT = Decimal(10) ** 13  # 元, exclusive: under 10 万亿元
SCORE_LIMIT = Decimal(1000)  # 分值, 得分
MAX_DIGITS = 15  # integer digits of any other number
NUMBER_LIMIT = Decimal(10) ** MAX_DIGITS
SMALLEST_EXPONENT = -15  # a nonzero number is at least 10^-15 in size

MONEY, SCORE, NUMBER = "money", "score", "number"
LIMITS = {MONEY: MONEY_LIMIT, SCORE: SCORE_LIMIT, NUMBER: NUMBER_LIMIT}
DIGITS = {MONEY: 13, SCORE: 3, NUMBER: MAX_DIGITS}  # integer digits: each limit is 10^DIGITS[kind]
_INT_LIMITS: dict[str, int] = {kind: int(10**digits) for kind, digits in DIGITS.items()}
MONEY_BOUND_TEXT = "金额须小于 10 万亿元（以元计最多 13 位整数）"
SCORE_BOUND_TEXT = "分值、得分须小于 1000（最多 3 位整数）"

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# thousands separators in their places only: "1,2" is not read as 12 (nor as 1.2), it is unreadable
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
# what reads as a number, however large: also with an exponent (`1E+400`); tells "too large" from "not a number"
_ANY_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def normalise_digits(text: str) -> str:
    """Full-width digits, signs and spaces → ASCII (NFKC), leaving CJK untouched."""
    return unicodedata.normalize("NFKC", text)


def round_half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    """Half-up to ``places``. Never raises: a value with more digits than the default precision (28) is rounded with
    the precision it needs (a ratio of two bounded numbers may have 30 digits); NaN and infinities come back as is."""
    try:
        return value.quantize(places, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        if not value.is_finite():
            return value
        digits = max(value.adjusted(), 0) - places.adjusted() + 3
        try:
            return value.quantize(places, rounding=ROUND_HALF_UP,
                                  context=Context(prec=digits, Emax=max(digits, 999999), Emin=-max(digits, 999999)))
        except ArithmeticError:
            return value


def in_range(value: object, kind: str = NUMBER) -> bool:
    """A finite number under the ``kind``'s limit (``MONEY``, ``SCORE``, ``NUMBER``), and 0 or at least 10^-15."""
    try:
        if isinstance(value, Decimal):
            # |value| < 10^digits exactly when its adjusted exponent (that of its first digit) is below digits
            return bool(value.is_finite() and (value.is_zero()
                                               or SMALLEST_EXPONENT <= value.adjusted() < DIGITS[kind]))
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return -_INT_LIMITS[kind] < value < _INT_LIMITS[kind]
        if isinstance(value, float):
            return in_range(Decimal(value), kind)
        return False
    except (ArithmeticError, TypeError, ValueError, KeyError):
        return False


def _clean(text: object) -> str:
    return normalise_digits(str(text)).strip().replace(" ", "").replace("\u00a0", "")


def _read(t: str) -> Decimal | None:
    """A cleaned typed number: digits, a point, thousands separators in their places; no bound but a cheap one."""
    if "," in t:  # NFKC made the full-width ， a ,
        if not _GROUPED.match(t):
            return None
        t = t.replace(",", "")
    if not t or not _NUMBER.match(t):
        return None
    if len(t.lstrip("+-").split(".")[0].lstrip("0")) > MAX_DIGITS + 4:
        return None  # out of every range: no need to build a Decimal of a million digits
    try:
        return Decimal(t)
    except (InvalidOperation, ValueError):
        return None


def parse_decimal(text: str, kind: str = NUMBER) -> Decimal | None:
    """`13,920,000.00`, `１２０００`, ` 12 000 ` → Decimal; anything else (`1,2`, `12,00`) → None. Never raises.

    A number out of the ``kind``'s range (``NUMBER``: 15 integer digits; ``SCORE``: under 1000) is None too."""
    if text is None:
        return None
    value = _read(_clean(text))
    return value if value is not None and in_range(value, kind) else None


def _split_unit(t: str, unit: str) -> tuple[str, Decimal]:
    """`1.2万元` → (`1.2`, 10000): an explicit unit suffix wins over the field's ``unit``."""
    if t.endswith("万元"):
        return t[:-2], TEN_THOUSAND
    if t.endswith("万"):
        return t[:-1], TEN_THOUSAND
    if t.endswith("元"):
        return t[:-1], Decimal(1)
    return t, TEN_THOUSAND if unit == WAN_YUAN else Decimal(1)


def parse_money(text: str, unit: str = YUAN) -> Decimal | None:
    """Read an amount typed in ``unit`` and return it in 元, rounded half-up to cents; None when the text is no
    amount, or not under 10 万亿元 (``MONEY_LIMIT``). Never raises.

    Accepts an explicit unit suffix (`1.2万`, `1.2万元`, `12000元`), which wins over ``unit``.
    """
    if text is None:
        return None
    t, factor = _split_unit(_clean(text), unit)
    value = _read(t)
    if value is None:
        return None
    amount = round_half_up(value * factor)
    return amount if in_range(amount, MONEY) else None


def out_of_range(text: str, kind: str = NUMBER, unit: str = YUAN) -> bool:
    """``text`` is a number — possibly written with an exponent, `1E+400` — out of the ``kind``'s range: too many
    digits rather than no number at all (the rules' messages say which). `NaN` and `Infinity` are no numbers."""
    if text is None:
        return False
    t = _clean(text)
    if kind == MONEY:
        t, factor = _split_unit(t, unit)
    else:
        t, factor = t.removesuffix("年"), Decimal(1)
    mantissa = re.split("[eE]", t, maxsplit=1)[0]
    if "," in mantissa and _GROUPED.match(mantissa):
        t = t.replace(",", "")
    if not _ANY_NUMBER.match(t):
        return False
    try:
        value = Decimal(t) * factor
    except ArithmeticError:
        return True  # an exponent beyond anything a Decimal holds
    if kind == MONEY:
        value = round_half_up(value)
    return not in_range(value, kind)


def yuan_to_unit(value: Decimal, unit: str) -> Decimal:
    return value / TEN_THOUSAND if unit == WAN_YUAN else value


def format_money(value: Decimal | None, unit: str = YUAN, grouping: bool = True) -> str:
    """Show an amount (元) in the unit the form prints, with two decimals: `12,000.00`."""
    if value is None:
        return ""
    shown = round_half_up(yuan_to_unit(value, unit)) if unit == WAN_YUAN else round_half_up(value)
    return f"{shown:,.2f}" if grouping else f"{shown:.2f}"


def format_number(value: Decimal | None) -> str:
    """Scores and rates the way the seeds print them: `9.9`, `10`, `83.7`, `98.28` (rule N2)."""
    if value is None:
        return ""
    v = round_half_up(value)
    text = f"{v:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
