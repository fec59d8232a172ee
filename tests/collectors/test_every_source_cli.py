"""The issue's "done when": every kind of source, pointed at a loopback server that answers like the real
service, collects through the CLI; a second `advocado collect` adds nothing; `advocado export` shows
the items with ratings, authors, dates and text."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from advocado.cli import app
from collectors import registry
from tests.collectors.loopback import Answer, Loopback
from tests.collectors.test_appstore import APP, FakeAppStore
from tests.collectors.test_bluesky import FakeBluesky
from tests.collectors.test_cli_sources import _summary_rows, add
from tests.collectors.test_feed import RSS
from tests.collectors.test_googleplay import FakePlay
from tests.collectors.test_hackernews import FakeAlgolia
from tests.collectors.test_mastodon import FakeInstance
from tests.collectors.test_reddit import FakeReddit
from tests.collectors.test_trustpilot import FakeTrustpilot
from tests.collectors.test_webpage import page
from tests.collectors.test_youtube import FakeYouTube

# Bluesky: one of the nine posts is by an author labelled !no-unauthenticated and is never collected.
EXPECTED_NEW = {"appstore": 5, "webpage": 2, "trustpilot": 6, "hackernews": 30, "reddit": 12, "mastodon": 8,
                "bluesky": 8, "youtube": 11, "googleplay": 7, "feed": 2}


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    from advocado import context

    monkeypatch.setattr(context.console, "width", 250)


def test_every_source_collects_then_adds_nothing_and_exports(cli: CliRunner, loopback: Loopback,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVOCADO_ALLOW_PRIVATE_NETWORKS", "1")
    from advocado import cli_sources
    from collectors import HttpOptions

    real = cli_sources.http_options
    monkeypatch.setattr(cli_sources, "http_options", lambda: HttpOptions(**{**real().__dict__, "host_interval": 0.0}))
    assert set(EXPECTED_NEW) == set(registry().kinds())
    base = loopback.url
    FakeAppStore(loopback, {"us": list(range(1, 6))})
    loopback.route("/product", Answer(page([("Ann", "Lovely"), ("Bo", "Fine")]), content_type="text/html"))
    FakeTrustpilot(loopback, count=6)
    FakeAlgolia(loopback, 30)
    FakeReddit(loopback, 12)
    FakeInstance(loopback, 8)
    FakeBluesky(loopback, 9)
    FakeYouTube(loopback, 10)  # ten threads, one of which carries a reply
    FakePlay(loopback, 7)
    loopback.route("/feed.xml", Answer(RSS, content_type="application/rss+xml"))

    assert cli.invoke(app, ["brand", "add", "Acme"]).exit_code == 0
    for args in (
        ["appstore", "--param", f"app_id={APP}", "--param", "countries=us"],
        ["webpage", "--param", f"url={base}/product"],
        ["trustpilot", "--param", "domain=acme.test"],
        ["hackernews", "--param", "query=acme"],
        ["reddit", "--param", "query=acme", "--param", "subreddit=acme", "--param", "client_id=id123",
         "--param", "client_secret=s3cret", "--param", f"api_url={base}"],
        ["mastodon", "--param", "tag=acme"],
        ["bluesky", "--param", "query=acme", "--param", "handle=me.bsky.social", "--param", "app_password=abcd-efgh-ijkl-mnop"],
        ["youtube", "--param", "video_id=vid", "--param", "api_key=k3y"],
        ["googleplay", "--param", "app_id=com.acme.app", "--param", "lang=de", "--param", "country=at"],
        ["feed", "--param", f"url={base}/feed.xml"],
    ):
        base_param = [] if args[0] in ("webpage", "feed") else ["--param", f"base_url={base}"]
        add(cli, args[0], "--brand", "Acme", *args[1:], *base_param)

    first = cli.invoke(app, ["collect"])
    assert first.exit_code == 0, first.output
    rows = _summary_rows(first.output)
    assert {kind: int(cells[0]) for kind, cells in rows.items()} == EXPECTED_NEW
    assert all(cells[3] == "-" for cells in rows.values())

    second = cli.invoke(app, ["collect"])
    assert second.exit_code == 0
    assert {kind: cells[0] for kind, cells in _summary_rows(second.output).items()} == {kind: "0" for kind in EXPECTED_NEW}

    exported = [json.loads(line) for line in cli.invoke(app, ["export", "--brand", "Acme"]).output.splitlines() if line.strip()]
    assert len(exported) == sum(EXPECTED_NEW.values())
    by_kind: dict[str, list[dict[str, object]]] = {}
    for record in exported:
        by_kind.setdefault(str(record["source_kind"]), []).append(record)
    # The sample feed's second entry has neither author nor text, as feeds often do.
    assert all(r["author"] and r["text"] and r["published_at"] for r in exported if r["external_id"] != "https://blog.test/1")
    for review_kind in ("appstore", "trustpilot", "googleplay", "webpage"):
        assert all(1 <= float(r["rating"]) <= 5 for r in by_kind[review_kind])  # type: ignore[arg-type]
    assert all(r["rating"] is None for kind in ("hackernews", "reddit", "mastodon", "bluesky", "youtube", "feed")
               for r in by_kind[kind])
