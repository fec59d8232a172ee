"""Every admin route needs a token; the dashboard login; cross-site form posts are refused."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Route

from advocado.web.auth import SESSION_COOKIE
from advocado.web.pages import router as dashboard
from storage import create_token, revoke_token
from tests.web.conftest import Site

PUBLIC = {"/healthz", "/login", "/logout", "/openapi.json"}


def _openapi_operations(client: TestClient) -> list[tuple[str, str]]:
    document = client.get("/openapi.json").json()
    return [(method.upper(), re.sub(r"\{[^}]+\}", "1", path))
            for path, operations in document["paths"].items() for method in operations if path not in PUBLIC]


def test_every_documented_route_refuses_requests_without_a_valid_token(client: TestClient, site: Site) -> None:
    operations = _openapi_operations(client)
    assert len(operations) >= 15 and ("GET", "/api/v1/mentions") in operations
    for method, path in operations:
        for headers in ({}, {"Authorization": "Bearer adv_not-a-real-token"}, {"Authorization": f"Basic {site.token}"}):
            response = client.request(method, path, headers=headers, json={})
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["www-authenticate"] == "Bearer"


def test_every_documented_route_declares_bearer_security(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        if path not in PUBLIC:
            for operation in operations.values():
                assert operation["security"] == [{"HTTPBearer": []}], path


def test_every_dashboard_page_needs_a_login(client: TestClient) -> None:
    pages = [route for route in dashboard.routes if isinstance(route, Route) and route.path not in PUBLIC]
    assert len(pages) >= 10
    for route in pages:
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in route.methods or ():
            if method == "HEAD":
                continue
            response = client.request(method, path, follow_redirects=False)
            if method == "GET":
                assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), path
            else:
                assert response.status_code == 401, (method, path)


def test_login_sets_a_protected_session_cookie(client: TestClient, site: Site) -> None:
    wrong = client.post("/login", data={"token": "adv_wrong", "next": "/"}, follow_redirects=False)
    assert wrong.status_code == 401 and SESSION_COOKIE not in wrong.cookies
    response = client.post("/login", data={"token": site.token, "next": "//evil.example/"}, follow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert client.get("/mentions").status_code == 200


def test_login_cookie_is_secure_behind_tls(site: Site) -> None:
    from advocado.web import create_app

    with TestClient(create_app(site.db), base_url="https://dashboard.example") as tls:
        response = tls.post("/login", data={"token": site.token}, follow_redirects=False)
    assert "Secure" in response.headers["set-cookie"]


def test_revoking_a_token_ends_its_sessions_and_api_access(browser_client: TestClient, site: Site) -> None:
    assert browser_client.get("/jobs").status_code == 200
    with site.db.write() as session:
        revoke_token(session, "tester")
    assert browser_client.get("/jobs", follow_redirects=False).status_code == 303
    assert browser_client.get("/api/v1/brands", headers=site.auth).status_code == 401


def test_expired_tokens_are_refused(client: TestClient, site: Site) -> None:
    with site.db.write() as session:
        _, secret = create_token(session, "short", expires_in=timedelta(seconds=-1))
    assert client.get("/api/v1/brands", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_a_forged_session_cookie_is_refused(client: TestClient) -> None:
    client.cookies.set(SESSION_COOKIE, "eyJ0b2tlbiI6MX0.forged.signature")
    assert client.get("/mentions", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
])
def test_cross_site_form_posts_are_refused(browser_client: TestClient, site: Site, headers: dict[str, str]) -> None:
    chosen = site.mention_ids["r1"]
    response = browser_client.post("/mentions/moderate", data={"ids": [str(chosen)], "action": "approve"},
                                   headers=headers, follow_redirects=False)
    assert response.status_code == 403 and response.json()["error"]["code"] == "cross_site_request"
    status = browser_client.get(f"/api/v1/mentions/{chosen}", headers=site.auth).json()["status"]
    assert status == "pending"


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "same-origin"},
    {"Origin": "http://testserver"},
    {},
])
def test_same_origin_form_posts_pass(browser_client: TestClient, site: Site, headers: dict[str, str]) -> None:
    response = browser_client.post("/mentions/moderate", data={"ids": [str(site.mention_ids["r1"])], "action": "approve"},
                                   headers=headers, follow_redirects=False)
    assert response.status_code == 303


def test_bearer_api_calls_without_cookies_pass_the_cross_site_check(client: TestClient, site: Site) -> None:
    response = client.post("/api/v1/mentions/moderate", json={"ids": [site.mention_ids["r1"]], "action": "reject"},
                           headers={**site.auth, "Origin": "https://automation.example"})
    assert response.status_code == 200
