"""Rule profiles: thresholds and options as data (``resources/profiles/<name>.json``), not code.

Next year's changes are edits to a profile. A form whose 项目编码 names the district of another known profile
is checked with that profile (a 宝安 form in a 福田 project is checked as 宝安 prints it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..paths import resources_dir

DEFAULT_PROFILE = "shenzhen-futian"


class ProfileError(Exception):
    pass


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    district_codes: tuple[str, ...]
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
    qualitative_bands: dict[str, Decimal]
    deviation_required_over_factor: Decimal | None
    unit_trap_wan_yuan_max: Decimal
    grades: tuple[tuple[Decimal, str], ...]
    choices: dict[str, tuple[str, ...]]

    @classmethod
    def from_dict(cls, d: dict) -> "Profile":
        dec = Decimal
        over = d.get("deviation_required_over_factor")
        return cls(
            name=d["name"],
            title=d.get("title", d["name"]),
            district_codes=tuple(d.get("district_codes", ())),
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
            qualitative_bands={k: dec(v) for k, v in d.get("qualitative_bands", {}).items()},
            deviation_required_over_factor=dec(over) if over is not None else None,
            unit_trap_wan_yuan_max=dec(d.get("unit_trap_wan_yuan_max", "10000")),
            grades=tuple((dec(a), b) for a, b in d.get("grades", ())),
            choices={k: tuple(v) for k, v in d.get("choices", {}).items()},
        )

    def grade(self, total: Decimal | None) -> str:
        if total is None:
            return ""
        for threshold, name in self.grades:
            if total >= threshold:
                return name
        return self.grades[-1][1] if self.grades else ""


def profiles_dir():
    return resources_dir() / "profiles"


def available_profiles() -> list[str]:
    return sorted(p.stem for p in profiles_dir().glob("*.json"))


@lru_cache(maxsize=16)
def load_profile(name: str | None = None) -> Profile:
    name = name or DEFAULT_PROFILE
    path = profiles_dir() / f"{name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if name != DEFAULT_PROFILE:
            return load_profile(DEFAULT_PROFILE)
        raise ProfileError(f"找不到规则配置 {path}") from None
    except (OSError, ValueError) as exc:
        raise ProfileError(f"规则配置 {path} 无法读取：{exc}") from None
    return Profile.from_dict(data)


def profile_for_code(code: str, default: Profile) -> Profile:
    """The profile of the district a 项目编码 names, when it is another known profile's district."""
    district = (code or "")[:6]
    if not district or district in default.district_codes:
        return default
    for name in available_profiles():
        other = load_profile(name)
        if district in other.district_codes:
            return other
    return default
