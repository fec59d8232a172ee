"""RSS and Atom feeds: both formats, Google Alerts links, junk bodies, and conditional GET end to end."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from collectors import HttpOptions, run_sources
from collectors.errors import ParseError
from collectors.feed import parse_feed, unwrap_link
from storage import Database, Source
from tests.collectors.conftest import make_source, stored_mentions
from tests.collectors.loopback import Answer, Loopback, Seen

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Acme blog</title><language>en-gb</language>
<item><guid>post-2</guid><title>Acme &amp; friends</title><link>https://blog.test/2</link><author>ann@blog.test (Ann)</author>
<description>&lt;p&gt;We love &lt;a href="https://acme.test"&gt;Acme&lt;/a&gt;&lt;/p&gt;</description>
<pubDate>Tue, 02 Jan 2024 10:00:00 +0100</pubDate></item>
<item><title>No guid</title><link>https://blog.test/1</link><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate></item>
</channel></rss>"""

ALERTS = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<id>tag:google.com,2005:reader/user/1/state/com.google/alerts/2</id><title>Google Alert - acme</title>
<entry><id>tag:google.com,2013:googlealerts/feed:123</id><title type="html">&lt;b&gt;Acme&lt;/b&gt; wins award</title>
<link href="https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://news.test/acme-award&amp;ct=ga"/>
<published>2024-03-01T08:00:00Z</published><updated>2024-03-01T08:00:00Z</updated>
<content type="html">The &lt;b&gt;Acme&lt;/b&gt; team won ...</content></entry></feed>"""


def test_rss_entries() -> None:
    items = parse_feed(RSS)
    assert [i.external_id for i in items] == ["post-2", "https://blog.test/1"]
    first = items[0]
    assert (first.title, first.text, first.language) == ("Acme & friends", "We love Acme (https://acme.test)", "en-gb")
    assert first.author_name == "Ann"  # the name, not the e-mail address
    assert first.published_at == datetime(2024, 1, 2, 9, 0, tzinfo=timezone.utc)


def test_google_alerts_atom_links_are_unwrapped() -> None:
    [item] = parse_feed(ALERTS)
    assert (item.url, item.title, item.text) == ("https://news.test/acme-award", "Acme wins award", "The Acme team won ...")
    assert unwrap_link("https://blog.test/x") == "https://blog.test/x"


@pytest.mark.parametrize("body", [b'{"items": []}', b"<html><body>Not a feed</body></html>", b""])
def test_junk_is_a_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse_feed(body)


def test_end_to_end_conditional_get(db: Database, loopback: Loopback, options: HttpOptions) -> None:
    def answer(seen: Seen) -> Answer:
        if seen.headers.get("If-Modified-Since") == "Wed, 03 Jan 2024 00:00:00 GMT":
            return Answer("", 304, content_type="application/rss+xml")
        return Answer(RSS, headers={"Last-Modified": "Wed, 03 Jan 2024 00:00:00 GMT"}, content_type="application/rss+xml")

    loopback.route("/feed.xml", answer)
    source_id = make_source(db, "feed", {"url": loopback.url + "/feed.xml"})
    first = asyncio.run(run_sources(db, [source_id], options))[0]
    assert (first.new, first.error) == (2, None)
    second = asyncio.run(run_sources(db, [source_id], options))[0]
    assert (second.new, second.unchanged, second.error) == (0, 0, None)
    with db.read() as session:
        assert session.get(Source, source_id).state == {"http": {"last_modified": "Wed, 03 Jan 2024 00:00:00 GMT"}}
    assert {m.url for m in stored_mentions(db, source_id)} == {"https://blog.test/2", "https://blog.test/1"}
