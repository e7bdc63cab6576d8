"""TypeScript types generated from the OpenAPI document compile (issue 12).

``openapi-typescript`` (npm) is what TypeScript partners run on ``/schema``; its output is
then checked by ``tsc --strict``. Both run through ``npx`` at pinned versions; ``.ci/run``
installs Node.js and npm, so CI always runs this; a machine without ``npx`` skips it.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

OPENAPI_TYPESCRIPT = "openapi-typescript@7.13.0"
TYPESCRIPT = "typescript@5.9.3"

# In CI (.ci/run sets CI=true and installs Node.js) a missing npx fails the test instead.
pytestmark = pytest.mark.skipif(shutil.which("npx") is None and not os.environ.get("CI"), reason="needs Node.js (npx)")


def npx(*args: str, cwd) -> subprocess.CompletedProcess:
    # The first run downloads the package into npm's cache; later runs take seconds.
    return subprocess.run(["npx", "--yes", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def test_openapi_typescript_generates_types_that_compile(tmp_path):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    (tmp_path / "schema.json").write_bytes(OpenApiJsonRenderer().render(schema, renderer_context={}))

    generated = npx(OPENAPI_TYPESCRIPT, "schema.json", "--output", "schema.d.ts", cwd=tmp_path)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    types = (tmp_path / "schema.d.ts").read_text()
    assert 'BookingStatusEnum: "pending" | "confirmed" | "declined" | "cancelled";' in types
    assert "bookings_create: {" in types

    compiled = npx("-p", TYPESCRIPT, "tsc", "--noEmit", "--strict", "schema.d.ts", cwd=tmp_path)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
