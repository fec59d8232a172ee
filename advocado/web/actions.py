"""What the API and the dashboard both do to brands, sources and mentions; one function per action."""

from __future__ import annotations

from typing import Any

from collectors import registry, validate_params
from collectors.errors import CollectorError
from collectors.params import MASK
from collectors.registry import UnknownKind
from storage import (
    Brand,
    Database,
    DisplayStatus,
    NotFound,
    Source,
    add_brand,
    add_competitor,
    get_source,
    moderate,
)

ACTION_STATUS = {"approve": DisplayStatus.approved, "reject": DisplayStatus.rejected,
                 "hide": DisplayStatus.hidden, "pending": DisplayStatus.pending}


class InvalidInput(ValueError):
    """Input the user can correct (unknown kind, bad parameters); shown as a 422."""


def checked_params(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    try:
        return validate_params(kind, params)
    except UnknownKind as error:
        raise InvalidInput(str(error)) from None
    except CollectorError as error:
        raise InvalidInput(str(error)) from None


def create_brand(db: Database, name: str, aliases: list[str], domains: list[str], competitors: list[str]) -> int:
    if not name.strip():
        raise InvalidInput("a brand needs a name")
    with db.write() as session:
        brand = add_brand(session, name, aliases=aliases, domains=domains, competitors=competitors)
        return brand.id or 0


def update_brand(db: Database, brand_id: int, aliases: list[str] | None, domains: list[str] | None,
                 add_competitors: list[str]) -> None:
    with db.write() as session:
        brand = session.get(Brand, brand_id)
        if brand is None:
            raise NotFound(f"no brand with id {brand_id}")
        if aliases is not None:
            brand.aliases = list(dict.fromkeys(a.strip() for a in aliases if a.strip()))
        if domains is not None:
            brand.domains = list(dict.fromkeys(d.strip().lower() for d in domains if d.strip()))
        session.add(brand)
        for name in add_competitors:
            if name.strip():
                add_competitor(session, brand, name)


def create_source(db: Database, brand_id: int, kind: str, name: str, params: dict[str, Any],
                  schedule_seconds: int | None, enabled: bool = True) -> int:
    if kind not in registry():
        raise InvalidInput(f"no source kind {kind!r}; known kinds: {', '.join(registry().kinds())}")
    stored = checked_params(kind, params)
    with db.write() as session:
        if session.get(Brand, brand_id) is None:
            raise NotFound(f"no brand with id {brand_id}")
        source = Source(brand_id=brand_id, kind=kind, name=name.strip(), params=stored,
                        schedule_seconds=schedule_seconds, enabled=enabled)
        session.add(source)
        session.flush()
        return source.id or 0


def update_source(db: Database, source_id: int, *, name: str | None = None, params: dict[str, Any] | None = None,
                  schedule_seconds: int | None = None, unschedule: bool = False, enabled: bool | None = None) -> None:
    """Change a source; secret parameters sent back as the mask keep their stored values."""
    with db.write() as session:
        source = get_source(session, source_id)
        if params is not None:
            merged = {key: (source.params[key] if value == MASK and key in source.params else value)
                      for key, value in params.items()}
            source.params = checked_params(source.kind, merged) if source.kind in registry() else merged
        if name is not None:
            source.name = name.strip()
        if unschedule:
            source.schedule_seconds = None
        elif schedule_seconds is not None:
            source.schedule_seconds = schedule_seconds
        if enabled is not None:
            source.enabled = enabled
        session.add(source)


def moderate_mentions(db: Database, ids: list[int], action: str | None, add_tags: list[str],
                      remove_tags: list[str]) -> int:
    if action is not None and action not in ACTION_STATUS:
        raise InvalidInput(f"unknown action {action!r}; use approve, reject, hide or pending")
    with db.write() as session:
        return moderate(session, ids, status=ACTION_STATUS[action] if action else None,
                        add_tags=add_tags, remove_tags=remove_tags)


class Conflict(Exception):
    """The request cannot be done in the server's current state; shown as a 409."""
