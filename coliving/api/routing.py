"""One registry of API families, filled by routing itself.

Each family's URLs are mounted through ``mount()`` (or ``space_mount()`` for the
Cobot-compatible family), which records the prefix, the first path segments the family
answers under it, and the family. Everything that needs to know the family of a path
reads this one registry: ``family_for_request`` (which error shape an unknown
path or a refused request gets), the JSON 404 catch-all (``catch_all()``), and the
exception handlers' "is this an API path" test. No path regex is kept by hand.

The Cobot-compatible family is reached two ways that serve the same views
(``shared/spec/cobot-bookings-api.txt``: ``https://<subdomain>.cobot.me/api/…``):

- by path, ``/spaces/<subdomain>/api/…``, on any host;
- by host, ``<subdomain>.<SPACES_DOMAIN>/api/…``: ``SpaceHostMiddleware`` routes such a
  request through ``space_host_urlpatterns()`` and sets ``request.space_subdomain``.

Views read the space's subdomain with ``space_subdomain(request, kwargs)``.

Sandbox twins (``shared/spec/reference-notes.md``: "Every endpoint has a sandbox twin under
a ``sandbox/`` path prefix"): ``sandbox_mount()`` mounts the same URL modules a second
time under ``SANDBOX_PREFIX`` (``/v2/sandbox/…``), in the ``sandbox`` URL namespace, and
records the mount as a sandbox one. ``is_sandbox_request()`` is the one test of whether a
request is for sandbox data; the request's ``Tenant`` carries the answer to every tenant
queryset (``coliving/api/tenancy.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, re_path, reverse

from coliving.api import converters  # noqa: F401 — registers <id:…> before any API URL module loads
from coliving.api.families import Family

SPACE_KWARG = "subdomain"
SUBDOMAIN = r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?"
SPACE_PREFIX = rf"spaces/(?P<{SPACE_KWARG}>{SUBDOMAIN})/api"
SPACE_HOST_PREFIX = "api"
SPACE_ANY_PREFIX = r"spaces/[^/]+/api"
SANDBOX_PREFIX = "v2/sandbox"
SANDBOX_NAMESPACE = "sandbox"
# Ends a mount's prefix: the path goes on after a slash, or stops there ("/v2" itself).
_PREFIX_END = r"(?:/|\Z)"


@dataclass
class Mount:
    family: Family
    prefix: str  # a regex without anchors, e.g. "v2", "json", SPACE_PREFIX
    segments: set[str] = field(default_factory=set)  # "" is the prefix itself
    default: bool = False  # the family of unknown paths under this prefix
    sandbox: bool = False  # the sandbox twins of other mounts' URLs (sandbox_mount)

    def __post_init__(self) -> None:
        self.pattern = re.compile(rf"{self.prefix}{_PREFIX_END}")


def first_segment(entry: URLPattern | URLResolver) -> str:
    """``listings`` for ``listings``, ``integrations/<slug:provider>/…``, ``^bookings/(?P<pk>…)$``."""
    route = str(entry.pattern).lstrip("^")
    segment = re.split(r"[/<(\\$]", route, maxsplit=1)[0]
    return segment


class FamilyRegistry:
    def __init__(self) -> None:
        self._mounts: list[Mount] = []
        self._space_urlconfs: list[object] = []

    # --- filling it (from URL modules) -----------------------------------------------------

    def mount(
        self, family: Family, prefix: str, urlconf, *, default: bool = False, root=None, sandbox: bool = False
    ) -> list:
        """``re_path(prefix + "/", include(urlconf))``, recorded as ``family``'s; ``root`` is a
        view for the prefix itself (``/v2``)."""
        resolver = re_path(rf"^{prefix}/", include(urlconf))
        routes: list = [re_path(rf"^{prefix}\Z", root)] if root is not None else []
        routes.append(resolver)
        segments = {first_segment(entry) for entry in resolver.url_patterns}
        if root is not None:
            segments.add("")
        for existing in self._mounts:
            if existing.family is family and existing.prefix == prefix:
                existing.segments |= segments
                existing.default = existing.default or default
                return routes
        self._mounts.append(Mount(family, prefix, segments, default, sandbox))
        # Longest prefixes first: "spaces/<x>/api" before a shorter prefix that could match.
        self._mounts.sort(key=lambda mount: -len(mount.prefix))
        return routes

    def sandbox_mount(self, family: Family, urlconfs: list[str], *, prefix: str = SANDBOX_PREFIX) -> list:
        """The sandbox twins of ``urlconfs`` (modules already mounted live): the same views under
        ``prefix``, in the ``sandbox`` URL namespace (``sandbox:user-detail``), answering in
        ``family``'s shape — unknown paths under the prefix too."""
        patterns = [entry for urlconf in urlconfs for entry in import_module(urlconf).urlpatterns]
        return self.mount(family, prefix, (patterns, SANDBOX_NAMESPACE), default=True, sandbox=True)

    def is_sandbox_path(self, path: str) -> bool:
        """``/v2/sandbox/bookings`` (or the prefix itself) is; ``/v2/bookings`` is not."""
        if self is registry:
            import_module(settings.ROOT_URLCONF)  # its mounts fill the registry (once)
        path = path.lstrip("/")
        return any(mount.sandbox and mount.pattern.match(path) for mount in self._mounts)

    def space_mount(self, urlconf) -> list:
        """The Cobot-compatible family under ``/spaces/<subdomain>/api/``; the same URLs are
        served at ``/api/`` on ``<subdomain>.<SPACES_DOMAIN>`` (``space_host_urlpatterns``)."""
        if urlconf not in self._space_urlconfs:
            self._space_urlconfs.append(urlconf)
        # "/api/…" on the platform's own host names no space: the family's JSON 404.
        self.mount(Family.COBOT, SPACE_HOST_PREFIX, [], default=True)
        # So does "/spaces/<not a subdomain>/api/…" (upper case, dots …): JSON, never an HTML page.
        self.mount(Family.COBOT, SPACE_ANY_PREFIX, [], default=True)
        return self.mount(Family.COBOT, SPACE_PREFIX, urlconf, default=True)

    # --- reading it ------------------------------------------------------------------------

    def family_of_path(self, path: str) -> Family | None:
        """The family that answers ``path`` (``/v2/bookings/1``), or None for a non-API path.

        Under a shared prefix (``/v2``) the family that mounted the path's first segment
        wins; an unknown segment gets the family mounted as the prefix's default.
        """
        if self is registry:
            import_module(settings.ROOT_URLCONF)  # its mounts fill the registry (once; then a dict lookup)
        path = path.lstrip("/")
        matched = []
        for mount in self._mounts:
            match = mount.pattern.match(path)
            if match is None:
                continue
            if path[match.end() :].split("/", 1)[0] in mount.segments:
                return mount.family
            matched.append(mount)
        defaults = [mount for mount in matched if mount.default] or matched
        return defaults[0].family if defaults else None

    def catch_all_regex(self) -> str:
        prefixes = sorted({mount.prefix for mount in self._mounts}, key=len, reverse=True)
        return rf"^(?:{'|'.join(prefixes)}){_PREFIX_END}[\s\S]*\Z"

    def catch_all(self, view) -> URLPattern:
        """The JSON 404 for unknown paths under every registered prefix; route it last."""
        return re_path(self.catch_all_regex(), view)

    def space_host_urlpatterns(self, not_found_view) -> list:
        """The URLconf of a ``<subdomain>.<SPACES_DOMAIN>`` host: the space family at ``/api/``."""
        patterns: list = [re_path(rf"^{SPACE_HOST_PREFIX}/", include(u)) for u in self._space_urlconfs]
        patterns.append(re_path(rf"^{SPACE_HOST_PREFIX}{_PREFIX_END}[\s\S]*\Z", not_found_view))
        return patterns


