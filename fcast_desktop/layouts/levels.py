"""The names of the 一级/二级指标 as the forms print them, and reading them back.

The declaration prints the short names (产出, 数量), the self-evaluation and the department form the long ones
(产出指标, 数量指标); the model knows only the keys (``model.skeleton``).
"""

from __future__ import annotations

from ..model.skeleton import Level1, Level2

LEVEL1_WORDS: dict[Level1, tuple[str, str]] = {  # key → (short, long)
    Level1.OUTPUT: ("产出", "产出指标"),
    Level1.BENEFIT: ("效益", "效益指标"),
    Level1.SATISFACTION: ("满意度", "满意度指标"),
}

LEVEL2_WORDS: dict[Level2, tuple[str, str]] = {
    Level2.QUANTITY: ("数量", "数量指标"),
    Level2.QUALITY: ("质量", "质量指标"),
    Level2.TIMELINESS: ("时效", "时效指标"),
    Level2.COST: ("成本", "成本指标"),
    Level2.ECONOMIC: ("经济效益", "经济效益指标"),
    Level2.SOCIAL: ("社会效益", "社会效益指标"),
    Level2.ECOLOGICAL: ("生态效益", "生态效益指标"),
    Level2.SUSTAINABLE: ("可持续影响", "可持续影响指标"),
    Level2.SERVICE_SATISFACTION: ("服务对象满意度", "服务对象满意度指标"),
    Level2.OTHER_SATISFACTION: ("其他满意度", "其他满意度指标"),
}


def level1_name(level1: Level1, style: str = "long") -> str:
    short, long = LEVEL1_WORDS[level1]
    return short if style == "short" else long


def level2_name(level2: Level2, style: str = "long") -> str:
    short, long = LEVEL2_WORDS[level2]
    return short if style == "short" else long


def _normalise_label(text: str) -> str:
    t = text.strip().lstrip("*＊").strip()
    # drop a weight suffix like 产出指标(50分) / 产出指标 （50分）
    for opener in ("(", "（"):
        if opener in t:
            t = t.split(opener, 1)[0].strip()
    return t.replace(" ", "").replace("\u3000", "")


_LEVEL2_BY_LABEL: dict[str, Level2] = {w: k for k, words in LEVEL2_WORDS.items() for w in words}
_LEVEL1_BY_LABEL: dict[str, Level1] = {w: k for k, words in LEVEL1_WORDS.items() for w in words}


def level2_from_label(text: str) -> Level2 | None:
    """`*数量`, `数量`, `数量指标` → Level2.QUANTITY; anything else → None."""
    return _LEVEL2_BY_LABEL.get(_normalise_label(text))


def level1_from_label(text: str) -> Level1 | None:
    """`产出`, `产出指标`, `产出指标(50分)` → Level1.OUTPUT."""
    return _LEVEL1_BY_LABEL.get(_normalise_label(text))


__all__ = ["LEVEL1_WORDS", "LEVEL2_WORDS", "level1_from_label", "level1_name", "level2_from_label", "level2_name"]
