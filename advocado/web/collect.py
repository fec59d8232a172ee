"""The hosted testimonial form (`/t/{form_id}`), embeddable as an iframe; submissions wait in moderation.

Deliberately public. Each submission is stored through `storage.ingest` as a pending mention of
kind testimonial whose `consent_ref` points at the consent record (wording, version, time, salted
address hash). Bots meet a honeypot and a signed render time and are dropped silently; people meet
clear messages, size limits and, when they post too often, 429 with Retry-After.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import select

from advocado.web.guard import RateLimit, Stamp, address_hash, network_of
from advocado.web.pages import TEMPLATES
from advocado.web.public import CSP_MARKER
from storage import (
    Mention,
    MentionIn,
    NotFound,
    get_or_add_source,
    ingest,
    moderate,
    utcnow,
)
from storage.models import Brand, DisplayStatus, MentionKind
from storage.public import TestimonialConsent, TestimonialForm, get_form, public_secret
from widgets.payload import safe_https

DEFAULT_CONSENT = ("I agree that {brand} may publish this testimonial with my name and the details I gave "
                   "on its website and marketing materials. I can withdraw this consent at any time.")
FORM_SOURCE = "testimonial form"
LIMITS = {"text": (10, 5000), "name": (1, 100), "role": (0, 100), "company": (0, 100), "avatar_url": (0, 500)}
MAX_BODY = 20_000
PER_NETWORK_PER_HOUR = 5
PER_BRAND_PER_HOUR = 60

router = APIRouter(include_in_schema=False)


@dataclass
class FormGuards:
    """Per-app abuse guards; tests replace the clocks."""

    secret: bytes
    stamp: Stamp
    per_network: RateLimit = field(default_factory=lambda: RateLimit(PER_NETWORK_PER_HOUR, 3600))
    per_brand: RateLimit = field(default_factory=lambda: RateLimit(PER_BRAND_PER_HOUR, 3600))


def consent_version(text: str) -> str:
    """A short stable id of a consent wording, stored with every consent given under it."""
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def frame_ancestors(brand: Brand) -> str:
    hosts = [f"https://{domain} https://*.{domain}" for domain in brand.domains if domain.replace(".", "").replace("-", "").isalnum()]
    return " ".join(["'self'", *hosts])


def _page(request: Request, form: TestimonialForm, brand: Brand, *, status: int = 200, **context: Any) -> HTMLResponse:
    guards: FormGuards = request.app.state.form_guards
    context.setdefault("values", {})
    context.setdefault("errors", {})
    response = TEMPLATES.TemplateResponse(request, "testimonial_form.html", {
        "form": form, "brand": brand, "stamp": guards.stamp.issue(form.public_id), "limits": LIMITS, **context},
        status_code=status)
    response.headers[CSP_MARKER] = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                                    f"base-uri 'none'; frame-ancestors {frame_ancestors(brand)}")
    response.headers["Cache-Control"] = "no-store"
    return response


def _load(request: Request, form_id: str) -> tuple[TestimonialForm, Brand]:
    with request.app.state.db.read() as session:
        form = get_form(session, form_id)
        brand = session.get(Brand, form.brand_id)
    assert brand is not None
    return form, brand


@router.get("/t/{form_id}", response_class=HTMLResponse)
def testimonial_form(request: Request, form_id: str) -> HTMLResponse:
    """The form a customer fills in."""
    form, brand = _load(request, form_id)
    return _page(request, form, brand)


def validate(values: dict[str, str], consent: bool) -> dict[str, str]:
    """Problems with a submission, by field, in words a customer understands."""
    errors: dict[str, str] = {}
    if values["rating"] not in {"1", "2", "3", "4", "5"}:
        errors["rating"] = "Choose a rating from 1 to 5 stars."
    for name, (low, high) in LIMITS.items():
        length = len(values[name])
        if low and length < low:
            errors[name] = ("Please tell us your name." if name == "name"
                            else f"Please write at least {low} characters.")
        elif length > high:
            errors[name] = f"Please keep this under {high} characters (it has {length})."
    if values["avatar_url"] and "avatar_url" not in errors and safe_https(values["avatar_url"]) is None:
        errors["avatar_url"] = "The photo address must be a plain https:// link."
    if not consent:
        errors["consent"] = "Please tick the box to agree to publication, or we cannot show your testimonial."
    return errors


@router.post("/t/{form_id}", response_class=HTMLResponse)
async def submit_testimonial(request: Request, form_id: str) -> Response:
    """Store a testimonial as pending, or say what to fix; bots are thanked and forgotten."""
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        return HTMLResponse("The submission is too large.", status_code=413)
    form, brand = _load(request, form_id)
    guards: FormGuards = request.app.state.form_guards
    data = await request.form()
    values = {name: " ".join(str(data.get(name) or "").split()) if name != "text" else str(data.get(name) or "").strip()
              for name in ("rating", *LIMITS)}
    problem = guards.stamp.check(form.public_id, str(data.get("stamp") or ""))
    if str(data.get("website") or "") or problem in ("forged", "too fast"):
        decoy = "tc_" + secrets.token_urlsafe(12)  # the same page a person gets, so a bot cannot tell
        return _thanks(request, brand, withdraw=f"/t/withdraw/{decoy}.{withdraw_signature(guards, decoy)}")
    address = request.client.host if request.client else "unknown"
    for limit, key in ((guards.per_network, f"{form.public_id}:{network_of(address)}"), (guards.per_brand, str(brand.id))):
        if (wait := limit.hit(key)) is not None:
            return HTMLResponse(f"Too many testimonials were sent from here just now. Please try again in {wait} seconds.",
                                status_code=429, headers={"Retry-After": str(wait)})
    errors = validate(values, data.get("consent") == "yes")
    if problem == "expired":
        errors["form"] = "This page was open for a long time; please check your testimonial and send it again."
    if errors:
        return _page(request, form, brand, status=422, values=values, errors=errors)
    ref = _store(request.app.state.db, form, brand, values, address_hash(guards.secret, network_of(address)))
    return _thanks(request, brand, withdraw=f"/t/withdraw/{ref}.{withdraw_signature(guards, ref)}")


def _store(db: Any, form: TestimonialForm, brand: Brand, values: dict[str, str], ip_hash: str) -> str:
    ref = "tc_" + secrets.token_urlsafe(12)
    now = utcnow()
    text = form.consent_text.replace("{brand}", brand.name)
    with db.write() as session:
        source_id = get_or_add_source(session, brand, "form", FORM_SOURCE).id or 0
    ingest(db, source_id, [MentionIn(external_id=ref, kind=MentionKind.testimonial, author_name=values["name"],
                                     text=values["text"], rating=float(values["rating"]), published_at=now,
                                     consent_ref=ref)])
    with db.write() as session:
        session.add(TestimonialConsent(ref=ref, brand_id=brand.id or 0, consent_version=consent_version(text),
                                       consent_text=text, consented_at=now, ip_hash=ip_hash,
                                       role=values["role"] or None, company=values["company"] or None,
                                       avatar_url=values["avatar_url"] or None))
    return ref


def withdraw_signature(guards: FormGuards, ref: str) -> str:
    """Signs a consent reference for its withdrawal link."""
    return hmac.new(guards.secret, f"withdraw:{ref}".encode(), hashlib.sha256).hexdigest()[:32]


def _withdrawal(request: Request, token: str) -> TestimonialConsent:
    ref, _, signature = token.rpartition(".")
    guards: FormGuards = request.app.state.form_guards
    if not ref or not hmac.compare_digest(signature, withdraw_signature(guards, ref)):
        raise NotFound("this withdrawal link is not valid")
    with request.app.state.db.read() as session:
        consent = session.exec(select(TestimonialConsent).where(TestimonialConsent.ref == ref)).first()
    if consent is None:
        raise NotFound("this testimonial no longer exists")
    return consent


@router.get("/t/withdraw/{token}", response_class=HTMLResponse)
def withdraw_page(request: Request, token: str) -> HTMLResponse:
    """Confirm withdrawing consent (a GET changes nothing, so link scanners cannot withdraw anything)."""
    consent = _withdrawal(request, token)
    return TEMPLATES.TemplateResponse(request, "testimonial_withdraw.html", {
        "token": token, "withdrawn": consent.withdrawn_at is not None}, headers={"Cache-Control": "no-store"})


@router.post("/t/withdraw/{token}", response_class=HTMLResponse)
def withdraw(request: Request, token: str) -> HTMLResponse:
    """Withdraw consent: the testimonial leaves every widget at once and is hidden from moderation."""
    consent = _withdrawal(request, token)
    with request.app.state.db.write() as session:
        stored = session.exec(select(TestimonialConsent).where(TestimonialConsent.id == consent.id)).one()
        stored.withdrawn_at = stored.withdrawn_at or utcnow()
        session.add(stored)
        mention_ids = [m.id or 0 for m in session.exec(select(Mention).where(Mention.consent_ref == consent.ref))]
        moderate(session, mention_ids, status=DisplayStatus.hidden)
    return TEMPLATES.TemplateResponse(request, "testimonial_withdraw.html", {"token": token, "withdrawn": True},
                                      headers={"Cache-Control": "no-store"})


def _thanks(request: Request, brand: Brand, withdraw: str | None = None) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, "testimonial_thanks.html", {"brand": brand, "withdraw": withdraw},
                                      headers={CSP_MARKER: "default-src 'none'; style-src 'self'; base-uri 'none'; "
                                                               f"frame-ancestors {frame_ancestors(brand)}"})


def install(app: FastAPI) -> None:
    """Add the form routes and their guards, keyed with a secret stored in the database so that
    forms left open and withdrawal links keep working across restarts."""
    with app.state.db.write() as session:
        secret = public_secret(session, "public-forms")
    app.state.form_guards = FormGuards(secret=secret, stamp=Stamp(secret, time.time))
    app.include_router(router)
