"""The normalized item every collector and importer hands to `ingest`, and its content hash."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from storage.models import MentionKind
from storage.types import as_utc

MAX_TEXT_CHARS = 100_000
"""Longest review text accepted; far above any real review, far below a pasted database dump."""

MAX_SHORT_CHARS = 2_000
"""Longest author name, title, url, language or external id."""

_HASH_VERSION = "1"

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_SHORT_CHARS)]


class MentionIn(BaseModel):
    """One review or mention as a source saw it, before it is stored.

    `external_id` is the source's own id for the item; where a source has none, use
    `content_key()` to derive a stable one from the content.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    external_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SHORT_CHARS)]
    kind: MentionKind = MentionKind.review
    url: ShortText | None = None
    author_name: ShortText | None = None
    author_handle: ShortText | None = None
    title: ShortText | None = None
    text: str = Field(default="", max_length=MAX_TEXT_CHARS)
    original: str | None = Field(default=None, max_length=4 * MAX_TEXT_CHARS)
    rating: float | None = Field(default=None, ge=1, le=5)
    language: ShortText | None = None
    published_at: datetime | None = None
    tags: list[str] = Field(default_factory=list)
    consent_ref: ShortText | None = None

    @field_validator("published_at")
    @classmethod
    def _to_utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else as_utc(value)

    @field_validator("rating", mode="before")
    @classmethod
    def _zero_is_not_a_rating(cls, value: Any) -> Any:
        if value == 0:
            raise ValueError("a rating is 1 to 5; 0 means no rating, leave it empty")
        return value

    def content_hash(self) -> str:
        """A stable hash of what the item says, to notice edits; whitespace and Unicode form ignored."""
        return content_hash(
            self.author_handle, self.author_name, self.published_at, self.rating, self.text, self.title, self.url
        )


def content_hash(*fields: Any) -> str:
    """Hash field values in a fixed order with a version prefix; strings are compared in NFC with
    runs of whitespace collapsed (the reader project's recipe, without its JSON step: this runs for
    every ingested item, see bench/ingest.py)."""
    parts = []
    for value in fields:
        if value is None:
            parts.append("")
        elif value.__class__ is str:
            if not value.isascii() and not unicodedata.is_normalized("NFC", value):
                value = unicodedata.normalize("NFC", value)
            parts.append(" ".join(value.split()))
        else:
            parts.append(str(value))
    return _HASH_VERSION + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def content_key(*parts: Any) -> str:
    """An external id for items whose source gives none, derived from who said what, when."""
    return "h:" + content_hash(*parts)[1:33]
