"""Issue 14, `fcast check` of a large project: the command makes no garbage-collection pass at all. Collection is
paused while the file is read and while the forms are checked (``model.forms.paused_gc``), but a pass that starts
between or after those steps walks every object made since the last one: the whole project (a third of a second at
10,000 forms). No timings here (see benchmarks/bench_scale.py): what is tested is how many passes run."""

from __future__ import annotations

import gc
import json

import pytest

from fcast_desktop.cli import main
from fcast_desktop.store.project_file import save_project
from test_perf_loading import SAMPLE, Collections, big_project


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("big-check") / "big.fcast"
    save_project(big_project(1500), path, keep_backup=False)
    return path


class Walks(Collections):
    """Also the number of objects each pass walks (those of the generations it collects)."""

    def __init__(self) -> None:
        super().__init__()
        self.walked: list[int] = []

    def __call__(self, phase: str, info: dict) -> None:
        super().__call__(phase, info)
        if phase == "start":
            self.walked.append(sum(len(gc.get_objects(g)) for g in range(info["generation"] + 1)))


@pytest.mark.parametrize("as_json", [True, False])
def test_check_of_a_large_project_walks_no_object_for_garbage(big_file, capsys, as_json):
    """Before: a pass of the youngest generation when the forms' index was built (after reading) and others while
    the problems were printed, each walking every object of the project (1,500 forms: about 85,000)."""
    assert gc.isenabled()
    with Walks() as seen:
        status = main(["check", str(big_file), *(["--json"] if as_json else [])])
    out = capsys.readouterr().out
    assert status in (0, 1) and out
    if as_json:
        assert len(json.loads(out)) > 1500
    assert seen.by_generation[1:] == [0, 0], seen.by_generation
    # at most a pass over what the checks keep (caches of parsed values), never over the project
    assert max(seen.walked, default=0) < 20_000, seen.walked
    assert gc.isenabled()  # collection is back on afterwards


def test_check_leaves_collection_off_when_it_was_off(capsys):
    gc.disable()
    try:
        assert main(["check", str(SAMPLE), "--json"]) in (0, 1)
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert json.loads(capsys.readouterr().out)
