"""Review-request campaigns against a loopback SMTP server: window, reminders, frequency cap, single-use link, unsubscribe."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner

from advocado.cli import app
from advocado.context import database
from storage import Database, add_brand
from storage.models import Brand
from storage.public import CampaignCustomer, ReviewRequest
from tests.widgets.conftest import Shop
from widgets.campaigns import Policy, due_attempt, read_customers, run_campaign

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _customer(db: Database, brand_id: int, email: str, days_ago: int) -> None:
    with db.write() as session:
        session.add(CampaignCustomer(brand_id=brand_id, email=email, name=email.split("@")[0].title(),
                                     first_purchase_at=NOW - timedelta(days=days_ago)))


def _brand(db: Database, shop: Shop) -> Brand:
    with db.read() as session:
        brand = session.get(Brand, shop.brand_id)
    assert brand is not None
    return brand


def _smtp_send(port: int) -> Any:
    import smtplib

    def send(email: EmailMessage) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.send_message(email)
    return send


def test_window_reminders_and_frequency_cap(shop: Shop, smtp: tuple[Inbox, int], client: TestClient) -> None:
    inbox, port = smtp
    for email, days in (("early@x.example", 10), ("due@x.example", 45), ("late@x.example", 120), ("edge@x.example", 30)):
        _customer(shop.db, shop.brand_id, email, days)
    brand, send = _brand(shop.db, shop), _smtp_send(port)
    first = run_campaign(shop.db, brand, send, sender="Acme <hello@acme.example>", base_url="http://testserver", now=NOW)
    assert (first.sent, first.reminders, first.failed) == (2, 0, 0)
    assert sorted(m["To"].split("<")[1].rstrip(">") for m in inbox.messages) == ["due@x.example", "edge@x.example"]
    assert run_campaign(shop.db, brand, send, sender="hello@acme.example", base_url="http://testserver",
                        now=NOW + timedelta(days=3)).sent == 0, "no reminder before a week"
    runs = [run_campaign(shop.db, brand, send, sender="hello@acme.example", base_url="http://testserver",
                         now=NOW + timedelta(days=day)) for day in (7, 14, 21, 28, 35, 60)]
    # due@ and edge@: two reminders a week apart, then nothing; early@ enters its window on day 20
    assert [(run.sent, run.reminders) for run in runs] == [(0, 2), (0, 2), (1, 0), (0, 1), (0, 1), (0, 0)]
    assert [m["Subject"] for m in inbox.messages].count("Reminder: How was your experience with Acme?") == 6
    assert "late@x.example" not in " ".join(m["To"] for m in inbox.messages)
    capped = run_campaign(shop.db, brand, send, sender="hello@acme.example", base_url="http://testserver",
                          now=NOW + timedelta(days=179))
    assert (capped.sent, capped.reminders) == (0, 0)
    with shop.db.read() as session:
        rows = session.exec(select(ReviewRequest)).all()
    assert len(rows) == len(inbox.messages) == 9 and all(row.status == "sent" for row in rows)


def test_used_link_stops_reminders_and_works_once(shop: Shop, smtp: tuple[Inbox, int], client: TestClient) -> None:
    inbox, port = smtp
    _customer(shop.db, shop.brand_id, "pat@x.example", 40)
    brand = _brand(shop.db, shop)
    run_campaign(shop.db, brand, _smtp_send(port), sender="hello@acme.example", base_url="http://testserver", now=NOW)
    body = inbox.messages[0].get_payload(decode=True).decode()  # type: ignore[union-attr]
    link = next(word for word in body.split() if word.startswith("http://testserver/r/"))
    opened = client.get(link.removeprefix("http://testserver"), follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"].startswith("/t/")
    assert client.get(opened.headers["location"]).status_code == 200
    assert client.get(link.removeprefix("http://testserver")).status_code == 410
    again = run_campaign(shop.db, brand, _smtp_send(port), sender="hello@acme.example", base_url="http://testserver",
                         now=NOW + timedelta(days=8))
    assert again.reminders == 0 and len(inbox.messages) == 1
    assert client.get("/r/not-a-token").status_code == 404


def test_unsubscribe_works_and_is_honoured(shop: Shop, smtp: tuple[Inbox, int], client: TestClient) -> None:
    inbox, port = smtp
    _customer(shop.db, shop.brand_id, "sam@x.example", 40)
    brand = _brand(shop.db, shop)
    run_campaign(shop.db, brand, _smtp_send(port), sender="hello@acme.example", base_url="http://testserver", now=NOW)
    message = inbox.messages[0]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = message["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    page = client.get(path)
    assert "Stop review requests from Acme to sam@x.example?" in page.text
    with shop.db.read() as session:
        assert session.exec(select(CampaignCustomer)).one().unsubscribed_at is None, "a GET (mail scanner) changes nothing"
    one_click = client.post(path, content=b"List-Unsubscribe=One-Click",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert one_click.status_code == 200 and "will not send you review requests again" in one_click.text
    later = run_campaign(shop.db, brand, _smtp_send(port), sender="hello@acme.example", base_url="http://testserver",
                         now=NOW + timedelta(days=8))
    assert (later.sent, later.reminders) == (0, 0) and len(inbox.messages) == 1


def test_failed_sends_are_recorded_and_retried(shop: Shop) -> None:
    _customer(shop.db, shop.brand_id, "kim@x.example", 40)
    brand = _brand(shop.db, shop)

    def refuse(_email: EmailMessage) -> None:
        raise ConnectionRefusedError("no server")

    failed = run_campaign(shop.db, brand, refuse, sender="hello@acme.example", base_url="http://x", now=NOW)
    assert failed.failed == 1 and "ConnectionRefusedError: no server" in failed.errors[0]
    retried = run_campaign(shop.db, brand, lambda _email: None, sender="hello@acme.example", base_url="http://x", now=NOW)
    assert retried.sent == 1
    with shop.db.read() as session:
        assert [row.status for row in session.exec(select(ReviewRequest).order_by(ReviewRequest.id))] == ["failed", "sent"]


def test_due_attempt_policy_edges() -> None:
    customer = CampaignCustomer(brand_id=1, email="a@x.example", first_purchase_at=NOW - timedelta(days=91))
    assert due_attempt(customer, [], NOW) is None
    assert due_attempt(customer, [], NOW, Policy(window_end_days=120)) == 0
    wide = Policy(window_end_days=1000)
    done = [ReviewRequest(customer_id=1, sequence_started_at=NOW - timedelta(days=100), attempt=0,
                          sent_at=NOW - timedelta(days=100), token_hash="h", used_at=NOW - timedelta(days=99))]
    assert due_attempt(customer, done, NOW, wide) is None, "used within 180 days: no new request"
    assert due_attempt(customer, done, NOW + timedelta(days=81), wide) == 0, "after 180 days a new request may start"
    customer.unsubscribed_at = NOW
    assert due_attempt(customer, [], NOW, wide) is None


def test_csv_import_and_cli_send_through_smtp(cli: CliRunner, tmp_path: Path, smtp: tuple[Inbox, int],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, port = smtp
    monkeypatch.setenv("ADVOCADO_REVIEW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ADVOCADO_REVIEW_SMTP_PORT", str(port))
    monkeypatch.setenv("ADVOCADO_REVIEW_SMTP_SECURITY", "none")
    monkeypatch.setenv("ADVOCADO_REVIEW_SENDER", "hello@acme.example")
    with database().write() as session:
        add_brand(session, "Acme")
    recent = (datetime.now(UTC) - timedelta(days=40)).date().isoformat()
    csv_file = tmp_path / "customers.csv"
    csv_file.write_text(f"email,name,first_purchase\nLee@X.example,Lee,{recent}\nnew@x.example,New,{datetime.now(UTC).date()}\n")
    imported = cli.invoke(app, ["campaign", "import", str(csv_file), "--brand", "Acme"])
    assert imported.exit_code == 0 and "2 customer(s) added, 0 updated." in imported.output
    dry = cli.invoke(app, ["campaign", "send", "--brand", "Acme", "--dry-run"])
    assert "would send 1 request(s)" in dry.output and inbox.messages == []
    sent = cli.invoke(app, ["campaign", "send", "--brand", "Acme"])
    assert sent.exit_code == 0 and "sent 1 request(s) and 0 reminder(s); 0 failed." in sent.output
    assert [m["To"] for m in inbox.messages] == ["Lee <lee@x.example>"]
    with pytest.raises(ValueError, match="line 2: not one email address"):
        read_customers(["email,name,first_purchase", "nobody,x,2026-01-01"])
