"""The dashboard's widget builder: behind the login, creates and saves widgets, previews unsaved settings with the mix check."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Route

from advocado.web.builder import router
from storage import create_token
from storage.public import get_widget
from tests.widgets.conftest import Shop


@pytest.fixture
def admin(client: TestClient, shop: Shop) -> TestClient:
    with shop.db.write() as session:
        _, secret = create_token(session, "builder")
    assert client.post("/login", data={"token": secret, "next": "/"}, follow_redirects=False).status_code == 303
    return client


def test_every_builder_route_needs_a_login(client: TestClient) -> None:
    routes = [route for route in router.routes if isinstance(route, Route)]
    assert len(routes) == 5
    for route in routes:
        path = re.sub(r"\{[^}]+\}", "abc", route.path)
        for method in route.methods or ():
            if method == "HEAD":
                continue
            response = client.request(method, path, follow_redirects=False)
            assert response.status_code == (303 if method == "GET" else 401), (method, path)


def test_create_save_and_preview(admin: TestClient, shop: Shop) -> None:
    assert '<a href="/widgets">Widgets</a>' in admin.get("/widgets").text
    created = admin.post("/widgets", data={"brand_id": shop.brand_id, "kind": "wall", "mode": "representative"},
                         headers={"Sec-Fetch-Site": "same-origin"}, follow_redirects=False)
    assert created.status_code == 303
    public_id = created.headers["location"].split("/widgets/")[1].split("?")[0]
    page = admin.get(f"/widgets/{public_id}")
    assert page.status_code == 200
    embeds = html.unescape(page.text)
    assert f'<div data-advocado-widget="{public_id}" data-height="520"' in embeds and "/widget.js\"></script>" in embeds
    assert f"/w/{public_id}/frame?origin=" in embeds and f"/w/{public_id}.html" in embeds
    assert "Score " in page.text and "/t/" in page.text

    preview = admin.get(f"/widgets/{public_id}/preview.json",
                        params={"kind": "carousel", "mode": "featured", "featured": f"{shop.ids['a1']} {shop.ids['a4']}", "size": "5"}).json()
    assert preview["data"]["kind"] == "carousel" and preview["data"]["heading"] == "Selected testimonials"
    assert preview["mix"]["fair"] is False
    assert "Your selection shows 100% 5-star reviews." in preview["mix"]["findings"]
    with shop.db.read() as session:
        assert get_widget(session, public_id).kind == "wall", "a preview never saves"

    saved = admin.post(f"/widgets/{public_id}", data={"kind": "badge", "mode": "representative", "size": "3", "theme": "dark",
                                                      "accent": "#0a7", "font": "x;}</style><script>", "schema_type": "Organization",
                                                      "allowed_origins": "https://a.example/ javascript:x https://b.example:8443"},
                       headers={"Sec-Fetch-Site": "same-origin"}, follow_redirects=False)
    assert saved.status_code == 303
    with shop.db.read() as session:
        widget = get_widget(session, public_id)
    assert (widget.kind, widget.size, widget.theme, widget.colors, widget.schema_type) == ("badge", 3, "dark", {"accent": "#0a7"}, None)
    assert widget.allowed_origins == ["https://a.example", "https://b.example:8443"]


def test_cross_site_save_is_refused(admin: TestClient, shop: Shop) -> None:
    wid = shop.widget(kind="wall")
    response = admin.post(f"/widgets/{wid}", data={"kind": "badge"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
