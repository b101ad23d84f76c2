"""Run every benchmark in this folder, one after another (``make bench``); each prints its own figures.

``--quick`` leaves out the 10,000-form measurements (bench_scale.py at 1,000 forms only, no 10,000-form GUI run).
The large projects are made once into ``benchmarks/.cache/`` (``bigproject.py``) and reused.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["bench_store.py", "bench_rules.py", "bench_gui.py", "bench_startup.py", "bench_pdf.py", "bench_xlsx.py",
         "bench_scale.py"]


def main(argv: list[str] | None = None) -> int:
    quick = "--quick" in (sys.argv[1:] if argv is None else argv)
    scripts = ORDER + sorted(p.name for p in HERE.glob("bench_*.py") if p.name not in ORDER)
    runs = [[name] + (["--quick"] if quick and name == "bench_scale.py" else []) for name in scripts]
    if not quick:
        runs.append(["bench_gui.py", "--forms", "10000"])
    failed = []
    for name, *args in runs:
        print(f"== {' '.join([name, *args])}", flush=True)
        if subprocess.run([sys.executable, str(HERE / name), *args], cwd=HERE.parent).returncode != 0:
            failed.append(" ".join([name, *args]))
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
