"""Links in review-request emails: `/r/{token}` (single use, opens the testimonial form) and `/u/{token}` (unsubscribe).

Deliberately public. Unsubscribing is a POST, so mail scanners that prefetch links cannot
unsubscribe anyone; the same POST serves RFC 8058 one-click unsubscribe from mail providers.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, select

from advocado.web.collect import DEFAULT_CONSENT
from storage import NotFound, utcnow
from storage.models import Brand
from storage.public import CampaignCustomer, ReviewRequest, form_for_brand
from widgets.campaigns import token_hash

router = APIRouter(include_in_schema=False)


def _find(session: Session, token: str) -> tuple[ReviewRequest, CampaignCustomer, Brand]:
    request = session.exec(select(ReviewRequest).where(ReviewRequest.token_hash == token_hash(token))).first()
    customer = session.get(CampaignCustomer, request.customer_id) if request else None
    brand = session.get(Brand, customer.brand_id) if customer else None
    if request is None or customer is None or brand is None:
        raise NotFound("this link is not valid")
    return request, customer, brand


def _page(title: str, text: str, status: int = 200, form_action: str | None = None) -> HTMLResponse:
    from markupsafe import escape

    button = (f'<form method="post" action="{escape(form_action)}"><button type="submit">Unsubscribe</button></form>'
              if form_action else "")
    return HTMLResponse(f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
                        f'<link rel="stylesheet" href="/static/public.css"></head><body class="public"><main>'
                        f'<h1>{escape(title)}</h1><p>{escape(text)}</p>{button}</main></body></html>',
                        status_code=status, headers={"Cache-Control": "no-store"})


@router.get("/r/{token}")
def review_link(request: Request, token: str) -> Response:
    """Open the brand's testimonial form, once."""
    with request.app.state.db.write() as session:
        sent, _customer, brand = _find(session, token)
        if sent.used_at is not None:
            return _page("This link has been used", "Each review link works once. Thank you!", status=410)
        sent.used_at = utcnow()
        session.add(sent)
        form_id = form_for_brand(session, brand.id or 0, DEFAULT_CONSENT).public_id
    return RedirectResponse(f"/t/{form_id}", status_code=303)


@router.get("/u/{token}", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str) -> HTMLResponse:
    with request.app.state.db.read() as session:
        _sent, customer, brand = _find(session, token)
    if customer.unsubscribed_at is not None:
        return _page("You are unsubscribed", f"{brand.name} will not send you review requests again.")
    return _page("Unsubscribe", f"Stop review requests from {brand.name} to {customer.email}?", form_action=f"/u/{token}")


@router.post("/u/{token}", response_class=HTMLResponse)
def unsubscribe(request: Request, token: str) -> HTMLResponse:
    with request.app.state.db.write() as session:
        _sent, customer, brand = _find(session, token)
        if customer.unsubscribed_at is None:
            customer.unsubscribed_at = utcnow()
            session.add(customer)
    return _page("You are unsubscribed", f"{brand.name} will not send you review requests again.")
