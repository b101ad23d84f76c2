"""Run every benchmark in this folder, one after another (``make bench``); each prints its own figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["bench_store.py", "bench_rules.py", "bench_gui.py", "bench_startup.py", "bench_pdf.py", "bench_xlsx.py"]


def main() -> int:
    scripts = ORDER + sorted(p.name for p in HERE.glob("bench_*.py") if p.name not in ORDER)
    failed = []
    for name in scripts:
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, str(HERE / name)], cwd=HERE.parent).returncode != 0:
            failed.append(name)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
