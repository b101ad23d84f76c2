"""The core's import merge (exchange/merge.py): what the command line and the window both apply."""

from __future__ import annotations

from fcast_desktop.exchange.importer import import_file
from fcast_desktop.exchange.merge import form_identity, merge_forms
from fcast_desktop.model import Project


def test_merging_into_a_new_project_completes_its_header_without_changing_it(seed_paths):
    project = Project()
    forms = import_file(seed_paths["002"]).forms
    merge = merge_forms(project, forms)
    assert project.forms == [] and project.unit == "" and project.year is None  # nothing changed yet
    assert merge.added == forms and merge.skipped == []
    assert set(merge.header) == {"unit", "year", "profile"}
    assert merge.header["profile"] == "shenzhen-baoan"
    assert merge.header_before == {"unit": "", "year": None, "profile": "shenzhen-futian"}
    merge.apply(project)
    assert project.forms == forms
    assert (project.unit, project.year, project.profile) == tuple(merge.header[k] for k in ("unit", "year", "profile"))


def test_forms_already_there_or_imported_twice_are_skipped_and_point_at_the_kept_form(seed_paths):
    project = Project()
    merge_forms(project, import_file(seed_paths["000"]).forms).apply(project)
    again = import_file(seed_paths["000"]).forms
    merge = merge_forms(project, again)
    assert merge.added == [] and merge.skipped == again and not merge.header
    assert [merge.kept_as(f) for f in again] == [f.id for f in project.forms]
    twice = import_file(seed_paths["004"]).forms
    copy = [f.model_copy(deep=True) for f in twice]
    merge = merge_forms(project, twice + copy)
    assert merge.added == twice and merge.skipped == copy
    assert [merge.kept_as(f) for f in copy] == [f.id for f in twice]
    assert {form_identity(f) for f in copy} == {form_identity(f) for f in twice}


def test_a_project_with_a_header_keeps_it_unless_asked(seed_paths):
    project = Project(unit="某单位", year=2023)
    merge = merge_forms(project, import_file(seed_paths["000"]).forms, complete_header=False)
    assert merge.header == {} and merge.changed
    merge = merge_forms(project, import_file(seed_paths["000"]).forms)
    assert "unit" not in merge.header and "year" not in merge.header
