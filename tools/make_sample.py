"""Build resources/samples/sample.fcast from the published forms in tests/data/seeds, as `fcast import` would.

Form ids are random, so a rebuild never matches the old file byte for byte: when the new project equals the bundled
one apart from its ids, the bundled file is left untouched (no change to commit). `--check` only compares.
"""

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fcast_desktop.cli import main  # noqa: E402

SEEDS = ROOT / "tests" / "data" / "seeds"
ORDER = ["000", "001", "002", "003", "004"]
SAMPLE = ROOT / "resources" / "samples" / "sample.fcast"
_ID = re.compile(r'"id": "([0-9a-f]+)"')


def seed_files() -> list[Path]:
    files = []
    for n in ORDER:
        matches = sorted(SEEDS.glob(f"{n}_*.txt"))
        if len(matches) != 1:
            sys.exit(f"{SEEDS}: expected one file {n}_*.txt, found {len(matches)}")
        files.append(matches[0])
    return files


def without_ids(text: str) -> str:
    """The project text with its form ids renamed by order of appearance (references to them follow)."""
    for n, old in enumerate(dict.fromkeys(_ID.findall(text))):
        text = text.replace(f'"{old}"', f'"<form {n}>"')
    return text


def build(out: Path) -> int:
    return main(["import", *(str(p) for p in seed_files()), "-o", str(out)])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the bundled sample is not what the seeds give")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=SAMPLE.parent) as tmp:  # same folder: the replace is atomic
        new = Path(tmp) / SAMPLE.name
        code = build(new)
        if code != 0:
            sys.exit(code)
        same = SAMPLE.exists() and without_ids(new.read_text("utf-8")) == without_ids(SAMPLE.read_text("utf-8"))
        if same:
            print(f"{SAMPLE.relative_to(ROOT)}: unchanged (equal apart from the random form ids)")
        elif args.check:
            sys.exit(f"{SAMPLE.relative_to(ROOT)} differs from what tests/data/seeds give: run `make sample`")
        else:
            os.replace(new, SAMPLE)
            print(f"{SAMPLE.relative_to(ROOT)}: rebuilt")
