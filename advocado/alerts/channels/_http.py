"""Posting to webhook-style channels through the collectors' address guard."""

from __future__ import annotations

import httpx

from advocado.alerts.channels.base import SendOptions
from advocado.alerts.errors import DeliveryFailed, DeliveryRefused, InvalidChannel
from collectors import GuardedTransport
from collectors.errors import AddressRefused

_RETRYABLE = {408, 425, 429}


def check_url(url: str) -> str:
    """`url` if it is an absolute http(s) URL with a host; `InvalidChannel` otherwise."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise InvalidChannel(f"not a URL: {error}") from None
    if parsed.scheme not in {"http", "https"} or not parsed.host:
        raise InvalidChannel("the URL must start with https:// (or http://) and name a host")
    return url


async def post(url: str, content: bytes, headers: dict[str, str], options: SendOptions) -> httpx.Response:
    """POST without following redirects (a redirect could lead past the guard's intent); the status
    decides the error class."""
    transport = GuardedTransport(allow_private_networks=options.allow_private_networks)
    headers = {"User-Agent": options.user_agent, **headers}
    try:
        async with httpx.AsyncClient(transport=transport, timeout=options.timeout, follow_redirects=False) as client:
            response = await client.post(url, content=content, headers=headers)
    except AddressRefused as error:
        raise DeliveryRefused(str(error)) from None
    except httpx.TimeoutException:
        raise DeliveryFailed(f"timed out after {options.timeout:g} s") from None
    except httpx.TransportError as error:
        raise DeliveryFailed(f"connection failed: {error or type(error).__name__}") from None
    if response.status_code >= 500 or response.status_code in _RETRYABLE:
        raise DeliveryFailed(f"the receiver answered {response.status_code}")
    if response.status_code >= 300:
        raise DeliveryRefused(f"the receiver answered {response.status_code}")
    return response
