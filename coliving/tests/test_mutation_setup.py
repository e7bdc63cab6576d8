"""`make mutate`'s set-up, checked without running mutmut (a run takes most of an hour).

A project app missing from mutmut's copy of the tree, or a listed file that moved, shows
only when somebody next runs it; these tests show it in `make test`.
"""

from __future__ import annotations

import ast
import os
import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings

from coliving.tests import mutation

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


def test_every_line_is_mutated_not_only_the_covered_ones():
    # mutate_only_covered_lines takes coverage from mutants/ — after a first run, the mutated
    # copies — and silently dropped most mutants of a changed file on a resumed run (mutmut
    # #555). A line the module's own tests never reach is a survivor to look at, not skipped.
    assert MUTMUT["mutate_only_covered_lines"] is False


def test_every_equivalent_mutant_names_a_mutated_function_and_a_line_it_still_holds():
    """An entry of mutate/equivalents.toml whose line has gone would excuse nothing, or,
    worse, a new survivor on a look-alike line: each one's ``original`` must still be in
    its function, and the function in a mutated module."""
    from mutate.report import load_equivalents

    modules = {path.removesuffix(".py").replace("/", "."): ROOT / path for path in MUTMUT["only_mutate"]}
    missing = []
    for entry in load_equivalents():
        module, _, mangled = entry.function.rpartition(".")
        name = mangled.split("ǁ")[-1] if "ǁ" in mangled else mangled.removeprefix("x_")
        source = modules[module].read_text() if module in modules else ""
        lines = source.splitlines()
        bodies = [
            "\n".join(lines[node.lineno - 1 : node.end_lineno])
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.FunctionDef) and node.name == name
        ]
        if not entry.reason or not any(entry.original in body for body in bodies):
            missing.append(entry.function)
    assert missing == []
