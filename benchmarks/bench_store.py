"""Save and load a 1,000-form project (target: each well under a second). Prints median of 5 runs."""

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fcast_desktop.exchange.importer import import_file  # noqa: E402
from fcast_desktop.model import Project  # noqa: E402
from fcast_desktop.store.project_file import load_project, save_project  # noqa: E402

SEEDS = ROOT / "tests" / "data" / "seeds"


def main() -> None:
    forms = []
    for prefix in ("000", "002", "003", "004"):
        forms += import_file(next(SEEDS.glob(f"{prefix}_*.txt"))).forms
    many = [forms[i % len(forms)].model_copy(deep=True) for i in range(1000)]
    project = Project(unit="基准测试", forms=many)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.fcast"
        saves, loads = [], []
        for _ in range(5):
            t = time.perf_counter()
            save_project(project, path)
            saves.append(time.perf_counter() - t)
            t = time.perf_counter()
            load_project(path)
            loads.append(time.perf_counter() - t)
        size = path.stat().st_size
    rows = sum(len(f.indicators) for f in many)
    print(f"1,000 forms ({rows} indicator rows, file {size / 1e6:.1f} MB)")
    print(f"save: median {statistics.median(saves) * 1000:.0f} ms, max {max(saves) * 1000:.0f} ms")
    print(f"load: median {statistics.median(loads) * 1000:.0f} ms, max {max(loads) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
