"""`advocado report` and `advocado alert ...` on the demo data, with an injected negative shift."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from advocado.cli import app
from advocado.context import database
from storage import MentionIn, get_brand, get_or_add_source, ingest, utcnow
from tests.alerts.receivers import http_receiver, smtp_receiver

DEMO = "Acme Analytics (demo)"
SECRET = "s3cret-signing-key-0123"


def run(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def inject_negative_shift() -> None:
    """A month of steady reviews (10% negative) and then three days at 60% negative, on top of the demo."""
    rng = random.Random(11)
    now = utcnow()
    db = database()
    with db.write() as session:
        source_id = get_or_add_source(session, get_brand(session, DEMO), "import", "injected shift").id
    assert source_id is not None
    items = []
    for day in range(33, -1, -1):
        recent = day < 3
        for slot in range(12 if recent else 4):
            negative = rng.random() < (0.6 if recent else 0.1)
            items.append(MentionIn(
                external_id=f"shift-{day}-{slot}", rating=float(rng.choice([1, 2]) if negative else rng.choice([4, 5])),
                text=f"{'Broken again, support ignores us' if negative else 'Works well for our team'} ({day}/{slot})",
                published_at=now - timedelta(days=day, minutes=10 * slot + 5)))
    ingest(db, source_id, items)


def test_report_json_on_the_demo_data(cli: CliRunner) -> None:
    run(cli, "demo", "--no-serve")
    data = json.loads(run(cli, "report", "--brand", DEMO, "--json"))
    assert data["summary"]["overall"]["volume"] == 32
    assert data["summary"]["overall"]["rating_histogram"] == {"1": 3, "2": 4, "3": 4, "4": 7, "5": 9}
    shares = data["summary"]["overall"]["sentiment_shares"]["negative"]
    assert shares["low"] < shares["value"] < shares["high"]
    themes = {theme["name"]: theme for theme in data["themes"]}
    assert {"price", "customer support", "dashboards and reports"} <= set(themes)
    assert themes["customer support"]["quotes"] and all(q["text"] for q in themes["customer support"]["quotes"])
    assert data["mix_check"]["findings"] == ["Nothing is shown."]
    assert data["representative_selection"]["disclosure"] == "Showing 9 of 32 reviews, average 3.6"
    assert data["alerts"] == []


def test_report_text_and_since(cli: CliRunner) -> None:
    run(cli, "demo", "--no-serve")
    text = run(cli, "report", "--brand", DEMO, "--since", "2026-10-01")
    assert text.startswith(f"{DEMO}: 7 mentions since 2026-10-01")
    assert "Themes:" in text and "Mix check" in text
    bad = cli.invoke(app, ["report", "--brand", DEMO, "--since", "last tuesday"])
    assert bad.exit_code == 1 and "cannot read 'last tuesday'" in bad.stderr
    unknown = cli.invoke(app, ["report", "--brand", "Nobody"])
    assert unknown.exit_code == 1


def test_injected_shift_gives_exactly_one_alert_per_channel(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVOCADO_ALLOW_PRIVATE_NETWORKS", "1")
    run(cli, "demo", "--no-serve")
    with http_receiver() as hook, http_receiver() as slack, smtp_receiver() as (port, inbox):
        ids = [
            run(cli, "alert", "channel", "add", "webhook", "--url", hook.url, "--secret", SECRET).strip(),
            run(cli, "alert", "channel", "add", "slack", "--url", slack.url).strip(),
            run(cli, "alert", "channel", "add", "email", "--host", "127.0.0.1", "--port", str(port), "--security", "none",
                "--sender", "alerts@acme.example", "--to", "team@acme.example").strip(),
        ]
        assert all(channel_id.isdigit() for channel_id in ids)
        rule_id = run(cli, "alert", "add", "--brand", DEMO, "--rule", "negative-shift",
                      *[arg for channel_id in ids for arg in ("--channel", channel_id)]).strip()
        quiet = run(cli, "alert", "check")
        assert "0 alert(s) fired" in quiet
        inject_negative_shift()
        fired = run(cli, "alert", "check")
        replay = run(cli, "alert", "check")
    assert "1 alert(s) fired; deliveries: 3 sent" in fired
    assert "0 alert(s) fired; deliveries: 0 sent" in replay
    assert len(hook.requests) == len(slack.requests) == len(inbox.messages) == 1
    assert hook.requests[0].json()["brand"] == DEMO
    listing = run(cli, "alert", "list")
    assert f"{rule_id}  {DEMO}  negative-shift" in listing and "Negative shift for" in listing
    data = json.loads(run(cli, "report", "--brand", DEMO, "--json"))
    [alert] = data["alerts"]
    assert [d["status"] for d in alert["deliveries"]] == ["sent", "sent", "sent"]


def test_channel_secrets_are_never_printed(cli: CliRunner) -> None:
    run(cli, "alert", "channel", "add", "slack", "--url", "https://hooks.slack.com/services/T0/B0/canary-slack")
    generated = cli.invoke(app, ["alert", "channel", "add", "webhook", "--url", "https://example.com/hook"])
    assert generated.exit_code == 0 and "Signing secret (shown once" in generated.stderr
    run(cli, "alert", "channel", "add", "email", "--host", "mail.example.com", "--sender", "a@b.example", "--to",
        "c@d.example", "--username", "u", "--password", "canary-password")
    listing = run(cli, "alert", "channel", "list")
    assert "canary" not in listing and listing.count("********") == 3
    assert generated.stderr.split(": ")[-1].strip() not in listing


def test_bad_input_is_one_line_errors(cli: CliRunner) -> None:
    run(cli, "demo", "--no-serve")
    cases = [
        (["alert", "add", "--brand", DEMO, "--rule", "vibes"], "unknown rule 'vibes'"),
        (["alert", "add", "--brand", DEMO, "--rule", "rating-drop", "--channel", "99"], "no alert channel with id 99"),
        (["alert", "channel", "add", "slack", "--url", "ftp://x"], "https://"),
        (["alert", "channel", "add", "webhook", "--url", "https://e.com", "--secret", "short"], "at least 16"),
        (["alert", "remove", "42"], "no alert rule with id 42"),
    ]
    for args, message in cases:
        result = cli.invoke(app, args)
        assert result.exit_code == 1 and message in result.stderr, (args, result.output)
