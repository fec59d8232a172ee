"""UTCDateTime writes exactly the text SQLAlchemy's SQLite DATETIME would, from any time zone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import DateTime
from sqlalchemy.dialects import sqlite

from storage.types import UTCDateTime

DIALECT = sqlite.dialect()
REFERENCE = DateTime().dialect_impl(DIALECT).bind_processor(DIALECT)
OURS = UTCDateTime().dialect_impl(DIALECT).bind_processor(DIALECT)


@given(moment=st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9998, 12, 31)),
       offset_minutes=st.integers(-14 * 60, 14 * 60) | st.none())
def test_sqlite_text_matches_sqlalchemys_for_the_same_utc_instant(moment: datetime, offset_minutes: int | None) -> None:
    if offset_minutes is None:
        assert OURS(moment) == REFERENCE(moment)
        return
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    assert OURS(aware) == REFERENCE(aware.astimezone(timezone.utc).replace(tzinfo=None))
