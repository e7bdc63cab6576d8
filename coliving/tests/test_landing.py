"""``/`` and ``/schema/`` serve the landing page: what this is, and links that work."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.loads: list[str] = []  # anything the page would fetch by itself

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a":
            self.hrefs.append(attributes["href"])
        if tag in ("script", "img", "link", "iframe") or (tag == "link" and "href" in attributes):
            self.loads.append(tag)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/schema/"])
def test_the_landing_page_links_the_docs_the_api_health_and_admin(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = Links()
    page.feed(response.content.decode())
    assert page.hrefs == ["/schema/swagger-ui/", "/schema/redoc/", "/schema", "/v2", "/v2/health", "/admin/"]
    assert page.loads == []
    assert b"Coliving platform API" in response.content


@pytest.mark.django_db
def test_every_landing_page_link_answers(client, django_user_model):
    page = Links()
    page.feed(client.get("/").content.decode())
    for href in page.hrefs:
        response = client.get(href)
        # The admin sends an anonymous visitor to its login page.
        assert response.status_code in (200, 302), href
        if href == "/admin/":
            assert response["Location"].startswith("/admin/login/")


def test_the_landing_page_does_not_take_writes(client):
    response = client.post("/")
    assert response.status_code == 405
