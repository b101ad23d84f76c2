"""A full garbage collection after the window tests must not crash (runs late: the file name sorts after the GUI
tests it follows in a whole run).

Moving every young object of the process to the oldest generation (``gc.freeze`` + ``gc.unfreeze``) after reading a
project, or unfreezing and collecting a large project's objects when the next one opened, made a later full
collection crash inside PySide6 (segmentation fault in "Garbage-collecting") after the window and safety tests.
The subprocess runs such a sequence and then collects; a crash is a non-zero exit, not a dead test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROBE = '''
import gc
def test_full_collection_after_the_window_tests(qtbot):
    gc.collect()
'''


@pytest.mark.gui
@pytest.mark.slow
def test_a_full_collection_after_window_and_safety_tests_does_not_crash(tmp_path):
    probe = tmp_path / "test_zz_probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-x",
         str(ROOT / "tests" / "test_gui_safety.py"), str(ROOT / "tests" / "test_window_edit_door.py"),
         str(ROOT / "tests" / "test_background_check.py"), str(probe), "--rootdir", str(ROOT),
         "-c", str(ROOT / "pyproject.toml")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    tail = (result.stdout + result.stderr)[-3000:]
    assert result.returncode == 0, tail
    assert "Fatal Python error" not in tail, tail
