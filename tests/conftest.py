"""Shared test set-up: offscreen Qt, settings in a temp folder, the seed files and a seed project."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "tests" / "data"
SEEDS_DIR = DATA_DIR / "seeds"  # the published forms, part of the repository (tests/data/README.md)


def seed(prefix: str) -> Path:
    """The published form file `<prefix>_*.txt`; a missing test input fails the test, it never skips it."""
    matches = sorted(SEEDS_DIR.glob(f"{prefix}_*.txt"))
    if len(matches) != 1:
        pytest.fail(f"test input {prefix}_*.txt: expected exactly one file in {SEEDS_DIR}, found {len(matches)} "
                    "(the published forms belong to the repository, see tests/data/README.md)", pytrace=False)
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


@pytest.fixture
def project_copy(tmp_path, seed_project_file) -> Path:
    """A writable copy of the seed project, for tests that edit or save it."""
    path = tmp_path / "seeds.fcast"
    shutil.copy(seed_project_file, path)
    return path


@pytest.fixture(scope="session")
def app():
    """The one QApplication of the session (offscreen), with the app's fonts and translations."""
    from fcast_desktop.gui.app import create_application

    return create_application(["fcast-desktop"])


@pytest.fixture(scope="session")
def seed_project(seed_project_file):
    from fcast_desktop.store.project_file import load_project

    return load_project(seed_project_file)


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """QSettings and recovery files go to a per-test folder, never to the developer's profile."""
    monkeypatch.setenv("FCAST_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


# ---- offline guarantee: nothing in the suite may reach for the network -------------------------------------
NETWORK_EVENTS = ("socket.connect", "socket.bind", "socket.getaddrinfo", "socket.gethostbyname",
                  "socket.gethostbyaddr", "socket.sendto", "urllib.Request", "http.client.connect")
_network_attempts: list[str] = []


def _refuse_network(event: str, args) -> None:
    if event in NETWORK_EVENTS:
        _network_attempts.append(f"{event}{args!r}")
        raise ConnectionRefusedError(f"fcast-desktop 不联网：测试中拦截了 {event}{args!r}")


sys.addaudithook(_refuse_network)  # cannot be removed: the whole test session runs offline


@pytest.fixture(autouse=True)
def _no_network_attempts():
    """Fails the test during which any code (ours or a library's) tried to open a connection."""
    before = len(_network_attempts)
    yield
    attempts = _network_attempts[before:]
    assert not attempts, f"network access attempted: {attempts}"
