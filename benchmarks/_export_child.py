"""One export in a process of its own, for bench_scale.py: ``python _export_child.py pdf|xlsx|load PROJECT OUT``.

Prints one JSON line: seconds to load the project and to export it (in-process wall time). ``load`` only loads
the project: its peak memory is the floor under the exports' figures. The parent reads the peak resident set of
this process from ``os.wait4``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    kind, project_path, out = sys.argv[1:4]
    from fcast_desktop.store.project_file import load_project

    t = time.perf_counter()
    project = load_project(project_path)
    load_s = time.perf_counter() - t
    if kind == "pdf":
        from fcast_desktop.exchange.pdf_export import export_pdf as export
    elif kind == "xlsx":
        from fcast_desktop.exchange.xlsx_export import export_xlsx as export
    else:
        export = None
    t = time.perf_counter()
    if export is not None:
        export(project, project.forms, out)
    print(json.dumps({"load_s": load_s, "export_s": time.perf_counter() - t, "forms": len(project.forms)}))


if __name__ == "__main__":
    main()
