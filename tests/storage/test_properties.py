"""Properties of the ingest path over generated items (hypothesis)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from storage import Database, Mention, MentionIn, add_brand, add_source, ingest

items = st.lists(
    st.builds(
        MentionIn,
        external_id=st.text("abcdef0123", min_size=1, max_size=4),
        text=st.text(max_size=60),
        rating=st.none() | st.integers(1, 5),
        author_name=st.none() | st.text(max_size=12),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(first=items, second=items)
def test_ingesting_twice_is_the_same_as_once_and_the_last_version_wins(first: list[MentionIn], second: list[MentionIn]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        db = Database(f"sqlite:///{Path(directory) / 'p.db'}")
        with db.write() as session:
            source_id = add_source(session, add_brand(session, "Acme"), "import").id
        assert source_id is not None
        ingest(db, source_id, first + second)
        with db.read() as session:
            once = {m.external_id: (m.text, m.rating) for m in session.exec(select(Mention))}
        again = ingest(db, source_id, first + second)
        with db.read() as session:
            twice = {m.external_id: (m.text, m.rating) for m in session.exec(select(Mention))}
        db.dispose()
    expected = {item.external_id: (item.text, item.rating) for item in first + second}
    assert once == twice
    assert {key: (text, rating and float(rating)) for key, (text, rating) in expected.items()} == once
    assert again.new == 0 and again.updated == 0


@given(text=st.text(max_size=80), spaces=st.sampled_from([" ", "  ", "\t", "\n", " \n "]))
def test_the_content_hash_ignores_whitespace_layout(text: str, spaces: str) -> None:
    words = text.split()
    one = MentionIn(external_id="1", text=" ".join(words))
    other = MentionIn(external_id="1", text=spaces + spaces.join(words) + spaces)
    assert one.content_hash() == other.content_hash()
