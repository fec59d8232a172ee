"""The static HTML snippet and its JSON-LD: escaped by construction, markup only where search engines allow it."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from storage.public import ShownItem
from tests.widgets.conftest import XSS, Shop, seed
from widgets.embed import json_ld, static_snippet


def test_static_snippet_escapes_every_field(db: object) -> None:
    payload = {"kind": "wall", "heading": "What customers say", "badge": "", "disclosure": "Showing 1 of 1 review",
               "items": [{"name": XSS[1], "role": XSS[4], "company": None, "rating": 4.0, "title": XSS[2], "text": XSS[0]}]}
    html = static_snippet(payload)
    assert "<script>" not in html and "<img" not in html and "<svg" not in html and "<body" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html and "Rated 4 out of 5" in html
    assert '<p class="advocado-disclosure">Showing 1 of 1 review</p>' in html


def test_snippet_endpoint_shows_what_the_widget_shows(client: TestClient, shop: Shop) -> None:
    response = client.get(f"/w/{shop.widget(kind='wall', size=50)}.html")
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] == "*"
    assert "Dana Consent, CTO, Initech" in response.text and "must not show" not in response.text
    assert "application/ld+json" not in response.text, "no structured data unless an eligible type is chosen"


def _item(kind: str, rating: float, text: str = "Good") -> ShownItem:
    return ShownItem(mention_id=1, kind=kind, name="Ann", title=None, text=text, rating=rating, published_at=None,
                     sentiment=None)


def test_json_ld_only_for_first_party_reviews_of_an_eligible_type() -> None:
    first_party = [_item("testimonial", 5), _item("testimonial", 3)]
    imported = [_item("review", 1)]
    assert json_ld("Organization", "Acme", first_party, first_party) is None, "self-serving"
    assert json_ld("LocalBusiness", "Acme", first_party, first_party) is None
    assert json_ld("Product", "Acme Reports", imported, imported) is None, "third-party reviews are never marked up"
    markup = json_ld("Product", "Acme Reports", first_party[:1] + imported, first_party)
    assert markup is not None
    assert markup["aggregateRating"] == {"@type": "AggregateRating", "ratingValue": 4.0, "ratingCount": 2,
                                         "bestRating": 5, "worstRating": 1}
    assert len(markup["review"]) == 1 and markup["review"][0]["reviewRating"]["ratingValue"] == 5


def test_json_ld_cannot_close_its_script_tag(db: object) -> None:
    item = _item("testimonial", 5, text="</script><script>window.__pwned=1</script>")
    html = static_snippet({"kind": "badge", "heading": "h", "badge": "b", "disclosure": "d", "items": []},
                          json_ld("Product", "Acme", [item], [item]))
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert block is not None and html.count("</script>") == 1
    assert json.loads(block.group(1))["review"][0]["reviewBody"] == item.text


def test_widget_with_schema_type_carries_json_ld(db: object) -> None:
    shop = seed(db)  # type: ignore[arg-type]
    wid = shop.widget(kind="wall", size=50, schema_type="SoftwareApplication", schema_name="Acme Reports")
    from advocado.web import create_app

    with TestClient(create_app(shop.db, session_secret="s")) as c:
        text = c.get(f"/w/{wid}.html").text
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.DOTALL).group(1))  # type: ignore[union-attr]
    assert data["@type"] == "SoftwareApplication" and data["aggregateRating"]["ratingCount"] == 1
    assert [review["author"]["name"] for review in data["review"]] == ["Dana Consent"]
