"""Public widget routes: the loader and renderer scripts, `/w/{id}.json`, the static snippet and the iframe page.

Deliberately public (no login, no cookies read): everything here is read-only and shows only what
the brand approved. Cross-origin reads are allowed with `Access-Control-Allow-Origin: *` and no
credentials; the iframe page may be framed only by the origin it reports its height to.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storage import Database, NotFound
from storage.public import (
    ShownItem,
    Widget,
    brand_of,
    get_widget,
    shown_fingerprint,
    shown_items,
)
from widgets.embed import json_ld, static_snippet
from widgets.payload import choose, widget_payload

SCRIPTS = Path(__file__).resolve().parents[2] / "widgets" / "static"
SCRIPT_NAMES = ("widget.js", "widget-render.js", "widget-frame.js")
SCRIPT_CACHE = "public, max-age=300, stale-while-revalidate=86400"
DATA_CACHE = "public, max-age=60, stale-while-revalidate=600, stale-if-error=86400"
CSP_MARKER = "x-advocado-csp"
"""A route sets this to replace the app-wide CSP (which forbids framing); the middleware swaps it in."""
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(?::\d{1,5})?$")

router = APIRouter(include_in_schema=False)


@dataclass
class Rendered:
    fingerprint: tuple[Any, ...]
    body: bytes
    etag: str
    snippet: str


@dataclass
class WidgetCache:
    """Rendered widget documents, reused while the widget's data fingerprint is unchanged.

    The fingerprint is re-read at most every `recheck_seconds` per widget: far below the 60 s
    browsers and CDNs may cache the document anyway, and it takes the database off the hot path.
    """

    recheck_seconds: float = 1.0
    clock: Callable[[], float] = time.monotonic
    entries: dict[str, Rendered] = field(default_factory=dict)
    checked: dict[str, float] = field(default_factory=dict)


def _db(request: Request) -> Database:
    return request.app.state.db


def _render(widget: Widget, population: list[ShownItem], fingerprint: tuple[Any, ...], brand_name: str) -> Rendered:
    chosen = choose(widget, population)
    payload = widget_payload(widget, population, chosen)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    first_party = [item for item in population if item.kind == "testimonial"]
    markup = json_ld(widget.schema_type, widget.schema_name or brand_name, chosen, first_party)
    return Rendered(fingerprint, body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
                    static_snippet(payload, markup))


def rendered(request: Request, public_id: str) -> Rendered:
    """The widget's current document, recomputed only when what it may show changed."""
    cache: WidgetCache = request.app.state.widget_cache
    now = cache.clock()
    hit = cache.entries.get(public_id)
    if hit is not None and now - cache.checked.get(public_id, -math.inf) < cache.recheck_seconds:
        return hit
    with _db(request).read() as session:
        widget = get_widget(session, public_id)
        fingerprint = shown_fingerprint(session, widget)
        hit = cache.entries.get(public_id)
        if hit is not None and hit.fingerprint == fingerprint:
            cache.checked[public_id] = now
            return hit
        population = shown_items(session, widget.brand_id)
        brand_name = brand_of(session, widget).name
    fresh = _render(widget, population, fingerprint, brand_name)
    cache.entries[public_id] = fresh
    cache.checked[public_id] = now
    return fresh


def _public_headers(cache_control: str) -> dict[str, str]:
    return {"Cache-Control": cache_control, "Access-Control-Allow-Origin": "*",
            "Vary": "Accept-Encoding"}


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    return if_none_match.strip() == "*" or etag in {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}


@router.get("/w/{public_id}.json")
def widget_data(request: Request, public_id: str) -> Response:
    """The widget's public data: approved, consented items only, with ETag/304 and shared caching."""
    doc = rendered(request, public_id)
    headers = _public_headers(DATA_CACHE) | {"ETag": doc.etag}
    if _matches(request.headers.get("if-none-match"), doc.etag):
        return Response(status_code=304, headers=headers)
    return Response(doc.body, media_type="application/json", headers=headers)


@router.get("/w/{public_id}.html")
def widget_snippet(request: Request, public_id: str) -> Response:
    """The static HTML snippet (with JSON-LD where allowed), to paste into a page or include server-side."""
    doc = rendered(request, public_id)
    return Response(doc.snippet, media_type="text/html; charset=utf-8", headers=_public_headers(DATA_CACHE))


@router.get("/w/{public_id}/frame", response_class=HTMLResponse)
def widget_frame(request: Request, public_id: str, origin: str = "") -> Response:
    """The iframe page: it may be framed only by `origin`, the one page origin it posts its height to."""
    with _db(request).read() as session:
        widget = get_widget(session, public_id)
    origin = origin.rstrip("/")
    if not _ORIGIN.match(origin) or (widget.allowed_origins and origin not in widget.allowed_origins):
        return Response("The origin parameter must be the embedding page's origin (scheme://host[:port])"
                        + (" and one of the widget's allowed origins." if widget.allowed_origins else "."),
                        status_code=400, media_type="text/plain")
    wid = escape(widget.public_id)
    page = (f'<!doctype html><html lang="en" data-widget="{wid}" data-parent-origin="{escape(origin)}"><head>'
            f'<meta charset="utf-8"><title>Customer reviews</title>'
            f'<script async src="/widget.js"></script><script defer src="/widget-frame.js"></script></head>'
            f'<body style="margin:0"><div data-advocado-widget="{wid}" data-natural-height></div></body></html>')
    csp = (f"default-src 'none'; script-src 'self'; connect-src 'self'; img-src https: data:; style-src 'self' "
           f"'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors {origin}")
    return HTMLResponse(page, headers={CSP_MARKER: csp, "Cache-Control": "public, max-age=60"})


def _script(name: str) -> Response:
    return Response((SCRIPTS / name).read_bytes(), media_type="text/javascript; charset=utf-8",
                    headers=_public_headers(SCRIPT_CACHE))


def _script_route(name: str) -> Any:
    def serve() -> Response:
        return _script(name)
    return serve


for _name in SCRIPT_NAMES:
    router.add_api_route(f"/{_name}", _script_route(_name), methods=["GET"], include_in_schema=False)


class PublicHeaders:
    """Lets a public route replace the app's frame-forbidding CSP with its own (see `CSP_MARKER`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_csp(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                marker = next((value for name, value in headers if name == CSP_MARKER.encode()), None)
                if marker is not None:
                    dropped = {CSP_MARKER.encode(), b"content-security-policy"}
                    if b"frame-ancestors 'none'" not in marker:
                        dropped.add(b"x-frame-options")
                    headers = [(n, v) for n, v in headers if n not in dropped]
                    headers.append((b"content-security-policy", marker))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_csp)


def install(app: FastAPI) -> None:
    """Add the public routes (widgets and testimonial forms) to `app`; call after its other middleware."""
    from advocado.web import builder, collect, review_links, survey

    app.state.widget_cache = WidgetCache()
    app.include_router(router)
    app.include_router(builder.router)
    collect.install(app)
    app.include_router(survey.router)
    app.include_router(review_links.router)
    app.add_middleware(PublicHeaders)


__all__ = ["NotFound", "install", "router"]
