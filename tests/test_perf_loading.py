"""Issue 14 (loading and checking large projects): the work per form is done once, with no garbage-collection passes
over the whole project and without holding the file's parsed JSON beside the models. No timings here (machines are
noisy, see benchmarks/bench_scale.py): what is tested is how many collections run, how much memory is traced at the
peak, and that the faster path reads every file exactly as before — same project, same refusals, same lines."""

from __future__ import annotations

import gc
import json
import tracemalloc
from pathlib import Path

import pytest

from fcast_desktop.model import Project
from fcast_desktop.rules.report import check_entries
from fcast_desktop.store import project_file as pf
from fcast_desktop.store.project_file import ProjectFileError, load_project, loads_project, save_project

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "sample.fcast"


def big_project(n: int) -> Project:
    """The sample project's forms repeated to ``n`` forms (new ids)."""
    project = load_project(SAMPLE)
    forms = []
    for i in range(n):
        form = project.forms[i % len(project.forms)].model_copy(deep=True)
        form.id = f"f{i:06d}"
        forms.append(form)
    project.forms = forms
    return project


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.fcast"
    save_project(big_project(2000), path, keep_backup=False)
    return path


class Collections:
    """Counts the garbage collector's passes by generation while active."""

    def __init__(self) -> None:
        self.by_generation = [0, 0, 0]

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.by_generation[info["generation"]] += 1

    def __enter__(self) -> Collections:
        gc.collect()
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self)


def test_loading_and_checking_do_not_walk_the_project_again_and_again(big_file):
    """Before: 20 collections of the middle generation and a full one while loading 2,000 forms (each walks every
    object made so far), a third of ``fcast check``'s time at 10,000 forms."""
    assert gc.isenabled()
    with Collections() as seen:
        project = load_project(big_file)
        entries = check_entries(project, hints=True)
    assert len(project.forms) == 2000 and entries
    assert seen.by_generation[1:] == [0, 0], seen.by_generation
    assert gc.isenabled()  # collection is back on afterwards


def test_collection_stays_off_when_the_program_turned_it_off(big_file):
    gc.disable()
    try:
        load_project(SAMPLE)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_loading_does_not_hold_the_whole_parsed_file_beside_the_models(big_file):
    """Before, the peak was the models plus every form's JSON objects (1.65 × what the project keeps at 2,000
    forms); now one form's objects at a time (1.23 ×)."""
    gc.collect()
    tracemalloc.start()
    try:
        project = load_project(big_file)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(project.forms) == 2000
    assert peak < 1.4 * kept, (peak, kept)


def old_layout(text: str) -> str:
    """The same document as earlier versions wrote it (``indent=1``): read by the whole-document path."""
    return json.dumps(json.loads(text), ensure_ascii=False, indent=1) + "\n"


def test_both_paths_read_the_same_project(tmp_path):
    project = load_project(SAMPLE)
    project.forms[1].raw = {"total_amount": "1E+400"}  # a kept raw text survives both
    text = pf.dumps_project(project)
    fast, whole = loads_project(text), loads_project(old_layout(text))
    assert fast == whole == project
    assert fast.model_fields_set == whole.model_fields_set
    assert [f.model_fields_set for f in fast.forms] == [f.model_fields_set for f in whole.forms]
    assert pf.dumps_project(fast) == text


def test_an_empty_project_in_the_saved_layout(tmp_path):
    text = pf.dumps_project(Project(unit="单位"))
    assert loads_project(text) == Project(unit="单位")


def _replace_in_form(text: str, k: int, old: str, new: str) -> str:
    lines = text.split("\n")
    n = pf.FIRST_FORM_LINE - 1 + k
    assert old in lines[n]
    lines[n] = lines[n].replace(old, new, 1)
    return "\n".join(lines)


@pytest.mark.parametrize(("old", "new", "words"), [
    ('"kind": ', '"kind": "x", "kind": ', ["“kind”", "两次"]),
    ('"year": 2023', '"year": NaN', ["NaN"]),
    ('"year": 2023', '"year": 1234567890123456789012345', ["位数过多"]),
    ('"year": 2023', '"year": "二〇二三"', ["年度"]),
    ('"kind": "declaration"', '"kind": "memo"', ["表单类型“memo”未知"]),
    ('"level2": ', '"bogus": 1, "level2": ', ["多余"]),
])
def test_a_bad_form_line_is_refused_with_its_line_as_before(tmp_path, old, new, words):
    text = pf.dumps_project(load_project(SAMPLE))
    k = 40
    bad = _replace_in_form(text, k, old, new)
    path = tmp_path / "p.fcast"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ProjectFileError) as exc:
        load_project(path)
    assert exc.value.line == pf.FIRST_FORM_LINE + k
    assert all(w in exc.value.what for w in words), exc.value.what
    with pytest.raises(ProjectFileError) as whole:  # the same words as the whole-document path
        loads_project(bad, path)
    assert whole.value.what == exc.value.what


@pytest.mark.parametrize("tail", ["]}}\n{}", "]}}x", "]}", "]}}}\n"])
def test_anything_after_the_forms_is_refused_as_before(tmp_path, tail):
    text = pf.dumps_project(load_project(SAMPLE))
    assert text.endswith("]}}\n")
    with pytest.raises(ProjectFileError):
        loads_project(text[: -len("]}}\n")] + tail)


def test_an_amount_out_of_range_in_a_form_line_is_kept_as_text(tmp_path):
    text = pf.dumps_project(load_project(SAMPLE))
    lines = text.split("\n")
    k = next(i for i, line in enumerate(lines[pf.FIRST_FORM_LINE - 1:]) if '"annual_amount": "' in line)
    doc = json.loads(lines[pf.FIRST_FORM_LINE - 1 + k].rstrip(","))
    doc["annual_amount"] = "1" * 30
    lines[pf.FIRST_FORM_LINE - 1 + k] = json.dumps(doc, ensure_ascii=False) + ","
    project = loads_project("\n".join(lines))
    assert project.forms[k].annual_amount is None
    assert project.forms[k].raw["annual_amount"] == "1" * 30


def test_saving_makes_no_collection_pass_over_the_project(tmp_path):
    """The project's plain copy made for saving (a million objects at 10,000 forms) set off passes of the collector
    that walked the heap: half the time of ``dumps_project`` (0.51 s → 1.04 s at 10,000 forms). Counts, not times."""
    from fcast_desktop.store.project_file import dumps_project, save_project

    project = big_project(1500)
    assert gc.isenabled()
    with Collections() as seen:
        text = dumps_project(project)
        save_project(project, tmp_path / "big.fcast", keep_backup=False)
    # (a pass of the youngest generation may come while the file is written: it walks only what was made since)
    assert seen.by_generation[0] <= 2 and seen.by_generation[1:] == [0, 0], seen.by_generation
    assert gc.isenabled()
    assert load_project(tmp_path / "big.fcast").model_dump() == project.model_dump()
    assert text.count("\n") > 1500
