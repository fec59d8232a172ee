"""Fixtures for collector tests: a loopback server, fetch options for it, a brand with a source."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from collectors import HttpOptions
from storage import Database, add_brand, add_source
from tests.collectors.loopback import Loopback


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    with Loopback() as server:
        yield server


@pytest.fixture
def options() -> HttpOptions:
    """Loopback allowed, no politeness delay, one quick retry."""
    return HttpOptions(allow_private_networks=True, host_interval=0.0, attempts=2, backoff_base=0.01,
                       timeout=5.0, user_agent="AdvocadoTest/1.0 (+https://example.invalid)")


def make_source(db: Database, kind: str, params: dict[str, Any], *, brand: str = "Acme") -> int:
    """A brand (created if needed) with one source; returns the source id."""
    from storage import get_brand
    from storage.errors import NotFound

    with db.write() as session:
        try:
            owner = get_brand(session, brand)
        except NotFound:
            owner = add_brand(session, brand)
        source = add_source(session, owner, kind, name=kind, params=params)
        assert source.id is not None
        return source.id


def stored_mentions(db: Database, source_id: int) -> list[Any]:
    """The source's stored mentions in id order."""
    from sqlmodel import select

    from storage import Mention

    with db.read() as session:
        return list(session.exec(select(Mention).where(Mention.source_id == source_id).order_by(Mention.id)))
