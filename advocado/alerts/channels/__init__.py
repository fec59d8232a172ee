"""Alert channel kinds, one module each, in a registry that refuses duplicate kinds."""

from __future__ import annotations

from advocado.alerts.channels.base import AlertMessage, Channel, ChannelParams, SendOptions
from advocado.alerts.channels.email import Email
from advocado.alerts.channels.slack import Slack
from advocado.alerts.channels.webhook import Webhook
from advocado.alerts.errors import InvalidChannel

CHANNELS: dict[str, type[Channel]] = {}


def register(channel: type[Channel]) -> type[Channel]:
    """Add a channel kind; a second kind with the same name is refused."""
    if channel.kind in CHANNELS:
        raise ValueError(f"alert channel kind {channel.kind!r} is already registered")
    CHANNELS[channel.kind] = channel
    return channel


for _builtin in (Webhook, Slack, Email):
    register(_builtin)


def channel_kind(kind: str) -> type[Channel]:
    try:
        return CHANNELS[kind]
    except KeyError:
        raise InvalidChannel(f"unknown channel kind {kind!r}; use one of {', '.join(sorted(CHANNELS))}") from None


__all__ = ["CHANNELS", "AlertMessage", "Channel", "ChannelParams", "SendOptions", "channel_kind", "register"]
