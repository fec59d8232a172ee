"""The dashboard's widget builder: create and edit widgets, preview them live, copy the embed codes, see the mix check."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import select

from advocado.web.auth import Caller, page_caller
from advocado.web.collect import DEFAULT_CONSENT
from advocado.web.pages import TEMPLATES
from advocado.web.public import CSP_MARKER
from advocado.web.security import CONTENT_SECURITY_POLICY
from storage import Brand, utcnow
from storage.public import (
    Widget,
    WidgetKind,
    WidgetMode,
    form_for_brand,
    get_widget,
    list_widgets,
    shown_items,
)
from widgets import check_mix
from widgets.embed import ELIGIBLE_TYPES, iframe_embed, script_embed
from widgets.payload import HEIGHTS, THEMES, choose, clean_colors, widget_payload

router = APIRouter(include_in_schema=False)
LoggedIn = Annotated[Caller, Depends(page_caller)]
KINDS = [kind.value for kind in WidgetKind]
ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d{1,5})?")
PREVIEW_POLICY = CONTENT_SECURITY_POLICY.replace("img-src 'self' data:", "img-src 'self' data: https:")
"""The dashboard's policy, plus the customers' https avatars the preview shows."""
MODES = [mode.value for mode in WidgetMode]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _ids(text: str) -> list[int]:
    return [int(part) for part in text.replace(",", " ").split() if part.isdigit()][:50]


def _choice(values: dict[str, str], name: str, allowed: list[str], current: str) -> str:
    value = values.get(name, "")
    return value if value in allowed else current


def apply_settings(widget: Widget, values: dict[str, str]) -> Widget:
    """`widget` with the builder form's values applied; unknown choices fall back to safe defaults."""
    widget.kind = _choice(values, "kind", KINDS, widget.kind)
    widget.mode = _choice(values, "mode", MODES, widget.mode)
    size = values.get("size", "")
    widget.size = min(max(int(size), 1), 50) if size.isdigit() else widget.size
    widget.theme = _choice(values, "theme", list(THEMES), widget.theme)
    widget.colors = clean_colors({name: values.get(name, "") for name in ("accent", "background", "text", "font")})
    widget.featured_ids = _ids(values.get("featured", ""))
    widget.schema_type = values.get("schema_type") if values.get("schema_type") in ELIGIBLE_TYPES else None
    widget.schema_name = (values.get("schema_name") or "").strip()[:200] or None
    origins = [origin.rstrip("/") for origin in values.get("allowed_origins", "").replace(",", " ").split()]
    widget.allowed_origins = [origin for origin in origins if ORIGIN.fullmatch(origin)][:20]
    return widget


def _preview(request: Request, widget: Widget) -> dict[str, Any]:
    with request.app.state.db.read() as session:
        population = shown_items(session, widget.brand_id)
    chosen = choose(widget, population)
    return {"data": widget_payload(widget, population, chosen), "mix": check_mix(chosen, population).as_dict()}


@router.get("/widgets", response_class=HTMLResponse)
def widgets_page(request: Request, caller: LoggedIn) -> HTMLResponse:
    with request.app.state.db.read() as session:
        brands = {brand.id: brand for brand in session.exec(select(Brand).order_by(Brand.name))}
        rows = list_widgets(session)
    return TEMPLATES.TemplateResponse(request, "widgets.html", {
        "caller": caller, "brands": brands, "rows": rows, "kinds": KINDS, "modes": MODES,
        "notice": request.query_params.get("notice"), "problem": request.query_params.get("problem")})


@router.post("/widgets")
def widget_add(request: Request, caller: LoggedIn, brand_id: Annotated[int, Form()],
               kind: Annotated[str, Form(max_length=20)], mode: Annotated[str, Form(max_length=20)] = "representative") -> Response:
    with request.app.state.db.write() as session:
        if session.get(Brand, brand_id) is None or kind not in KINDS or mode not in MODES:
            return RedirectResponse("/widgets?problem=Choose+a+brand%2C+a+kind+and+a+mode.", status_code=303)
        widget = Widget(brand_id=brand_id, kind=kind, mode=mode)
        session.add(widget)
        session.flush()
        public_id = widget.public_id
    return RedirectResponse(f"/widgets/{public_id}?notice=Widget+created.", status_code=303)


@router.get("/widgets/{public_id}", response_class=HTMLResponse)
def widget_page(request: Request, public_id: str, caller: LoggedIn) -> HTMLResponse:
    with request.app.state.db.write() as session:
        widget = get_widget(session, public_id)
        brand = session.get(Brand, widget.brand_id)
        form = form_for_brand(session, widget.brand_id, DEFAULT_CONSENT)
        form_id = form.public_id
    base, height = _base(request), HEIGHTS.get(widget.kind, 400)
    preview = _preview(request, widget)
    response = TEMPLATES.TemplateResponse(request, "widget_edit.html", {
        "caller": caller, "widget": widget, "brand": brand, "kinds": KINDS, "modes": MODES, "themes": THEMES,
        "schema_types": sorted(ELIGIBLE_TYPES), "mix": preview["mix"], "data": preview["data"],
        "embeds": {"Script (recommended)": script_embed(base, widget.public_id, height),
                   "iframe (strict sites)": iframe_embed(base, widget.public_id, height),
                   "Static HTML (no script)": f"{base}/w/{widget.public_id}.html"},
        "form_url": f"{base}/t/{form_id}", "height": height,
        "notice": request.query_params.get("notice"), "problem": None})
    response.headers[CSP_MARKER] = PREVIEW_POLICY
    return response


@router.post("/widgets/{public_id}")
async def widget_save(request: Request, public_id: str, caller: LoggedIn) -> Response:
    values = {name: str(value)[:500] for name, value in (await request.form()).items()}
    with request.app.state.db.write() as session:
        widget = apply_settings(get_widget(session, public_id), values)
        widget.updated_at = utcnow()
        session.add(widget)
    return RedirectResponse(f"/widgets/{public_id}?notice=Saved.", status_code=303)


@router.get("/widgets/{public_id}/preview.json")
def widget_preview(request: Request, public_id: str, caller: LoggedIn) -> JSONResponse:
    """The document and mix check the widget would have with the (unsaved) settings in the query string."""
    with request.app.state.db.read() as session:
        widget = get_widget(session, public_id)
    draft = apply_settings(Widget.model_validate(widget.model_dump()), dict(request.query_params))
    return JSONResponse(_preview(request, draft), headers={"Cache-Control": "no-store"})
