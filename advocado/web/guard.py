"""Abuse guards for public forms: signed render timestamps, rate limits, anonymised address hashes.

A bot that fills the hidden field, posts faster than a person can type, or forges the timestamp is
dropped silently (it is shown the thank-you page), so it learns nothing to adapt to.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

MIN_SECONDS = 3.0
MAX_SECONDS = 24 * 3600.0


@dataclass
class Stamp:
    """Signs and checks the moment a form was rendered."""

    secret: bytes
    clock: Callable[[], float] = time.time

    def issue(self, form_id: str) -> str:
        moment = f"{self.clock():.0f}"
        return f"{moment}.{self._sign(form_id, moment)}"

    def _sign(self, form_id: str, moment: str) -> str:
        return hmac.new(self.secret, f"{form_id}:{moment}".encode(), hashlib.sha256).hexdigest()[:32]

    def check(self, form_id: str, token: str) -> str | None:
        """None when the token is good; "forged", "too fast" or "expired" otherwise."""
        moment, _, signature = token.partition(".")
        if not moment.isdigit() or not hmac.compare_digest(signature, self._sign(form_id, moment)):
            return "forged"
        age = self.clock() - int(moment)
        if age < MIN_SECONDS:
            return "too fast"
        return "expired" if age > MAX_SECONDS else None


@dataclass
class RateLimit:
    """At most `limit` events per key per `window` seconds (fixed windows); `hit` says how long to wait."""

    limit: int
    window: float
    clock: Callable[[], float] = time.monotonic
    _counts: dict[tuple[str, int], int] = field(default_factory=dict)

    def hit(self, key: str) -> int | None:
        """Count one event; None when allowed, else the whole seconds until the window resets."""
        now = self.clock()
        slot = int(now // self.window)
        if len(self._counts) > 10_000:
            self._counts = {k: v for k, v in self._counts.items() if k[1] == slot}
        count = self._counts.get((key, slot), 0)
        if count >= self.limit:
            return max(1, math.ceil((slot + 1) * self.window - now))
        self._counts[(key, slot)] = count + 1
        return None


def network_of(address: str) -> str:
    """The /24 (IPv4) or /64 (IPv6) network of an address: rate limits and hashes never use the full address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def address_hash(secret: bytes, address: str) -> str:
    """A salted hash of the submitter's address, kept with the consent record as evidence."""
    return hmac.new(secret, f"ip:{address}".encode(), hashlib.sha256).hexdigest()
