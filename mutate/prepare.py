"""Before `mutmut run`: give mutmut a pristine copy of each mutated file whose source changed.

mutmut regenerates the mutants of a file whose source is newer than its copy in mutants/,
keeping only mutations on lines the tests cover (``mutate_only_covered_lines``). It measures
that coverage on the copy in mutants/ — by then the previous run's mutated file, thousands of
lines longer — and applies the line numbers to the source, so a resumed run after an edit
silently dropped most of a changed file's mutants (mutmut issue #555: 901 mutants of
listings/feed/sync.py became 153). Copying the source over the old copy, with the source's
own modification time (mutmut regenerates when the copy is not newer), makes the two
numberings agree again; functions that did not change keep their results.
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path


def refresh(root: Path) -> list[str]:
    """Copy every mutated source newer than its mutants/ copy over it; return their paths."""
    only_mutate = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["mutmut"]["only_mutate"]
    refreshed = []
    for path in only_mutate:
        source, copy = root / path, root / "mutants" / path
        if copy.exists() and source.stat().st_mtime > copy.stat().st_mtime:
            shutil.copy2(source, copy)  # copy2 keeps the source's mtime
            refreshed.append(path)
    return refreshed


if __name__ == "__main__":
    for path in refresh(Path.cwd()):
        print(f"mutate/prepare.py: {path} changed; mutmut will regenerate it from a clean copy")
    sys.exit(0)
