"""Excel export: 100 forms with the import back, the large projects (1,000 and 10,000 forms) with their growth and
peak memory, each beside a yardstick measured in the same run; LibreOffice headless as another.

    python benchmarks/bench_xlsx.py [--json] [--sizes 1000 10000] [--before ROOT] [--runs N]

- 100 forms: the 44 seed forms (tests/data/seeds 000, 002, 003, 004) repeated; export (best of 3, target under
  5 s), import back (identical forms?), LibreOffice's xlsx → pdf of the same workbook when ``soffice`` is there.
- ``--sizes``: the sample project's 64 forms repeated (``bigproject.py``); each export runs in a process of its
  own: the export's time and CPU time, and the peak resident memory of the process (``os.wait4``) beside a process
  that only loads the project (the floor: the project itself); the yardstick is a bare ``json.load`` of the same
  file in this process. The growth exponent log(t_large / t_small) / log(size ratio) is 1.0 for linear work.
- ``--before ROOT``: the same export by the package under ROOT (e.g. a worktree of an earlier commit), measured
  alternately with this one, so the two figures share the machine's load.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEEDS = ROOT / "tests" / "data" / "seeds"
TARGET_S = 5.0  # 1,000 forms (issue 14)
MEMORY_TARGET_MB = 400  # peak at 10,000 forms
FORMS = 100

CHILD = """
import json, sys, time
root, project_path, out = sys.argv[1:4]
sys.path.insert(0, root)
from fcast_desktop.store.project_file import load_project
project = load_project(project_path)
from fcast_desktop.exchange.xlsx_export import export_xlsx  # (openpyxl is imported by the export, as in the app)
wall, cpu = time.perf_counter(), time.process_time()
if out != "-":
    export_xlsx(project, project.forms, out)
