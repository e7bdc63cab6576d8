"""``make soak``: the bench's mixed load for ten minutes against 2 gunicorn workers.

Run through ``bash bench/soak.sh`` (a fresh database, then this). It seeds what
``make bench`` seeds, starts gunicorn with the production serving stack
(``gunicorn.conf.py``: 2 ``gthread`` workers) on 127.0.0.1, and then, until
``SOAK_SECONDS`` (600) have passed, runs every scenario that goes through the API (not the
``/bench/`` baselines) for ``SOAK_RUN_SECONDS`` (10) each, in turn, with wrk. After every
booking run it checks the inventory in the database. At the end it reports:

- errors: non-2xx answers (409 on a booking is an answer, not an error) and socket errors;
- oversells: booking runs after which units taken ≠ nights held, or a night is below 0;
- each worker's resident memory (RSS) after the warm-up and at the end, and whether the
  workers were the same processes throughout (a worker replaced meanwhile is reported).

It exits 1 when there was an error or an oversell. Only 127.0.0.1 is contacted; every wrk
run is bounded, and the server is stopped on exit, error or Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from bench import run
from bench.run import CONNECTIONS, Server, check, env_int, first_error, setup_django, wrk

SOAK_SECONDS = max(10, env_int("SOAK_SECONDS", 600))
RUN_SECONDS = max(1, env_int("SOAK_RUN_SECONDS", 10))


def worker_rss(server: Server) -> dict[int, int]:
    """The gunicorn workers' resident memory in KiB, by pid (Linux /proc)."""
    pids, _cpu = server.cpu() or (frozenset(), 0.0)
    rss = {}
    for pid in sorted(pids):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss[pid] = int(line.split()[1])
        except OSError:
            continue
    return rss


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


def main() -> int:
    signal.signal(signal.SIGINT, run._stop_on_signal)
    signal.signal(signal.SIGTERM, run._stop_on_signal)
    signal.signal(signal.SIGHUP, run._stop_on_signal)
    for name in ("DATABASE_URL", "REDIS_URL"):
        if os.environ.get(f"SOAK_{name}"):
            run.SERVER_ENV[name] = os.environ[f"SOAK_{name}"]
    setup_django()
    from django.db import connections

    from bench import scenarios as registry
    from bench.seed import seed

    tmp = tempfile.TemporaryDirectory(prefix="soak-")
    context = {**seed(), "tmp": tmp.name}
    for seeder in registry.SEEDERS:
        seeder(context)
    connections.close_all()
    scenarios = [s for s in registry.SCENARIOS if not s.path.startswith("/bench/")]

    def resolve(s):
        if s.refresh:
            s.refresh(context)
        return s.path.format(**context), {k: v.format(**context) for k, v in s.headers.items()}

    sent = {s.name: 0 for s in scenarios}
    totals = {"runs": 0, "requests": 0, "errors": 0, "created": 0, "conflicts": 0, "oversold_runs": 0}
    errors: list[str] = []

    def run_once(s, seconds: int) -> None:
        path, headers = resolve(s)
        args = tuple(a.format(**context) for a in s.script_args) + (str(sent[s.name]),)
        sample, output = wrk(
            server.base + path,
            headers,
            seconds,
            connections=s.connections,
            script=s.script,
            script_args=args if s.script else (),
        )
        sent[s.name] += sample.requests + 2 * (s.connections or CONNECTIONS)
        totals["runs"] += 1
        totals["requests"] += sample.requests
        totals["errors"] += sample.bad
        if sample.bad:
            errors.append(f"{s.name}: {sample.bad} of {sample.requests} {first_error(output)}".strip())
        if s.script:
            totals["created"] += max(0, sample.created)
            totals["conflicts"] += max(0, sample.conflicts)
        if s.after is not None:
            time.sleep(0.2)  # the requests wrk left in flight finish
            result = s.after(context)
            if result["oversold"] or result["nights_below_0"]:
                totals["oversold_runs"] += 1
                errors.append(f"{s.name}: OVERSOLD {result}")

    server = Server(worker_class="gthread")
    started = time.monotonic()
    print(
        f"make soak: {SOAK_SECONDS} s of {len(scenarios)} API scenarios in turn, {RUN_SECONDS} s each, against "
        f"gunicorn {run.WORKERS} gthread workers (gunicorn.conf.py) on PostgreSQL and Redis",
        flush=True,
    )
    try:
        server.start()
        check(server, scenarios, resolve)
        for s in scenarios:  # warm-up: imports, connections, caches in both workers
            run_once(s, 1)
        rss_start = worker_rss(server)
        print(f"workers after warm-up: {', '.join(f'{pid} {mib(k)}' for pid, k in rss_start.items())}", flush=True)
        deadline = time.monotonic() + SOAK_SECONDS
        index = 0
        while time.monotonic() < deadline:
            run_once(scenarios[index % len(scenarios)], max(1, min(RUN_SECONDS, int(deadline - time.monotonic()))))
            index += 1
            if index % len(scenarios) == 0:
                elapsed = SOAK_SECONDS - max(0, deadline - time.monotonic())
                print(
                    f"  {elapsed:4.0f} s: {totals['requests']} requests, {totals['errors']} errors, "
                    f"{totals['oversold_runs']} oversold runs, RSS "
                    f"{', '.join(mib(k) for k in worker_rss(server).values())}",
                    flush=True,
                )
        rss_end = worker_rss(server)
    finally:
        server.stop()
        tmp.cleanup()

    print()
    print(f"requests: {totals['requests']} in {totals['runs']} wrk runs ({time.monotonic() - started:.0f} s in all)")
    print(f"bookings: {totals['created']} created (201), {totals['conflicts']} refused as sold out (409)")
    print(f"errors: {totals['errors']}")
    for line in errors[:20]:
        print(f"  {line}")
    print(f"oversold booking runs: {totals['oversold_runs']}")
    same = set(rss_start) == set(rss_end)
    print(f"worker RSS, start → end ({'same processes' if same else 'WORKERS WERE REPLACED'}):")
    for pid in sorted(set(rss_start) | set(rss_end)):
        start, end = rss_start.get(pid), rss_end.get(pid)
        print(f"  pid {pid}: {mib(start) if start else '—'} → {mib(end) if end else '—'}")
    Path(server.log.name).unlink(missing_ok=True)
    return 1 if totals["errors"] or totals["oversold_runs"] or not same else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted; the server was stopped", file=sys.stderr)
        sys.exit(130)
