"""Widget fixtures: a brand with approved, pending and hidden mentions, a consented testimonial, and a client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from advocado.web import create_app
from storage import (
    Database,
    Mention,
    MentionIn,
    SentimentScore,
    add_brand,
    add_source,
    ingest,
    moderate,
)
from storage.models import DisplayStatus
from storage.public import TestimonialConsent, TestimonialForm, Widget

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
XSS = [
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=\"window.__pwned=2\">",
    "<svg onload=window.__pwned=3><a href=\"javascript:window.__pwned=4\">click</a></svg>",
    "\u202e<iframe srcdoc=\"<script>parent.__pwned=5</script>\"></iframe>\u2066",
    "\"><body onload=window.__pwned=6>",
]


@dataclass
class Shop:
    db: Database
    brand_id: int
    source_id: int
    ids: dict[str, int]
    form_id: str

    def widget(self, **fields: object) -> str:
        with self.db.write() as session:
            widget = Widget(brand_id=self.brand_id, **fields)  # type: ignore[arg-type]
            session.add(widget)
            session.flush()
            return widget.public_id

    def set_status(self, key: str, status: DisplayStatus) -> None:
        with self.db.write() as session:
            moderate(session, [self.ids[key]], status=status)


REVIEWS = [
    ("a1", 5, "positive", "Great tool, the dashboard saves us hours every single week."),
    ("a2", 4, "positive", "Solid product with a few rough edges in exports."),
    ("a3", 2, "negative", "Support took four days to answer; the import broke twice."),
    ("a4", 5, "positive", "We rolled it out to three teams without any training."),
    ("a5", 3, "neutral", "Does what it says. Pricing page could be clearer."),
    ("a6", 1, "negative", "Crashed on our large account and lost a day of work."),
]


def seed(db: Database, *, xss: bool = False) -> Shop:
    with db.write() as session:
        brand = add_brand(session, "Acme", domains=["acme.example"])
        source = add_source(session, brand, "import", name="csv")
        form_source = add_source(session, brand, "form", name="testimonial form")
        form = TestimonialForm(brand_id=brand.id or 0, consent_text="I agree that {brand} may publish this.")
        session.add(form)
        session.flush()
        ids = (brand.id or 0, source.id or 0, form_source.id or 0, form.public_id)
    items = [MentionIn(external_id=key, text=(XSS[i % len(XSS)] + " " + text) if xss else text, rating=stars,
                       author_name=XSS[(i + 1) % len(XSS)] if xss else f"Customer {key}", author_handle=f"@handle_{key}",
                       url=f"https://reviews.example/{key}", published_at=NOW - timedelta(days=i))
             for i, (key, stars, _, text) in enumerate(REVIEWS)]
    items += [MentionIn(external_id="pending", text="Not yet moderated, must not show.", rating=5, published_at=NOW),
              MentionIn(external_id="hidden", text="Hidden by moderation, must not show.", rating=1, published_at=NOW),
              MentionIn(external_id="post", kind="post", text="A social post, never shown in widgets.", published_at=NOW)]
    ingest(db, ids[1], items)
    ingest(db, ids[2], [
        MentionIn(external_id="tc_ok", kind="testimonial", text="Acme changed how our team works.", rating=5,
                  author_name="Dana Consent", published_at=NOW, consent_ref="tc_ok"),
        MentionIn(external_id="tc_none", kind="testimonial", text="No consent on record for this one.", rating=5,
                  author_name="No Consent", published_at=NOW, consent_ref="tc_missing")])
    with db.write() as session:
        session.add(TestimonialConsent(ref="tc_ok", brand_id=ids[0], consent_version="v1", consent_text="I agree.",
                                       ip_hash="0" * 64, role="CTO", company="Initech", avatar_url="https://img.example/d.png"))
        mentions = {m.external_id: m.id or 0 for m in session.exec(select(Mention))}
        labels = {key: label for key, _, label, _ in REVIEWS}
        for key, mention_id in mentions.items():
            session.add(SentimentScore(mention_id=mention_id, model_id="test", model_version="1",
                                       label=labels.get(key, "positive"), probabilities={}))
        approve = [mentions[key] for key in (*labels, "tc_ok", "tc_none", "post")]
        moderate(session, approve, status=DisplayStatus.approved)
        moderate(session, [mentions["hidden"]], status=DisplayStatus.hidden)
    return Shop(db=db, brand_id=ids[0], source_id=ids[1], ids=mentions, form_id=ids[3])


@pytest.fixture
def shop(db: Database) -> Shop:
    return seed(db)


@pytest.fixture
def client(shop: Shop) -> Iterator[TestClient]:
    app = create_app(shop.db, session_secret="widget-tests")
    app.state.widget_cache.recheck_seconds = 0  # moderation shows at once; test_data covers the 1 s recheck
    with TestClient(app, base_url="http://testserver") as c:
        yield c
