"""Dashboard pages: review text is shown escaped, filters and bulk moderation work, sources are managed."""

from __future__ import annotations

from fastapi.testclient import TestClient

from storage import Source, get_source
from tests.web.conftest import Site


def test_review_text_is_escaped_and_pages_carry_a_csp(browser_client: TestClient, site: Site) -> None:
    for path in ("/mentions", f"/brands/{site.brand_id}", "/moderation"):
        response = browser_client.get(path)
        assert response.status_code == 200
        assert "<script>alert" not in response.text and "<img src=x" not in response.text and "<b>bold</b>" not in response.text
        assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in response.text
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"


def test_overview_shows_figures_and_svg_charts(browser_client: TestClient, site: Site) -> None:
    page = browser_client.get(f"/brands/{site.brand_id}", params={"days": 365}).text
    assert '<span class="number" id="total-mentions">6</span>' in page
    assert page.count('class="bar-mentions"') == 6 and 'class="bar-negative"' in page
    assert "Export keeps failing" in page


def test_mentions_page_filters(browser_client: TestClient, site: Site) -> None:
    page = browser_client.get("/mentions", params={"brand_id": site.brand_id, "sentiment": "positive", "min_rating": "5"}).text
    assert "2 mentions" in page and "Love the new dashboard" in page and "Export keeps failing" not in page
    searched = browser_client.get("/mentions", params={"q": "pricing", "since": "not-a-date", "min_rating": "x"}).text
    assert "1 mention<" in searched and "Not scored yet" in searched


def test_moderation_queue_approves_in_bulk(browser_client: TestClient, site: Site) -> None:
    queue = browser_client.get("/moderation").text
    assert "7 mentions" in queue
    chosen = [str(site.mention_ids["r1"]), str(site.mention_ids["r4"])]
    done = browser_client.post("/mentions/moderate", data={"ids": chosen, "action": "approve", "next": "/moderation"})
    assert "2 mention(s) updated." in done.text and "5 mentions" in done.text
    tagged = browser_client.post("/mentions/moderate", data={"ids": chosen, "action": "tag", "tag": "homepage",
                                                             "next": "https://evil.example/"}, follow_redirects=False)
    assert tagged.headers["location"].startswith("/mentions?")
    page = browser_client.get("/mentions", params={"tag": "homepage", "status": "approved"}).text
    assert "2 mentions" in page


def test_brands_and_sources_are_managed_from_the_dashboard(browser_client: TestClient, site: Site) -> None:
    page = browser_client.post("/brands", data={"name": "Initech", "competitors": "Acme, Globex"}).text
    assert "Added brand Initech." in page
    added = browser_client.post("/sources", data={"brand_id": str(site.brand_id), "kind": "hackernews",
                                                  "params": "query=acme", "every_minutes": "60"}).text
    assert "Added source" in added
    bad = browser_client.post("/sources", data={"brand_id": str(site.brand_id), "kind": "hackernews", "params": "nonsense"})
    assert "expected KEY=VALUE" in bad.text
    browser_client.post(f"/sources/{site.youtube_id}/enabled", data={"enabled": "false"})
    run = browser_client.post(f"/sources/{site.youtube_id}/run").text
    assert "is running now" in run and site.jobs.queued == [site.youtube_id]
    form = browser_client.get(f"/sources/{site.youtube_id}").text
    assert "api_key=********" in form
    browser_client.post(f"/sources/{site.youtube_id}", data={
        "name": "renamed", "params": "api_key=********\nvideo_id=xyz", "every_minutes": "30"})
    with site.db.read() as session:
        source: Source = get_source(session, site.youtube_id)
    assert (source.name, source.enabled, source.schedule_seconds) == ("renamed", False, 1800)
    assert source.params["api_key"].startswith("canary-") and source.params["video_id"] == "xyz"


def test_jobs_page_lists_sources_with_failures(browser_client: TestClient, site: Site) -> None:
    page = browser_client.get("/jobs").text
    assert "running in this process" in page and "test-model" in page and '<tr class="failing">' in page


XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def test_stored_xss_payloads_in_every_field_are_escaped_on_every_page(browser_client: TestClient, site: Site) -> None:
    from storage import Brand, Mention

    with site.db.write() as session:
        brand = session.get(Brand, site.brand_id)
        assert brand is not None
        brand.name, brand.aliases = f"Acme {XSS}", [XSS]
        session.add(brand)
        source = get_source(session, site.import_id)
        source.name, source.last_error, source.consecutive_failures = XSS, XSS, 5
        session.add(source)
        mention = session.get(Mention, site.mention_ids["r2"])
        assert mention is not None
        mention.author_name, mention.tags, mention.url = XSS, [XSS], "javascript:alert(3)"
        session.add(mention)
    pages = ["/mentions", "/moderation", f"/brands/{site.brand_id}", "/brands", "/jobs", f"/sources/{site.import_id}",
             f"/mentions?q={XSS}&tag={XSS}", f"/login?next={XSS}"]
    for path in pages:
        body = browser_client.get(path).text
        assert "<script>alert(1)" not in body and "<img src=x" not in body, path
        assert 'href="javascript:' not in body, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in browser_client.get("/jobs").text


def test_a_missing_brand_is_a_404_page(browser_client: TestClient) -> None:
    response = browser_client.get("/brands/999999")
    assert response.status_code == 404 and "no brand with id 999999" in response.text
    assert response.headers["content-type"].startswith("text/html")
