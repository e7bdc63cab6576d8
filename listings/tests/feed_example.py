"""The spec's example payload, read from ``shared/spec/coliving-json-feed.txt`` beside the
repository (CI copies ``shared/`` next to the clone), so tests and spec cannot drift.

The nearest ``shared/`` above the checkout is used, so that the copy ``make mutate`` runs
the tests in (``mutants/`` inside the checkout) finds the same file."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path

import pytest
from django.conf import settings

_CONTRACT = Path("shared") / "spec" / "coliving-json-feed.txt"
SPEC = next(
    (folder / _CONTRACT for folder in Path(settings.BASE_DIR).parents if (folder / _CONTRACT).is_file()),
    Path(settings.BASE_DIR).parent / _CONTRACT,
)


@functools.cache
def _spec_example() -> dict:
    if not SPEC.is_file():
        pytest.fail(f"The JSON feed contract is missing: expected it at {SPEC} (shared/ beside the repository).")
    text = SPEC.read_text(encoding="utf-8")
    start, end = text.index("Example Payload") + len("Example Payload"), text.index("Practical Notes")
    return json.loads(text[start:end])


def spec_example() -> dict:
    """A fresh copy of the spec's example listing."""
    return copy.deepcopy(_spec_example())
