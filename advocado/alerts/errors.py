"""The alert error tree: the outbox decides from the class whether to retry a delivery."""

from __future__ import annotations


class AlertError(Exception):
    """Anything that stops an alert from being configured or delivered."""


class InvalidChannel(AlertError):
    """Channel parameters that cannot work (bad URL, missing recipient, unknown kind)."""


class DeliveryFailed(AlertError):
    """A delivery attempt that may succeed later (timeout, connection refused, 5xx, 429); retried with backoff."""


class DeliveryRefused(AlertError):
    """A delivery that will fail again until someone changes the channel (4xx, refused address, auth)."""
