"""PDF export of the large projects (1,000 forms; 10,000 with ``--sizes``), each run beside its yardstick.

    .venv/bin/python benchmarks/bench_pdf.py [--sizes 1000 10000] [--runs 5] [--before ROOT] [--json]

- The projects are the sample project's 64 forms repeated (``bigproject.py``, cached in ``benchmarks/.cache``).
- Each export runs in a process of its own (as ``fcast export --pdf`` does): the export's wall and CPU time, and
  the peak resident memory of the process (``os.wait4``) beside a process that only loads the project (the floor).
- The yardstick is a bare ``json.load`` of the same file, timed in the same process just before the export, so
  that a loaded machine shows in both; the target (issue 14) is every run of 1,000 forms under 5 s wall.
- ``--before ROOT``: the same export by the package under ROOT (e.g. a copy of an earlier commit's
  ``fcast_desktop`` beside a ``resources`` link), run alternately with this one, so the two share the load.
- With two sizes: the growth exponent log(t_large / t_small) / log(size ratio), 1.0 for linear work.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET_S = 5.0  # 1,000 forms, wall (issue 14)
MEMORY_TARGET_MB = 400  # peak at 10,000 forms

CHILD = """
import json, sys, time
root, project_path, out = sys.argv[1:4]
sys.path.insert(0, root)
t = time.perf_counter()
with open(project_path, encoding="utf-8") as fh:
    json.load(fh)
yardstick = time.perf_counter() - t
from fcast_desktop.store.project_file import load_project
project = load_project(project_path)
from fcast_desktop.exchange.pdf_export import export_pdf  # (reportlab is imported by the export, as in the app)
wall, cpu = time.perf_counter(), time.process_time()
if out != "-":
    export_pdf(project, project.forms, out)
print(json.dumps({"json_load_s": yardstick, "export_s": time.perf_counter() - wall,
                  "export_cpu_s": time.process_time() - cpu}))
"""


def run_measured(root: Path, project: Path, out: str) -> dict:
    """One export by the package under ``root`` (``out`` "-": only the load) in a process of its own: its figures
    and its peak resident memory (``os.wait4``, before the process is reaped)."""
    sys.path.insert(0, str(HERE))
    from bigproject import run_measured_child

    return run_measured_child(CHILD, [str(root), str(project), out], f"export by {root}")


def figures_for(sizes: list[int], before: Path | None, runs: int) -> dict:
    sys.path.insert(0, str(HERE))
    from bigproject import big_project_path

    roots = {"now": ROOT} | ({"before": before} if before else {})
    out: dict = {}
    for n in sizes:
        path = big_project_path(n)
        f: dict = {"forms": n, "file_mb": round(path.stat().st_size / 1e6, 1),
                   "load_only_peak_mb": round(run_measured(ROOT, path, "-")["peak_mb"])}
        with tempfile.TemporaryDirectory() as tmp:
            results: dict[str, list[dict]] = {name: [] for name in roots}
            for _ in range(runs):
                for name, root in roots.items():  # alternately: the same load for both
                    pdf = Path(tmp) / f"{name}.pdf"
                    results[name].append(run_measured(root, path, str(pdf)))
                    f[f"{name}_file_mb"] = round(pdf.stat().st_size / 1e6, 2)
            for name, rs in results.items():
                walls = [r["export_s"] for r in rs]
                f[name] = {
                    "export_s": round(statistics.median(walls), 2),
                    "export_min_s": round(min(walls), 2),
                    "export_max_s": round(max(walls), 2),
                    "export_cpu_s": round(statistics.median(r["export_cpu_s"] for r in rs), 2),
                    "json_load_s": round(statistics.median(r["json_load_s"] for r in rs), 3),
                    "peak_mb": round(max(r["peak_mb"] for r in rs)),
                    "runs": [round(w, 2) for w in walls],
                }
        out[n] = f
        print(f"-- {n:,} forms ({f['file_mb']} MB; a process that only loads the project peaks at "
              f"{f['load_only_peak_mb']} MB)", flush=True)
        for name in roots:
            r = f[name]
            print(f"   {name}: export median {r['export_s']:.2f} s wall (runs {r['runs']}), "
                  f"CPU {r['export_cpu_s']:.2f} s;"
                  f" yardstick json.load {r['json_load_s'] * 1000:.0f} ms → {r['export_s'] / r['json_load_s']:.0f}×;"
                  f" peak {r['peak_mb']} MB, file {f[name + '_file_mb']} MB", flush=True)
    if len(sizes) > 1:
        a, b = out[sizes[0]], out[sizes[-1]]
        ratio = math.log(sizes[-1] / sizes[0])
        for name in roots:
            wall = math.log(b[name]["export_s"] / a[name]["export_s"]) / ratio
            cpu = math.log(b[name]["export_cpu_s"] / a[name]["export_cpu_s"]) / ratio
            print(f"   {name}: growth exponent {sizes[0]:,} → {sizes[-1]:,} forms: wall {wall:.2f}, CPU {cpu:.2f}"
                  f" (1.0 = linear)", flush=True)
    if 1000 in out:
        worst = out[1000]["now"]["export_max_s"]
        print(f"   target: every 1,000-form run under {TARGET_S:.0f} s wall — "
              f"{'met' if worst < TARGET_S else 'NOT met'} (slowest {worst:.2f} s)")
    if 10000 in out:
        peak = out[10000]["now"]["peak_mb"]
        print(f"   memory at 10,000 forms: {peak} MB (target {MEMORY_TARGET_MB} MB; loading alone "
              f"{out[10000]['load_only_peak_mb']} MB)")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--before", type=Path, default=None)
    ap.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = ap.parse_args(argv)
    figures = figures_for(sorted(args.sizes), args.before, args.runs)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
