"""The fixed 一级/二级指标 skeleton shared by all three official forms: which 二级 belong to which 一级, their
order, and which ones 福田 marks as mandatory. Their printed names (数量 / 数量指标 …) are official words and live
in the layouts (``layouts.levels``)."""

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


@dataclass(frozen=True)
class Level2Info:
    key: Level2
    level1: Level1
    futian_mandatory: bool  # printed with * by 福田


LEVEL1: tuple[Level1Info, ...] = (
    Level1Info(Level1.OUTPUT),
    Level1Info(Level1.BENEFIT),
    Level1Info(Level1.SATISFACTION),
)

SKELETON: tuple[Level2Info, ...] = (
    Level2Info(Level2.QUANTITY, Level1.OUTPUT, True),
    Level2Info(Level2.QUALITY, Level1.OUTPUT, True),
    Level2Info(Level2.TIMELINESS, Level1.OUTPUT, True),
    Level2Info(Level2.COST, Level1.OUTPUT, True),
    Level2Info(Level2.ECONOMIC, Level1.BENEFIT, False),
    Level2Info(Level2.SOCIAL, Level1.BENEFIT, True),
    Level2Info(Level2.ECOLOGICAL, Level1.BENEFIT, False),
    Level2Info(Level2.SUSTAINABLE, Level1.BENEFIT, False),
    Level2Info(Level2.SERVICE_SATISFACTION, Level1.SATISFACTION, True),
    Level2Info(Level2.OTHER_SATISFACTION, Level1.SATISFACTION, False),
)

LEVEL1_INFO: dict[Level1, Level1Info] = {i.key: i for i in LEVEL1}
LEVEL2_INFO: dict[Level2, Level2Info] = {i.key: i for i in SKELETON}
LEVEL2_ORDER: dict[Level2, int] = {i.key: n for n, i in enumerate(SKELETON)}

NOT_APPLICABLE = "不适用"


def level2_of_level1(level1: Level1) -> list[Level2Info]:
    return [i for i in SKELETON if i.level1 == level1]
