"""Web app fixtures: a database with brands, sources, scored mentions and a token; clients in and out of login."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from advocado.web import create_app
from advocado.web.jobs import ScoringState
from storage import Database, MentionIn, SentimentScore, add_brand, add_source, create_token, ingest

CANARY = "canary-Zx9Q-4f7c1e2b-SECRET"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass
class FakeJobs:
    """Stands in for `advocado.web.jobs.Jobs`: records run-now requests, runs nothing."""

    running: bool = True
    queued: list[int] = field(default_factory=list)
    scoring: ScoringState = field(default_factory=lambda: ScoringState(model="test-model", available=True))

    def run_now(self, source_id: int) -> bool:
        self.queued.append(source_id)
        return self.running

    def next_runs(self) -> dict[int, datetime]:
        return {}


@dataclass
class Site:
    db: Database
    token: str
    brand_id: int
    other_brand_id: int
    youtube_id: int
    import_id: int
    mention_ids: dict[str, int]
    jobs: FakeJobs

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


MENTIONS: list[dict[str, Any]] = [
    {"external_id": "r1", "text": "Love the new dashboard, support was quick.", "rating": 5, "label": "positive", "days": 1},
    {"external_id": "r2", "text": "Export keeps failing, very frustrating.", "rating": 1, "label": "negative", "days": 2},
    {"external_id": "r3", "text": "It is fine. Does the job.", "rating": 3, "label": "neutral", "days": 3},
    {"external_id": "r4", "kind": "testimonial", "text": "Acme saved our team hours every week.", "rating": 5,
     "label": "positive", "days": 4},
    {"external_id": "x1", "text": "<script>alert('xss')</script><img src=x onerror=alert(1)>", "rating": 2,
     "label": "negative", "days": 5, "title": "<b>bold</b> \"quoted\""},
    {"external_id": "u1", "text": "Not scored yet, mentions pricing.", "rating": None, "label": None, "days": 6},
]


def _seed(db: Database) -> Site:
    with db.write() as session:
        brand = add_brand(session, "Acme", aliases=["Acme Inc"], domains=["acme.example"], competitors=["Globex"])
        other = add_brand(session, "Globex")
        youtube = add_source(session, brand, "youtube", name="channel",
                             params={"api_key": CANARY, "video_id": "dQw4w9WgXcQ", "base_url": "https://www.googleapis.com"},
                             schedule_seconds=3600)
        youtube.last_error = f"PermanentError: request with key={CANARY} refused"
        youtube.consecutive_failures = 3
        session.add(youtube)
        imported = add_source(session, brand, "import", name="csv")
        other_source = add_source(session, other, "import", name="csv")
        _, secret = create_token(session, "tester")
        ids = (brand.id, other.id, youtube.id, imported.id, other_source.id)
    items = [MentionIn(external_id=m["external_id"], kind=m.get("kind", "review"), text=m["text"], rating=m["rating"],
                       title=m.get("title"), author_name="Ann Example", published_at=NOW - timedelta(days=m["days"]))
             for m in MENTIONS]
    ingest(db, ids[3], items)
    ingest(db, ids[4], [MentionIn(external_id="g1", text="Globex is okay", rating=4, published_at=NOW)])
    from sqlmodel import select

    from storage import Mention

    with db.write() as session:
        mention_ids = {m.external_id: m.id for m in session.exec(select(Mention))}
        for spec in MENTIONS:
            if spec["label"]:
                session.add(SentimentScore(mention_id=mention_ids[spec["external_id"]], model_id="test-model",
                                           model_version="1", label=spec["label"],
                                           probabilities={spec["label"]: 0.9}))
    return Site(db=db, token=secret, brand_id=ids[0], other_brand_id=ids[1], youtube_id=ids[2], import_id=ids[3],
                mention_ids=mention_ids, jobs=FakeJobs())  # type: ignore[arg-type]


@pytest.fixture
def site(db: Database) -> Site:
    """The `db` fixture with two brands, a YouTube source holding a canary key, scored mentions and a token."""
    return _seed(db)


@pytest.fixture
def client(site: Site) -> Iterator[TestClient]:
    """A client of the ASGI app, not logged in."""
    with TestClient(create_app(site.db, jobs=site.jobs, session_secret="test-secret"), base_url="http://testserver") as c:
        yield c


@pytest.fixture
def browser_client(client: TestClient, site: Site) -> TestClient:
    """The same client logged in to the dashboard with the site's token."""
    response = client.post("/login", data={"token": site.token, "next": "/"}, follow_redirects=False)
    assert response.status_code == 303
    return client
