"""Rules benchmark: validate+score one 60-row self-evaluation (target < 2 ms median), check a 1,000-form
project (target < 1 s), and the rules' part of a keystroke in a long 测算依据 (800 / 3,200 / 12,800 characters;
target well under 16 ms at 12,800, issue 14). Value-parser caches are cleared before each run so no run is free;
each keystroke changes the text, so the 测算依据 caches miss as they do when typing."""

import math
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fcast_desktop.model import Declaration, EvaluationIndicator, Project  # noqa: E402
from fcast_desktop.paths import sample_project  # noqa: E402
from fcast_desktop.rules import arithmetic, check_form, coach, load_profile, score_self_evaluation  # noqa: E402  # noqa: E402
from fcast_desktop.rules.arithmetic import find_calculations  # noqa: E402
from fcast_desktop.rules.index import FormIndex  # noqa: E402
from fcast_desktop.rules.report import check_project  # noqa: E402
from fcast_desktop.rules.values import parse_value  # noqa: E402
from fcast_desktop.store.project_file import load_project  # noqa: E402


def clear_caches() -> None:
    """Every text cache of the rules (a cold check reads each text anew): the lru caches of the arithmetic and the
    coach, and the coach's facts per 三级指标 name (kept with the profile's word lists)."""
    parse_value.cache_clear()
    for module in (arithmetic, coach):
        for value in vars(module).values():
            if hasattr(value, "cache_clear"):
                value.cache_clear()
    coach._WORDS.clear()


def main() -> None:
    project = load_project(sample_project())
    profile = load_profile(project.profile)
    base = next(f for f in project.forms if f.kind == "self_evaluation" and len(f.indicators) >= 20)
    form = base.model_copy(deep=True)
    rows = list(form.indicators)
    while len(rows) < 60:
        rows.append(EvaluationIndicator(**rows[len(rows) % len(base.indicators)].model_dump(exclude={"raw"})))
    form.indicators = rows
    cold, warm = [], []
    for _ in range(300):
        clear_caches()
        t = time.perf_counter()
        check_form(form, profile, project)
        score_self_evaluation(form, profile)
        cold.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        check_form(form, profile, project)
        score_self_evaluation(form, profile)
        warm.append((time.perf_counter() - t) * 1000)
    cold.sort()
    warm.sort()
    print(f"60-row self-evaluation, validate+score: median {statistics.median(warm):.2f} ms "
          f"(p99 {warm[int(0.99 * len(warm))]:.2f}), "
          f"cold caches median {statistics.median(cold):.2f} ms")
    big = Project(profile=project.profile, forms=[project.forms[i % len(project.forms)].model_copy(deep=True)
                                                  for i in range(1000)])
    runs = []
    for _ in range(20):
        clear_caches()
        t = time.perf_counter()
        problems = check_project(big)
        runs.append(time.perf_counter() - t)
    runs.sort()
    print(f"1,000-form project check (cold caches): median {statistics.median(runs) * 1000:.0f} ms, "
          f"p99 {runs[-1] * 1000:.0f} ms ({len(problems)} problems)")
    calculation_keystrokes(project, profile)


def long_calculation_text(project: Project, chars: int) -> str:
    """The sample's 测算依据 with expressions, one after another (numbered like staff do) up to ``chars``."""
    texts = [f.calculation_basis for f in project.forms if isinstance(f, Declaration) and "=" in f.calculation_basis]
    parts, n, size = [], 0, 0
    while size < chars:
        n += 1
        part = f"{n}、{texts[n % len(texts)].strip()}\n"
        parts.append(part)
        size += len(part)
    return "".join(parts)[:chars]


def calculation_keystrokes(project: Project, profile, sizes: tuple[int, ...] = (800, 3200, 12800)) -> None:
    """The rules' part of one keystroke in a 测算依据 of each size: ``check_form`` of the declaration (hints too, with
    the index a window keeps) after a character is typed at the end, so the text is new to every cache."""
    form = next(f for f in project.forms if isinstance(f, Declaration) and f.variant == "basis").model_copy(deep=True)
    index = FormIndex(project.forms)
    medians = {}
    for size in sizes:
        base = long_calculation_text(project, size)
        times = []
        for k in range(60):
            form.calculation_basis = base + "，" * (k % 2) + str(k)  # a new text each time, as when typing
            t = time.perf_counter()
            check_form(form, profile, project, hints=True, index=index)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        calcs = len(find_calculations(form.calculation_basis))
        medians[size] = statistics.median(times)
        print(f"测算依据 of {size:,} characters ({calcs} expressions), rules per keystroke: median "
              f"{medians[size]:.2f} ms, p99 {times[int(0.99 * len(times))]:.2f} ms")
    small, large = sizes[0], sizes[-1]
    growth = math.log(medians[large] / medians[small]) / math.log(large / small)
    print(f"  growth exponent {small:,} → {large:,} characters: {growth:.2f} (1.0: linear); "
          f"under 16 ms at {large:,}: {'met' if medians[large] < 16 else 'NOT met'}")


if __name__ == "__main__":
    main()
