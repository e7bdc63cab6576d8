"""``make bench`` is not part of the suite (it needs wrk, gunicorn and minutes), so its
modules' imports are checked here: most are inside functions, where a renamed or removed
name would only fail when the benchmark runs."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ("accounts", "apikeys", "bench", "bookings", "coliving", "jobs", "listings")
MODULES = sorted([*ROOT.glob("bench/*.py"), *ROOT.glob("*/bench.py"), *ROOT.glob("*/resources/bench.py")])


def imported_names(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PROJECT:
            for alias in node.names:
                yield node.module, alias.name


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_name_a_benchmark_imports_exists(path):
    missing = []
    for module, name in imported_names(path):
        target = importlib.import_module(module)
        if not hasattr(target, name):
            try:
                importlib.import_module(f"{module}.{name}")
            except ModuleNotFoundError:
                missing.append(f"{module}.{name}")
    assert not missing
