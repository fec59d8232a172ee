"""The public NPS survey (`/s/{survey_id}`): a 0-10 score, then one follow-up question.

Deliberately public. Detractors are flagged for a personal follow-up; promoters are invited to the
brand's own testimonial form. Nobody is steered to a third-party review site by their score
(review gating breaks platform rules; see the widgets notes). Follow-up answers are stored as
private `survey_answer` mentions, which widgets never show.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import select

from advocado.web.collect import DEFAULT_CONSENT, FormGuards, frame_ancestors
from advocado.web.guard import address_hash, network_of
from advocado.web.pages import TEMPLATES
from advocado.web.public import CSP_MARKER
from storage import MentionIn, get_or_add_source, ingest
from storage.models import Brand, MentionKind
from storage.public import (
    NpsResponse,
    NpsSurvey,
    form_for_brand,
    get_survey,
    nps_category,
)

MAX_COMMENT = 3000
SURVEY_SOURCE = "nps survey"
router = APIRouter(include_in_schema=False)


def _sign(guards: FormGuards, ref: str) -> str:
    return hmac.new(guards.secret, f"nps:{ref}".encode(), hashlib.sha256).hexdigest()[:32]


def _load(request: Request, survey_id: str) -> tuple[NpsSurvey, Brand]:
    with request.app.state.db.read() as session:
        survey = get_survey(session, survey_id)
        brand = session.get(Brand, survey.brand_id)
    assert brand is not None
    return survey, brand


def _page(request: Request, survey: NpsSurvey, brand: Brand, step: str, status: int = 200, **context: Any) -> HTMLResponse:
    guards: FormGuards = request.app.state.form_guards
    response = TEMPLATES.TemplateResponse(request, "survey.html", {
        "survey": survey, "brand": brand, "step": step, "stamp": guards.stamp.issue(survey.public_id),
        "question": survey.question.replace("{brand}", brand.name),
        "follow_up": survey.follow_up.replace("{brand}", brand.name), **context}, status_code=status)
    response.headers[CSP_MARKER] = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                                    f"base-uri 'none'; frame-ancestors {frame_ancestors(brand)}")
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/s/{survey_id}", response_class=HTMLResponse)
def survey_page(request: Request, survey_id: str) -> HTMLResponse:
    survey, brand = _load(request, survey_id)
    return _page(request, survey, brand, "score")


@router.post("/s/{survey_id}", response_class=HTMLResponse)
async def survey_score(request: Request, survey_id: str) -> Response:
    """Record the 0-10 score and ask the follow-up question."""
    survey, brand = _load(request, survey_id)
    guards: FormGuards = request.app.state.form_guards
    data = await request.form()
    problem = guards.stamp.check(survey.public_id, str(data.get("stamp") or ""))
    if str(data.get("website") or "") or problem in ("forged", "too fast"):
        return _page(request, survey, brand, "done", category="passive")
    address = request.client.host if request.client else "unknown"
    if (wait := guards.per_network.hit(f"{survey.public_id}:{network_of(address)}")) is not None:
        return HTMLResponse(f"Too many answers were sent from here just now. Please try again in {wait} seconds.",
                            status_code=429, headers={"Retry-After": str(wait)})
    score = str(data.get("score") or "")
    if not score.isdigit() or not 0 <= int(score) <= 10:
        return _page(request, survey, brand, "score", status=422, error="Choose a score from 0 to 10.")
    category = nps_category(int(score))
    ref = "nps_" + secrets.token_urlsafe(12)
    with request.app.state.db.write() as session:
        session.add(NpsResponse(ref=ref, survey_id=survey.id or 0, score=int(score), category=category,
                                needs_follow_up=category == "detractor",
                                ip_hash=address_hash(guards.secret, network_of(address))))
    return _page(request, survey, brand, "follow_up", response_ref=ref, signature=_sign(guards, ref), category=category)


@router.post("/s/{survey_id}/follow-up", response_class=HTMLResponse)
async def survey_follow_up(request: Request, survey_id: str) -> Response:
    """Store the answer to the follow-up question; promoters are invited to the first-party testimonial form."""
    survey, brand = _load(request, survey_id)
    guards: FormGuards = request.app.state.form_guards
    data = await request.form()
    ref, signature = str(data.get("response") or ""), str(data.get("signature") or "")
    comment = str(data.get("comment") or "").strip()
    if not hmac.compare_digest(signature, _sign(guards, ref)):
        return HTMLResponse("This answer could not be matched to a survey response.", status_code=400)
    if len(comment) > MAX_COMMENT:
        return _page(request, survey, brand, "follow_up", status=422, response_ref=ref, signature=signature,
                     comment=comment, error=f"Please keep your answer under {MAX_COMMENT} characters.")
    db = request.app.state.db
    with db.write() as session:
        response = session.exec(select(NpsResponse).where(NpsResponse.ref == ref)).one()
        already = response.comment is not None
        if not already and comment:
            response.comment = comment
            session.add(response)
        category, score = response.category, response.score
        source_id = get_or_add_source(session, brand, "survey", SURVEY_SOURCE).id or 0
        invite = form_for_brand(session, brand.id or 0, DEFAULT_CONSENT).public_id if category == "promoter" else None
    if comment and not already:
        ingest(db, source_id, [MentionIn(external_id=ref, kind=MentionKind.survey_answer, text=comment,
                                         tags=[f"nps:{category}", f"nps-score:{score}"])])
    return _page(request, survey, brand, "done", category=category, invite=invite)
