"""The one ingest path: idempotent, edit-aware, cursor-atomic, erasure-respecting, on both databases."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError
from sqlmodel import Session, col, func, select

from storage import (
    Database,
    DisplayStatus,
    Mention,
    MentionIn,
    NotFound,
    SentimentScore,
    add_brand,
    add_source,
    erase_author,
    erase_mention,
    get_source,
    ingest,
)


def _source(db: Database, brand: str = "Acme") -> int:
    with db.write() as session:
        source = add_source(session, add_brand(session, brand), "import", name="test")
        assert source.id is not None
        return source.id


def _reviews(n: int, *, text: str = "Great product number {i}") -> list[MentionIn]:
    return [
        MentionIn(external_id=f"r{i}", author_name=f"Author {i % 7}", text=text.format(i=i), rating=1 + i % 5,
                  published_at=datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(hours=i))
        for i in range(n)
    ]


def _rows(session: Session, source_id: int) -> list[tuple[str, str, float | None]]:
    return [(m.external_id, m.text, m.rating) for m in session.exec(
        select(Mention).where(Mention.source_id == source_id).order_by(col(Mention.external_id)))]


def test_the_same_items_twice_give_the_same_rows(any_db: Database) -> None:
    source_id = _source(any_db)
    first = ingest(any_db, source_id, _reviews(1200))
    with any_db.read() as session:
        before = _rows(session, source_id)
    second = ingest(any_db, source_id, _reviews(1200))
    with any_db.read() as session:
        assert _rows(session, source_id) == before
    assert (first.new, first.unchanged) == (1200, 0)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 1200)
    assert len(before) == 1200


def test_duplicates_within_one_call_are_stored_once(any_db: Database) -> None:
    source_id = _source(any_db)
    items = _reviews(3)
    result = ingest(any_db, source_id, items + items[:2])
    with any_db.read() as session:
        assert len(_rows(session, source_id)) == 3
    assert result.new == 3


def test_a_key_repeated_in_a_later_batch_of_a_first_import_is_an_edit_not_a_duplicate(
        any_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules["storage.ingest"], "BATCH", 3)
    source_id = _source(any_db)
    items = _reviews(7) + [MentionIn(external_id="r1", text="changed later in the same file", rating=2)]
    result = ingest(any_db, source_id, items)
    with any_db.read() as session:
        rows = _rows(session, source_id)
    assert (result.new, result.updated) == (7, 1)
    assert len(rows) == 7 and ("r1", "changed later in the same file", 2.0) in rows


def test_an_edit_updates_the_row_drops_stale_scores_and_returns_to_moderation(any_db: Database) -> None:
    source_id = _source(any_db)
    ingest(any_db, source_id, _reviews(2))
    with any_db.write() as session:
        mention = session.exec(select(Mention).where(Mention.external_id == "r1")).one()
        mention.status = DisplayStatus.approved.value
        session.add(SentimentScore(mention_id=mention.id, model_id="m", model_version="1", label="positive",
                                   probabilities={"positive": 1.0}))
        mention_id = mention.id
    edited = _reviews(2, text="Edited: it broke after a week {i}")
    result = ingest(any_db, source_id, edited)
    with any_db.read() as session:
        mention = session.get(Mention, mention_id)
        assert mention is not None
        assert mention.text == "Edited: it broke after a week 1"
        assert mention.status == DisplayStatus.pending.value
        assert mention.updated_at is not None
        assert session.exec(select(SentimentScore)).all() == []
    assert (result.new, result.updated) == (0, 2)


def test_whitespace_and_unicode_form_are_not_edits(any_db: Database) -> None:
    source_id = _source(any_db)
    ingest(any_db, source_id, [MentionIn(external_id="1", text="Caf\u00e9 is  great\n")])
    result = ingest(any_db, source_id, [MentionIn(external_id="1", text="Cafe\u0301 is great")])
    assert (result.updated, result.unchanged) == (0, 1)


def _failing_after(items: list[MentionIn], n: int) -> Iterator[MentionIn]:
    yield from items[:n]
    raise RuntimeError("upstream connection dropped mid-page")


def test_cursor_and_items_commit_together_or_not_at_all(any_db: Database) -> None:
    source_id = _source(any_db)
    ingest(any_db, source_id, _reviews(5), cursor={"page": 1})
    with pytest.raises(RuntimeError, match="mid-page"):
        ingest(any_db, source_id, _failing_after(_reviews(1500), 1200), cursor={"page": 2})
    with any_db.read() as session:
        assert get_source(session, source_id).state == {"page": 1}
        assert len(_rows(session, source_id)) == 5
    ingest(any_db, source_id, _reviews(1500), cursor={"page": 2})
    with any_db.read() as session:
        assert get_source(session, source_id).state == {"page": 2}
        assert len(_rows(session, source_id)) == 1500


def test_erased_items_are_never_inserted_again(any_db: Database) -> None:
    source_id = _source(any_db)
    ingest(any_db, source_id, _reviews(14))
    with any_db.write() as session:
        erased = erase_author(session, "acme", "author 3")
    assert erased == 2
    again = ingest(any_db, source_id, _reviews(14))
    with any_db.read() as session:
        authors = {m.author_name for m in session.exec(select(Mention))}
        remaining = session.exec(select(func.count()).select_from(Mention)).one()
    assert "Author 3" not in authors
    assert remaining == 12
    assert (again.erased, again.new) == (2, 0)


def test_an_erased_review_under_a_new_id_is_recognised_by_its_content(any_db: Database) -> None:
    source_id = _source(any_db)
    review = MentionIn(external_id="a", author_name="Dana", text="Please remove me later", rating=2)
    ingest(any_db, source_id, [review])
    with any_db.write() as session:
        erase_mention(session, session.exec(select(Mention.id)).one())
    result = ingest(any_db, source_id, [review.model_copy(update={"external_id": "b"})])
    assert (result.new, result.erased) == (0, 1)


def test_erasure_removes_personal_data_and_scores(any_db: Database) -> None:
    source_id = _source(any_db)
    ingest(any_db, source_id, [MentionIn(external_id="x", author_name="Eve", author_handle="@eve", text="secret")])
    with any_db.write() as session:
        mention_id = session.exec(select(Mention.id)).one()
        session.add(SentimentScore(mention_id=mention_id, model_id="m", model_version="1", label="neutral",
                                   probabilities={}))
    with any_db.write() as session:
        erase_mention(session, mention_id)
    with any_db.read() as session:
        assert session.get(Mention, mention_id) is None
        assert session.exec(select(SentimentScore)).all() == []


def test_erasing_an_unknown_mention_or_author_is_an_error(any_db: Database) -> None:
    _source(any_db)
    with any_db.write() as session, pytest.raises(NotFound):
        erase_mention(session, 12345)
    with any_db.write() as session, pytest.raises(NotFound, match="nobody"):
        erase_author(session, "Acme", "nobody")


def test_ingest_into_a_missing_source_is_refused(any_db: Database) -> None:
    with pytest.raises(NotFound):
        ingest(any_db, 999, _reviews(1))


def test_tags_and_every_field_round_trip(any_db: Database) -> None:
    source_id = _source(any_db)
    item = MentionIn(external_id="full", kind="testimonial", url="https://acme.example/t/1", author_name="Zoë",
                     author_handle="@zoe", title="Title", text="Text ✓", original="<p>Text ✓</p>", rating=4.5,
                     language="en", tags=["demo", "launch"], consent_ref="form-1:v2")
    ingest(any_db, source_id, [item])
    ingest(any_db, source_id, [item.model_copy(update={"text": "Edited ✓", "tags": ["edited"]})])
    with any_db.read() as session:
        stored = session.exec(select(Mention)).one()
    assert (stored.kind, stored.url, stored.author_name, stored.author_handle, stored.title, stored.original,
            stored.rating, stored.language, stored.consent_ref) == (
        "testimonial", "https://acme.example/t/1", "Zoë", "@zoe", "Title", "<p>Text ✓</p>", 4.5, "en", "form-1:v2")
    assert (stored.text, stored.tags) == ("Edited ✓", ["edited"])


def test_times_are_stored_and_read_back_in_utc(any_db: Database) -> None:
    source_id = _source(any_db)
    local = datetime(2024, 3, 10, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
    ingest(any_db, source_id, [MentionIn(external_id="t", text="x", published_at=local)])
    with any_db.read() as session:
        stored = session.exec(select(Mention.published_at)).one()
    assert stored == local and stored.utcoffset() == timedelta(0)


def test_stored_times_compare_exactly_with_query_parameters(any_db: Database) -> None:
    source_id = _source(any_db)
    midnight = datetime(2026, 3, 2, tzinfo=timezone.utc)
    ingest(any_db, source_id, [MentionIn(external_id="m", text="x", published_at=midnight)])
    with any_db.read() as session:
        assert session.exec(select(Mention.external_id).where(col(Mention.published_at) >= midnight)).all() == ["m"]
        assert session.exec(select(Mention.external_id).where(col(Mention.published_at) <= midnight)).all() == ["m"]


@pytest.mark.parametrize("rating", [0, 7, -1, 5.5])
def test_ratings_outside_one_to_five_are_rejected(rating: float) -> None:
    with pytest.raises(ValidationError, match="rating"):
        MentionIn(external_id="1", text="x", rating=rating)


def test_the_database_refuses_a_bad_rating_even_past_validation(any_db: Database) -> None:
    source_id = _source(any_db)
    with pytest.raises(Exception, match="rating_1_to_5|CHECK"), any_db.write() as session:
        session.add(Mention(source_id=source_id, external_id="z", text="x", rating=0, content_hash="h"))
