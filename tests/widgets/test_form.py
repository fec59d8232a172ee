"""The hosted testimonial form: consent stored, bots dropped silently, rate limits, and moderation before display."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from storage import Mention
from storage.models import DisplayStatus
from storage.public import TestimonialConsent
from tests.widgets.conftest import Shop

T0 = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(client: TestClient) -> Clock:
    clock = Clock()
    guards = client.app.state.form_guards  # type: ignore[attr-defined]
    guards.stamp.clock = clock
    guards.per_network.clock = clock
    guards.per_brand.clock = clock
    return clock


def _fill(client: TestClient, shop: Shop, clock: Clock, **changes: Any) -> Any:
    page = client.get(f"/t/{shop.form_id}")
    stamp = re.search(r'name="stamp" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    clock.now += 20
    data = {"stamp": stamp, "rating": "4", "text": "The onboarding was smooth and support answered fast.",
            "name": "Pat Buyer", "role": "Ops lead", "company": "Globex", "avatar_url": "https://img.example/p.jpg",
            "consent": "yes", "website": ""} | changes
    return client.post(f"/t/{shop.form_id}", data={k: v for k, v in data.items() if v is not None},
                       headers={"Sec-Fetch-Site": "same-origin"})


def _testimonials(shop: Shop) -> list[Mention]:
    with shop.db.read() as session:
        return list(session.exec(select(Mention).where(Mention.author_name == "Pat Buyer")))


def test_form_page_can_be_framed_by_the_brand_site_only(client: TestClient, shop: Shop, clock: Clock) -> None:
    page = client.get(f"/t/{shop.form_id}")
    assert page.status_code == 200 and "Share your experience with Acme" in page.text
    assert "I agree that Acme may publish this." in page.text
    policy = page.headers["content-security-policy"]
    assert policy.endswith("frame-ancestors 'self' https://acme.example https://*.acme.example")
    assert "script-src" not in policy and "x-frame-options" not in page.headers
    assert client.get("/t/unknown").status_code == 404


def test_submission_waits_in_moderation_with_its_consent(client: TestClient, shop: Shop, clock: Clock) -> None:
    response = _fill(client, shop, clock)
    assert response.status_code == 200 and "Thank you!" in response.text
    [mention] = _testimonials(shop)
    assert (mention.kind, mention.status, mention.rating) == ("testimonial", "pending", 4.0)
    with shop.db.read() as session:
        consent = session.exec(select(TestimonialConsent).where(TestimonialConsent.ref == mention.consent_ref)).one()
    assert consent.consent_text == "I agree that Acme may publish this." and len(consent.consent_version) == 12
    assert re.fullmatch(r"[0-9a-f]{64}", consent.ip_hash) and "testclient" not in consent.ip_hash
    assert (consent.role, consent.company, consent.avatar_url) == ("Ops lead", "Globex", "https://img.example/p.jpg")
    assert consent.consented_at is not None

    wid = shop.widget(kind="wall", size=50)
    assert "Pat Buyer" not in client.get(f"/w/{wid}.json").text
    with shop.db.write() as session:
        from storage import moderate
        moderate(session, [mention.id or 0], status=DisplayStatus.approved)
    shown = [item for item in client.get(f"/w/{wid}.json").json()["items"] if item["name"] == "Pat Buyer"]
    assert shown and shown[0]["company"] == "Globex"


@pytest.mark.parametrize("bot", [{"website": "http://spam.example"}, {"stamp": "1800000000.forged"}, {"stamp": "x"}])
def test_bots_are_thanked_and_nothing_is_stored(client: TestClient, shop: Shop, clock: Clock, bot: dict[str, str]) -> None:
    response = _fill(client, shop, clock, **bot)
    assert response.status_code == 200 and "Thank you!" in response.text
    assert _testimonials(shop) == []


def test_a_post_faster_than_a_person_types_is_dropped(client: TestClient, shop: Shop, clock: Clock) -> None:
    page = client.get(f"/t/{shop.form_id}")
    stamp = re.search(r'name="stamp" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    clock.now += 1
    response = client.post(f"/t/{shop.form_id}", data={"stamp": stamp, "rating": "5", "text": "Fast bot text here",
                                                        "name": "Pat Buyer", "consent": "yes"})
    assert "Thank you!" in response.text and _testimonials(shop) == []


@pytest.mark.parametrize(("changes", "message"), [
    ({"consent": None}, "Please tick the box to agree to publication"),
    ({"rating": "0"}, "Choose a rating from 1 to 5 stars."),
    ({"text": "short"}, "Please write at least 10 characters."),
    ({"text": "x" * 5001}, "Please keep this under 5000 characters (it has 5001)."),
    ({"name": ""}, "Please tell us your name."),
    ({"avatar_url": "http://img.example/p.jpg"}, "The photo address must be a plain https:// link."),
    ({"avatar_url": "javascript:alert(1)"}, "The photo address must be a plain https:// link."),
])
def test_validation_messages_keep_what_was_typed(client: TestClient, shop: Shop, clock: Clock,
                                                changes: dict[str, Any], message: str) -> None:
    response = _fill(client, shop, clock, **changes)
    assert response.status_code == 422 and message in response.text
    assert "Pat Buyer" in response.text or changes.get("name") == ""
    assert _testimonials(shop) == []


def test_rate_limit_per_network_answers_429_with_retry_after(client: TestClient, shop: Shop, clock: Clock) -> None:
    for _ in range(5):
        assert _fill(client, shop, clock).status_code == 200
    limited = _fill(client, shop, clock)
    assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 3600
    assert len(_testimonials(shop)) == 5
    clock.now += int(limited.headers["retry-after"])
    assert _fill(client, shop, clock).status_code == 200


def test_rate_limit_per_brand(client: TestClient, shop: Shop, clock: Clock) -> None:
    guards = client.app.state.form_guards  # type: ignore[attr-defined]
    guards.per_brand.limit = 2
    guards.per_network.limit = 100
    assert [_fill(client, shop, clock).status_code for _ in range(3)] == [200, 200, 429]


def test_expired_page_asks_again_instead_of_dropping(client: TestClient, shop: Shop, clock: Clock) -> None:
    page = client.get(f"/t/{shop.form_id}")
    stamp = re.search(r'name="stamp" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    clock.now += 25 * 3600
    response = client.post(f"/t/{shop.form_id}", data={"stamp": stamp, "rating": "5", "name": "Pat Buyer",
                                                        "text": "Kept the tab open overnight.", "consent": "yes"})
    assert response.status_code == 422 and "open for a long time" in response.text and _testimonials(shop) == []


def test_oversized_body_is_refused(client: TestClient, shop: Shop, clock: Clock) -> None:
    assert _fill(client, shop, clock, text="y" * 30_000).status_code == 413


def test_consent_can_be_withdrawn_with_the_link_from_the_thank_you_page(client: TestClient, shop: Shop, clock: Clock) -> None:
    thanks = _fill(client, shop, clock)
    link = re.search(r'id="withdraw" href="([^"]+)"', thanks.text).group(1)  # type: ignore[union-attr]
    [mention] = _testimonials(shop)
    with shop.db.write() as session:
        from storage import moderate
        moderate(session, [mention.id or 0], status=DisplayStatus.approved)
    wid = shop.widget(kind="wall", size=50)
    assert "Pat Buyer" in client.get(f"/w/{wid}.json").text
    assert "Withdraw your consent?" in client.get(link).text
    assert "Pat Buyer" in client.get(f"/w/{wid}.json").text, "opening the link alone changes nothing"
    done = client.post(link, headers={"Sec-Fetch-Site": "same-origin"})
    assert done.status_code == 200 and "Your consent is withdrawn" in done.text
    assert "Pat Buyer" not in client.get(f"/w/{wid}.json").text
    with shop.db.read() as session:
        consent = session.exec(select(TestimonialConsent).where(TestimonialConsent.ref == mention.consent_ref)).one()
    assert consent.withdrawn_at is not None and _testimonials(shop)[0].status == "hidden"
    ref, _, _signature = link.rpartition(".")
    assert client.get(f"{ref}.{'0' * 32}").status_code == 404


def test_bots_get_the_same_page_with_a_decoy_link(client: TestClient, shop: Shop, clock: Clock) -> None:
    bot = _fill(client, shop, clock, website="spam")
    link = re.search(r'id="withdraw" href="([^"]+)"', bot.text).group(1)  # type: ignore[union-attr]
    assert client.get(link).status_code == 404 and _testimonials(shop) == []
