"""The fixed 一级/二级指标 skeleton shared by all three official forms.

Every form prints the same ten 二级指标 in the same order; only their labels differ by form kind
(``数量`` in the declaration, ``数量指标`` in the self-evaluation and the department form).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Level1(str, Enum):
    OUTPUT = "output"
    BENEFIT = "benefit"
    SATISFACTION = "satisfaction"


class Level2(str, Enum):
    QUANTITY = "quantity"
    QUALITY = "quality"
    TIMELINESS = "timeliness"
    COST = "cost"
    ECONOMIC = "economic"
    SOCIAL = "social"
    ECOLOGICAL = "ecological"
    SUSTAINABLE = "sustainable"
    SERVICE_SATISFACTION = "service_satisfaction"
    OTHER_SATISFACTION = "other_satisfaction"


@dataclass(frozen=True)
class Level1Info:
    key: Level1
    short: str  # 产出 (declaration label)
    long: str  # 产出指标 (self-evaluation, department form)


@dataclass(frozen=True)
class Level2Info:
    key: Level2
    level1: Level1
    short: str  # 数量
    long: str  # 数量指标
    futian_mandatory: bool  # printed with * by 福田


LEVEL1: tuple[Level1Info, ...] = (
    Level1Info(Level1.OUTPUT, "产出", "产出指标"),
    Level1Info(Level1.BENEFIT, "效益", "效益指标"),
    Level1Info(Level1.SATISFACTION, "满意度", "满意度指标"),
)

SKELETON: tuple[Level2Info, ...] = (
    Level2Info(Level2.QUANTITY, Level1.OUTPUT, "数量", "数量指标", True),
    Level2Info(Level2.QUALITY, Level1.OUTPUT, "质量", "质量指标", True),
    Level2Info(Level2.TIMELINESS, Level1.OUTPUT, "时效", "时效指标", True),
    Level2Info(Level2.COST, Level1.OUTPUT, "成本", "成本指标", True),
    Level2Info(Level2.ECONOMIC, Level1.BENEFIT, "经济效益", "经济效益指标", False),
    Level2Info(Level2.SOCIAL, Level1.BENEFIT, "社会效益", "社会效益指标", True),
    Level2Info(Level2.ECOLOGICAL, Level1.BENEFIT, "生态效益", "生态效益指标", False),
    Level2Info(Level2.SUSTAINABLE, Level1.BENEFIT, "可持续影响", "可持续影响指标", False),
    Level2Info(Level2.SERVICE_SATISFACTION, Level1.SATISFACTION, "服务对象满意度", "服务对象满意度指标", True),
    Level2Info(Level2.OTHER_SATISFACTION, Level1.SATISFACTION, "其他满意度", "其他满意度指标", False),
)

LEVEL1_INFO: dict[Level1, Level1Info] = {i.key: i for i in LEVEL1}
LEVEL2_INFO: dict[Level2, Level2Info] = {i.key: i for i in SKELETON}
LEVEL2_ORDER: dict[Level2, int] = {i.key: n for n, i in enumerate(SKELETON)}

NOT_APPLICABLE = "不适用"


def level2_of_level1(level1: Level1) -> list[Level2Info]:
    return [i for i in SKELETON if i.level1 == level1]


def _normalise_label(text: str) -> str:
    t = text.strip().lstrip("*＊").strip()
    # drop a weight suffix like 产出指标(50分) / 产出指标 （50分）
    for opener in ("(", "（"):
        if opener in t:
            t = t.split(opener, 1)[0].strip()
    return t.replace(" ", "").replace("\u3000", "")


_LEVEL2_BY_LABEL: dict[str, Level2] = {}
for _info in SKELETON:
    _LEVEL2_BY_LABEL[_info.short] = _info.key
    _LEVEL2_BY_LABEL[_info.long] = _info.key
_LEVEL1_BY_LABEL: dict[str, Level1] = {}
for _l1 in LEVEL1:
    _LEVEL1_BY_LABEL[_l1.short] = _l1.key
    _LEVEL1_BY_LABEL[_l1.long] = _l1.key


def level2_from_label(text: str) -> Level2 | None:
    """`*数量`, `数量`, `数量指标` → Level2.QUANTITY; anything else → None."""
    return _LEVEL2_BY_LABEL.get(_normalise_label(text))


def level1_from_label(text: str) -> Level1 | None:
    """`产出`, `产出指标`, `产出指标(50分)` → Level1.OUTPUT."""
    return _LEVEL1_BY_LABEL.get(_normalise_label(text))