print(json.dumps({"export_s": time.perf_counter() - wall, "export_cpu_s": time.process_time() - cpu}))
"""


def hundred_forms():
    sys.path.insert(0, str(ROOT))
    from fcast_desktop.exchange.importer import import_file
    from fcast_desktop.model import Project
    from fcast_desktop.model.forms import new_id

    forms = []
    for prefix in ("000", "002", "003", "004"):
        path = next(SEEDS.glob(f"{prefix}_*.txt"), None)
        if path is None:
            sys.exit(f"seed {prefix} not found in {SEEDS}")
        forms += import_file(path).forms
    out = []
    while len(out) < FORMS:
        for form in forms[: FORMS - len(out)]:
            out.append(form.model_copy(deep=True, update={"id": new_id()}))
    return Project(unit="深圳市福田区政务服务数据管理局", year=2023, forms=out)


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def libreoffice(xlsx: Path, workdir: Path) -> dict:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return {"libreoffice_s": None, "note": "LibreOffice (soffice) not installed"}
    profile = workdir / "lo-profile"
    cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
           "--outdir", str(workdir), str(xlsx)]
    subprocess.run(cmd, capture_output=True, timeout=600)  # first start creates the profile: not timed
    pdf = workdir / (xlsx.stem + ".pdf")
    pdf.unlink(missing_ok=True)
    t = time.perf_counter()
    subprocess.run(cmd, capture_output=True, timeout=600, check=True)
    elapsed = time.perf_counter() - t
    pages = None
    if shutil.which("pdfinfo") and pdf.exists():
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), None)
    return {"libreoffice_s": round(elapsed, 2), "libreoffice_pages": pages}


def small_figures() -> dict:
    from fcast_desktop.exchange.xlsx_export import export_xlsx
    from fcast_desktop.exchange.xlsx_import import import_xlsx

    project = hundred_forms()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out = work / "bench100.xlsx"
        export_s, _ = timed(lambda: export_xlsx(project, project.forms, out))
        import_s, result = timed(lambda: import_xlsx(out), repeat=1)
        same = [f.model_dump() for f in result.forms] == [f.model_dump() for f in project.forms]
        return {
            "forms": len(project.forms),
            "export_s": round(export_s, 2),
            "file_kb": round(out.stat().st_size / 1024),
            "import_s": round(import_s, 2),
            "round_trip_equal": same,
            **libreoffice(out, work),
        }


def run_child(root: Path, project: Path, out: str) -> dict:
    """One export by the package under ``root`` (with ``out`` "-": only the load) in a process of its own: its
    figures and its own peak resident memory (``os.wait4``)."""
    sys.path.insert(0, str(HERE))
    from bigproject import run_measured_child

    return run_measured_child(CHILD, [str(root), str(project), out], f"export by {root}")


def large_figures(sizes: list[int], before: Path | None, runs: int) -> dict:
    sys.path.insert(0, str(HERE))
    from bigproject import big_project_path

    roots = {"now": ROOT} | ({"before": before} if before else {})
    figures: dict = {}
    for n in sizes:
        path = big_project_path(n)
        t = time.perf_counter()
        with open(path, encoding="utf-8") as fh:
            json.load(fh)
        f: dict = {"forms": n, "file_mb": round(path.stat().st_size / 1e6, 1),
                   "json_load_s": round(time.perf_counter() - t, 2),
                   "load_only_peak_mb": round(run_child(ROOT, path, "-")["peak_mb"])}
        with tempfile.TemporaryDirectory() as tmp:
            results: dict[str, list[dict]] = {name: [] for name in roots}
            for _ in range(runs):
                for name, root in roots.items():  # alternately: the same load for both
                    out = Path(tmp) / f"{name}.xlsx"
                    results[name].append(run_child(root, path, str(out)))
                    f[f"{name}_file_mb"] = round(out.stat().st_size / 1e6, 1)
            for name, rs in results.items():
                f[f"{name}_export_s"] = round(statistics.median(r["export_s"] for r in rs), 2)
                f[f"{name}_export_cpu_s"] = round(statistics.median(r["export_cpu_s"] for r in rs), 2)
                f[f"{name}_peak_mb"] = round(max(r["peak_mb"] for r in rs))
        figures[n] = f
        print(f"-- {n:,} forms ({f['file_mb']} MB; json.load {f['json_load_s']:.2f} s; a process that only loads "
              f"the project peaks at {f['load_only_peak_mb']} MB)", flush=True)
        for name in roots:
            print(f"   {name}: export {f[name + '_export_s']:.2f} s (CPU {f[name + '_export_cpu_s']:.2f} s, "
                  f"{f[name + '_export_s'] / f['json_load_s']:.0f} × json.load), peak {f[name + '_peak_mb']} MB, "
                  f"file {f[name + '_file_mb']} MB", flush=True)
    if len(sizes) > 1:
        a, b = figures[sizes[0]], figures[sizes[-1]]
        ratio = math.log(sizes[-1] / sizes[0])
        for name in roots:
            grow = math.log(b[f"{name}_export_s"] / a[f"{name}_export_s"]) / ratio
            grow_cpu = math.log(b[f"{name}_export_cpu_s"] / a[f"{name}_export_cpu_s"]) / ratio
            figures[f"{name}_growth"] = round(grow, 2)
            print(f"   {name}: growth exponent {sizes[0]:,} → {sizes[-1]:,} forms: {grow:.2f} (CPU {grow_cpu:.2f})")
    if 1000 in figures:
        ok = figures[1000]["now_export_s"] < TARGET_S
        print(f"Excel export of 1,000 forms under {TARGET_S:.0f} s: {'met' if ok else 'NOT met'}")
    if 10000 in figures:
        ok = figures[10000]["now_peak_mb"] < MEMORY_TARGET_MB
        print(f"Excel export memory at 10,000 forms under {MEMORY_TARGET_MB} MB: {'met' if ok else 'NOT met'}")
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    ap.add_argument("--sizes", type=int, nargs="*", default=[], help="large projects, e.g. 1000 10000")
    ap.add_argument("--before", type=Path, help="package root of the export to compare with")
    ap.add_argument("--runs", type=int, default=1, help="exports per size (median)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    figures = small_figures()
    if not args.json:
        print(f"Excel export, {figures['forms']} forms: {figures['export_s']:.2f} s (best of 3), "
              f"{figures['file_kb']} kB")
        print(f"import back: {figures['import_s']:.2f} s, identical forms: {figures['round_trip_equal']}")
        if figures.get("libreoffice_s") is not None:
            print(f"LibreOffice headless xlsx → pdf of the same workbook: {figures['libreoffice_s']:.2f} s, "
                  f"{figures['libreoffice_pages']} pages")
        else:
            print(figures.get("note"))
    if args.sizes:
        figures["large"] = large_figures(args.sizes, args.before, args.runs)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
