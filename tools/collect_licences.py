"""Copy the licence texts of everything the bundle ships into resources/licenses/ (committed; shown by 帮助 → 关于).

Sources: each package's own licence files in its installed ``*.dist-info`` (run from the project's venv), the
CPython licence, and the GNU LGPL/GPL 3 texts of Debian's ``/usr/share/common-licenses`` for Qt and PySide6,
whose wheels carry only the licence name. Writes ``index.json``: component, licence, file. Run again after
changing dependencies: ``python tools/collect_licences.py``.
"""

from __future__ import annotations

import json
import shutil
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "licenses"

# (distribution, component shown to users, licence)
PACKAGES = [
    ("pydantic", "pydantic", "MIT"),
    ("pydantic_core", "pydantic-core", "MIT"),
    ("typing_extensions", "typing_extensions", "PSF-2.0"),
    ("typing-inspection", "typing-inspection", "MIT"),
    ("annotated-types", "annotated-types", "MIT"),
    ("reportlab", "ReportLab", "BSD-3-Clause"),
    ("pillow", "Pillow（ReportLab 使用）", "MIT-CMU"),
    ("openpyxl", "openpyxl", "MIT"),
    ("et_xmlfile", "et_xmlfile", "MIT"),
    ("defusedxml", "defusedxml", "PSF-2.0"),
    ("pyinstaller", "PyInstaller 引导程序", "GPL-2.0 附带例外（允许用于任何程序）"),
]
COMMON = Path("/usr/share/common-licenses")


def licence_files(dist: metadata.Distribution) -> list[Path]:
    files = [Path(dist.locate_file(f)) for f in dist.files or ()
             if any(k in f.name.upper() for k in ("LICEN", "COPYING")) and "dist-info" in str(f)]
    return [f for f in files if f.is_file()]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    index = [
        {"component": "Qt 6 与 Qt for Python（PySide6、shiboken6）", "licence": "LGPL-3.0-only",
         "file": "LGPL-3.0.txt"},
        {"component": "（LGPL-3.0 所引用的 GPL-3.0 全文）", "licence": "GPL-3.0-only", "file": "GPL-3.0.txt"},
        {"component": "思源黑体 / Noto Sans CJK SC 子集（界面与导出字体）", "licence": "OFL-1.1",
         "file": "../fonts/OFL.txt"},
        {"component": f"Python {sys.version.split()[0]}", "licence": "PSF-2.0", "file": "Python.txt"},
    ]
    shutil.copy(COMMON / "LGPL-3", OUT / "LGPL-3.0.txt")
    shutil.copy(COMMON / "GPL-3", OUT / "GPL-3.0.txt")
    shutil.copy(Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt", OUT / "Python.txt")
    for name, component, licence in PACKAGES:
        dist = metadata.distribution(name)
        files = licence_files(dist)
        if not files:
            raise SystemExit(f"{name}: no licence file in its dist-info")
        target = f"{dist.metadata['Name']}-{dist.version}.txt"
        text = "\n\n".join(f.read_text(encoding="utf-8", errors="replace") for f in files)
        (OUT / target).write_text(text, encoding="utf-8")
        index.append({"component": f"{component} {dist.version}", "licence": licence, "file": target})
    (OUT / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(index)} licences to {OUT}")


if __name__ == "__main__":
    main()
