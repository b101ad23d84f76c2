"""The suite is self-contained: the published forms it reads are in tests/data, nothing is read from beside the
checkout, and a missing test input fails the tests that need it instead of skipping them (a run with skips still
looks green)."""

from __future__ import annotations

import re

import pytest

import conftest
from conftest import DATA_DIR, ROOT, SEEDS_DIR, seed

SEEDS = ("000", "001", "002", "003", "004")


def test_every_seed_is_in_the_repository_with_its_origin():
    readme = (DATA_DIR / "README.md").read_text("utf-8")
    for prefix in SEEDS:
        path = seed(prefix)
        assert path.parent == SEEDS_DIR and path.stat().st_size > 0
        assert path.name in readme, f"tests/data/README.md does not say where {path.name} comes from"


def test_a_missing_test_input_fails_instead_of_skipping(tmp_path, monkeypatch):
    monkeypatch.setattr(conftest, "SEEDS_DIR", tmp_path)
    with pytest.raises(BaseException) as raised:  # a skip is an exception too: catch it to fail on it
        seed("000")
    assert raised.type is pytest.fail.Exception, raised.type
    assert "000_" in str(raised.value) and "tests/data/README.md" in str(raised.value)


def test_nothing_reads_files_beside_the_repository():
    """No test, tool or build file locates anything in a `shared` folder next to the checkout."""
    outside = re.compile(r"""\.\./shared|parent\s*/\s*["']shared["']""")
    files = [*(ROOT / "tests").glob("*.py"), *(ROOT / "tools").glob("*.py"), ROOT / "Makefile",
             ROOT / ".ci" / "run", ROOT / "pyproject.toml"]
    found = [f"{path.relative_to(ROOT)}:{n}" for path in files
             for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if outside.search(line)]
    assert not found, found
