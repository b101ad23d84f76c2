"""Large projects for the scaling benchmarks: the sample project's 64 forms repeated to 1,000 or 10,000 forms.

Copy ``k`` of a form gets a new id and, for k > 0, a new 项目编码 (the district prefix and the length kept, digits
12–16 replaced by ``9`` and the copy number), so that each copy's 申报表 and 自评表 still pair up by code and
year as in the sample while the copies do not. Names are kept: a district has many 基层党建 and 水电费 projects,
which is also what makes sheet naming and same-name display work.

The files are saved by the project store itself (so they are in the current file format) once into
``benchmarks/.cache/``, named after the size and a hash of the sample, of this generator and of the store's
code, and reused by later runs; ``python benchmarks/bigproject.py 1000 10000`` makes them ahead of time.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "sample.fcast"
CACHE = Path(__file__).resolve().parent / ".cache"
GENERATOR_VERSION = "1"


STORE = ROOT / "fcast_desktop" / "store" / "project_file.py"


def _key() -> str:
    h = hashlib.sha1(SAMPLE.read_bytes())
    h.update(GENERATOR_VERSION.encode())
    h.update(STORE.read_bytes())
    return h.hexdigest()[:10]


def _copy(form: dict, k: int) -> dict:
    out = dict(form)
    out["id"] = hashlib.sha1(f"{k}/{form['id']}".encode()).hexdigest()[:12] if k else form["id"]
    code = form.get("project_code") or ""
    if k and len(code) >= 17:
        out["project_code"] = code[:12] + f"9{k:04d}" + code[17:]
    return out


def big_document(n_forms: int) -> dict:
    """The sample project's document with its forms repeated to ``n_forms`` forms."""
    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    base = doc["project"]["forms"]
    forms = [_copy(base[i % len(base)], i // len(base)) for i in range(n_forms)]
    doc["project"] = dict(doc["project"], forms=forms)
    return doc


def big_project_path(n_forms: int) -> Path:
    """The cached project file of ``n_forms`` forms (made on first use, checked by loading it once)."""
    path = CACHE / f"forms-{n_forms}-{_key()}.fcast"
    if path.exists():
        return path
    CACHE.mkdir(exist_ok=True)
    for old in CACHE.glob(f"forms-{n_forms}-*.fcast"):
        old.unlink()
    tmp = path.with_suffix(".json")
    tmp.write_text(json.dumps(big_document(n_forms), ensure_ascii=False) + "\n", encoding="utf-8")
    sys.path.insert(0, str(ROOT))
    from fcast_desktop.store.project_file import load_project, save_project

    project = load_project(tmp)
    tmp.unlink()
    if len(project.forms) != n_forms or len({f.id for f in project.forms}) != n_forms:
        raise SystemExit(f"generated project of {n_forms} forms is not valid")
    save_project(project, path, keep_backup=False)
    return path


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["1000", "10000"]:
        p = big_project_path(int(arg))
        print(f"{arg} forms: {p} ({p.stat().st_size / 1e6:.1f} MB)")


def run_measured_child(code: str, args: list[str], what: str) -> dict:
    """``python -c code *args`` in a process of its own: the JSON figures of its last output line, plus its own peak
    resident memory (``os.wait4``, read before the process is reaped: a child's ``ru_maxrss`` seen later through
    ``RUSAGE_CHILDREN`` would be the largest of all children)."""
    import os
    import subprocess

    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=ROOT)
    stdout = proc.stdout.read() if proc.stdout else b""
    stderr = proc.stderr.read() if proc.stderr else b""
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{what} failed:\n{stderr.decode(errors='replace')[-2000:]}")
    figures: dict = json.loads(stdout.decode().strip().splitlines()[-1])
    figures["peak_mb"] = usage.ru_maxrss / 1024
    return figures
