"""Rules benchmark: validate+score one 60-row self-evaluation (target < 2 ms median) and check a 1,000-form
project (target < 1 s). Value-parser caches are cleared before each run so no run is free."""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fcast_desktop.model import EvaluationIndicator, Project  # noqa: E402
from fcast_desktop.paths import sample_project  # noqa: E402
from fcast_desktop.rules import check_form, load_profile, score_self_evaluation  # noqa: E402
from fcast_desktop.rules.arithmetic import find_calculations, find_part_slips  # noqa: E402
from fcast_desktop.rules.report import check_project  # noqa: E402
from fcast_desktop.rules.values import parse_value  # noqa: E402
from fcast_desktop.store.project_file import load_project  # noqa: E402


def clear_caches() -> None:
    parse_value.cache_clear()
    find_calculations.cache_clear()
    find_part_slips.cache_clear()


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
    print(f"60-row self-evaluation, validate+score: median {statistics.median(warm):.2f} ms (p99 {warm[int(0.99 * len(warm))]:.2f}), "
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


if __name__ == "__main__":
    main()
