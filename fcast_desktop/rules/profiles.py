"""Rule profiles: thresholds and options as data (``resources/profiles/<name>.json``), not code.

Next year's changes are edits to a profile. A form whose 项目编码 names the district of another known profile
is checked with that profile (a 宝安 form in a 福田 project is checked as 宝安 prints it).
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

DEFAULT_PROFILE = "shenzhen-futian"
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class ProfileError(Exception):
    pass


Number = str | int | float  # written as "1.2" in the shipped profiles; read as Decimal


class RuleOverride(BaseModel):
    """A rule's entry under ``rules``: its severity, whether it is checked at all."""

    model_config = ConfigDict(extra="forbid")

    severity: str | None = None  # error / warning / hint (checked with its own message)
    enabled: bool | None = None


class ProfileFile(BaseModel):
    """The keys a profile file may hold, and their types: an unknown or misspelt key is refused (a typo would
    otherwise silently leave the default in force)."""

    model_config = ConfigDict(extra="forbid", strict=False)

    name: str
    title: str | None = None
    district_codes: list[str] = []
    known_districts: dict[str, str] = {}
    amount_unit: str = "万元"
    stars: bool = False
    mandatory_level2: list[str] = []
    warn_not_applicable_level2: list[str] = []
    level1_weights: dict[str, Number]
    funds_weight: Number = "10"
    total_weight: Number = "100"
    over_achievement_factor: Number = "1.2"
    over_achievement_percentages: bool = False
    reverse_mode: str = "linear"
    reverse_zero_factor: Number = "2"
    qualitative_bands: dict[str, Number | list[Number]] = {}
    qualitative_levels: dict[str, Number | list[Number]] = {}
    deviation_required_over_factor: Number | None = None
    unit_trap_wan_yuan_max: Number = "10000"
    unit_trap_yuan_min: Number = "1000"
    approx_tolerance: Number = "0.05"
    grades: list[tuple[Number, str]] = []
    choices: dict[str, list[str]] = {}
    rules: dict[str, RuleOverride] = {}
    explainable_errors: list[str] = []
    low_execution_rate: Number = "90"
    coach_words: dict[str, list[str]] = {}


_PROBLEMS = {
    "missing": "缺少必填的键",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为文字（加引号）",
    "list_type": "应为列表（[…]）",
    "tuple_type": "应为列表（[…]）",
    "dict_type": "应为对象（{…}）",
    "too_short": "列表的项数不对",
    "too_long": "列表的项数不对",
}


def validate_profile(data: object, source: str) -> ProfileFile:
    """``data`` checked against :class:`ProfileFile`; :class:`ProfileError` naming the key and ``source`` (the
    file) for the first problem: an unknown key (with the known key it most resembles), a missing one, a value of
    the wrong type."""
    if not isinstance(data, dict):
        raise ProfileError(f"规则配置 {source} 的内容应为一个对象（{{…}}）")
    try:
        return ProfileFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"])
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(key, list(ProfileFile.model_fields), n=1)
            hint = f"，是否应为“{close[0]}”？" if close else "，请删除或改正"
            raise ProfileError(f"规则配置 {source} 中的键“{key}”不是规则配置的设置项{hint}") from None
        what = _PROBLEMS.get(error["type"], "的值类型不对")
        raise ProfileError(f"规则配置 {source} 中的键“{key}”{what}") from None


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    district_codes: tuple[str, ...]
    known_districts: dict[str, str]  # 区划代码 → name, for D2
    amount_unit: str
    stars: bool
    mandatory_level2: tuple[str, ...]
    warn_not_applicable_level2: tuple[str, ...]
    level1_weights: dict[str, Decimal]
    funds_weight: Decimal
    total_weight: Decimal
    over_achievement_factor: Decimal
    over_achievement_percentages: bool
    reverse_mode: str  # "linear": full score up to the target, 0 at factor × target; "ratio": target ÷ actual
    reverse_zero_factor: Decimal
    qualitative_bands: dict[str, tuple[Decimal, Decimal]]  # 达成/部分达成/未达成 → share of 分值 (low, high)
    qualitative_levels: dict[str, tuple[Decimal, Decimal]]  # 显著/明显/一般 → percentage range
    deviation_required_over_factor: Decimal | None
    unit_trap_wan_yuan_max: Decimal
    unit_trap_yuan_min: Decimal
    approx_tolerance: Decimal
    grades: tuple[tuple[Decimal, str], ...]
    choices: dict[str, tuple[str, ...]]
    rule_overrides: dict[str, dict[str, Any]]  # rule id → {"severity": "error"|"warning"|"hint", "enabled": bool}
    explainable_errors: tuple[str, ...] = ()  # rule ids whose errors may be accepted with a 说明 (warnings always)
    low_execution_rate: Decimal = Decimal(90)  # Q8: 执行率 (%) below this needs a 偏差原因
    coach_words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # Q3/Q4/Q7 word lists, see COACH_WORDS

    @classmethod
    def from_dict(cls, d: dict[str, Any], source: str = "（未命名）") -> Profile:
        """The profile of the file contents ``d`` (``source``: the file, for messages); unknown or misspelt keys
        and values of the wrong type raise :class:`ProfileError`."""
        validate_profile(d, source)
        dec = Decimal
        over = d.get("deviation_required_over_factor")
        return cls(
            name=d["name"],
            title=d.get("title", d["name"]),
            district_codes=tuple(d.get("district_codes", ())),
            known_districts=dict(d.get("known_districts", {})),
            amount_unit=d.get("amount_unit", "万元"),
            stars=bool(d.get("stars", False)),
            mandatory_level2=tuple(d.get("mandatory_level2", ())),
            warn_not_applicable_level2=tuple(d.get("warn_not_applicable_level2", ())),
            level1_weights={k: dec(v) for k, v in d["level1_weights"].items()},
            funds_weight=dec(d.get("funds_weight", "10")),
            total_weight=dec(d.get("total_weight", "100")),
            over_achievement_factor=dec(d.get("over_achievement_factor", "1.2")),
            over_achievement_percentages=bool(d.get("over_achievement_percentages", False)),
            reverse_mode=d.get("reverse_mode", "linear"),
            reverse_zero_factor=dec(d.get("reverse_zero_factor", "2")),
            qualitative_bands={k: _band(v) for k, v in d.get("qualitative_bands", {}).items()},
            qualitative_levels={k: _band(v) for k, v in d.get("qualitative_levels", {}).items()},
            deviation_required_over_factor=dec(over) if over is not None else None,
            unit_trap_wan_yuan_max=dec(d.get("unit_trap_wan_yuan_max", "10000")),
            unit_trap_yuan_min=dec(d.get("unit_trap_yuan_min", "1000")),
            approx_tolerance=dec(d.get("approx_tolerance", "0.05")),
            grades=tuple((dec(a), b) for a, b in d.get("grades", ())),
            choices={k: tuple(v) for k, v in d.get("choices", {}).items()},
            rule_overrides=_overrides(d.get("rules", {})),
            explainable_errors=_rule_ids(d.get("explainable_errors", ()), "explainable_errors"),
            low_execution_rate=dec(d.get("low_execution_rate", "90")),
            coach_words={**COACH_WORDS, **{k: tuple(v) for k, v in d.get("coach_words", {}).items()}},
        )

    def grade(self, total: Decimal | None) -> str:
        if total is None:
            return ""
        for threshold, name in self.grades:
            if total >= threshold:
                return name
        return self.grades[-1][1] if self.grades else ""


