"""The ``make bench`` runner: seed, start gunicorn, drive every scenario with wrk, report ratios.

Run through ``bash bench/run.sh`` (it starts PostgreSQL and Redis and makes a fresh
``coliving_bench`` database first). Knobs, from the environment:

- ``BENCH_ROUNDS`` (4): rounds; every round runs every scenario once, in a rotated order,
  so that drift (thermal, other load) hits all of them alike; the report takes medians.
- ``BENCH_DURATION`` (3): seconds per wrk run; ``BENCH_WARMUP`` (1) seconds of warm-up each.
- ``BENCH_CONNECTIONS`` (4), ``BENCH_THREADS`` (1): wrk's ``-c`` and ``-t`` (a scenario may
  set its own ``-c``: the booking scenarios run 8 clients).
- ``BENCH_ONLY``: comma-separated scenario names (their baselines are added).
- ``BENCH_PUSHES`` (1): 0 skips the pushes and their baselines (``bench/pushes.py``);
- ``BENCH_IMPORT`` (1): 0 skips the JSON feed import (``bench/imports.py``, ~15 s);
  ``BENCH_ONE_BY_ONE_ROOM_TYPES`` (0: off): room types the one-by-one night loop is timed on.
- ``BENCH_STRICT=1``: exit 1 when a scenario misses its target.
- ``BENCH_WSGI`` (``coliving.wsgi:application``): the WSGI app gunicorn serves; point it at a
  module that patches the application first to measure a candidate change before making it.

Only 127.0.0.1 is ever contacted, and every load run is bounded by its duration.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"  # git-ignored
HOST = "127.0.0.1"
LIMIT_NEVER_REACHED = "100000000"

SERVER_ENV = {
    # BENCH_DATABASE / BENCH_REDIS_URL: when several checkouts share one PostgreSQL and Redis.
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{os.environ.get('BENCH_DATABASE') or 'coliving_bench'}",
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/4",
    "BENCH_VIEWS": "1",
    "SECRET_KEY": "bench",
    "ALLOWED_HOSTS": HOST,
    "DEBUG": "0",
    # The limiter does all its Redis work but never refuses: per key, and per IP (MeView
    # also limits per client IP, and every request here comes from 127.0.0.1).
    "RATELIMIT_ENABLE": "1",
    "RATELIMIT_PER_MINUTE": LIMIT_NEVER_REACHED,
    "RATELIMIT_PUBLIC_PER_MINUTE": LIMIT_NEVER_REACHED,
    "RATELIMIT_COWORKIES_PER_HOUR": LIMIT_NEVER_REACHED,
    "LOG_LEVEL": "WARNING",
    "GUNICORN_ACCESS_LOG": "",  # gunicorn.conf.py logs every request otherwise
}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


ROUNDS = max(2, env_int("BENCH_ROUNDS", 4))
DURATION = max(1, env_int("BENCH_DURATION", 3))
WARMUP = max(1, env_int("BENCH_WARMUP", 1))
CONNECTIONS = max(1, env_int("BENCH_CONNECTIONS", 4))
THREADS = max(1, min(CONNECTIONS, env_int("BENCH_THREADS", 1)))
WORKERS = 2


# --- wrk ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    rps: float
    p50: float  # seconds
    p99: float
    requests: int
    bad: int  # non-2xx/3xx responses plus socket errors
    cpu: float = float("nan")  # seconds of gunicorn worker CPU per request (user + system)
    created: int = -1  # with a Lua script that counts them (bench/bookings.lua): 201 answers
    conflicts: int = -1  # and 409 answers (not in ``bad``)


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _duration(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"Cannot read wrk duration {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> Sample:
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    total = re.search(r"^\s+(\d+) requests in", output, re.M)
    if not (rps and p50 and p99 and total):
        raise RuntimeError(f"Cannot read wrk's output:\n{output}")
    bad = 0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if errors:
        bad += sum(int(n) for n in errors.groups())
    created = conflicts = -1
    statuses = re.search(r"^bench-statuses created=(\d+) conflicts=(\d+) other=(\d+)$", output, re.M)
    if statuses:  # the script counted: 201 and 409 are answers, anything else is not
        created, conflicts, other = (int(n) for n in statuses.groups())
        bad += other
    else:
        non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
        if non2xx:
            bad += int(non2xx.group(1))
    return Sample(
        float(rps.group(1)),
        _duration(p50.group(1)),
        _duration(p99.group(1)),
        int(total.group(1)),
        bad,
        created=created,
        conflicts=conflicts,
    )


def first_error(output: str) -> str:
    match = re.search(r"^bench-first-error (.*)$", output, re.M)
    return match.group(1) if match else ""


def wrk(
    url: str,
    headers: dict[str, str],
    seconds: int,
    server: Server | None = None,
    *,
    connections: int | None = None,
    script: str | None = None,
    script_args: tuple[str, ...] = (),
) -> tuple[Sample, str]:
    """One bounded wrk run against ``url``; the sample and wrk's output."""
    connections = connections or CONNECTIONS
    threads = min(THREADS, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(ROOT / script)]
    command.append(url)
    if script:
        command += ["--", *script_args, str(threads)]
    before = server.cpu() if server else None
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    after = server.cpu() if server else None
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    sample = parse_wrk(result.stdout)
    if before and after and before[0] == after[0] and sample.requests:
        sample = replace(sample, cpu=(after[1] - before[1]) / sample.requests)
    return sample, result.stdout


