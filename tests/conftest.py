"""Shared test set-up: offscreen Qt, settings in a temp folder, the seed files and a seed project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = ROOT.parent / "shared" / "seeds"


def seed(prefix: str) -> Path:
    matches = sorted(SEEDS_DIR.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.skip(f"seed {prefix} not found in {SEEDS_DIR}")
    return matches[0]


@pytest.fixture(scope="session")
def seed_paths() -> dict[str, Path]:
    return {p: seed(p) for p in ("000", "001", "002", "003", "004")}


@pytest.fixture(scope="session")
def seed_project_file(tmp_path_factory, seed_paths) -> Path:
    """The 44 forms of seeds 000, 002, 003, 004 imported with `fcast import` (read-only: copy before editing)."""
    from fcast_desktop.cli import main

    out = tmp_path_factory.mktemp("seeds") / "seeds.fcast"
    code = main(["import", *(str(seed_paths[k]) for k in ("000", "002", "003", "004")), "-o", str(out)])
    assert code == 0
    return out


@pytest.fixture(scope="session")
def seed_project(seed_project_file):
    from fcast_desktop.store.project_file import load_project

    return load_project(seed_project_file)


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """QSettings and recovery files go to a per-test folder, never to the developer's profile."""
    monkeypatch.setenv("FCAST_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
