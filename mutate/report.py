"""Summarise a `make mutate` run per mutated module: killed, survived, equivalent, timeout, no tests.

Reads ``mutmut results --all true`` (one ``module.function__mutmut_N: status`` line per
mutant). A survivor whose change is listed in ``mutate/equivalents.toml`` (a change no
caller can observe, with the reason) is counted as ``equivalent``; every other survivor is
printed with its diff, read from mutmut's own copy in ``mutants/``. Those are for a person
to judge: a real gap gets a test, an equivalent change gets an entry. Entries that matched
no survivor are named at the end (killed now, or the code changed: remove or fix them).
Exits 0 whatever the counts.
"""

from __future__ import annotations

import ast
import difflib
import re
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

# "listings.inventory.x_nights_release__mutmut_7" or, for a method,
# "apikeys.authentication.xǁApiKeyAuthenticationǁauthenticate__mutmut_3".
MUTANT = re.compile(r"^\s*(?P<name>(?P<module>[\w.]+?)\.(?P<function>x[_ǁ]\S+)__mutmut_\d+): (?P<status>.+)$")
COLUMNS = ("killed", "survived", "equivalent", "timeout", "no tests", "not checked")
EQUIVALENTS = Path(__file__).with_name("equivalents.toml")
MUTANTS = Path("mutants")


@dataclass(frozen=True)
class Equivalent:
    """A change no caller can observe: in ``function`` (``module.x_name`` as mutmut names it),
    a line holding ``original`` became one holding ``mutant``."""

    function: str
    original: str
    mutant: str
    reason: str

    def matches(self, function: str, removed: str, added: str) -> bool:
        return function == self.function and self.original in removed and self.mutant in added


def load_equivalents(path: Path = EQUIVALENTS) -> list[Equivalent]:
    return [Equivalent(**entry) for entry in tomllib.loads(path.read_text())["equivalent"]]


def function_sources(module: str) -> dict[str, str]:
    """Every function mutmut wrote for ``module`` (originals and mutants), by name."""
    path = MUTANTS / Path(*module.split(".")).with_suffix(".py")
    if not path.is_file():
        return {}
    text = path.read_text()
    lines = text.splitlines()
    return {
        node.name: "\n".join(lines[node.lineno - 1 : node.end_lineno])
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and "__mutmut_" in node.name
    }


def changed_lines(sources: dict[str, str], name: str) -> tuple[str, str]:
    """The lines a mutant removed and added, each stripped and joined by newlines."""
    function, number = name.rsplit(".", 1)[-1].rsplit("__mutmut_", 1)
    original = sources.get(f"{function}__mutmut_orig", "").splitlines()
    mutant = sources.get(f"{function}__mutmut_{number}", "").splitlines()
    removed, added = [], []
    # The def lines differ by name only. Line by line, no junk heuristic: a mutant changes one spot.
    for line in difflib.unified_diff(original[1:], mutant[1:], n=0, lineterm=""):
        if line.startswith(("---", "+++", "@@")):
            continue
        (removed if line[0] == "-" else added).append(line[1:].strip())
    return "\n".join(removed), "\n".join(added)


def main() -> int:
    output = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"], capture_output=True, text=True, check=True
    ).stdout
    equivalents = load_equivalents()
    used: set[Equivalent] = set()
    sources: dict[str, dict[str, str]] = {}
    counts: dict[str, Counter] = defaultdict(Counter)
    unchecked: set[str] = set()  # functions with a mutant this run did not reach
    survivors: list[tuple[str, str, str]] = []
    for line in output.splitlines():
        match = MUTANT.match(line)
        if not match:
            continue
        status = match["status"].strip()
        if status == "not checked":
            unchecked.add(f"{match['module']}.{match['function']}")
        if status == "survived":
            module = match["module"]
            if module not in sources:
                sources[module] = function_sources(module)
            removed, added = changed_lines(sources[module], match["name"])
            function = f"{module}.{match['function']}"
            entry = next((e for e in equivalents if e.matches(function, removed, added)), None)
            if entry is not None:
                used.add(entry)
                status = "equivalent"
            else:
                survivors.append((match["name"], removed, added))
        counts[match["module"]][status] += 1
    others = sorted({status for counter in counts.values() for status in counter} - set(COLUMNS))
    header = ("module", *COLUMNS, *others)
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    total: Counter = Counter()
    for module in sorted(counts):
        total += counts[module]
        print(" | ".join([module, *(str(counts[module][status]) for status in (*COLUMNS, *others))]))
    print(" | ".join(["total", *(str(total[status]) for status in (*COLUMNS, *others))]))
    if survivors:
        print(f"\nSurvivors not explained in {EQUIVALENTS.name} (mutmut show NAME for the whole function):")
        for name, removed, added in survivors:
            print(f"  {name}")
            for text, sign in ((removed, "-"), (added, "+")):
                for changed in text.splitlines():
                    print(f"      {sign} {changed}")
    stale = [entry for entry in equivalents if entry not in used and entry.function not in unchecked]
    if stale:
        print(f"\nEntries of {EQUIVALENTS.name} that matched no survivor of this run (killed now, or the code moved):")
        for entry in stale:
            print(f"  {entry.function}: {entry.original!r} → {entry.mutant!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
