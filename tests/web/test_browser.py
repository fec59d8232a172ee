"""A real headless Chromium logs in, opens the overview, filters mentions and approves a testimonial."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from advocado.web import create_app
from storage import Database, Mention
from tests.web.conftest import Site, _seed

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium "
                                                                "(.ci/run installs it with apt)")


@pytest.fixture
def live(db: Database) -> Iterator[tuple[str, Site]]:
    site = _seed(db)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(site.db, jobs=site.jobs, session_secret="browser"),
                                           host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", site
    server.should_exit = True
    thread.join(timeout=10)


def test_log_in_filter_and_approve_a_testimonial(live: tuple[str, Site]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[test]')")
    sync_playwright = sync_api.sync_playwright

    base, site = live
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))

            page.goto(f"{base}/")
            assert "/login" in page.url
            page.fill("input[name=token]", site.token)
            page.click("button[type=submit]")
            page.wait_for_selector("h1:has-text('Acme')")
            assert page.inner_text("#total-mentions") == "6"
            assert page.locator("svg rect.bar-mentions").count() == 6

            page.click("nav >> text=Mentions")
            page.wait_for_selector("#filters")
            with page.expect_navigation():
                page.select_option("#filter-kind", "testimonial")
            assert page.inner_text("#result-count").startswith("1 mention")
            assert "Acme saved our team hours" in page.inner_text("#bulk")

            page.check("input.pick")
            with page.expect_navigation():
                page.click("button[value=approve]")
            assert "1 mention(s) updated." in page.inner_text("p.notice")
            assert page.locator("span.status-approved").count() == 1

            page.goto(f"{base}/moderation")
            assert "Acme saved our team hours" not in page.inner_text("main")
            page.goto(f"{base}/brands")
            page.goto(f"{base}/jobs")
        finally:
            browser.close()
    with site.db.read() as session:
        assert session.get(Mention, site.mention_ids["r4"]).status == "approved"  # type: ignore[union-attr]
    assert problems == []