# --- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, *, worker_class: str = "sync") -> None:
        # sync for the benchmarks (comparable with their baselines); `make soak` serves with
        # gunicorn.conf.py's production stack (gthread) instead.
        self.worker_class = worker_class
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, **SERVER_ENV}
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            os.environ.get("BENCH_WSGI") or "coliving.wsgi:application",
            "--workers",
            str(WORKERS),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--worker-class",
            self.worker_class,
            "--bind",
            f"{HOST}:{self.port}",
            "--log-level",
            "warning",
        ]
        # A session of its own: Ctrl-C reaches this runner, which then stops the server.
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base + "/bench/bare/me", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within 30 s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # the master stops its workers
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: only gunicorn's processes
            self.process.wait(timeout=5)

    def cpu(self) -> tuple[frozenset[int], float] | None:
        """The worker pids and the CPU seconds they have used so far (Linux /proc)."""
        if self.process is None:
            return None
        pids, ticks = [], 0
        try:
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                fields = stat.rpartition(")")[2].split()
                if int(fields[1]) == self.process.pid:  # ppid: a worker of our master
                    pids.append(int(entry))
                    ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            return None
        return frozenset(pids), ticks / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 40) -> str:
        self.log.flush()
        text = Path(self.log.name).read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def get(self, path: str, headers: dict[str, str]):
        request = urllib.request.Request(self.base + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()


# --- the run -------------------------------------------------------------------------------


def machine_busy(seconds: float = 1.0) -> float | None:
    """Share of all cores' time that was not idle over ``seconds`` (Linux /proc/stat)."""

    def read() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    try:
        total0, idle0 = read()
        time.sleep(seconds)
        total1, idle1 = read()
    except (OSError, ValueError, IndexError):
        return None
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def setup_django() -> None:
    for name, value in SERVER_ENV.items():
        os.environ[name] = value
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coliving.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def selected(scenarios):
    only = [name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()]
    if not only:
        return list(scenarios)
    names = {s.name: s for s in scenarios}
    unknown = [n for n in only if n not in names]
    if unknown:
        raise SystemExit(f"BENCH_ONLY names unknown scenarios: {', '.join(unknown)}; known: {', '.join(names)}")
    wanted: set[str] = set()
    todo = list(only)
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo.extend(names[name].compare)
            if names[name].same_body_as:
                todo.append(names[name].same_body_as)
    return [s for s in scenarios if s.name in wanted]


def strip(value, volatile: tuple[str, ...]):
    if isinstance(value, dict):
        return {k: strip(v, volatile) for k, v in value.items() if k not in volatile}
    if isinstance(value, list):
        return [strip(v, volatile) for v in value]
    return value


def check(server: Server, scenarios, resolve) -> None:
    """One request per GET scenario before the load: right status, same body, expected headers."""
    bodies = {}
    for scenario in scenarios:
        if scenario.script:
            continue  # its warm-up is checked instead
        path, headers = resolve(scenario)
        status, response_headers, body = server.get(path, headers)
        if status != scenario.status:
            raise RuntimeError(f"{scenario.name}: GET {path} answered {status}, not {scenario.status}: {body[:300]!r}")
        bodies[scenario.name] = body
        lower = {k.lower() for k in response_headers}
        missing = [h for h in scenario.expect_headers if h.lower() not in lower]
        if missing:
            raise RuntimeError(f"{scenario.name}: response lacks {', '.join(missing)}")
        if "X-RateLimit-Limit" in scenario.expect_headers:
            limit = {k.lower(): v for k, v in response_headers.items()}["x-ratelimit-limit"]
            if limit != LIMIT_NEVER_REACHED:
                raise RuntimeError(f"{scenario.name}: X-RateLimit-Limit is {limit}, not {LIMIT_NEVER_REACHED}")
    for scenario in scenarios:
        if scenario.same_body_as and scenario.same_body_as in bodies:
            mine = strip(json.loads(bodies[scenario.name]), scenario.volatile_keys)
            theirs = strip(json.loads(bodies[scenario.same_body_as]), scenario.volatile_keys)
            if mine != theirs:
                raise RuntimeError(f"{scenario.name}: body differs from {scenario.same_body_as}'s:\n{mine}\n{theirs}")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def report(scenarios, samples, breakdowns) -> int:
    """Print the tables; return how many scenarios missed their target."""
    names = [s.name for s in scenarios]
    rounds = range(len(next(iter(samples.values()))))

    def median_ratio(a: str, b: str, attr: str) -> float:
        # Per round, then the median: the two runs of a round saw the same drift.
        return statistics.median(getattr(samples[a][r], attr) / getattr(samples[b][r], attr) for r in rounds)

    def median_of(name: str, attr: str) -> float:
        return statistics.median(getattr(x, attr) for x in samples[name])

    width = max(len(n) for n in names) + 2
    print()
    print("Ratios to the baselines (median over the rounds of the per-round ratio):")
    print("  rps×        scenario's requests/s ÷ baseline's        higher is better, 1.00 = as fast")
    print("  p50×, p99×  scenario's latency ÷ baseline's           lower is better")
    print("  cpu×        gunicorn worker CPU per request, ÷ baseline's (PostgreSQL/Redis not counted)")
    print()
    print(f"  {'scenario':<{width}}{'vs':<{width}}{'rps×':>7}{'p50×':>7}{'p99×':>7}{'cpu×':>7}   target")
    missed = 0
    for s in scenarios:
        for i, base in enumerate(b for b in s.compare if b in samples):
            rps = median_ratio(s.name, base, "rps")
            verdict = ""
            if i == 0 and s.target is not None:
                ok = rps >= s.target
                missed += not ok
                verdict = f"rps× ≥ {s.target:.2f}: {'ok' if ok else 'MISSED'}"
            print(
                f"  {s.name if i == 0 else '':<{width}}{base:<{width}}{rps:>7.2f}"
                f"{median_ratio(s.name, base, 'p50'):>7.2f}{median_ratio(s.name, base, 'p99'):>7.2f}"
                f"{median_ratio(s.name, base, 'cpu'):>7.2f}   {verdict}"
            )
    print()
    print("Raw medians beside them (only meaningful next to each other, see the note above):")
    print(f"  {'scenario':<{width}}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'CPU µs':>8}  path: what it is")
    for s in scenarios:
        print(
            f"  {s.name:<{width}}{median_of(s.name, 'rps'):>8.0f}{median_of(s.name, 'p50') * 1e3:>8.2f}"
            f"{median_of(s.name, 'p99') * 1e3:>8.2f}{median_of(s.name, 'cpu') * 1e6:>8.0f}  {s.path}: {s.description}"
        )
    for breakdown in breakdowns:
        steps = [(label, name) for label, name in breakdown.steps if name in samples]
        if len(steps) != len(breakdown.steps):
            continue
        base = steps[0][1]
        # Throughput cost of a step, in units of one base request: 1/ratio - 1/previous ratio.
        ratios = [median_ratio(name, base, "rps") for _label, name in steps]
        costs = [0.0] + [1 / ratios[i] - 1 / ratios[i - 1] for i in range(1, len(steps))]
        cpus = [median_of(name, "cpu") for _label, name in steps]
        cpu_costs = [0.0] + [cpus[i] - cpus[i - 1] for i in range(1, len(steps))]
        total, cpu_total = sum(costs), sum(cpu_costs)
        print()
        print(f"{breakdown.title} (each line adds one guard to the line above):")
        print(f"  {'adds':<18}{'scenario':<{width}}{'rps× base':>10}{'cost':>8}{'share':>7}{'CPU µs':>9}{'share':>7}")
        for index, (label, name) in enumerate(steps):
            if index == 0:
                print(f"  {label:<18}{name:<{width}}{ratios[0]:>10.2f}{'':>8}{'':>7}{cpus[0] * 1e6:>9.0f}")
                continue
            share = costs[index] / total * 100 if total > 0 else float("nan")
            cpu_share = cpu_costs[index] / cpu_total * 100 if cpu_total > 0 else float("nan")
            print(
                f"  {label:<18}{name:<{width}}{ratios[index]:>10.2f}{costs[index] * 100:>+7.0f}%{share:>6.0f}%"
                f"{cpu_costs[index] * 1e6:>+9.0f}{cpu_share:>6.0f}%"
            )
        print(
            f"  all guards: {1 / ratios[-1]:.2f}× the base's time per request (throughput), "
            f"{cpus[-1] / cpus[0]:.2f}× its worker CPU"
        )
        print("  cost: time per request this line adds, in % of a base request (from rps×); share: of all lines' cost.")
        print("  CPU µs: worker CPU per request this line adds (the base line: its total).")
        spread = {
            attr: statistics.median(abs(getattr(x, attr) / median_of(base, attr) - 1) for x in samples[base])
            for attr in ("rps", "cpu")
        }
        print(
            f"  Noise: the base's runs differ from their median by {spread['rps']:.0%} (rps) and {spread['cpu']:.0%}"
            " (CPU) in a typical round; a step smaller than that is not resolved (and may come out negative)."
        )
    return missed


def report_runs(scenarios, samples, checks) -> int:
    """The scripted scenarios' statuses and their ``after`` checks, run by run; return the
    number of runs whose inventory check failed (units taken ≠ nights held, or a night < 0)."""
    failed = 0
    for s in scenarios:
        if not s.script:
            continue
        runs = samples[s.name]
        rate = statistics.median(x.rps * x.created / x.requests for x in runs if x.requests)
        print()
        print(
            f"{s.name}: {s.method} {s.path}, wrk -c{s.connections or CONNECTIONS}; median {rate:.0f} created/s (201s)"
        )
        if s.after is None:
            continue
        print(
            f"  {'run':<9}{'201':>7}{'409':>6}{'rows+':>7}{'bookings':>10}{'units taken':>13}{'nights held':>13}"
            f"{'taken−held':>12}{'nights<0':>10}  oversell"
        )
        for entry in checks[s.name]:
            oversell = abs(entry["oversold"]) + entry["nights_below_0"]
            failed += oversell != 0
            print(
                f"  {entry['run']:<9}{entry['created']:>7}{entry['conflicts']:>6}{entry['rows_added']:>7}"
                f"{entry['bookings']:>10}{entry['units_taken']:>13}{entry['nights_held']:>13}"
                f"{entry['oversold']:>12}{entry['nights_below_0']:>10}  {oversell}{'  OVERSOLD' if oversell else ''}"
            )
    if any(s.after for s in scenarios if s.script):
        print("  201/409: wrk's answers counted by the Lua script; rows+: bookings the run added in the database (may")
        print("  exceed 201 by the few requests in flight when wrk stops: answered, not counted). From the database,")
        print("  one snapshot, after every run, all runs so far: units taken = Σ (amount − available) over the")
        print(
            "  scenario's nights, nights held = Σ nights of its pending/confirmed bookings. oversell = |taken − held|"
        )
        print("  + nights below 0; it must be 0.")
    return failed


def _stop_on_signal(signum, _frame):
    raise KeyboardInterrupt  # unwinds through the ``finally`` that stops the server


def main() -> int:
    signal.signal(signal.SIGINT, _stop_on_signal)  # also when started in the background (SIGINT ignored)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGHUP, _stop_on_signal)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (bench/run.sh installs it: apt-get install -y wrk)")
    started = time.monotonic()
    setup_django()
    from django.db import connections

    from bench import imports, pushes, queries
    from bench import scenarios as registry
    from bench.seed import seed

    tmp = tempfile.TemporaryDirectory(prefix="bench-")
    context = {**seed(), "tmp": tmp.name}
    for seeder in registry.SEEDERS:
        seeder(context)

    scenarios = selected(registry.SCENARIOS)

    def resolve(s):
        if s.refresh:
            s.refresh(context)
        return s.path.format(**context), {k: v.format(**context) for k, v in s.headers.items()}

    # Queries per request, in process, before the load.
    query_rows = queries.count(context, queries.requests(context))
    connections.close_all()

    cores = os.cpu_count() or 1
    own = ", ".join(sorted({f"{s.name} -c{s.connections}" for s in scenarios if s.connections}))
    print(
        f"make bench: gunicorn {WORKERS} sync workers, PostgreSQL, Redis; wrk -t{THREADS} -c{CONNECTIONS}"
        f"{f' ({own})' if own else ''}, {DURATION} s per run, {ROUNDS} rounds, {len(scenarios)} scenarios"
    )
    print(
        f"NOTE: wrk and the server share this machine's {cores} cores, so absolute numbers are not the "
        "server's capacity; the ratios, measured side by side in one run, are the result."
    )
    busy = machine_busy()
    if busy is not None:
        noisy = "  (other work is running: expect noise)" if busy > 0.15 else ""
        print(f"CPU busy before the run (1 s, all cores, other processes): {busy:.0%}{noisy}")

    server = Server()
    samples: dict[str, list[Sample]] = {s.name: [] for s in scenarios}
    checks: dict[str, list[dict]] = {s.name: [] for s in scenarios}
    sent: dict[str, int] = {s.name: 0 for s in scenarios}  # requests of earlier runs (scripted scenarios)
    booked: dict[str, int] = {}
    push_result = None
    import_result = None

    def run_once(s, seconds: int, label: str, measure: bool) -> Sample:
        if s.after is not None and s.name not in booked:
            booked[s.name] = s.after(context)["bookings"]
        path, headers = resolve(s)
        args = tuple(a.format(**context) for a in s.script_args) + (str(sent[s.name]),)
        sample, output = wrk(
            server.base + path,
            headers,
            seconds,
            server if measure else None,
            connections=s.connections,
            script=s.script,
            script_args=args if s.script else (),
        )
        sent[s.name] += sample.requests + 2 * (s.connections or CONNECTIONS)  # and the few in flight at the end
        if sample.bad and (measure or s.script):
            raise RuntimeError(
                f"{s.name}: {sample.bad} of {sample.requests} requests failed (non-2xx or socket errors) "
                f"{first_error(output)}; server log:\n{server.log_tail()}"
            )
        if s.after is not None:
            time.sleep(0.2)  # the requests wrk left in flight finish
            result = s.after(context)
            rows_added = result["bookings"] - booked[s.name]
            booked[s.name] = result["bookings"]
            checks[s.name].append(
                {
                    "run": label,
                    "created": sample.created,
                    "conflicts": sample.conflicts,
                    "rows_added": rows_added,
                    **result,
                }
            )
        return sample

    try:
        server.start()
        check(server, scenarios, resolve)
        if os.environ.get("BENCH_PUSHES", "1") != "0":
            print(
                "pushes: availability (HTTP, then the statement directly), rates (HTTP, then one save per room type) …",
                flush=True,
            )
            push_result = pushes.run(server.base, context)
            connections.close_all()
        if os.environ.get("BENCH_IMPORT", "1") != "0":
            print("JSON feed import: 500 listings, then the same feed unchanged …", flush=True)
            import_result = imports.run()
            connections.close_all()
        for s in scenarios:  # warm-up: imports, connections, caches in both workers
            run_once(s, WARMUP, "warm-up", measure=False)
        for r in range(ROUNDS):
            shift = r % len(scenarios)
            order = scenarios[shift:] + scenarios[:shift]
            print(f"round {r + 1}/{ROUNDS}: ", end="", flush=True)
            for s in order:
                samples[s.name].append(run_once(s, DURATION, f"round {r + 1}", measure=True))
                print(".", end="", flush=True)
            print()
    finally:
        server.stop()

    missed = report(scenarios, samples, registry.BREAKDOWNS)
    oversold = report_runs(scenarios, samples, checks)
    if push_result is not None:
        missed += pushes.report(push_result)
    if import_result is not None:
        missed += imports.report(import_result)
    queries.report(query_rows, show_sql=("feed, nothing new", "POST /v2/bookings"))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(
        json.dumps(
            {
                "samples": {name: [asdict(x) for x in runs] for name, runs in samples.items()},
                "checks": checks,
                "pushes": push_result,
                "import": import_result,
                "queries": [{k: v for k, v in row.items() if k != "sql"} for row in query_rows],
            },
            indent=1,
        )
    )
    print(f"Every run's numbers: {(RESULTS / 'latest.json').relative_to(ROOT)} (not committed)")

    from apikeys.models import ApiKey

    used = ApiKey.objects.filter(owner__email=context["user_email"]).values_list("usage_count", flat=True).first()
    print()
    print(
        f"Usage tracking wrote {used} of the bench key's requests so far (each worker flushes every 30 s; "
        "what was not flushed when gunicorn stopped is lost, as documented in apikeys/usage.py)."
    )
    print(f"Wall time of bench/run.py: {time.monotonic() - started:.0f} s.")
    Path(server.log.name).unlink(missing_ok=True)
    tmp.cleanup()
    if oversold:
        print(f"FAILED: {oversold} booking run(s) oversold or lost units (see above).")
        return 1
    if missed and os.environ.get("BENCH_STRICT") == "1":
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted; the server was stopped", file=sys.stderr)
        sys.exit(130)
