"""Citations normalised and attributed, prominence, brand-sentence sentiment, and analysis of stored runs."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from monitor import analyse_run, collect, reanalyze
from monitor.analyze import analyse
from monitor.citations import Owner, attribute, domain_of, host_matches, normalise_url
from monitor.detect import BRAND, COMPETITOR, Entity
from monitor.engines import SEARCHED, ParsedAnswer, SourceRef
from monitor.analyze import Tracked
from monitor.prominence import pawc, sentences
from monitor.standin import StandIn
from storage import Database, get_brand
from storage.models import MonitorAnswer, MonitorCitation, MonitorMention
from tests.monitor.conftest import Sleeps
from tests.monitor.test_run import options, seed

TRACKED = Tracked(
    brand=Entity(BRAND, "Acme Analytics", ("Acme",)),
    competitors=(Entity(COMPETITOR, "Globex", (), 7),),
    control=Entity("control", "Quorvantix"),
    owners=(Owner(BRAND, ("acme.com",)), Owner(COMPETITOR, ("globex.io",), 7)),
)


def test_tracking_parameters_and_fragments_are_stripped() -> None:
    assert normalise_url("https://WWW.Acme.com/p?utm_source=openai&id=3&gclid=x&ref=ai#top") == "https://www.acme.com/p?id=3"
    assert normalise_url("https://acme.com") == "https://acme.com/"


def test_subdomains_match_but_lookalikes_do_not() -> None:
    assert host_matches("blog.acme.com", ["acme.com"]) and host_matches("www.acme.com", ["acme.com"])
    assert not host_matches("notacme.com", ["acme.com"]) and not host_matches("acme.com.evil.io", ["acme.com"])


def test_gemini_redirects_are_attributed_by_their_title() -> None:
    redirect = "https://vertexaisearch.cloud.google.com/grounding-api-redirect/AUZ"
    assert domain_of(redirect, "acme.com") == "acme.com"
    assert domain_of(redirect, "Free CRM | Acme") == "vertexaisearch.cloud.google.com"


def test_duplicate_citations_count_once_and_owners_are_found() -> None:
    refs = [("https://acme.com/x?utm_source=openai", None), ("https://acme.com/x", None),
            ("https://docs.globex.io/a", None), ("https://g2.com/c", None)]
    cited = attribute("cited", refs, TRACKED.owners)
    assert [(c.domain, c.entity, c.entity_id) for c in cited] == [
        ("acme.com", BRAND, None), ("docs.globex.io", COMPETITOR, 7), ("g2.com", None, None)]


def test_brand_only_in_a_url_is_cited_not_mentioned_and_retrieved_is_kept_apart() -> None:
    parsed = ParsedAnswer(
        text="1. Globex is great ([acme.com](https://acme.com/review?utm_source=openai)).", retrieval_status=SEARCHED,
        cited=[SourceRef("https://acme.com/review?utm_source=openai")],
        retrieved=[SourceRef("https://acme.com/review"), SourceRef("https://globex.io/")],
    )
    analysis = analyse(parsed, TRACKED)
    assert [f.entity.name for f in analysis.found] == ["Globex"]
    assert [(c.kind, c.entity) for c in analysis.citations] == [("cited", BRAND), ("retrieved", BRAND), ("retrieved", COMPETITOR)]


def test_prominence_favours_early_and_exclusive_sentences() -> None:
    text = "Acme Analytics is the best tool for busy analysts today. Globex and Acme are fine too. Globex exists."
    spans = sentences(text)
    assert len(spans) == 3
    scores = pawc(text, spans, {"acme": [(0, 4), (61, 65)], "globex": [(57, 63), (87, 93)]})
    assert abs(sum(scores.values()) - 1) < 1e-9 and scores["acme"] > 0.6
    assert pawc("Nothing here.", sentences("Nothing here."), {"acme": []}) == {"acme": 0.0}


def test_only_sentences_that_name_the_brand_are_scored(db: Database, standin: StandIn, sleeps: Sleeps) -> None:
    seed(db, standin.url, prompts=("Best analytics tool?",))
    report = asyncio.run(collect(db, "Acme Analytics", samples=4, options=options(sleeps)))
    scored: list[str] = []

    def scorer(texts: list[str]) -> list[tuple[str, float]]:
        scored.extend(texts)
        return [("negative" if "expensive" in t else "positive", -0.5 if "expensive" in t else 0.8) for t in texts]

    assert analyse_run(db, report.run_id, "Acme Analytics", scorer=scorer) == 8
    assert scored and all("Acme" in text for text in scored)
    assert not any("Globex" in text and "Acme" not in text for text in scored)
    with db.read() as session:
        brand_rows = session.exec(select(MonitorMention).where(MonitorMention.entity == BRAND)).all()
    assert brand_rows and all(row.sentiment in ("positive", "negative") for row in brand_rows)


def test_stand_in_answers_are_detected_exactly_and_the_control_never(db: Database, standin: StandIn, sleeps: Sleeps) -> None:
    seed(db, standin.url, prompts=("Best analytics tool?", "Which dashboard tool for a café?"))
    with db.write() as session:
        from storage import add_competitor
        brand = get_brand(session, "Acme Analytics")
        for name in ("Umbrella Insights", "Hooli Metrics"):
            add_competitor(session, brand, name)
        add_competitor(session, brand, "Globex", domains=["globex.example"])
    report = asyncio.run(collect(db, "Acme Analytics", samples=10, options=options(sleeps)))
    analyse_run(db, report.run_id, "Acme Analytics", scorer=None)
    with db.read() as session:
        answers = session.exec(select(MonitorAnswer)).all()
        mentions = session.exec(select(MonitorMention)).all()
        citations = session.exec(select(MonitorCitation)).all()
    assert len(answers) == 40
    assert not [m for m in mentions if m.entity == "control"]
    by_answer: dict[int, set[str]] = {}
    for m in mentions:
        by_answer.setdefault(m.answer_id, set()).add(m.name)
    for answer in answers:
        canned = [c for c in standin.answers if all(sentence in answer.text for sentence in c.sentences)]
        assert by_answer.get(answer.id, set()) == set(max(canned, key=lambda c: len(c.sentences)).listed)
    assert {c.entity for c in citations if c.domain == "globex.example"} == {COMPETITOR}
    assert all("utm_source" not in c.url for c in citations)


def test_reanalyze_replaces_rather_than_duplicates(db: Database, standin: StandIn, sleeps: Sleeps) -> None:
    seed(db, standin.url, prompts=("Best analytics tool?",))
    report = asyncio.run(collect(db, "Acme Analytics", samples=3, options=options(sleeps)))
    analyse_run(db, report.run_id, "Acme Analytics", scorer=None)
    with db.read() as session:
        before = len(session.exec(select(MonitorMention)).all())
        brand = get_brand(session, "Acme Analytics")
    assert before > 0
    assert reanalyze(db, brand, scorer=None) == 6
    with db.read() as session:
        assert len(session.exec(select(MonitorMention)).all()) == before
