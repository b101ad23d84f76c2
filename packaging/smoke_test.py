"""Smoke test of the built bundle (``make package-test``): the frozen programs do real work, offline.

- frozen ``fcast``: imports the published seed forms (``tests/data/seeds``; the bundled sample project when
  they are absent), lists, checks, scores and exports PDF and Excel, re-imports the Excel;
- frozen desktop app: starts offscreen on the bundled sample project, shows its window and quits;
- every run happens without a network (``unshare -n``, where the machine allows it) and the bundle holds no Qt
  network module.
Exit status 0 when everything passed; each step prints one line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "data" / "seeds"
EXE = ".exe" if sys.platform == "win32" else ""


def no_network_prefix() -> list[str]:
    """``unshare -n`` (a new, empty network namespace) when it works here; else nothing (and say so)."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return [unshare, "-rn"]
    print("note: unshare -n is not available here; running with the network present")
    return []


class Smoke:
    def __init__(self, bundle: Path):
        self.bundle = bundle
        self.cli = bundle / f"fcast{EXE}"
        guis = [p for p in bundle.iterdir() if p.is_file() and p.name not in (f"fcast{EXE}",)
                and os.access(p, os.X_OK) and p.suffix in ("", ".exe")]
        if not self.cli.exists() or len(guis) != 1:
            found = sorted(os.listdir(bundle))
            raise SystemExit(f"{bundle}: expected the programs fcast and the desktop app, found {found}")
        self.gui = guis[0]
        self.offline = no_network_prefix()
        self.failures = 0
        self.env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")

    def run(self, what: str, args: list[str], ok=(0,), **kw) -> subprocess.CompletedProcess:
        start = time.perf_counter()
        done = subprocess.run(self.offline + args, capture_output=True, text=True, encoding="utf-8",
                              env=self.env, timeout=300, **kw)
        ms = (time.perf_counter() - start) * 1000
        good = done.returncode in ok
        self.failures += not good
        print(f"{'ok  ' if good else 'FAIL'} {what} (exit {done.returncode}, {ms:.0f} ms)")
        if not good:
            print(done.stdout[-2000:], done.stderr[-2000:], sep="\n")
        return done

    def expect(self, what: str, condition: bool, detail: str = "") -> None:
        self.failures += not condition
        print(f"{'ok  ' if condition else 'FAIL'} {what}{'' if condition else ': ' + detail}")


def main(argv: list[str]) -> int:
    bundle = Path(argv[1]) if len(argv) > 1 else ROOT / "dist" / "fcast-desktop"
    s = Smoke(bundle)
    with tempfile.TemporaryDirectory(prefix="fcast-smoke-") as tmp:
        tmp = Path(tmp)
        project = tmp / "seeds.fcast"
        seeds = [p for prefix in ("000", "002", "003", "004") for p in sorted(SEEDS.glob(f"{prefix}_*.txt"))]
        if len(seeds) == 4:
            s.run("fcast import of the published seeds", [str(s.cli), "import", *map(str, seeds), "-o", str(project)])
            expected_forms = 44
        else:
            print(f"note: seeds not found in {SEEDS}; using the bundled sample project")
            shutil.copy(bundle / "_internal" / "resources" / "samples" / "sample.fcast", project)
            expected_forms = None
        listed = s.run("fcast list --json", [str(s.cli), "list", "--json", str(project)])
        forms = json.loads(listed.stdout or "[]")
        if expected_forms is not None:
            s.expect(f"{expected_forms} forms listed", len(forms) == expected_forms, f"{len(forms)} listed")
        checked = s.run("fcast check --json", [str(s.cli), "check", "--json", str(project)], ok=(0, 1))
        s.expect("check reports problems as JSON", isinstance(json.loads(checked.stdout or "null"), list))
        scored = s.run("fcast score --json", [str(s.cli), "score", "--json", str(project)])
        scores = json.loads(scored.stdout or "[]")
        def weights(e):
            return Decimal(e["funds"]["weight"] or 0) + sum(Decimal(i["weight"] or 0) for i in e["indicators"])

        s.expect("score gives a total for every self-evaluation, and a grade wherever the weights add up to 100",
                 bool(scores) and all(e.get("total") and bool(e.get("grade")) == (weights(e) == 100) for e in scores))
        pdf, xlsx = tmp / "all.pdf", tmp / "all.xlsx"
        s.run("fcast export --pdf", [str(s.cli), "export", str(project), "--pdf", str(pdf)])
        s.expect("PDF written", pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000)
        s.run("fcast export --xlsx", [str(s.cli), "export", str(project), "--xlsx", str(xlsx)])
        s.expect("Excel written", xlsx.exists() and xlsx.read_bytes()[:2] == b"PK")
        again = tmp / "again.fcast"
        s.run("fcast import of the exported Excel", [str(s.cli), "import", str(xlsx), "-o", str(again)])
        relisted = s.run("fcast list --json (re-imported)", [str(s.cli), "list", "--json", str(again)])
        s.expect("Excel round trip keeps every form", len(json.loads(relisted.stdout or "[]")) == len(forms))
        broken = tmp / "broken.fcast"
        broken.write_text('{"format": "fcast-project", "schema_version": 1, "forms": [', encoding="utf-8")
        bad = s.run("fcast list on a truncated file gives exit 2", [str(s.cli), "list", str(broken)], ok=(2,))
        s.expect("…with a Chinese message", any("\u4e00" <= ch <= "\u9fff" for ch in bad.stderr), bad.stderr)

        env_gui = dict(FCAST_SMOKE_QUIT_MS="200", FCAST_CONFIG_DIR=str(tmp / "config"),
                       XDG_CONFIG_HOME=str(tmp / "xdg"))
        s.env.update(env_gui)
        # a windowed program on Windows has no stdout: the app reports its marks to a file as well
        report = tmp / "marks.txt"
        s.env["FCAST_SMOKE_REPORT"] = str(report)
        # without a file the app shows its start page; the bundled sample is passed explicitly (it opens as a copy)
        sample = bundle / "_internal" / "resources" / "samples" / "sample.fcast"
        s.run("desktop app starts offscreen on the sample project and quits", [str(s.gui), str(sample)])
        marks = report.read_text(encoding="utf-8").splitlines() if report.exists() else []
        s.expect("…painted its window, then showed the sample project's forms",
                 marks[:1] == ["FCAST_WINDOW_FIRST_PAINT"] and len(marks) == 2
                 and marks[1].startswith("FCAST_WINDOW_SHOWN"), str(marks))
        report.unlink(missing_ok=True)
        s.run("desktop app opens the imported project", [str(s.gui), str(project)])
        marks = report.read_text(encoding="utf-8").splitlines() if report.exists() else []
        s.expect("…with every form", f"FCAST_WINDOW_SHOWN {len(forms)}" in marks, str(marks))
    network_modules = [p.name for p in (bundle / "_internal").rglob("*")
                       if "QtNetwork" in p.name or "Qt6Network" in p.name]
    s.expect("no Qt network module in the bundle", not network_modules, ", ".join(network_modules))
    print("smoke test passed" if not s.failures else f"smoke test: {s.failures} failure(s)")
    return 1 if s.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
