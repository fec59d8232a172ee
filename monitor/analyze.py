"""Analysis of stored answers: mentions, positions, prominence, citations and brand sentiment.

It reads only the raw answer, so `reanalyze` can apply new definitions to everything stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from monitor.citations import Citation, Owner, attribute
from monitor.detect import BRAND, COMPETITOR, CONTROL, Detector, Entity, Found
from monitor.engines import TOOL_ERROR, ParsedAnswer, engine_kinds
from monitor.errors import MonitorError
from monitor.prominence import pawc, sentences
from storage import Brand, Database, competitors_of
from storage.models import MonitorAnswer
from storage.monitor import answers_by_id, monitor_answers, replace_answer_analyses

ANALYSIS_VERSION = "1"
DEFAULT_CONTROL_BRAND = "Quorvantix"

Scorer = Callable[[list[str]], list[tuple[str, float]]]
"""Sentiment of texts: (label, positive minus negative probability) for each."""


@dataclass(frozen=True)
class Tracked:
    """Who is looked for in answers: the brand, its competitors, a fictitious control brand, their domains."""

    brand: Entity
    competitors: tuple[Entity, ...]
    control: Entity | None
    owners: tuple[Owner, ...]
    fuzzy: bool = False

    @property
    def detector(self) -> Detector:
        return Detector([self.brand, *self.competitors, *([self.control] if self.control else [])], fuzzy=self.fuzzy)


def tracked_for(session: Session, brand: Brand, control_brand: str | None = DEFAULT_CONTROL_BRAND,
                fuzzy: bool = False) -> Tracked:
    """The brand's names, competitors and domains as stored; `fuzzy` also accepts one-typo names."""
    competitors = competitors_of(session, brand)
    return Tracked(
        brand=Entity(BRAND, brand.name, tuple(brand.aliases)),
        competitors=tuple(Entity(COMPETITOR, c.name, tuple(c.aliases), c.id) for c in competitors),
        control=Entity(CONTROL, control_brand) if control_brand else None,
        owners=(Owner(BRAND, tuple(brand.domains)), *(Owner(COMPETITOR, tuple(c.domains), c.id) for c in competitors)),
        fuzzy=fuzzy,
    )


@dataclass
class Analysis:
    """What one answer says about the tracked names."""

    parsed: ParsedAnswer
    found: list[Found]
    prominence: dict[tuple[str, int | None, str], float]
    brand_sentences: list[str]
    citations: list[Citation]


def analyse(parsed: ParsedAnswer, tracked: Tracked, detector: Detector | None = None) -> Analysis:
    """Mentions with positions, prominence, the brand's sentences and attributed citations of one answer."""
    text = parsed.text
    found = (detector or tracked.detector).find(text)
    spans = sentences(text)
    prominence = pawc(text, spans, {f.entity.key: f.spans for f in found if f.entity.kind != CONTROL})
    brand = next((f for f in found if f.entity.kind == BRAND), None)
    brand_sentences = [text[s:e].strip() for s, e in spans if brand and any(s <= a < e for a, _ in brand.spans)]
    citations = (attribute("cited", [(r.url, r.title) for r in parsed.cited], tracked.owners)
                 + attribute("retrieved", [(r.url, r.title) for r in parsed.retrieved], tracked.owners))
    return Analysis(parsed, found, prominence, brand_sentences, citations)


def parse_stored(answer: MonitorAnswer) -> ParsedAnswer:
    return engine_kinds().get(answer.engine_kind).parse(answer.raw)


def rows_for(analysis: Analysis, sentiment: tuple[str, float] | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The `monitor_mentions` and `monitor_citations` rows of one analysed answer, as column dicts."""
    mentions = [
        {"entity": f.entity.kind, "competitor_id": f.entity.entity_id, "name": f.entity.name, "position": f.position,
         "first_offset": f.first_offset, "occurrences": len(f.spans),
         "prominence": round(analysis.prominence.get(f.entity.key, 0.0), 6),
         "sentiment": sentiment[0] if sentiment and f.entity.kind == BRAND else None,
         "sentiment_score": sentiment[1] if sentiment and f.entity.kind == BRAND else None,
         "analysis_version": ANALYSIS_VERSION}
        for f in analysis.found
    ]
    citations = [
        {"kind": c.kind, "url": c.url, "raw_url": c.raw_url, "domain": c.domain, "title": c.title, "entity": c.entity,
         "competitor_id": c.entity_id, "analysis_version": ANALYSIS_VERSION}
        for c in analysis.citations
    ]
    return mentions, citations


def analyse_answers(session: Session, answers: Sequence[MonitorAnswer], tracked: Tracked, scorer: Scorer | None) -> int:
    """Analyse `answers` and store the results in `session`; returns how many were analysed."""
    detector = tracked.detector
    pending: list[tuple[MonitorAnswer, Analysis]] = []
    for answer in answers:
        if answer.status != "ok" or answer.raw is None:
            continue
        try:
            parsed = parse_stored(answer)
        except (MonitorError, KeyError) as error:
            answer.status, answer.error = "failed", f"unreadable stored answer: {error}"
            session.add(answer)
            continue
        answer.text, answer.retrieval_status = parsed.text, parsed.retrieval_status
        if parsed.retrieval_status == TOOL_ERROR and parsed.tool_error:
            answer.error = parsed.tool_error
        pending.append((answer, analyse(parsed, tracked, detector)))
    texts = [" ".join(a.brand_sentences) for _, a in pending]
    wanted = [i for i, text in enumerate(texts) if text]
    scores = scorer([texts[i] for i in wanted]) if scorer and wanted else []
    sentiment = dict(zip(wanted, scores, strict=bool(scorer)))
    rows = [(answer, *rows_for(analysis, sentiment.get(index))) for index, (answer, analysis) in enumerate(pending)]
    replace_answer_analyses(session, rows, ANALYSIS_VERSION)
    return len(pending)


def reanalyze(db: Database, brand: Brand, *, scorer: Scorer | None, control_brand: str | None = DEFAULT_CONTROL_BRAND,
              batch: int = 200, fuzzy: bool = False) -> int:
    """Analyse every stored answer of `brand` again with the current definitions."""
    with db.read() as session:
        tracked = tracked_for(session, brand, control_brand, fuzzy)
        ids = [a.id for a in monitor_answers(session, brand_id=brand.id)]
    done = 0
    for start in range(0, len(ids), batch):
        with db.write() as session:
            done += analyse_answers(session, answers_by_id(session, ids[start:start + batch]), tracked, scorer)
    return done


def sentiment_scorer(model_name: str | None = None, labels: dict[str, str] | None = None, threads: int | None = None) -> Scorer:
    """A scorer backed by the project's sentiment model, loaded on first use.

    Raises `sentiment.ModelNotFound` (on first use) if the model is not available.
    """
    from sentiment import BUILTIN_ID, load_model, score_texts

    model = None

    def score(texts: list[str]) -> list[tuple[str, float]]:
        nonlocal model
        if model is None:
            model = load_model(model_name or BUILTIN_ID, labels=labels, threads=threads)
        return [(s.label, round(s.probabilities.get("positive", 0.0) - s.probabilities.get("negative", 0.0), 4))
                for s in score_texts(texts, model)]

    return score
