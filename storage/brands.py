"""Brands, their competitors, and the sources that belong to them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.errors import AlreadyExists, NotFound
from storage.models import Brand, Competitor, Source


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        if (cleaned := value.strip()) and cleaned.casefold() not in seen:
            seen[cleaned.casefold()] = cleaned
    return list(seen.values())


def add_brand(
    session: Session,
    name: str,
    *,
    aliases: Sequence[str] = (),
    domains: Sequence[str] = (),
    competitors: Sequence[str] = (),
) -> Brand:
    """Create a brand; names are unique regardless of letter case."""
    name = name.strip()
    if not name:
        raise ValueError("a brand needs a name")
    if session.exec(select(Brand).where(func.lower(Brand.name) == name.lower())).first():
        raise AlreadyExists(f"brand {name!r} already exists")
    brand = Brand(name=name, aliases=_unique(aliases), domains=_unique(d.lower() for d in domains))
    session.add(brand)
    try:
        session.flush()
    except IntegrityError as error:
        raise AlreadyExists(f"brand {name!r} already exists") from error
    for competitor in _unique(competitors):
        add_competitor(session, brand, competitor)
    return brand


def get_brand(session: Session, name: str) -> Brand:
    """The brand called `name` (any letter case)."""
    brand = session.exec(select(Brand).where(func.lower(Brand.name) == name.strip().lower())).first()
    if brand is None:
        raise NotFound(f"no brand named {name!r} (see `advocado brand list`)")
    return brand


def list_brands(session: Session) -> list[Brand]:
    return list(session.exec(select(Brand).order_by(Brand.name)))


def add_competitor(
    session: Session, brand: Brand, name: str, *, aliases: Sequence[str] = (), domains: Sequence[str] = ()
) -> Competitor:
    """Add a competitor to `brand`, or merge aliases and domains into the one it already has."""
    existing = session.exec(
        select(Competitor).where(Competitor.brand_id == brand.id, func.lower(Competitor.name) == name.strip().lower())
    ).first()
    if existing is not None:
        existing.aliases = _unique([*existing.aliases, *aliases])
        existing.domains = _unique([*existing.domains, *(d.lower() for d in domains)])
        session.add(existing)
        return existing
    assert brand.id is not None, "the brand must be flushed first"
    competitor = Competitor(
        brand_id=brand.id, name=name.strip(), aliases=_unique(aliases), domains=_unique(d.lower() for d in domains)
    )
    session.add(competitor)
    session.flush()
    return competitor


def competitors_of(session: Session, brand: Brand) -> list[Competitor]:
    return list(session.exec(select(Competitor).where(Competitor.brand_id == brand.id).order_by(Competitor.name)))


def add_source(
    session: Session,
    brand: Brand,
    kind: str,
    *,
    name: str = "",
    params: dict[str, Any] | None = None,
    schedule_seconds: int | None = None,
) -> Source:
    """Register a new source for `brand`."""
    assert brand.id is not None, "the brand must be flushed first"
    source = Source(brand_id=brand.id, kind=kind, name=name, params=params or {}, schedule_seconds=schedule_seconds)
    session.add(source)
    session.flush()
    return source


def get_or_add_source(session: Session, brand: Brand, kind: str, name: str) -> Source:
    """The brand's source of this kind and name, created on first use (file imports use this)."""
    source = session.exec(
        select(Source).where(Source.brand_id == brand.id, Source.kind == kind, Source.name == name)
    ).first()
    return source or add_source(session, brand, kind, name=name)


def get_source(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(f"no source with id {source_id}")
    return source
