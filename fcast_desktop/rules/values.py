"""The 指标值 grammar (rules V1, V2): every value form of the seeds, read into a structure; raw text kept.

``parse_value`` never raises: anything it cannot read is ``kind == "unrecognised"``.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from ..model.money import NUMBER, in_range

NOT_APPLICABLE = "不适用"
NOT_APPLICABLE_TYPOS = ("不适应",)

_OPS = {"≥": ">=", "≧": ">=", ">=": ">=", "≤": "<=", "≦": "<=", "<=": "<=", ">": ">", "<": "<", "=": "="}
_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?|\.\d+"
_COMPARISON = re.compile(rf"^(?P<op>>=|<=|≥|≧|≤|≦|>|<|=)?\s*(?P<num>{_NUMBER})\s*(?P<unit>[^\d\s<>=≥≤]{{0,12}})$")
_OP_ONLY = re.compile(r"^(>=|<=|≥|≧|≤|≦|>|<|=)\s*(?P<unit>[^\d]*)$")
_DEADLINE = re.compile(
    r"^(?P<y>20\d\d)年(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?)?(?:底|末)?(?:前|之前|以前)?(?:已?完成|完工|办结)?$"
)
# word operators: `不少于5个` → `≥5个`, `95%以上` → `≥95%`
_WORD_OPS = (("大于等于", ">="), ("不少于", ">="), ("不低于", ">="), ("至少", ">="), ("小于等于", "<="),
             ("不超过", "<="), ("不高于", "<="), ("不多于", "<="), ("至多", "<="), ("大于", ">"), ("高于", ">"),
             ("超过", ">"), ("小于", "<"), ("低于", "<"))
_SUFFIX_OPS = (("及以上", ">="), ("以上", ">="), ("及以下", "<="), ("以下", "<="))


_WORD_STARTS = frozenset(word[0] for word, _op in _WORD_OPS)  # (most values start with none of them: no loop)


def _word_operator(t: str) -> str:
    if t[:1] in _WORD_STARTS:
        for word, op in _WORD_OPS:
            if t.startswith(word) and t[len(word) : len(word) + 1].isdigit():
                return op + t[len(word) :]
    if t[:1].isdigit():
        for word, op in _SUFFIX_OPS:
            if t.endswith(word):
                return op + t[: -len(word)]
    return t
_DURATION = re.compile(
    rf"^(?P<op>>=|<=|≥|≤|<|>)?\s*(?P<num>{_NUMBER})\s*(?P<unit>个?小时|个?工作日|天|日|分钟|个?月|周|年)\s*(?P<suffix>之内|以内|内)?$"
)
_CHANGE = re.compile(
    rf"^(?:同比|较上年|比上年)?(?P<dir>上升|增长|提高|下降|减少|降低)\s*(?P<num>{_NUMBER})\s*(?P<unit>%|个百分点)?$")
_PERIODIC = {"每年", "每季度", "每季度末", "每月", "每月末", "每半年", "每周", "每日", "全年", "年度内"}
QUALITATIVE = {
    "显著", "明显", "一般", "有效", "及时", "稳定运转", "全区", "全覆盖", "良好", "较好", "好", "优", "优秀", "高",
    "提升", "提高", "稳定", "正常", "正常运行", "按时", "按时完成", "完成", "达标", "合格", "持续", "长期", "安全",
    "有效保障", "逐步提升", "大幅提升", "得到提升", "满意", "基本满意", "规范",
}

_QUALITATIVE_PHRASE = re.compile(r"^(有效|显著|明显|大幅|稳步|持续|逐步|进一步)(提高|提升|保障|改善|增强|优化)?$")

REVERSE_WORDS = ("故障率", "投诉率", "事故", "差错率", "错误率", "发生数", "发生率", "成本", "费用", "时长", "时间",
                 "超时", "逾期", "下降")


@dataclass(frozen=True)
class Value:
    """A read 指标值 or 实际完成值."""

    raw: str
    kind: str  # comparison | deadline | duration | periodic | qualitative | change | alternatives |
    #             not_applicable | empty | missing_number | unrecognised
    op: str = ""  # >= <= > < = or "" (bare number)
    number: Decimal | None = None
    unit: str = ""
    parts: tuple[Value, ...] = ()  # alternatives
    date: tuple[int, int, int] | None = None  # deadline (year, month, day); month/day 12/31 when absent
    typo: bool = False  # 不适应 for 不适用

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"

    @property
    def reverse(self) -> bool:
        """V2: ≤ and < are reverse indicators (lower is better)."""
        return self.op in ("<=", "<")

    @property
    def recognised(self) -> bool:
        return self.kind not in ("unrecognised", "missing_number")


# `(?<!\s)`: the spaces before `<sup>` are matched from their start only, never from inside a run of them (trying
# every start made a `<sup>` between long runs of spaces quadratic, issue 11)
_SUP = re.compile(r"(?<!\s)\s*<sup>\s*([23])\s*</sup>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,20}>")


class _FoldedCharacters(dict[int, str]):
    """Each character's NFKC form, by code point, made the first time the character is seen; ``²`` and ``³`` stay
    (`m²`). ``str.translate`` looks every character of a text up here: the same result as normalising character by
    character, at a dictionary lookup per character instead of a call (a form's 指标值 are read on every check)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = ch if ch in "²³" else unicodedata.normalize("NFKC", ch)
        if len(self) >= 65536:  # (bounded: only a text of every character of Unicode gets here)
            self.clear()
        self[code] = folded
        return folded


_FOLDED = _FoldedCharacters()


def normalise(text: str) -> str:
    text = text or ""
    if "<" in text:  # pasted from a web page: `≤500m <sup>2</sup>`, stray `<p>`
        text = _TAG.sub("", _SUP.sub(lambda m: "²" if m.group(1) == "2" else "³", text))
    t = text.translate(_FOLDED).strip()  # NFKC character by character (`²` kept), see ``_FoldedCharacters``
    t = t.replace("＞", ">").replace("＜", "<").replace("％", "%")
    return _SPACES.sub("", t)


_SPACES = re.compile(r"\s+")


def _decimal(text: str) -> Decimal | None:
    """The number of a value; None when it is out of range (more than 15 integer digits, or below 10^-15)."""
    try:
        value = Decimal(text.replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if in_range(value, NUMBER) else None


@lru_cache(maxsize=8192)
def parse_value(text: str) -> Value:
    raw = text or ""
    t = normalise(raw)
    if not t:
        return Value(raw, "empty")
    if t == NOT_APPLICABLE:
        return Value(raw, "not_applicable")
    if t in NOT_APPLICABLE_TYPOS:
        return Value(raw, "not_applicable", typo=True)
    t = _word_operator(t)
    if "或" in t and not t.startswith("或") and not t.endswith("或"):
        parts = tuple(parse_value(p) for p in t.split("或"))
        if all(p.recognised and p.kind != "empty" for p in parts):
            # `≥2天或16小时`: the operator of the first part applies to the rest
            op = parts[0].op
            parts = tuple(p if p.op or not op else Value(p.raw, p.kind, op, p.number, p.unit, p.parts, p.date)
                          for p in parts)
            return Value(raw, "alternatives", op=op, parts=parts)
    m = _DEADLINE.match(t)
    if m:
        y, mo = int(m["y"]), int(m["m"] or 12)
        d = int(m["d"]) if m["d"] else (calendar.monthrange(y, mo)[1] if 1 <= mo <= 12 else 0)
        if 1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y, mo)[1]:
            return Value(raw, "deadline", op="<=", date=(y, mo, d))
    m = _DURATION.match(t)
    if m and (m["suffix"] or m["op"] in ("<=", "≤", "<")
              or m["unit"] in ("个工作日", "工作日", "小时", "个小时", "分钟")):
        number = _decimal(m["num"])
        if number is None:
            return Value(raw, "unrecognised")  # 40 digits: no value a form can hold
        op = "<=" if m["suffix"] and not m["op"] else _OPS.get(m["op"] or "", "")
        unit = m["unit"].lstrip("个")
        return Value(raw, "duration", op=op, number=number, unit=unit)
    m = _CHANGE.match(t)
    if m:
        number = _decimal(m["num"])
        if number is None:
            return Value(raw, "unrecognised")
        up = m["dir"] in ("上升", "增长", "提高")
        return Value(raw, "change", op=">=" if up else "<=", number=number, unit=m["unit"] or "%")
    m = _COMPARISON.match(t)
    if m:
        unit = m["unit"] or ""
        if not re.search(r"[。，,；;：:、]", unit):
            number = _decimal(m["num"])
            if number is None:
                return Value(raw, "unrecognised")
            return Value(raw, "comparison", op=_OPS.get(m["op"] or "", ""), number=number, unit=unit)
    if _OP_ONLY.match(t):
        return Value(raw, "missing_number", op=_OPS.get(t[:2] if t[:2] in _OPS else t[0], ""))
    if t in _PERIODIC or re.fullmatch(r"每(年|季度|月|半年|周|日)(末|初|\d{1,2}日前|\d{1,2}号前)?", t):
        return Value(raw, "periodic")
    if t in QUALITATIVE or _QUALITATIVE_PHRASE.match(t):
        return Value(raw, "qualitative")
    return Value(raw, "unrecognised")


def unit_scale(unit: str) -> tuple[str, Decimal]:
    """`万人` → (`人`, 10000); `%` → (`%`, 1). For comparing a target and an actual in related units."""
    if unit.startswith("万") and len(unit) > 1:
        return unit[1:], Decimal(10000)
    if unit.startswith("亿") and len(unit) > 1:
        return unit[1:], Decimal(100000000)
    if unit == "万":
        return "", Decimal(10000)
    return unit, Decimal(1)


def comparable_numbers(target: Value, actual: Value) -> tuple[Decimal, Decimal] | None:
    """Both numbers in the same unit, or None when the units do not match. A bare number takes the other side's
    unit (`≥4` against `4人`, `≥90%` against `90`)."""
    if target.number is None or actual.number is None:
        return None
    tu, ts = unit_scale(target.unit)
    au, as_ = unit_scale(actual.unit)
    if tu and au and tu != au and _SAME_UNITS.get(tu, tu) != _SAME_UNITS.get(au, au):
        return None  # `%` against `个`, `小时` against `天`: no suggestion rather than a wrong one
    return target.number * ts, actual.number * as_


_SAME_UNITS = {"日": "天", "次数": "次", "个数": "个", "平方米": "m²", "平米": "m²", "㎡": "m²"}


def looks_reverse(name: str) -> bool:
    """A 三级指标 whose name says lower is better (故障率, 投诉率, 事故数, 成本)."""
    return any(w in (name or "") for w in REVERSE_WORDS)
