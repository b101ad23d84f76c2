"""Build the one-folder bundle: ``python packaging/build.py`` (``make package``) → ``dist/fcast-desktop/``.

Works the same on Linux and on Windows (run it there with the venv's python). It writes the Windows version
resource from ``fcast_desktop.__version__``, runs PyInstaller on ``packaging/fcast-desktop.spec`` and prints the
bundle's size against the 130 MB budget, its largest parts and the size of a zip of it. ``--smoke`` then runs
packaging/smoke_test.py on the result.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fcast_desktop import APP_NAME, __version__  # noqa: E402

DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
BUNDLE = DIST / "fcast-desktop"
SIZE_BUDGET_MB = 130


def version_resource() -> str:
    """PyInstaller's VSVersionInfo text for the Windows file properties (产品名称, 版本)."""
    numbers = [int(n) for n in __version__.split(".")[:3]] + [0] * 3
    four = tuple(numbers[:4])
    strings = {
        "CompanyName": "fcast",
        "FileDescription": APP_NAME,
        "FileVersion": __version__,
        "InternalName": "fcast-desktop",
        "LegalCopyright": "MIT License",
        "OriginalFilename": f"{APP_NAME}.exe",
        "ProductName": APP_NAME,
        "ProductVersion": __version__,
    }
    items = ",\n          ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={four}, prodvers={four}, mask=0x3f, flags=0x0, OS=0x40004, fileType=0x1,
                    subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('080404b0', [
          {items}])]),
    VarFileInfo([VarStruct('Translation', [2052, 1200])])
  ]
)
"""


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def report(bundle: Path) -> None:
    """Size against the budget, the largest parts, and the zip an IT colleague would copy."""
    total = folder_size(bundle) / 1e6
    verdict = "within" if total <= SIZE_BUDGET_MB else "over"
    print(f"bundle: {bundle} — {total:.1f} MB ({verdict} the {SIZE_BUDGET_MB} MB budget)")
    parts = {}
    for p in bundle.rglob("*"):
        if p.is_file() and not p.is_symlink():
            rel = p.relative_to(bundle).parts
            key = "/".join(rel[:3]) if rel[:2] == ("_internal", "PySide6") else "/".join(rel[:2])
            parts[key] = parts.get(key, 0) + p.stat().st_size
    for key, size in sorted(parts.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {size / 1e6:6.1f} MB  {key}")
    archive = shutil.make_archive(str(DIST / f"fcast-desktop-{__version__}-{sys.platform}"), "zip", DIST, bundle.name)
    print(f"zip for copying: {archive} — {Path(archive).stat().st_size / 1e6:.1f} MB")


def build() -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    version_file = WORK / "version_info.txt"
    version_file.write_text(version_resource(), encoding="utf-8")
    env = dict(os.environ, FCAST_VERSION_FILE=str(version_file))
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
               "--distpath", str(DIST), "--workpath", str(WORK), str(ROOT / "packaging" / "fcast-desktop.spec")]
    subprocess.run(command, check=True, env=env, cwd=ROOT)
    return BUNDLE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="run the smoke test on the built bundle")
    args = parser.parse_args(argv)
    bundle = build()
    report(bundle)
    if args.smoke:
        return subprocess.run([sys.executable, str(ROOT / "packaging" / "smoke_test.py"), str(bundle)]).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
