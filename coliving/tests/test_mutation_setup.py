"""`make mutate`'s set-up, checked without running mutmut (a run takes most of an hour).

A project app missing from mutmut's copy of the tree, or a listed file that moved, shows
only when somebody next runs it; these tests show it in `make test`.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings

from coliving.tests import mutation
from mutate import prepare

ROOT = Path(settings.BASE_DIR)
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]
MUTMUT = PYPROJECT["mutmut"]
OWN_TESTS = PYPROJECT["coliving"]["mutate"]["own_tests"]


def test_every_project_app_and_the_templates_are_copied_into_the_mutants_tree():
    packages = {config.name.split(".")[0] for config in apps.get_app_configs()}
    project_apps = {package for package in packages if (ROOT / package / "__init__.py").is_file()}
    assert project_apps <= set(MUTMUT["source_paths"])
    assert "templates" in MUTMUT["also_copy"]


def test_the_mutated_modules_and_their_tests_exist():
    listed = MUTMUT["only_mutate"] + MUTMUT["pytest_add_cli_args_test_selection"]
    assert [path for path in listed if not (ROOT / path).is_file()] == []


def test_test_processes_running_at_once_take_different_slots(monkeypatch, tmp_path):
    monkeypatch.setattr(mutation, "SLOTS", 2)
    monkeypatch.chdir(tmp_path)  # slots are per checkout
    first_slot, first = mutation._take_slot()
    second_slot, second = mutation._take_slot()
    assert (first_slot, second_slot) == (0, 1)
    os.close(first)  # the process holding slot 0 ended
    again_slot, again = mutation._take_slot()
    assert again_slot == 0
    os.close(second)
    os.close(again)


def test_every_mutated_module_has_its_own_tests_and_they_are_in_the_selection():
    assert sorted(OWN_TESTS) == sorted(MUTMUT["only_mutate"])
    assert {path for paths in OWN_TESTS.values() for path in paths} <= set(MUTMUT["pytest_add_cli_args_test_selection"])


def test_a_mutant_runs_the_own_tests_of_the_module_it_mutates():
    method = "apikeys.authentication.xǁApiKeyAuthenticationǁauthenticate__mutmut_3"
    assert mutation.own_tests(ROOT, method) == OWN_TESTS["apikeys/authentication.py"]
    nested = "bookings.resources.services.x_booking_move__mutmut_12"
    assert mutation.own_tests(ROOT, nested) == OWN_TESTS["bookings/resources/services.py"]
    assert mutation.own_tests(ROOT, "stats") is None  # mutmut's own runs take every test


def test_a_changed_source_replaces_its_mutated_copy_keeping_its_mtime(tmp_path):
    # mutmut issue #555: coverage of a stale mutated copy dropped most of a changed file's mutants.
    (tmp_path / "pyproject.toml").write_text('[tool.mutmut]\nonly_mutate = ["app/changed.py", "app/same.py"]\n')
    for name, mutated_later in (("changed.py", False), ("same.py", True)):
        source, copy = tmp_path / "app" / name, tmp_path / "mutants" / "app" / name
        source.parent.mkdir(exist_ok=True)
        copy.parent.mkdir(parents=True, exist_ok=True)
        source.write_text("def f():\n    return 1\n")
        copy.write_text("# trampolines and mutants\n" * 50)
        os.utime(copy, (1_000, 1_000 if not mutated_later else 3_000))
        os.utime(source, (2_000, 2_000))

    assert prepare.refresh(tmp_path) == ["app/changed.py"]
    refreshed = tmp_path / "mutants" / "app" / "changed.py"
    assert refreshed.read_text() == "def f():\n    return 1\n"
    assert refreshed.stat().st_mtime == 2_000  # not newer than its source: mutmut regenerates it
    assert (tmp_path / "mutants" / "app" / "same.py").read_text().startswith("# trampolines")
