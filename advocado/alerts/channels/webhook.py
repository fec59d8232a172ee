"""Webhook channel: the alert as JSON, signed with HMAC-SHA256 so the receiver can trust it."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

from pydantic import SecretStr, field_validator

from advocado.alerts.channels._http import check_url, post
from advocado.alerts.channels.base import AlertMessage, Channel, ChannelParams, SendOptions

SIGNATURE_HEADER = "X-Advocado-Signature"
TIMESTAMP_HEADER = "X-Advocado-Timestamp"
DELIVERY_HEADER = "X-Advocado-Delivery"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>")."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, now: float | None = None,
           tolerance: float = 300.0) -> bool:
    """What a receiver does: the signature matches and the timestamp is within `tolerance` seconds."""
    try:
        age = abs((now if now is not None else time.time()) - float(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookParams(ChannelParams):
    url: str
    secret: SecretStr

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value)

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 16:
            raise ValueError("use a signing secret of at least 16 characters")
        return value


class Webhook(Channel):
    """POST the alert as JSON to a URL, signed with HMAC-SHA256 (header X-Advocado-Signature)."""

    kind = "webhook"
    Params = WebhookParams

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock

    async def send(self, message: AlertMessage, params: WebhookParams, options: SendOptions) -> None:
        body = json.dumps(message.as_json(), separators=(",", ":"), sort_keys=True).encode()
        timestamp = str(int(self._clock()))
        await post(params.url, body, {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(params.secret.get_secret_value(), timestamp, body),
            DELIVERY_HEADER: message.key,
        }, options)
