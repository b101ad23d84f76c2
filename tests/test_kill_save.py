"""Issue 11: a save killed at any moment leaves the old or the new project and a loadable backup, and the next
save leaves no temporary file; two `fcast import` started together never lose one of them silently."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fcast_desktop.model import Project
from fcast_desktop.store.project_file import backup_path, dumps_project, load_project, save_project

ROOT = Path(__file__).resolve().parents[1]
KILLS = 50
RACES = 20


@pytest.fixture(scope="module")
def thousand_forms(seed_project) -> tuple[Project, Project]:
    """Two versions of a 1,000-form project (they differ in the unit and in the last form)."""
    forms = [seed_project.forms[i % len(seed_project.forms)].model_copy(deep=True) for i in range(1000)]
    old = Project(unit="旧版本", forms=forms)
    new = old.model_copy(deep=True)
    new.unit = "新版本"
    new.forms[-1].source = "改过"
    return old, new


def others(folder: Path) -> list[str]:
    return sorted(p for p in os.listdir(folder) if p not in ("p.fcast", "p.fcast.bak"))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")
def test_save_killed_at_random_moments(tmp_path, thousand_forms):
    old, new = thousand_forms
    versions = {dumps_project(old).encode("utf-8"), dumps_project(new).encode("utf-8")}
    path = tmp_path / "p.fcast"
    save_project(old, path)
    started = time.perf_counter()
    save_project(new, path)
    span = time.perf_counter() - started  # only to aim the kills inside a save, never asserted
    rnd = random.Random(20261207)
    tried = survived = debris_seen = 0
    for i in range(KILLS):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child saves over and over until it is killed
            try:
                os.close(read_end)
                os.write(write_end, b"1")
                for n in range(1_000_000):
                    save_project(new if n % 2 else old, path)
            finally:
                os._exit(0)
        os.close(write_end)
        os.read(read_end, 1)
        os.close(read_end)
        if i % 2:  # aim at the writing: as soon as a temporary file shows up, then a little later
            deadline = time.perf_counter() + 3 * span
            while not any(n.endswith(".tmp") for n in os.listdir(tmp_path)) and time.perf_counter() < deadline:
                time.sleep(0.0002)
            time.sleep(rnd.uniform(0, span / 4))
        else:
            time.sleep(rnd.uniform(0, 1.5 * span))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        tried += 1
        debris_seen += bool(others(tmp_path))
        assert path.read_bytes() in versions, f"kill {i}: the project is neither the old nor the new version"
        assert backup_path(path).read_bytes() in versions, f"kill {i}: the backup is not a complete version"
        survived += 1
        if i % 10 == 9:
            save_project(new, path)
            assert others(tmp_path) == [], f"kill {i}: left after a complete save: {others(tmp_path)}"
    save_project(old, path)
    assert others(tmp_path) == []
    assert load_project(path) == old and load_project(backup_path(path)).unit in ("旧版本", "新版本")
    print(f"\nkill-loop: {tried} kills, {survived} survived, {tried - survived} lost; "
          f"{debris_seen} left temporary files, all removed by the next save")


def _declarations(text: str, n: int, tag: str) -> str:
    """``n`` distinct declarations made from the first of seed 000 (new 项目编码 and name each)."""
    first = text.split("二级项目支出绩效目标申报表")[1]
    out = []
    for i in range(n):
        code, suffix = f"44030422106{tag}{i:08d}", f"{tag}{i}"
        block = re.sub(r"(项目编码:\t)\d{21}", lambda m, c=code: m.group(1) + c, first, count=1)
        block = re.sub(r"(项目名称:\t)([^\t]+)", lambda m, s=suffix: m.group(1) + m.group(2) + s, block, count=1)
        out.append("二级项目支出绩效目标申报表" + block)
    return "\n".join(out)


def test_two_imports_started_together_lose_nothing_silently(tmp_path, seed_paths):
    text = seed_paths["000"].read_text(encoding="utf-8")
    sources = []
    for tag in ("01", "02"):
        src = tmp_path / f"来源{tag}.txt"
        src.write_text(_declarations(text, 3, tag), encoding="utf-8")
        sources.append(src)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    both = refused = lost = 0
    for trial in range(RACES):
        path = tmp_path / f"race{trial}.fcast"
        procs = [subprocess.Popen([sys.executable, "-m", "fcast_desktop.cli", "import", str(src), "-o", str(path)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
                 for src in sources]
        results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
        for p in procs:
            p.stdout.close()
            p.stderr.close()
        codes = json.loads(path.read_text(encoding="utf-8"))["project"]["forms"] if path.exists() else []
        codes = {f["project_code"][11:13] for f in codes}
        kept = [tag in codes for tag in ("01", "02")]
        for (code, err), has in zip(results, kept, strict=True):
            assert "Traceback" not in err
            if not has:
                assert code == 2 and "未写入" in err, f"trial {trial}: an import exited {code} but is missing"
        if all(kept):
            both += 1
        elif all(code == 2 for (code, _e), has in zip(results, kept, strict=True) if not has):
            refused += 1
        else:
            lost += 1
        assert not [p for p in os.listdir(tmp_path) if p.startswith(f".race{trial}") or "lock" in p]
    assert lost == 0
    print(f"\nrace: {RACES} trials, both kept {both}, one refused openly {refused}, silent loss {lost}")
