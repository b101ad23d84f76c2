"""Where bundled files live, from a source checkout and when frozen by PyInstaller (``sys._MEIPASS``)."""

from __future__ import annotations

import sys
from pathlib import Path


def app_root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) if frozen else Path(__file__).resolve().parents[1]


def resources_dir() -> Path:
    return app_root() / "resources"


def ui_dir() -> Path:
    return app_root() / "ui"


def sample_project() -> Path:
    return resources_dir() / "samples" / "sample.fcast"