registry = FamilyRegistry()
mount = registry.mount
space_mount = registry.space_mount
sandbox_mount = registry.sandbox_mount


def is_sandbox_request(request) -> bool:
    """Whether ``request`` is for the key owner's sandbox data: its path is under a sandbox
    mount. The one place that decides it; the request's ``Tenant`` carries the answer."""
    return registry.is_sandbox_path(request.path_info)


def reverse_twin(request, viewname: str, **kwargs) -> str:
    """``reverse(viewname)`` in the URL namespace ``request`` was routed through: a sandbox
    request's ``Location`` names the sandbox twin."""
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match is not None else ""
    return reverse(f"{namespace}:{viewname}" if namespace else viewname, **kwargs)


# --- spaces by host ---------------------------------------------------------------------------


def space_host_subdomain(request) -> str | None:
    """``acme`` for ``Host: acme.<SPACES_DOMAIN>``; None for any other host.

    The raw header, not ``get_host()``: this also runs for requests refused for their Host.
    """
    domain = settings.SPACES_DOMAIN
    if not domain:
        return None
    host = request.META.get("HTTP_HOST", "").rsplit(":", 1)[0].lower().rstrip(".")
    if not host.endswith("." + domain):
        return None
    subdomain = host[: -len(domain) - 1]
    return subdomain if re.fullmatch(SUBDOMAIN, subdomain) else None


def space_subdomain(request, kwargs: dict) -> str | None:  # noqa: D401
    """The space a Cobot-family request is for: from its path, else from its host."""
    return kwargs.get(SPACE_KWARG) or getattr(request, "space_subdomain", None)


def family_of_request(request) -> Family | None:
    """The family whose shape ``request`` is answered in; None when it is not an API request."""
    if space_host_subdomain(request) is not None:
        on_api = request.path_info.lstrip("/").split("/", 1)[0] == SPACE_HOST_PREFIX
        return Family.COBOT if on_api else None
    return registry.family_of_path(request.path_info)


def family_for_request(request) -> Family:
    """``family_of_request``, coliving for anything else (requests that never reach a view)."""
    return family_of_request(request) or Family.COLIVING


class SpaceHostMiddleware:
    """Serves ``<subdomain>.<SPACES_DOMAIN>/api/…`` with the space family's URLs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        subdomain = space_host_subdomain(request)
        if subdomain is not None:
            request.space_subdomain = subdomain
            request.urlconf = "coliving.space_urls"
        return self.get_response(request)
