"""Security middleware: cross-site request refusal (Datasette's header-based design) and response headers.

A state-changing request passes when it carries a Bearer token and no cookie (no ambient
credentials), when the browser says it is same-origin (`Sec-Fetch-Site: same-origin` or `none`),
when, lacking that header, its `Origin` is this server's own, or when it has neither header
(curl and other non-browser clients, which cannot be made to send someone else's cookie).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


def _own_origin(scope: Scope, headers: Headers) -> str:
    scheme = scope.get("scheme", "http")
    host = headers.get("host", "")
    default_port = {"http": ":80", "https": ":443"}.get(scheme, "")
    if default_port and host.endswith(default_port):
        host = host[: -len(default_port)]
    return f"{scheme}://{host}".lower()


def cross_site_reason(scope: Scope) -> str | None:
    """Why this request must be refused as cross-site, or None when it may proceed."""
    if scope["method"] in SAFE_METHODS:
        return None
    headers = Headers(scope=scope)
    if headers.get("authorization", "").lower().startswith("bearer ") and "cookie" not in headers:
        return None
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return None if fetch_site in ("same-origin", "none") else f"Sec-Fetch-Site is {fetch_site!r}"
    origin = headers.get("origin")
    if origin is not None and origin.lower().rstrip("/") != _own_origin(scope, headers):
        return "the Origin header names another site"
    return None


class CrossSiteProtection:
    """Refuses cross-site state-changing requests with 403 before they reach any route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (reason := cross_site_reason(scope)) is not None:
            body = json.dumps({"error": {"code": "cross_site_request",
                                         "message": f"cross-site request refused: {reason}"}}).encode()
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                    *_COMMON_HEADERS]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """nosniff, no framing, same-origin referrers and a strict Content-Security-Policy on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                headers.extend(_COMMON_HEADERS)
                headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
