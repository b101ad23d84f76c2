"""Build resources/samples/sample.fcast from the published seeds (../shared/seeds), as `fcast import` would."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fcast_desktop.cli import main  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
ORDER = ["000", "001", "002", "003", "004"]

if __name__ == "__main__":
    sources = [str(p) for n in ORDER for p in sorted(SEEDS.glob(f"{n}_*.txt"))]
    out = ROOT / "resources" / "samples" / "sample.fcast"
    if out.exists():
        out.unlink()
    code = main(["import", *sources, "-o", str(out)])
    bak = out.with_name(out.name + ".bak")
    if bak.exists():
        bak.unlink()
    sys.exit(code)
