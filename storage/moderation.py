"""Moderation: approving, rejecting, hiding and tagging mentions in bulk."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from storage.models import DisplayStatus, Mention

MAX_TAG_CHARS = 50


def clean_tags(tags: Sequence[str]) -> list[str]:
    """Tags trimmed, without empties or repeats, each at most MAX_TAG_CHARS characters."""
    seen: list[str] = []
    for tag in tags:
        cleaned = " ".join(tag.split())[:MAX_TAG_CHARS]
        if cleaned and cleaned not in seen:
            seen.append(cleaned)
    return seen


def moderate(
    session: Session,
    mention_ids: Sequence[int],
    *,
    status: DisplayStatus | None = None,
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
) -> int:
    """Set the status of and add/remove tags on the given mentions; returns how many exist and were changed."""
    adding, removing = clean_tags(add_tags), set(clean_tags(remove_tags))
    changed = 0
    ids = sorted(set(mention_ids))
    for start in range(0, len(ids), 500):
        for mention in session.exec(select(Mention).where(col(Mention.id).in_(ids[start:start + 500]))):
            tags = [tag for tag in mention.tags if tag not in removing]
            tags += [tag for tag in adding if tag not in tags]
            new_status = status.value if status is not None else mention.status
            if tags != mention.tags or new_status != mention.status:
                mention.tags, mention.status = tags, new_status
                session.add(mention)
                changed += 1
    return changed
