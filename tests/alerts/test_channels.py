"""Each channel against a real loopback receiver: webhook (signed), Slack-shaped endpoint, SMTP (aiosmtpd)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from advocado.alerts import AlertMessage, DeliveryFailed, DeliveryRefused, InvalidChannel, SendOptions, channel_kind
from advocado.alerts.channels import register
from advocado.alerts.channels.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, Webhook, verify
from tests.alerts.receivers import http_receiver, smtp_receiver

SECRET = "s3cret-signing-key-0123"
LOOPBACK = SendOptions(timeout=5, allow_private_networks=True)
MESSAGE = AlertMessage(key="advocado-1-2-2026-03-01..2026-03-05", brand="Acme", rule="negative-shift",
                       title="Negative shift for Acme", text="negative share rose from 10% to 40% <@channel> & more",
                       window="2026-03-01..2026-03-05", created_at=datetime(2026, 3, 4, 12, tzinfo=timezone.utc))


def send(kind: str, params: dict, options: SendOptions = LOOPBACK, channel: object = None) -> None:
    chosen = channel_kind(kind)
    asyncio.run((channel or chosen()).send(MESSAGE, chosen.validate(params), options))  # type: ignore[attr-defined]


def test_webhook_posts_signed_json_that_a_receiver_can_verify() -> None:
    with http_receiver() as receiver:
        send("webhook", {"url": receiver.url, "secret": SECRET}, channel=Webhook(clock=lambda: 1_780_000_000))
    [request] = receiver.requests
    assert request.json()["title"] == "Negative shift for Acme" and request.json()["id"] == MESSAGE.key
    assert request.headers[TIMESTAMP_HEADER] == "1780000000"
    assert verify(SECRET, "1780000000", request.body, request.headers[SIGNATURE_HEADER], now=1_780_000_010)
    assert not verify("another-secret-0123456", "1780000000", request.body, request.headers[SIGNATURE_HEADER], now=1_780_000_010)
    assert not verify(SECRET, "1780000000", request.body + b" ", request.headers[SIGNATURE_HEADER], now=1_780_000_010)
    assert not verify(SECRET, "1780000000", request.body, request.headers[SIGNATURE_HEADER], now=1_780_009_999)


def test_webhook_to_a_private_address_is_refused_by_the_collectors_guard() -> None:
    with http_receiver() as receiver:
        with pytest.raises(DeliveryRefused, match="non-public address"):
            send("webhook", {"url": receiver.url, "secret": SECRET}, SendOptions(timeout=5))
        with pytest.raises(DeliveryRefused, match="non-public address"):
            send("slack", {"url": receiver.url.replace("127.0.0.1", "169.254.169.254")}, SendOptions(timeout=2))
    assert receiver.requests == []


@pytest.mark.parametrize(("status", "error"), [(500, DeliveryFailed), (429, DeliveryFailed), (404, DeliveryRefused),
                                               (302, DeliveryRefused)])
def test_receiver_status_decides_retry_or_give_up(status: int, error: type[Exception]) -> None:
    with http_receiver([status], headers={"Location": "http://169.254.169.254/"}) as receiver:
        with pytest.raises(error, match=str(status)):
            send("webhook", {"url": receiver.url, "secret": SECRET})
    assert len(receiver.requests) == 1


def test_unreachable_receiver_is_a_transient_failure() -> None:
    with http_receiver() as receiver:
        url = receiver.url
    with pytest.raises(DeliveryFailed, match="connection failed"):
        send("webhook", {"url": url, "secret": SECRET})


def test_slack_gets_escaped_text() -> None:
    with http_receiver() as receiver:
        send("slack", {"url": receiver.url})
    body = receiver.requests[0].json()
    assert body["text"].startswith("*Negative shift for Acme*\n")
    assert "&lt;@channel&gt; &amp; more" in body["text"] and "<@channel>" not in body["text"]


def test_email_arrives_at_a_loopback_smtp_server() -> None:
    with smtp_receiver() as (port, inbox):
        send("email", {"host": "127.0.0.1", "port": port, "security": "none", "sender": "alerts@acme.example",
                       "recipients": ["team@acme.example", "lead@acme.example"]})
    [(sender, recipients, email)] = inbox.messages
    assert sender == "alerts@acme.example" and recipients == ["team@acme.example", "lead@acme.example"]
    assert email["Subject"] == "[Advocado] Negative shift for Acme"
    assert email["X-Advocado-Delivery"] == MESSAGE.key
    assert "negative share rose from 10% to 40%" in email.get_payload()


def test_email_to_a_private_smtp_host_is_refused_without_the_opt_in() -> None:
    with smtp_receiver() as (port, inbox):
        with pytest.raises(DeliveryRefused, match="non-public address"):
            send("email", {"host": "127.0.0.1", "port": port, "security": "none", "sender": "a@b.example",
                           "recipients": ["c@d.example"]}, SendOptions(timeout=5))
    assert inbox.messages == []


def test_parameters_are_validated_and_secrets_masked() -> None:
    with pytest.raises(InvalidChannel, match="at least 16"):
        channel_kind("webhook").validate({"url": "https://example.com/hook", "secret": "short"})
    with pytest.raises(InvalidChannel, match="https://"):
        channel_kind("slack").validate({"url": "file:///etc/passwd"})
    with pytest.raises(InvalidChannel, match="one email address"):
        channel_kind("email").validate({"host": "mail.example", "sender": "a@b.example", "recipients": ["x@y.example\r\nBcc: z@z"]})
    with pytest.raises(InvalidChannel, match="unknown channel kind"):
        channel_kind("pager")
    stored = channel_kind("email").stored(channel_kind("email").validate(
        {"host": "mail.example", "sender": "a@b.example", "recipients": ["c@d.example"], "username": "u", "password": "pw-canary"}))
    assert stored["password"] == "pw-canary"
    masked = channel_kind("email").masked(stored)
    assert masked["password"] == "********" and masked["host"] == "mail.example"
    assert channel_kind("slack").masked({"url": "https://hooks.slack.com/services/T/B/canary"})["url"] == "********"


def test_a_duplicate_channel_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register(Webhook)