COACH_WORDS: dict[str, tuple[str, ...]] = {
    # Q3: an indicator about satisfaction
    "satisfaction": ("满意度", "满意率"),
    # Q4: what cannot exceed 100 %
    "capped_percent": ("满意度", "满意率", "准确率", "合格率", "覆盖率", "完成率", "达标率", "知晓率", "到位率",
                       "及时率", "正确率", "通过率"),
    # Q7: spending progress rather than cost
    "spending_progress": ("支出进度", "执行率", "执行进度", "预算执行", "资金执行", "支付进度", "支付率", "拨付率",
                          "支出率", "资金使用率"),
}
"""The coach's word lists (defaults; a profile's ``coach_words`` replaces a list by its key)."""


def _rule_ids(ids: list[str] | tuple[str, ...], what: str) -> tuple[str, ...]:
    from .catalogue import RULES

    for rule_id in ids:
        if rule_id not in RULES:
            raise ProfileError(f"规则配置 {what} 中的规则“{rule_id}”不存在")
    return tuple(ids)


def _overrides(rules: dict[str, Any]) -> dict[str, dict[str, Any]]:
    from .catalogue import RULES

    out: dict[str, dict[str, Any]] = {}
    for rule_id, o in rules.items():
        if rule_id not in RULES:
            raise ProfileError(f"规则配置中的规则“{rule_id}”不存在")
        if not isinstance(o, dict) or o.get("severity", "error") not in ("error", "warning", "hint"):
            raise ProfileError(f"规则“{rule_id}”的配置应为 {{\"severity\": \"error\"|\"warning\"|\"hint\", "
                               "\"enabled\": true|false}")
        out[rule_id] = {k: v for k, v in o.items() if k in ("severity", "enabled")}
    return out


def _band(value: object) -> tuple[Decimal, Decimal]:
    """`["0.8", "1"]` → (0.8, 1); a single number (older profiles) is the top of a band starting at 0."""
    if isinstance(value, (list, tuple)):
        return Decimal(str(value[0])), Decimal(str(value[1]))
    return Decimal(0), Decimal(str(value))


def profiles_dir() -> Path:
    """``resources/profiles`` next to the package (source checkout, editable install), else inside a PyInstaller
    bundle (``sys._MEIPASS/resources/profiles``)."""
    candidates = [Path(__file__).resolve().parents[2] / "resources" / "profiles"]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.append(Path(frozen) / "resources" / "profiles")
    for path in candidates:
        if path.is_dir():
            return path
    return candidates[-1]


def available_profiles() -> list[str]:
    return sorted(p.stem for p in profiles_dir().glob("*.json"))


def load_profile(name: str | None = None) -> Profile:
    """The profile called ``name`` (``resources/profiles/<name>.json``); an unknown name gives the default profile
    (a project file naming a profile this version does not ship must still open). Cached: profiles are read once.
    Raises ``ProfileError`` only when the default profile itself is missing or a profile file is corrupt."""
    name = name or DEFAULT_PROFILE
    if not _NAME.fullmatch(name) or not (profiles_dir() / f"{name}.json").is_file():
        name = DEFAULT_PROFILE
    return _load(name)


@lru_cache(maxsize=16)
def _load(name: str) -> Profile:
    path = profiles_dir() / f"{name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(f"找不到规则配置 {path}") from None
    except (OSError, ValueError) as exc:
        raise ProfileError(f"规则配置 {path} 无法读取：{exc}") from None
    return Profile.from_dict(data, str(path))


def profile_for_code(code: str, default: Profile) -> Profile:
    """The profile of the district a 项目编码 names, when it is another known profile's district."""
    district = (code or "")[:6]
    if not district or district in default.district_codes:
        return default
    return _district_profiles().get(district, default)


@lru_cache(maxsize=1)
def _district_profiles() -> dict[str, Profile]:
    out: dict[str, Profile] = {}
    for name in available_profiles():
        other = load_profile(name)
        for code in other.district_codes:
            out.setdefault(code, other)
    return out
