"""The README's example outputs are what running its examples gives.

The partner and integrations examples (README.md, "Examples") are run in order, as a reader
would run them after ``make run``: on ``seed_demo``'s data and keys, with the calendar's
today pinned to the one the README's dates assume. Each ``curl`` is parsed and sent to the
app; each output shown under it (``# 201 {…}``, ``# {…}``) whose status matches the answer
must match the answer's body, ``…`` standing for anything. A README that shows something
else fails here, with the actual answer to paste.
"""

from __future__ import annotations

import io
import re
import shlex
from datetime import date
from importlib import import_module
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from listings import limits

README = Path(__file__).resolve().parents[2] / "README.md"
TODAY = date(2026, 11, 23)  # the README's dates are from this day's view ("today is 2026-11-23")
BLOCKS = ("**Partner API**", "**Integrations API**")
HOST = "http://127.0.0.1:8000"


def example_blocks(text: str, heading: str) -> list[str]:
    """The lines of the first ```sh block after the paragraph starting with ``heading``."""
    start = text.index(heading)
    block = text.index("```sh\n", start) + len("```sh\n")
    return text[block : text.index("\n```", block)].splitlines()


def commands_with_outputs(lines: list[str]) -> list[tuple[str, list[str]]]:
    """``[(curl command, [shown output, …]), …]``: continuation lines joined, each ``# `` output
    with its indented ``#   `` continuation lines."""
    result: list[tuple[str, list[str]]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("curl "):
            command = line
            while command.endswith("\\") or not _quotes_closed(command):
                index += 1
                command = command.removesuffix("\\") + " " + lines[index].strip()
            result.append((command, []))
        elif line.startswith("# ") and result:
            shown = line[2:].strip()
            while index + 1 < len(lines) and re.match(r"#\s{2,}\S", lines[index + 1]):
                index += 1
                shown += lines[index][1:].strip()
            result[-1][1].append(shown)
        index += 1
    return result


def _quotes_closed(command: str) -> bool:
    try:
        shlex.split(command.removesuffix("\\"))
    except ValueError:
        return False
    return True


def parse_curl(command: str, variables: dict[str, str]) -> dict | None:
    """Method, path, headers and body of a ``curl`` line; None for one this runner does not send
    (a file upload, a pipe)."""
    command = command.split("  #", 1)[0]  # a trailing comment
    for name, value in variables.items():
        command = command.replace(f"${name}", value)
    words = shlex.split(command)
    if "|" in words or any(word.startswith("@") for word in words):
        return None
    request = {"method": "GET", "url": "", "headers": {}, "data": None, "query": []}
    iterator = iter(words[1:])
    for word in iterator:
        if word == "-X":
            request["method"] = next(iterator)
        elif word == "-H":
            name, _, value = next(iterator).partition(":")
            request["headers"][name.strip()] = value.strip()
        elif word in ("-d", "--data"):
            request["data"] = next(iterator)
            if request["method"] == "GET":
                request["method"] = "POST"
        elif word == "--data-urlencode":
            request["query"].append(next(iterator))
        elif word in ("-s", "-si", "-i", "-G"):
            continue
        elif word.startswith("http"):
            request["url"] = word
    return request


def send(client: Client, request: dict):
    path = request["url"].removeprefix(HOST)
    extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in request["headers"].items()}
    content_type = extra.pop("HTTP_CONTENT_TYPE", "application/x-www-form-urlencoded")
    if request["query"]:
        path += ("&" if "?" in path else "?") + "&".join(request["query"])
    if request["method"] == "GET":
        return client.get(path, **extra)
    body = request["data"] or ""
    return client.generic(request["method"], path, body.encode(), content_type=content_type, **extra)


def pattern(shown: str) -> tuple[int, re.Pattern] | None:
    """``201 {"a":1,…}`` → (201, a regex where ``…`` matches anything); None for prose."""
    match = re.match(r"^(?:(\d{3}) )?([{\[].*[}\]])", shown)
    if match is None:
        return None
    status = int(match.group(1) or 200)
    parts = [re.escape(part) for part in match.group(2).split("…")]
    return status, re.compile(".*?".join(parts), re.S)


# The data migrations' seeders (each idempotent): a transactional test before this one has
# flushed their rows, which `make run`'s fresh database has.
DATA_MIGRATIONS = [
    ("apikeys.migrations.0002_provider_mangobeds", "create_documented_provider"),
    ("jobs.migrations.0004_free_plan", "create_free_plan"),
]


def restore_migration_data() -> None:
    from django.apps import apps

    from listings.feed import catalogues

    for module, function in DATA_MIGRATIONS:
        getattr(import_module(module), function)(apps, None)
    catalogues.seed()  # what listings' 0004_seed_feed_catalogues does


@pytest.fixture
def demo_keys(monkeypatch) -> dict[str, str]:
    monkeypatch.setattr(limits, "today", lambda: TODAY)
    restore_migration_data()
    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    keys = dict(re.findall(r"^\s+(Demo [\w ]+?)\s{2,}(\S+)", output.getvalue(), re.M))
    return {"PARTNER_KEY": keys["Demo partner key"], "COWORKIES_KEY": keys["Demo coworkies key"]}


@pytest.mark.django_db(transaction=True, reset_sequences=True)  # the examples' ids are a fresh database's
def test_the_readme_partner_and_integrations_examples_show_what_they_answer(demo_keys, settings):
    settings.RATELIMIT_ENABLE = False
    client = Client(SERVER_NAME="127.0.0.1", SERVER_PORT="8000")
    text = README.read_text()
    differences, checked = [], 0
    for heading in BLOCKS:
        for command, outputs in commands_with_outputs(example_blocks(text, heading)):
            request = parse_curl(command, demo_keys)
            if request is None:
                continue
            response = send(client, request)
            assert response.status_code < 500, (command, response.content[:500])
            actual = response.content.decode()
            shown_outputs = [(shown, pattern(shown)) for shown in outputs]
            shown_outputs = [(shown, expected) for shown, expected in shown_outputs if expected is not None]
            status = response.status_code
            same_status = [(shown, expected) for shown, expected in shown_outputs if expected[0] == status]
            if shown_outputs and not same_status:  # the README shows other statuses only
                shown = " / ".join(shown for shown, _expected in shown_outputs)
                differences.append(f"{command}\n  README: {shown}\n  actual: {response.status_code} {actual}")
            for shown, expected in same_status:  # a 409 shown beside the 201 is another case's
                checked += 1
                if not expected[1].fullmatch(actual):
                    differences.append(f"{command}\n  README: {shown}\n  actual: {response.status_code} {actual}")
    assert checked >= 5
    assert not differences, "The README's example outputs differ from a run:\n\n" + "\n\n".join(differences)
