"""Excel export of 100 forms (target: under 5 s), the import back, and LibreOffice headless as a yardstick.

The 100 forms are the 44 seed forms (tests/data/seeds 000, 002, 003, 004) repeated. Prints one line per figure;
``--json`` prints them as one JSON document. LibreOffice (``soffice``) is optional: without it that line says so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fcast_desktop.exchange.importer import import_file  # noqa: E402
from fcast_desktop.exchange.xlsx_export import export_xlsx  # noqa: E402
from fcast_desktop.exchange.xlsx_import import import_xlsx  # noqa: E402
from fcast_desktop.model import Project  # noqa: E402
from fcast_desktop.model.forms import new_id  # noqa: E402

SEEDS = ROOT / "tests" / "data" / "seeds"
TARGET_S = 5.0
FORMS = 100


def hundred_forms() -> Project:
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


def main() -> None:
    project = hundred_forms()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out = work / "bench100.xlsx"
        export_s, _ = timed(lambda: export_xlsx(project, project.forms, out))
        import_s, result = timed(lambda: import_xlsx(out), repeat=1)
        same = [f.model_dump() for f in result.forms] == [f.model_dump() for f in project.forms]
        figures = {
            "forms": len(project.forms),
            "export_s": round(export_s, 2),
            "target_s": TARGET_S,
            "within_target": export_s < TARGET_S,
            "file_kb": round(out.stat().st_size / 1024),
            "import_s": round(import_s, 2),
            "round_trip_equal": same,
            **libreoffice(out, work),
        }
    if "--json" in sys.argv:
        print(json.dumps(figures, ensure_ascii=False))
        return
    print(f"Excel export, {figures['forms']} forms: {figures['export_s']:.2f} s (best of 3; target < {TARGET_S:.0f} s: "
          f"{'ok' if figures['within_target'] else 'MISSED'}), {figures['file_kb']} kB")
    print(f"import back: {figures['import_s']:.2f} s, identical forms: {figures['round_trip_equal']}")
    if figures.get("libreoffice_s") is not None:
        print(f"LibreOffice headless xlsx → pdf of the same workbook: {figures['libreoffice_s']:.2f} s, "
              f"{figures['libreoffice_pages']} pages")
    else:
        print(figures.get("note"))


if __name__ == "__main__":
    main()
