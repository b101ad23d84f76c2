"""Time the PDF export of 100 forms (the seed forms repeated), target: under 10 s.

    .venv/bin/python benchmarks/bench_pdf.py [--forms 100] [--runs 3] [--out /tmp/bench.pdf]

The seed project is imported from tests/data/seeds (000, 002, 003, 004: 44 forms) as `fcast import` does; its forms
are repeated in order until there are ``--forms`` of them. The first run includes importing reportlab and loading
the font (what a user pays once per session); the others show the steady state.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SEEDS = ROOT / "tests" / "data" / "seeds"


def seed_project():
    from fcast_desktop.cli import main
    from fcast_desktop.store.project_file import load_project

    sources = [str(p) for n in ("000", "002", "003", "004") for p in sorted(SEEDS.glob(f"{n}_*.txt"))]
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "seeds.fcast"
        if main(["import", *sources, "-o", str(target)]) != 0:
            raise SystemExit("import of the seeds failed")
        return load_project(target)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--forms", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "fcast-bench.pdf")
    args = ap.parse_args(argv)

    project = seed_project()
    forms = [project.forms[i % len(project.forms)] for i in range(args.forms)]
    kinds = {k: sum(1 for f in forms if f.kind == k) for k in ("declaration", "self_evaluation", "department_overall")}

    times = []
    for _run in range(args.runs):
        t0 = time.perf_counter()
        from fcast_desktop.exchange.pdf_export import export_pdf  # first run: includes the reportlab import

        export_pdf(project, forms, args.out)
        times.append(time.perf_counter() - t0)
    pages = "?"
    try:
        info = subprocess.run(["pdfinfo", str(args.out)], capture_output=True, text=True, check=True).stdout
        pages = next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
    except (OSError, subprocess.CalledProcessError, StopIteration):
        pass
    size = args.out.stat().st_size
    print(f"PDF export of {args.forms} forms ({kinds}) → {pages} pages, {size / 1e6:.2f} MB")
    print(f"  first run (with reportlab import + font load): {times[0]:.2f} s")
    if len(times) > 1:
        rest = times[1:]
        print(f"  next runs: median {statistics.median(rest):.2f} s, best {min(rest):.2f} s "
              f"({1000 * min(rest) / args.forms:.0f} ms per form)")
    print(f"  target: under 10 s — {'met' if max(times) < 10 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
