"""Swagger UI, Redoc and the admin load nothing from outside the host, under a
Content-Security-Policy that allows exactly that (issue 11 "Docs and first contact",
issue 15): every script, stylesheet, image and font a page names is a same-host path
that exists, and every inline script carries the nonce the response's policy names."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class Resources(HTMLParser):
    """The URLs a page makes the browser load, and its inline scripts' nonces."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.inline_script_nonces: list[str | None] = []
        self.inline_handlers: list[str] = []
        self._in_script_without_src = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.inline_handlers += [name for name in attrs if name.startswith("on")]
        if tag == "script":
            if attrs.get("src"):
                self.urls.append(attrs["src"])
            else:
                self._in_script_without_src = True
                self.inline_script_nonces.append(attrs.get("nonce"))
        elif (
            tag == "link"
            and attrs.get("href")
            and {"stylesheet", "icon", "preconnect", "preload"} & set((attrs.get("rel") or "").split())
        ):
            self.urls.append(attrs["href"])
        elif tag in ("img", "iframe", "source") and attrs.get("src"):
            self.urls.append(attrs["src"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script_without_src = False


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def assert_loads_only_from_this_host(response) -> Resources:
    assert response.status_code == 200
    page = Resources()
    page.feed(response.content.decode())
    for url in page.urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"{url} is loaded from outside the host"
        if parts.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            assert finders.find(parts.path.removeprefix("/" + settings.STATIC_URL.lstrip("/"))), f"{url} is missing"
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    for values in directives.values():
        assert not any(re.match(r"https?:|//", value) for value in values), "the policy names an outside host"
    nonce = next((value for value in directives["script-src"] if value.startswith("'nonce-")), None)
    for script_nonce in page.inline_script_nonces:
        assert nonce is not None and f"'nonce-{script_nonce}'" == nonce, "an inline script the policy would block"
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert page.inline_handlers == [], "inline event handlers are blocked by the policy"
    return page


def test_swagger_ui_loads_only_sidecar_assets_and_its_script_from_its_own_url():
    client = Client()
    response = client.get("/schema/swagger-ui/")
    page = assert_loads_only_from_this_host(response)

    assert page.inline_script_nonces == []  # the init script is a file of its own (?script)
    assert any("swagger-ui-bundle.js" in url for url in page.urls)
    script_url = next(url for url in page.urls if "script=" in url)
    script = client.get(script_url)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_redoc_loads_no_outside_fonts_and_its_init_script_carries_the_nonce():
    response = Client().get("/schema/redoc/")
    page = assert_loads_only_from_this_host(response)

    content = response.content.decode()
    assert "fonts.googleapis.com" not in content and "fonts.gstatic.com" not in content
    assert any(url.endswith("redoc.standalone.js") for url in page.urls)
    assert len(page.inline_script_nonces) == 1 and page.inline_script_nonces[0]
    assert 'Redoc.init("/schema"' in content


def test_each_response_gets_a_new_nonce():
    first, second = (policy(Client().get("/schema/redoc/"))["script-src"] for _ in range(2))
    assert first != second


def test_the_admin_login_page_loads_only_from_this_host():
    assert_loads_only_from_this_host(Client().get("/admin/login/"))


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/apikeys/apikey/", "/admin/apikeys/apikey/add/", "/admin/2fa/setup/", "/admin/2fa/"]
)
def test_admin_pages_load_only_from_this_host(path):
    client = Client()
    client.force_login(UserFactory(password=None, is_staff=True, is_superuser=True))
    assert_loads_only_from_this_host(client.get(path))


def test_a_json_answer_carries_the_policy_django_csp_builds_from_the_settings():
    # coliving.middleware.CSPMiddleware builds the settings' policy once, not per response.
    from csp.utils import build_policy

    first, second = (Client().get("/v2/health") for _ in range(2))
    assert first["Content-Security-Policy"] == second["Content-Security-Policy"] == build_policy()
    assert "nonce-" not in first["Content-Security-Policy"]


def test_a_changed_setting_changes_the_policy_of_the_next_answer(settings):
    from csp.utils import build_policy

    before = Client().get("/v2/health")
    assert "Content-Security-Policy-Report-Only" not in before
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert Client().get("/v2/health")["Content-Security-Policy"] == "default-src 'none'"
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}
    answer = Client().get("/v2/health")
    assert answer["Content-Security-Policy-Report-Only"] == build_policy(report_only=True)
    assert "img-src 'self'" in answer["Content-Security-Policy-Report-Only"]
    assert before["Content-Security-Policy"] != "default-src 'none'"


def test_an_excluded_prefix_is_left_to_django_csp(settings):
    settings.CONTENT_SECURITY_POLICY = {**settings.CONTENT_SECURITY_POLICY, "EXCLUDE_URL_PREFIXES": ["/v2/health"]}
    assert "Content-Security-Policy" not in Client().get("/v2/health")
    assert "Content-Security-Policy" in Client().get("/v2")
