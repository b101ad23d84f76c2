"""Exact money and number reading/writing (rule N1, N2).

Money is stored once, in 元, as a ``Decimal`` with two places. Forms print it either in 元 or in 万元.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
TEN_THOUSAND = Decimal(10000)

YUAN = "元"
WAN_YUAN = "万元"

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# thousands separators in their places only: "1,2" is not read as 12 (nor as 1.2), it is unreadable
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def normalise_digits(text: str) -> str:
    """Full-width digits, signs and spaces → ASCII (NFKC), leaving CJK untouched."""
    return unicodedata.normalize("NFKC", text)


def round_half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def parse_decimal(text: str) -> Decimal | None:
    """`13,920,000.00`, `１２０００`, ` 12 000 ` → Decimal; anything else (`1,2`, `12,00`) → None. Never raises."""
    if text is None:
        return None
    t = normalise_digits(str(text)).strip().replace(" ", "").replace("\u00a0", "")
    if "," in t:  # NFKC made the full-width ， a ,
        if not _GROUPED.match(t):
            return None
        t = t.replace(",", "")
    if not t or not _NUMBER.match(t):
        return None
    try:
        return Decimal(t)
    except (InvalidOperation, ValueError):
        return None


def parse_money(text: str, unit: str = YUAN) -> Decimal | None:
    """Read an amount typed in ``unit`` and return it in 元, rounded half-up to cents.

    Accepts an explicit unit suffix (`1.2万`, `1.2万元`, `12000元`), which wins over ``unit``.
    """
    if text is None:
        return None
    t = normalise_digits(str(text)).strip().replace(" ", "")
    factor = TEN_THOUSAND if unit == WAN_YUAN else Decimal(1)
    if t.endswith("万元"):
        t, factor = t[:-2], TEN_THOUSAND
    elif t.endswith("万"):
        t, factor = t[:-1], TEN_THOUSAND
    elif t.endswith("元"):
        t, factor = t[:-1], Decimal(1)
    value = parse_decimal(t)
    if value is None:
        return None
    return round_half_up(value * factor)


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
