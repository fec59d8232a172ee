"""The admin API through the ASGI app: lists, filters, pagination, moderation, brands, sources, jobs, errors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import Site


def test_mentions_list_is_paginated_newest_first(client: TestClient, site: Site) -> None:
    first = client.get("/api/v1/mentions", params={"brand_id": site.brand_id, "per_page": 4}, headers=site.auth).json()
    second = client.get("/api/v1/mentions", params={"brand_id": site.brand_id, "per_page": 4, "page": 2},
                        headers=site.auth).json()
    assert (first["total"], first["pages"], len(first["items"]), len(second["items"])) == (6, 2, 4, 2)
    ids = [m["external_id"] for m in first["items"] + second["items"]]
    assert ids == ["r1", "r2", "r3", "r4", "x1", "u1"]


def test_mentions_filters_combine(client: TestClient, site: Site) -> None:
    def ids(**params: object) -> list[str]:
        body = client.get("/api/v1/mentions", params={"brand_id": site.brand_id, **params}, headers=site.auth).json()
        return sorted(m["external_id"] for m in body["items"])

    assert ids(sentiment="negative") == ["r2", "x1"]
    assert ids(sentiment="unscored") == ["u1"]
    assert ids(min_rating=4) == ["r1", "r4"]
    assert ids(max_rating=2, sentiment="negative") == ["r2", "x1"]
    assert ids(kind="testimonial") == ["r4"]
    assert ids(q="EXPORT failing") == ["r2"]
    assert ids(q="100%") == []
    assert ids(since="2026-11-17", until="2026-11-18") == ["r2", "r3"]
    assert ids(source_id=site.youtube_id) == []
    other = client.get("/api/v1/mentions", params={"brand_id": site.other_brand_id}, headers=site.auth).json()
    assert [m["external_id"] for m in other["items"]] == ["g1"]


def test_bulk_moderation_sets_status_and_tags(client: TestClient, site: Site) -> None:
    chosen = [site.mention_ids["r1"], site.mention_ids["r4"]]
    response = client.post("/api/v1/mentions/moderate", json={"ids": chosen, "action": "approve", "add_tags": ["homepage"]},
                           headers=site.auth)
    assert response.json() == {"changed": 2}
    approved = client.get("/api/v1/mentions", params={"status": "approved", "tag": "homepage"}, headers=site.auth).json()
    assert sorted(m["id"] for m in approved["items"]) == sorted(chosen)
    again = client.post("/api/v1/mentions/moderate", json={"ids": chosen, "action": "approve"}, headers=site.auth)
    assert again.json() == {"changed": 0}
    hidden = client.post("/api/v1/mentions/moderate", json={"ids": [site.mention_ids["x1"]], "action": "hide",
                                                             "remove_tags": ["nothing"]}, headers=site.auth)
    assert hidden.json() == {"changed": 1}
    assert client.get(f"/api/v1/mentions/{site.mention_ids['x1']}", headers=site.auth).json()["status"] == "hidden"


def test_overview_figures(client: TestClient, site: Site) -> None:
    body = client.get(f"/api/v1/brands/{site.brand_id}/overview", params={"days": 365}, headers=site.auth).json()
    assert body["total"] == 6
    assert body["average_rating"] == round((5 + 1 + 3 + 5 + 2) / 5, 2)
    assert body["sentiment_totals"] == {"positive": 2, "negative": 2, "neutral": 1}
    assert sum(day["count"] for day in body["volume"]) == 6
    assert body["by_source"] == [{"source": "import: csv", "count": 6, "average_rating": 3.2}]
    assert [m["external_id"] for m in body["latest_negative"]] == ["r2", "x1"]


def test_brands_and_sources_can_be_managed(client: TestClient, site: Site) -> None:
    created = client.post("/api/v1/brands", json={"name": "Initech", "aliases": ["Initech Corp"]}, headers=site.auth)
    assert created.status_code == 201
    brand_id = created.json()["id"]
    patched = client.patch(f"/api/v1/brands/{brand_id}", json={"domains": ["Initech.example"], "add_competitors": ["Acme"]},
                           headers=site.auth).json()
    assert (patched["domains"], patched["competitors"]) == (["initech.example"], ["Acme"])
    duplicate = client.post("/api/v1/brands", json={"name": "initech"}, headers=site.auth)
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "already_exists"

    source = client.post("/api/v1/sources", json={"brand_id": brand_id, "kind": "hackernews", "params": {"query": "initech"},
                                                   "schedule_seconds": 3600}, headers=site.auth)
    assert source.status_code == 201, source.text
    source_id = source.json()["id"]
    disabled = client.patch(f"/api/v1/sources/{source_id}", json={"enabled": False, "name": "hn"}, headers=site.auth).json()
    assert (disabled["enabled"], disabled["name"], disabled["schedule_seconds"]) == (False, "hn", 3600)
    bad = client.post("/api/v1/sources", json={"brand_id": brand_id, "kind": "nope"}, headers=site.auth)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"


def test_secret_sent_back_masked_keeps_its_value(client: TestClient, site: Site) -> None:
    shown = client.get(f"/api/v1/sources/{site.youtube_id}", headers=site.auth).json()
    assert shown["params"]["api_key"] == "********"
    client.patch(f"/api/v1/sources/{site.youtube_id}", json={"params": {**shown["params"], "video_id": "abc"}},
                 headers=site.auth)
    with site.db.read() as session:
        from storage import get_source

        stored = get_source(session, site.youtube_id).params
    assert stored["api_key"].startswith("canary-") and stored["video_id"] == "abc"


def test_run_now_queues_the_source(client: TestClient, site: Site) -> None:
    response = client.post(f"/api/v1/sources/{site.youtube_id}/run", headers=site.auth)
    assert response.status_code == 202 and site.jobs.queued == [site.youtube_id]
    site.jobs.running = False
    assert client.post(f"/api/v1/sources/{site.youtube_id}/run", headers=site.auth).status_code == 409


def test_jobs_report_failing_sources(client: TestClient, site: Site) -> None:
    body = client.get("/api/v1/jobs", headers=site.auth).json()
    youtube = next(job for job in body["jobs"] if job["source_id"] == site.youtube_id)
    assert (body["scheduler_running"], youtube["failing"], youtube["consecutive_failures"]) == (True, True, 3)
    assert body["scoring"]["model"] == "test-model"


def test_errors_have_one_shape(client: TestClient, site: Site) -> None:
    for response in (client.get("/api/v1/mentions/999999", headers=site.auth),
                     client.get("/api/v1/mentions", params={"per_page": 0}, headers=site.auth),
                     client.get("/api/v1/brands"),
                     client.get("/api/v1/nowhere", headers=site.auth)):
        assert response.status_code in (401, 404, 422)
        assert set(response.json()) == {"error"} and set(response.json()["error"]) == {"code", "message"}


def test_healthz_needs_no_token(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "scheduler": True}
