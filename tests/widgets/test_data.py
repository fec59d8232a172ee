"""`/w/{id}.json`: only approved, consented items, honest totals, caching headers and 304s."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from storage import Database
from storage.models import DisplayStatus
from storage.public import get_widget, shown_fingerprint, shown_items
from tests.widgets.conftest import Shop, seed


def test_only_approved_reviews_and_consented_testimonials_are_shown(client: TestClient, shop: Shop) -> None:
    wid = shop.widget(kind="wall", size=50)
    data = client.get(f"/w/{wid}.json").json()
    texts = " ".join(item["text"] for item in data["items"])
    assert "Acme changed how our team works." in texts
    for absent in ("must not show", "never shown in widgets", "No consent on record"):
        assert absent not in texts
    assert data["totals"]["count"] == 7 and len(data["items"]) == 7
    assert data["disclosure"] == "Showing 7 of 7 reviews, average 3.6"


def test_no_personal_data_beyond_what_is_displayed(client: TestClient, shop: Shop) -> None:
    body = client.get(f"/w/{shop.widget(kind='wall', size=50)}.json").text
    for leaked in ("@handle_", "reviews.example", "0000000000", "tc_ok", "I agree"):
        assert leaked not in body
    item = next(i for i in client.get(f"/w/{shop.widget(kind='quote', mode='featured', featured_ids=[shop.ids['tc_ok']])}.json").json()["items"])
    assert set(item) == {"name", "role", "company", "avatar", "rating", "title", "text", "date", "kind"}
    assert (item["name"], item["role"], item["company"], item["avatar"]) == ("Dana Consent", "CTO", "Initech", "https://img.example/d.png")


def test_representative_mode_keeps_critical_reviews(client: TestClient, shop: Shop) -> None:
    data = client.get(f"/w/{shop.widget(kind='wall', size=4)}.json").json()
    assert data["heading"] == "What customers say"
    assert any(item["rating"] <= 2 for item in data["items"])
    assert data["disclosure"] == "Showing 4 of 7 reviews, average 3.6"


def test_featured_mode_is_labelled_and_keeps_the_honest_totals(client: TestClient, shop: Shop) -> None:
    wid = shop.widget(kind="carousel", mode="featured", featured_ids=[shop.ids["a1"], shop.ids["a4"], shop.ids["pending"]])
    data = client.get(f"/w/{wid}.json").json()
    assert data["heading"] == "Selected testimonials"
    assert [item["rating"] for item in data["items"]] == [5, 5]
    assert data["totals"] == {"count": 7, "rated": 7, "average": 3.6}
    assert data["disclosure"] == "Showing 2 of 7 reviews, average 3.6"


def test_badge_states_average_and_count_in_words(client: TestClient, shop: Shop) -> None:
    data = client.get(f"/w/{shop.widget(kind='badge')}.json").json()
    assert data["items"] == [] and data["badge"] == "Rated 3.6 out of 5 from 7 reviews"


def test_headers_etag_and_304(client: TestClient, shop: Shop) -> None:
    wid = shop.widget(kind="wall")
    first = client.get(f"/w/{wid}.json", headers={"Origin": "https://shop.example"})
    assert first.status_code == 200 and first.headers["content-type"] == "application/json"
    assert "stale-while-revalidate=" in first.headers["cache-control"] and "public" in first.headers["cache-control"]
    assert first.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in first.headers
    assert first.headers["x-content-type-options"] == "nosniff"
    etag = first.headers["etag"]
    again = client.get(f"/w/{wid}.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(f"/w/{wid}.json", headers={"If-None-Match": '"other"'}).status_code == 200


def test_moderation_changes_the_document_and_its_etag(client: TestClient, shop: Shop) -> None:
    wid = shop.widget(kind="wall", size=50)
    before = client.get(f"/w/{wid}.json")
    shop.set_status("pending", DisplayStatus.approved)
    after = client.get(f"/w/{wid}.json", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and "Not yet moderated" in after.text
    shop.set_status("a3", DisplayStatus.hidden)
    assert "Support took four days" not in client.get(f"/w/{wid}.json").text


def test_database_is_rechecked_at_most_once_a_second(client: TestClient, shop: Shop) -> None:
    cache = client.app.state.widget_cache  # type: ignore[attr-defined]
    now = [100.0]
    cache.recheck_seconds, cache.clock = 1.0, lambda: now[0]
    wid = shop.widget(kind="wall", size=50)
    before = client.get(f"/w/{wid}.json").text
    shop.set_status("pending", DisplayStatus.approved)
    now[0] += 0.5
    assert client.get(f"/w/{wid}.json").text == before
    now[0] += 0.6
    assert "Not yet moderated" in client.get(f"/w/{wid}.json").text


def test_unknown_widget_is_404(client: TestClient, shop: Shop) -> None:
    assert client.get("/w/nope.json").status_code == 404


def test_scripts_are_served_with_short_shared_caching(client: TestClient) -> None:
    for name in ("widget.js", "widget-render.js", "widget-frame.js"):
        response = client.get(f"/{name}")
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/javascript")
        assert response.headers["cache-control"] == "public, max-age=300, stale-while-revalidate=86400"
        assert not re.search(r"\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setTimeout\(\s*[\"']",
                             response.text), name


def test_frame_page_may_be_framed_only_by_the_origin_it_reports_to(client: TestClient, shop: Shop) -> None:
    wid = shop.widget(kind="wall")
    page = client.get(f"/w/{wid}/frame", params={"origin": "https://shop.example"})
    assert page.status_code == 200
    assert page.headers["content-security-policy"].endswith("frame-ancestors https://shop.example")
    assert "x-frame-options" not in page.headers and "x-advocado-csp" not in page.headers
    assert 'data-parent-origin="https://shop.example"' in page.text
    for bad in ("*", "https://shop.example/path", "javascript:alert(1)", "https://a.example https://b.example"):
        assert client.get(f"/w/{wid}/frame", params={"origin": bad}).status_code == 400
    limited = shop.widget(kind="wall", allowed_origins=["https://shop.example"])
    assert client.get(f"/w/{limited}/frame", params={"origin": "https://evil.example"}).status_code == 400


def test_dashboard_keeps_its_frame_forbidding_policy(client: TestClient) -> None:
    response = client.get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_shown_items_and_fingerprint_on_every_database(any_db: Database) -> None:
    shop = seed(any_db)
    public_id = shop.widget(kind="wall")
    with any_db.read() as session:
        items = shown_items(session, shop.brand_id)
        widget = get_widget(session, public_id)
        before = shown_fingerprint(session, widget)
    assert sorted(item.mention_id for item in items) == sorted(shop.ids[k] for k in ("a1", "a2", "a3", "a4", "a5", "a6", "tc_ok"))
    assert {item.sentiment for item in items} == {"positive", "negative", "neutral"}
    shop.set_status("a1", DisplayStatus.hidden)
    with any_db.read() as session:
        assert shown_fingerprint(session, widget) != before
