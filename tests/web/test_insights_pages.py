"""The insight pages: analytics (opinion report), alerts (secrets masked) and AI visibility, behind the login."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select
from starlette.routing import Route
from typer.testing import CliRunner

from advocado.cli import app as cli_app
from advocado.context import database
from advocado.web import create_app
from advocado.web.insights import router as insights
from storage import Brand, Mention, create_token, get_brand
from storage.models import MonitorAnswer
from tests.web.conftest import Site

DEMO = "Acme Analytics (demo)"
XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def _logged_in(db: object) -> TestClient:
    with db.write() as session:  # type: ignore[attr-defined]
        _, secret = create_token(session, "viewer")
    client = TestClient(create_app(db, session_secret="test-secret"), base_url="http://testserver")  # type: ignore[arg-type]
    assert client.post("/login", data={"token": secret, "next": "/"}, follow_redirects=False).status_code == 303
    return client


def test_every_insight_page_needs_a_login(client: TestClient) -> None:
    pages = [route for route in insights.routes if isinstance(route, Route)]
    assert len(pages) >= 2
    for route in pages:
        method = "POST" if "POST" in (route.methods or ()) else "GET"
        response = client.request(method, re.sub(r"\{[^}]+\}", "1", route.path), follow_redirects=False)
        if method == "POST":
            assert response.status_code == 401, route.path
            continue
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), route.path


def test_analytics_page_shows_the_report_of_the_demo_brand_escaped(cli: CliRunner) -> None:
    result = cli.invoke(cli_app, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    db = database()
    with db.write() as session:
        brand = get_brand(session, DEMO)
        quoted = session.exec(select(Mention).where(col(Mention.text).contains("dashboards crawl"))).one()
        quoted.text = f"The dashboards crawl {XSS}"
        session.add(quoted)
        brand_id = brand.id
    with _logged_in(db) as client:
        assert client.get("/analytics", follow_redirects=False).headers["location"] == f"/analytics/{brand_id}"
        response = client.get(f"/analytics/{brand_id}", params={"days": 0, "period": "month"})
        assert response.status_code == 200
        page = response.text
        assert '<span class="number" id="volume">32</span>' in page
        assert "95%:" in page and "★" in page
        assert "dashboards and reports" in page and "Every team meeting starts with an Acme dashboard now." in page
        assert "Representative mix check" in page and "Nothing is shown." in page and 'id="mix-score">0<' in page
        assert 'class="bar-positive"' in page and "<svg" in page
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        assert client.get("/analytics/999999").status_code == 404


def test_analytics_page_renders_a_small_brand_and_odd_parameters(browser_client: TestClient, site: Site) -> None:
    page = browser_client.get(f"/analytics/{site.brand_id}", params={"days": 365, "period": "nonsense"}).text
    assert '<span class="number" id="volume">' in page and "Sentiment per week" in page
    assert "<script>alert" not in page


def test_alerts_page_masks_channel_secrets_and_lists_events(browser_client: TestClient, site: Site) -> None:
    from advocado.alerts import channel_kind
    from storage.alerts import add_channel, add_rule, record_event
    from storage.models import AlertDelivery

    secret = "alert-canary-7Qw3-SECRET-91"
    with site.db.write() as session:
        brand = session.get(Brand, site.brand_id)
        assert brand is not None
        webhook = channel_kind("webhook")
        params = webhook.stored(webhook.validate({"url": "https://hooks.example/in", "secret": secret}))
        hook = add_channel(session, "webhook", params, name="ops hook")
        slack = add_channel(session, "slack", {"url": f"https://hooks.slack.com/services/{secret}"}, name="team")
        odd = add_channel(session, "carrier-pigeon", {"token": secret}, name=XSS)
        assert hook.id and slack.id and odd.id
        rule = add_rule(session, brand, "negative-shift", [hook.id, slack.id, odd.id])
        event = record_event(session, rule, "2026-W47", f"Negative shift {XSS}", "Negative share rose to 60%.", {})
        assert event is not None
        delivery = session.exec(select(AlertDelivery).where(AlertDelivery.channel_id == slack.id)).one()
        delivery.status, delivery.attempts, delivery.last_error = "failed", 3, f"POST {secret} refused: 403"
        session.add(delivery)
    page = browser_client.get("/alerts").text
    assert secret not in page and "hooks.slack.com/services" not in page
    assert "secret=********" in page and "url=https://hooks.example/in" in page and "ops hook" in page
    assert "negative-shift" in page and "Negative shift" in page and "Negative share rose to 60%." in page
    assert "2026-W47" in page and "refused: 403" in page and "failed" in page
    assert "<script>alert(1)" not in page and "<img src=x" not in page


def test_visibility_page_shows_metrics_with_intervals_per_engine(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.standin import Knobs, StandIn

    monkeypatch.setenv("ADVOCADO_ALLOW_PRIVATE_NETWORKS", "1")
    canary = "sk-canary-visibility-5e4d"
    with StandIn(seed=11, knobs=Knobs()) as standin:
        for args in (
            ["brand", "add", DEMO, "--alias", "Acme", "--alias", "Acme Analytics",
             "--domain", "acme-analytics.example", "--competitor", "Globex", "--competitor", "Initech"],
            ["monitor", "engine", "add", "openai", "--name", "gpt", "--param", f"base_url={standin.url}/v1",
             "--param", f"api_key={canary}"],
            ["monitor", "engine", "add", "gemini", "--param", f"base_url={standin.url}/v1beta"],
            ["monitor", "prompt", "add", "Best analytics tool for a café?"],
            ["monitor", "prompt", "add", "Is {brand} better than {competitor}?"],
            ["monitor", "run", "--brand", DEMO, "--samples", "2"],
        ):
            result = cli.invoke(cli_app, args)
            assert result.exit_code == 0, result.output
    db = database()
    with db.write() as session:
        brand_id = get_brand(session, DEMO).id
        answers = list(session.exec(select(MonitorAnswer)))
        assert answers
        for answer in answers:
            answer.prompt_text = f"Which tool? {XSS}"
            session.add(answer)
    with _logged_in(db) as client:
        assert client.get("/visibility", follow_redirects=False).headers["location"] == f"/visibility/{brand_id}"
        response = client.get(f"/visibility/{brand_id}", params={"days": 30})
        assert response.status_code == 200
        page = response.text
    assert "mention rate" in page and "<td>gpt</td>" in page and "<td>gemini</td>" in page and "all engines" in page
    assert re.search(r"\d+% <span class=\"interval\">\(95%: \d+–\d+%, \d+/\d+\)</span>", page)
    assert "Globex" in page and "Initech" in page and "acme-analytics.example" in page
    assert "Sample answers" in page and "Which tool? &#34;&gt;&lt;script&gt;alert(1)" in page
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert '<mark class="entity-' in page
    assert canary not in page
    over_time = re.search(r'<section id="over-time">.*?</section>', page, re.DOTALL)
    assert over_time, page
    section = over_time.group(0)
    from monitor import timeline
    from storage import utcnow

    rows = timeline(db, DEMO, now=utcnow(), days=30, bucket_days=1)
    assert {row["engine"] for row in rows} == {"gpt", "gemini"}
    for row in rows:
        rate = row["mention_rate"]
        assert rate["n"] > 0
        shown = (f'<tr><td>{row["period"][:10]}</td><td>{rate["value"] * 100:.0f}% <span class="interval">(95%: '
                 f'{rate["low"] * 100:.0f}–{rate["high"] * 100:.0f}%, {rate["k"]}/{rate["n"]})</span></td></tr>')
        assert shown in section, (shown, section)
    assert "<h3>gemini</h3>" in section and "<h3>gpt</h3>" in section
    assert section.count('class="whisker"') == 3 * len(rows) and section.count("<svg") == 2


def test_visibility_segments_mark_names_and_escape_answer_text(browser_client: TestClient, site: Site) -> None:
    from advocado.web.insights import marked_segments

    assert marked_segments("Use Acme or Globex.", [(12, 18, "competitor", "Globex"), (4, 8, "brand", "Acme"),
                                                   (5, 9, "brand", "overlap")]) == [
        ("Use ", None), ("Acme", "brand"), (" or ", None), ("Globex", "competitor"), (".", None)]
    page = browser_client.get(f"/visibility/{site.brand_id}").text
    assert "No answers in this period" in page and "No analysed answers yet." in page


def _channels(site: Site) -> list[tuple[str, str, dict[str, object]]]:
    from storage.alerts import list_channels

    with site.db.read() as session:
        return [(c.kind, c.name, dict(c.params)) for c in list_channels(session)]


def test_channels_added_on_the_alerts_page_are_stored_and_their_secrets_never_shown(
        browser_client: TestClient, site: Site) -> None:
    secret = "given-canary-SECRET-0123456789"
    response = browser_client.post("/alerts/channels", data={
        "kind": "webhook", "name": XSS, "url": "https://hooks.example/in", "secret": secret}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/alerts?notice=")
    slack_url = "https://hooks.slack.com/services/T0/B0/slack-canary-XYZ"
    browser_client.post("/alerts/channels", data={"kind": "slack", "url": slack_url})
    password = "smtp-canary-PASSWORD-42"
    page = browser_client.post("/alerts/channels", data={
        "kind": "email", "host": "smtp.example", "port": "465", "security": "tls", "username": "ann",
        "password": password, "sender": "alerts@acme.example", "recipients": "a@acme.example, b@acme.example"}).text
    stored = _channels(site)
    assert [(kind, params.get("url")) for kind, _, params in stored[:2]] == [
        ("webhook", "https://hooks.example/in"), ("slack", slack_url)]
    assert stored[0][1] == XSS and stored[0][2]["secret"] == secret
    assert stored[2][0] == "email" and stored[2][2]["password"] == password and stored[2][2]["port"] == 465
    assert stored[2][2]["recipients"] == ["a@acme.example", "b@acme.example"]
    page = browser_client.get("/alerts").text
    for hidden in (secret, slack_url, password, "slack-canary"):
        assert hidden not in page
    assert "secret=********" in page and "password=********" in page and "url=https://hooks.example/in" in page
    assert "host=smtp.example" in page and "Add channel" in page and "Add rule" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_a_webhook_without_a_secret_gets_one_shown_once(browser_client: TestClient, site: Site) -> None:
    response = browser_client.post("/alerts/channels", data={"kind": "webhook", "url": "https://hooks.example/in"},
                                   follow_redirects=False)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    (_, _, params), = _channels(site)
    generated = str(params["secret"])
    assert len(generated) >= 32 and generated in response.text and "Copy this signing secret now" in response.text
    page = browser_client.get("/alerts").text
    assert generated not in page and "Copy this signing secret now" not in page and "secret=********" in page


@pytest.mark.parametrize(("form", "message"), [
    ({"kind": "webhook", "url": "ftp://hooks.example/in", "secret": "x" * 20}, "must start with https://"),
    ({"kind": "webhook", "url": "not a url at all", "secret": "x" * 20}, "URL"),
    ({"kind": "webhook", "url": "https://hooks.example/in", "secret": "too-short"}, "at least 16 characters"),
    ({"kind": "slack", "url": "javascript:alert(1)//slack-canary-1234"}, "must start with https://"),
    ({"kind": "email", "host": "smtp.example", "sender": "nobody", "recipients": "a@acme.example"}, "sender"),
    ({"kind": "email", "host": "smtp.example", "sender": "a@acme.example"}, "recipients"),
    ({"kind": "pigeon", "url": "https://hooks.example/in"}, "unknown channel kind"),
])
def test_an_invalid_channel_gets_a_clear_message_and_stores_nothing(
        browser_client: TestClient, site: Site, form: dict[str, str], message: str) -> None:
    response = browser_client.post("/alerts/channels", data=form, follow_redirects=False)
    assert response.status_code == 303 and "problem=" in response.headers["location"]
    page = browser_client.get(response.headers["location"]).text
    problem = re.search(r'<p class="problem" role="alert">(.*?)</p>', page, re.DOTALL)
    assert problem and message in problem.group(1), page
    assert "slack-canary" not in page and "too-short" not in page
    assert _channels(site) == []


def test_rules_added_on_the_alerts_page_are_stored_and_listed(browser_client: TestClient, site: Site) -> None:
    from storage.alerts import add_channel, list_rules

    with site.db.write() as session:
        hook = add_channel(session, "slack", {"url": "https://hooks.slack.com/services/x"}, name="team")
        hook_id = hook.id
    page = browser_client.get("/alerts").text
    assert "ai-visibility-drop" in page and "a competitor is now mentioned more often" in page
    assert f'name="channel_ids" value="{hook_id}"' in page
    response = browser_client.post("/alerts/rules", data={
        "brand_id": str(site.brand_id), "rule": "ai-visibility-drop", "sensitivity": "high",
        "channel_ids": [str(hook_id)], "cooldown_hours": "6.5"}, follow_redirects=False)
    assert response.status_code == 303 and "notice=" in response.headers["location"]
    browser_client.post("/alerts/rules", data={"brand_id": str(site.other_brand_id), "rule": "negative-shift",
                                               "sensitivity": "low", "cooldown_hours": "0"})
    with site.db.read() as session:
        rules = [(name, r.rule, r.sensitivity, r.channel_ids, r.cooldown_hours) for r, name in list_rules(session)]
    assert rules == [("Acme", "ai-visibility-drop", "high", [hook_id], 6.5), ("Globex", "negative-shift", "low", [], 0)]
    page = browser_client.get("/alerts").text
    rows = re.search(r'<section id="rules">.*?</tbody>', page, re.DOTALL)
    assert rows and "ai-visibility-drop" in rows.group(0) and f"{hook_id}: slack team" in rows.group(0)
    assert "6.5 h" in rows.group(0) and "Globex" in rows.group(0)


@pytest.mark.parametrize(("form", "message"), [
    ({"rule": "negative-shfit"}, "Unknown rule"),
    ({"rule": "<script>alert(1)</script>"}, "Unknown rule"),
    ({"sensitivity": "extreme"}, "Unknown sensitivity"),
    ({"cooldown_hours": "-1"}, "cooldown"),
    ({"cooldown_hours": "nan"}, "cooldown"),
    ({"brand_id": "999999"}, "choose a brand"),
    ({"channel_ids": "424242"}, "no alert channel with id 424242"),
])
def test_an_invalid_rule_gets_a_clear_message_and_stores_nothing(
        browser_client: TestClient, site: Site, form: dict[str, str], message: str) -> None:
    from storage.alerts import list_rules

    data = {"brand_id": str(site.brand_id), "rule": "negative-shift", "sensitivity": "medium", "cooldown_hours": "24"}
    response = browser_client.post("/alerts/rules", data=data | form, follow_redirects=False)
    assert response.status_code == 303 and "problem=" in response.headers["location"]
    page = browser_client.get(response.headers["location"]).text
    problem = re.search(r'<p class="problem" role="alert">(.*?)</p>', page, re.DOTALL)
    assert problem and message in problem.group(1), page
    assert "<script>alert(1)" not in page
    with site.db.read() as session:
        assert list_rules(session) == []


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}])
def test_cross_site_alert_form_posts_are_refused(browser_client: TestClient, site: Site,
                                                 headers: dict[str, str]) -> None:
    from storage.alerts import list_rules

    channel = browser_client.post("/alerts/channels", data={"kind": "slack", "url": "https://hooks.example/x"},
                                  headers=headers, follow_redirects=False)
    rule = browser_client.post("/alerts/rules", data={"brand_id": str(site.brand_id), "rule": "negative-shift"},
                               headers=headers, follow_redirects=False)
    for response in (channel, rule):
        assert response.status_code == 403 and response.json()["error"]["code"] == "cross_site_request"
    with site.db.read() as session:
        assert list_rules(session) == []
    assert _channels(site) == []


def test_alert_forms_need_a_login(client: TestClient, site: Site) -> None:
    for path, data in (("/alerts/channels", {"kind": "slack", "url": "https://hooks.example/x"}),
                       ("/alerts/rules", {"brand_id": str(site.brand_id), "rule": "negative-shift"})):
        response = client.post(path, data=data, follow_redirects=False)
        assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"
    assert _channels(site) == []


def test_rate_charts_place_each_period_with_its_interval() -> None:
    from datetime import UTC, datetime

    from advocado.web.insights import bucket_days_for, rate_charts

    start = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [{"period": "2026-11-08T00:00:00+00:00", "engine": "gpt",
             "mention_rate": {"k": 1, "n": 4, "value": 0.25, "low": 0.05, "high": 0.7}},
            {"period": "2026-11-01T00:00:00+00:00", "engine": "claude",
             "mention_rate": {"k": 0, "n": 0, "value": None, "low": None, "high": None}}]
    claude, gpt = rate_charts(rows, start=start, days=28, bucket_days=7)
    assert (claude.engine, gpt.engine) == ("claude", "gpt") and (gpt.first, gpt.last) == ("2026-11-01", "2026-11-29")
    point, = gpt.points
    assert (point.label, point.x, point.width, point.y, point.y_low, point.y_high) == (
        "2026-11-08", 180.0, 126.0, 120.0, 152.0, 48.0)
    assert claude.points[0].y == 160.0
    assert [bucket_days_for(d) for d in (7, 30, 90, 365)] == [1, 1, 7, 30]
