"""docker-compose.yml read as data (no Docker engine runs the tests): the ``scale`` profile's
load balancer, replicas and workers reference files and services that exist, health checks
gate the balancer, and nginx's limits mirror the app's."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from gunicorn.config import Config

from coliving.api.families import Family
from coliving.api.routing import registry
from coliving.tests.cluster import NGINX_SITE
from coliving.tests.server import ROOT

COMPOSE = ROOT / "docker-compose.yml"
DEFAULT_MAX_REQUEST_BYTES = 2_621_440  # coliving/settings.py: MAX_REQUEST_BYTES' default


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def scale(services) -> dict:
    return {name: service for name, service in services.items() if "scale" in service.get("profiles", [])}


def nginx_directive(name: str) -> list[str]:
    return re.findall(rf"^\s*{name}\s+([^;]+);", NGINX_SITE.read_text(), re.MULTILINE)


def test_every_dependency_names_a_service_and_waits_for_a_state_it_can_reach(services):
    for name, service in services.items():
        for dependency, condition in (service.get("depends_on") or {}).items():
            assert dependency in services, (name, dependency)
            assert condition["condition"] in {"service_healthy", "service_completed_successfully"}, (name, dependency)
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], (
                    f"{name} waits for {dependency}, which has no health check"
                )


def test_the_scale_profile_adds_a_balancer_two_web_replicas_and_a_worker(services):
    assert set(scale(services)) == {"lb", "web-2", "web-3", "worker-2"}
    # The default `docker compose up` is unchanged: one web, one worker, the scheduler.
    assert {"db", "redis", "web", "worker", "scheduler"} <= {n for n, s in services.items() if "profiles" not in s}


def test_the_balancer_runs_the_committed_config_and_starts_once_every_replica_is_healthy(services):
    lb = services["lb"]
    assert lb["image"].startswith("nginx:")
    [volume] = lb["volumes"]
    source, target, mode = volume.split(":")
    assert (ROOT / source).resolve() == NGINX_SITE and target == "/etc/nginx/conf.d/default.conf" and mode == "ro"
    upstream = [
        re.match(r"([\w-]+):8000\b", server).group(1) for server in nginx_directive("server") if ":8000" in server
    ]
    replicas = ["web", "web-2", "web-3"]
    assert upstream == replicas
    assert lb["depends_on"] == {name: {"condition": "service_healthy"} for name in replicas}
    for name in replicas:
        assert "/v2/health" in "".join(services[name]["healthcheck"]["test"]), name
        assert services[name]["environment"]["CLIENT_IP_HEADER"] == "${CLIENT_IP_HEADER:-}", name
    assert "/v2/health" in " ".join(lb["healthcheck"]["test"])


def test_replicas_do_not_migrate_and_are_not_published_themselves(services):
    assert "migrate" in " ".join(services["web"]["command"])
    for name in ("web-2", "web-3"):
        assert "migrate" not in " ".join(services[name]["command"]), name
        assert services[name]["ports"] == [], name
        assert services[name]["depends_on"] == {"web": {"condition": "service_healthy"}}, name


def test_every_worker_runs_the_worker_of_the_configured_backend(services):
    for name in ("worker", "worker-2"):
        assert services[name]["command"] == ["python", "manage.py", "run_worker"], name
        assert services[name]["environment"]["TASKS_BACKEND"] == "${TASKS_BACKEND:-db}", name


def test_redis_never_evicts_a_queued_task(services):
    command = services["redis"]["command"]
    policy = command[command.index("--maxmemory-policy") + 1]
    # RQ's queued jobs have no TTL; only an allkeys-* policy would evict them.
    assert policy.startswith(("volatile-", "noeviction")), policy


def test_redis_keeps_queued_tasks_across_a_restart(services, compose):
    command = services["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    volume = next(v for v in services["redis"]["volumes"] if v.endswith(":/data"))  # the image's working dir
    assert volume.split(":")[0] in compose["volumes"]


def test_nginx_limits_mirror_the_apps():
    gunicorn = Config()
    [body] = nginx_directive("client_max_body_size")
    # The app's own bound: nginx answers what the app would refuse unread (and lose behind
    # a proxy still sending the body), in the family's shape.
    assert int(body) == DEFAULT_MAX_REQUEST_BYTES
    [buffers] = nginx_directive("large_client_header_buffers")
    size = int(buffers.split()[1].rstrip("k")) * 1024
    assert gunicorn.limit_request_field_size <= size and gunicorn.limit_request_line <= size
    # What nginx refuses itself is JSON, never its HTML page.
    for status in ("400", "413", "500", "502", "503", "504"):
        assert any(status in line.split()[:-2] for line in nginx_directive("error_page")), status


def nginx_map(variable: str) -> tuple[list[tuple[str, str]], str]:
    """The ``map … $variable { … }`` block: its ``(pattern, value)`` lines in order, and the default."""
    block = re.search(rf"^map \S+ \${variable} {{\n(.*?)^}}", NGINX_SITE.read_text(), re.MULTILINE | re.DOTALL)
    entries = [re.match(r"\s*(\S+)\s+(.*);$", line).groups() for line in block.group(1).splitlines() if line.strip()]
    default = next(value for pattern, value in entries if pattern == "default")
    return [(pattern, value) for pattern, value in entries if pattern != "default"], default


def lb_family(path: str) -> str:
    """What nginx's ``$lb_family`` is for ``path``: the first matching regex wins, else the default."""
    entries, default = nginx_map("lb_family")
    return next((value for pattern, value in entries if re.search(pattern.removeprefix("~"), path)), default)


def _sample(prefix: str) -> str:
    """``prefix`` with each group (``(?P<subdomain>…)``, balanced parentheses) and ``[^/]+`` as ``co-up``."""
    prefix = prefix.replace("[^/]+", "co-up")
    while (start := prefix.find("(")) != -1:
        depth, end = 0, start
        for end in range(start, len(prefix)):
            depth += {"(": 1, ")": -1}.get(prefix[end], 0)
            if depth == 0:
                break
        prefix = prefix[:start] + "co-up" + prefix[end + 1 :]
    return prefix


def sample_paths() -> list[str]:
    """A path for every (prefix, first segment) the app's family registry knows, and an unknown one."""
    import coliving.urls  # noqa: F401 — its mounts fill the registry

    paths = []
    for mount in registry._mounts:
        prefix = _sample(mount.prefix)
        paths += [f"/{prefix}/{segment}" if segment else f"/{prefix}" for segment in mount.segments]
        paths += [f"/{prefix}/{segment}/1/x" for segment in mount.segments if segment]
        paths.append(f"/{prefix}/no-such-segment")
    return paths


def test_nginx_answers_in_the_shape_of_the_family_the_app_would_use():
    paths = sample_paths()
    assert len(paths) > 20
    for path in paths:
        assert lb_family(path) == registry.family_of_path(path).value, path
    for status, code, message, retry_after in [
        (400, "bad_request", "Bad request: the request line or a header is too long", None),
        (413, "payload_too_large", "Request body too large", None),
        (503, "service_unavailable", "Service unavailable, retry shortly", 5),
    ]:
        entries, default = nginx_map(f"lb_{status}_body")
        bodies = {family: json.loads(body.strip("'")) for family, body in entries} | {
            "coliving": json.loads(default.strip("'"))
        }
        for family in Family:
            expected = family.error(status=status, code=code, message=message, details=None, retry_after=retry_after)
            assert bodies[family.value] == expected, (status, family)
