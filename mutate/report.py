"""Summarise a `make mutate` run per mutated module: killed, survived, timeout, not checked.

Reads ``mutmut results --all true`` (one ``module.function__mutmut_N: status`` line per
mutant) and prints a table, then the survivors by name, so each one can be looked at with
``mutmut show NAME``. Exits 0 whatever the counts: the survivors are for a person to judge
(a real gap gets a test; an equivalent mutant gets a one-line note in the closing note).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict

# "listings.inventory.x_nights_release__mutmut_7" or, for a method,
# "apikeys.authentication.xǁApiKeyAuthenticationǁauthenticate__mutmut_3".
MUTANT = re.compile(r"^\s*(?P<name>(?P<module>[\w.]+?)\.x[_ǁ]\S+__mutmut_\d+): (?P<status>.+)$")
COLUMNS = ("killed", "survived", "timeout", "no tests", "not checked")


def main() -> int:
    output = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"], capture_output=True, text=True, check=True
    ).stdout
    counts: dict[str, Counter] = defaultdict(Counter)
    survivors: list[str] = []
    for line in output.splitlines():
        match = MUTANT.match(line)
        if not match:
            continue
        status = match["status"].strip()
        counts[match["module"]][status] += 1
        if status == "survived":
            survivors.append(match["name"])
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
        print("\nSurvivors (mutmut show NAME):")
        for name in survivors:
            print(f"  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
