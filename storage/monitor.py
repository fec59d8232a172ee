"""The AI-visibility monitor's rows: engines, prompts, runs, raw answers and what analysis found in them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert
from sqlmodel import Session, col, select

from storage.errors import AlreadyExists, NotFound
from storage.models import MonitorAnswer, MonitorCitation, MonitorEngine, MonitorMention, MonitorPrompt, MonitorRun
from storage.types import utcnow


def add_monitor_engine(session: Session, kind: str, name: str, params: dict[str, Any]) -> MonitorEngine:
    """Store an engine; names are unique regardless of letter case."""
    name = name.strip()
    if session.exec(select(MonitorEngine).where(func.lower(MonitorEngine.name) == name.lower())).first():
        raise AlreadyExists(f"an engine named {name!r} already exists")
    engine = MonitorEngine(kind=kind, name=name, params=params)
    session.add(engine)
    session.flush()
    return engine


def list_monitor_engines(session: Session, *, enabled_only: bool = False) -> list[MonitorEngine]:
    query = select(MonitorEngine).order_by(col(MonitorEngine.id))
    if enabled_only:
        query = query.where(col(MonitorEngine.enabled).is_(True))
    return list(session.exec(query))


def get_monitor_engine(session: Session, ref: str | int) -> MonitorEngine:
    """An engine by id or by name."""
    engine = None
    if isinstance(ref, int) or str(ref).isdigit():
        engine = session.get(MonitorEngine, int(ref))
    if engine is None:
        engine = session.exec(select(MonitorEngine).where(func.lower(MonitorEngine.name) == str(ref).strip().lower())).first()
    if engine is None:
        raise NotFound(f"no monitor engine {ref!r} (see `advocado monitor engine list`)")
    return engine


def remove_monitor_engine(session: Session, ref: str | int) -> MonitorEngine:
    engine = get_monitor_engine(session, ref)
    session.delete(engine)
    return engine


def add_monitor_prompt(session: Session, text: str, tags: Sequence[str] = ()) -> MonitorPrompt:
    """Store a prompt (a question, possibly with {brand}, {competitor}, {category}); texts are unique."""
    text = text.strip()
    if not text:
        raise ValueError("a prompt needs text")
    if session.exec(select(MonitorPrompt).where(MonitorPrompt.text == text)).first():
        raise AlreadyExists("that prompt already exists")
    prompt = MonitorPrompt(text=text, tags=list(dict.fromkeys(t.strip() for t in tags if t.strip())))
    session.add(prompt)
    session.flush()
    return prompt


def list_monitor_prompts(session: Session, *, tags: Iterable[str] = (), enabled_only: bool = False) -> list[MonitorPrompt]:
    """Prompts, oldest first; with `tags`, only those carrying every one of them."""
    query = select(MonitorPrompt).order_by(col(MonitorPrompt.id))
    if enabled_only:
        query = query.where(col(MonitorPrompt.enabled).is_(True))
    wanted = set(tags)
    return [p for p in session.exec(query) if wanted <= set(p.tags)]


def remove_monitor_prompt(session: Session, prompt_id: int) -> MonitorPrompt:
    prompt = session.get(MonitorPrompt, prompt_id)
    if prompt is None:
        raise NotFound(f"no monitor prompt with id {prompt_id}")
    session.delete(prompt)
    return prompt


def start_monitor_run(session: Session, brand_id: int, engine_ids: Sequence[int], samples: int,
                      started_at: datetime | None = None) -> MonitorRun:
    run = MonitorRun(brand_id=brand_id, engine_ids=list(engine_ids), samples=samples, started_at=started_at or utcnow())
    session.add(run)
    session.flush()
    return run


def finish_monitor_run(session: Session, run_id: int, status: str, requests: int, cost: float,
                       finished_at: datetime | None = None) -> None:
    run = session.get(MonitorRun, run_id)
    if run is None:
        raise NotFound(f"no monitor run with id {run_id}")
    run.status, run.requests, run.estimated_cost = status, requests, cost
    run.finished_at = finished_at or utcnow()
    session.add(run)


def last_monitor_run(session: Session, brand_id: int) -> MonitorRun | None:
    return session.exec(select(MonitorRun).where(MonitorRun.brand_id == brand_id)
                        .order_by(col(MonitorRun.started_at).desc(), col(MonitorRun.id).desc())).first()


def monitor_answers(session: Session, *, brand_id: int | None = None, run_id: int | None = None,
                    since: datetime | None = None, until: datetime | None = None,
                    engine_id: int | None = None) -> list[MonitorAnswer]:
    """Stored answers, oldest first, filtered by brand (through its runs), run, time and engine."""
    query = select(MonitorAnswer).order_by(col(MonitorAnswer.asked_at), col(MonitorAnswer.id))
    if brand_id is not None:
        query = query.join(MonitorRun, col(MonitorRun.id) == MonitorAnswer.run_id).where(MonitorRun.brand_id == brand_id)
    if run_id is not None:
        query = query.where(MonitorAnswer.run_id == run_id)
    if since is not None:
        query = query.where(MonitorAnswer.asked_at >= since)
    if until is not None:
        query = query.where(MonitorAnswer.asked_at < until)
    if engine_id is not None:
        query = query.where(MonitorAnswer.engine_id == engine_id)
    return list(session.exec(query))


def answers_by_id(session: Session, ids: Sequence[int | None]) -> list[MonitorAnswer]:
    """The answers with these ids, in id order, in one query."""
    wanted = [i for i in ids if i is not None]
    return list(session.exec(select(MonitorAnswer).where(col(MonitorAnswer.id).in_(wanted)).order_by(col(MonitorAnswer.id))))


AnalysedRows = tuple[MonitorAnswer, Sequence[dict[str, Any]], Sequence[dict[str, Any]]]


def replace_answer_analyses(session: Session, analysed: Sequence[AnalysedRows], version: str) -> None:
    """Swap the mentions and citations of several answers for a new analysis, in the caller's transaction.

    `analysed` holds (answer, mention rows, citation rows), rows as column dicts without `answer_id`;
    they are inserted in bulk (one statement per table), which is what makes re-analysis fast.
    """
    ids = [answer.id for answer, _, _ in analysed]
    if not ids:
        return
    session.execute(delete(MonitorMention).where(col(MonitorMention.answer_id).in_(ids)))
    session.execute(delete(MonitorCitation).where(col(MonitorCitation.answer_id).in_(ids)))
    mentions = [{**row, "answer_id": answer.id} for answer, rows, _ in analysed for row in rows]
    citations = [{**row, "answer_id": answer.id} for answer, _, rows in analysed for row in rows]
    if mentions:
        session.execute(insert(MonitorMention), mentions)
    if citations:
        session.execute(insert(MonitorCitation), citations)
    for answer, _, _ in analysed:
        answer.analysis_version = version
        session.add(answer)


def answer_findings(session: Session, answer_ids: Sequence[int | None]
                    ) -> tuple[dict[int | None, list[MonitorMention]], dict[int | None, list[MonitorCitation]]]:
    """Mentions and citations of the given answers, grouped by answer id."""
    ids = [i for i in answer_ids if i is not None]
    mentions: dict[int | None, list[MonitorMention]] = {i: [] for i in ids}
    citations: dict[int | None, list[MonitorCitation]] = {i: [] for i in ids}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start:chunk_start + 500]
        for mention in session.exec(select(MonitorMention).where(col(MonitorMention.answer_id).in_(chunk))):
            mentions[mention.answer_id].append(mention)
        for citation in session.exec(select(MonitorCitation).where(col(MonitorCitation.answer_id).in_(chunk))):
            citations[citation.answer_id].append(citation)
    return mentions, citations
