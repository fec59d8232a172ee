"""Turning the columns and values of an imported file into mention fields."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from storage import MentionIn, content_key

FORMATS = ("csv", "json", "jsonl")
FIELDS = (
    "external_id", "kind", "url", "author_name", "author_handle", "title", "text", "original",
    "rating", "language", "published_at", "tags", "consent_ref",
)
IGNORE = "ignore"
MAX_FIELD_BYTES = 64 * 1024 * 1024

# Column names seen in review-platform exports and spreadsheets, normalised (lower case, letters
# and digits only). A file's own exact field names always win over these.
SYNONYMS: dict[str, str] = {
    **{n: "external_id" for n in ("id", "reviewid", "uuid", "guid")},
    **{n: "text" for n in ("review", "reviewtext", "body", "content", "comment", "comments", "reviewbody",
                            "reviewcontent", "testimonial", "feedback", "message", "description")},
    **{n: "title" for n in ("headline", "summary", "reviewtitle", "subject")},
    **{n: "rating" for n in ("stars", "star", "score", "starrating", "overallrating", "reviewrating", "ratingvalue")},
    **{n: "author_name" for n in ("author", "name", "reviewer", "reviewername", "user", "username", "customer",
                                  "customername", "authorname")},
    **{n: "author_handle" for n in ("handle", "authorhandle", "screenname")},
    **{n: "published_at" for n in ("date", "reviewdate", "createdat", "created", "datepublished", "published",
                                   "publishedat", "submittedat", "time", "timestamp", "postedat")},
    **{n: "url" for n in ("link", "reviewurl", "permalink", "href")},
    **{n: "language" for n in ("lang", "locale")},
    **{n: "tags" for n in ("tag", "labels", "categories")},
}
# Fields that Advocado's own export adds; re-importing an export ignores them.
EXPORT_ONLY = frozenset({"brand", "sourcekind", "collectedat", "status", "sentiment", "sentimentlabel",
                         "sentimentprobabilities", "sentimentmodel"})

_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d", "%Y.%m.%d")
_STARS = re.compile(r"^[★☆✩✭⭐\s]+$")
_FRACTION = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:/|out of|of)\s*(\d+(?:[.,]\d+)?)\s*$", re.IGNORECASE)


class ImportFileError(Exception):
    """A file that cannot be imported; the message names file, line and field."""

    def __init__(self, path: Path, message: str, *, line: int | str | None = None, field: str | None = None) -> None:
        where = str(path) + {type(None): "", int: f":{line}", str: f": {line}"}[type(line)]
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")
        self.line, self.field = line, field


@dataclass(frozen=True)
class ImportedItem:
    """One valid item and where it came from: a line number, or "item N" in a wrapped JSON document."""

    line: int | str
    item: MentionIn


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def detect_format(path: Path, explicit: str | None) -> str:
    if explicit:
        if explicit not in FORMATS:
            raise ImportFileError(path, f"unknown format {explicit!r}; use one of {', '.join(FORMATS)}")
        return explicit
    suffix = path.suffix.lower().lstrip(".")
    fmt = {"ndjson": "jsonl", "txt": ""}.get(suffix, suffix)
    if fmt not in FORMATS:
        raise ImportFileError(path, "cannot tell the format from the file name; pass --format csv, json or jsonl")
    return fmt


class ColumnMap:
    """Decides which mention field each column of a file fills; unknown columns are errors."""

    def __init__(self, path: Path, explicit: Mapping[str, str]) -> None:
        self.path = path
        self.explicit = {_normal(column): field for column, field in explicit.items()}
        for column, field in explicit.items():
            if field != IGNORE and field not in FIELDS:
                raise ImportFileError(path, f"--map {column}={field}: unknown field; fields are {', '.join(FIELDS)} or {IGNORE}")
        self._cache: dict[frozenset[str], dict[str, str]] = {}

    def fields_for(self, columns: list[str], line: int | str) -> dict[str, str]:
        """column -> field for one header (CSV) or one object's keys (JSON)."""
        key = frozenset(columns)
        if key not in self._cache:
            self._cache[key] = self._resolve(columns, line)
        return self._cache[key]

    def _resolve(self, columns: list[str], line: int | str) -> dict[str, str]:
        direct = {_normal(f) for f in FIELDS}
        present = {_normal(c) for c in columns}
        resolved: dict[str, str] = {}
        for column in columns:
            norm = _normal(column)
            if norm in self.explicit:
                field = self.explicit[norm]
            elif norm in direct:
                field = next(f for f in FIELDS if _normal(f) == norm)
            elif norm in EXPORT_ONLY or (norm == "id" and "externalid" in present):
                field = IGNORE
            elif norm in SYNONYMS and _normal(SYNONYMS[norm]) not in present:
                field = SYNONYMS[norm]
            else:
                raise ImportFileError(
                    self.path, f"unknown column; map it with --map '{column}=FIELD' or skip it with --map '{column}={IGNORE}'",
                    line=line, field=column or "(empty header)",
                )
            if field != IGNORE and field in resolved.values():
                other = next(c for c, f in resolved.items() if f == field)
                raise ImportFileError(self.path, f"columns {other!r} and {column!r} both fill {field}; "
                                      f"skip one with --map '{column}={IGNORE}'", line=line, field=column)
            resolved[column] = field
        return resolved


def parse_rating(value: Any) -> float | None:
    """A 1-5 rating from a number, "4.5", "8/10", "4 out of 5" or "★★★★☆"; empty means none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a rating: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if _STARS.match(text):
        return float(sum(text.count(star) for star in "★✭⭐"))
    if match := _FRACTION.match(text):
        score, scale = (float(part.replace(",", ".")) for part in match.groups())
        if scale <= 0 or score > scale:
            raise ValueError(f"not a rating: {text!r}")
        return round(score / scale * 10) / 2
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise ValueError(f"not a rating: {text!r}") from None


def parse_datetime(value: Any) -> datetime | None:
    """ISO 8601, RFC 2822, Unix seconds, or dates like "May 1, 2024"; naive times are taken as UTC."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, timezone.utc)
    text = str(value).strip()
    parsers = [lambda t: datetime.fromisoformat(t.replace("Z", "+00:00")), parsedate_to_datetime,
               *[lambda t, f=f: datetime.strptime(t, f) for f in _DATE_FORMATS]]
    for parse in parsers:
        try:
            parsed = parse(text)
        except (ValueError, TypeError, IndexError):
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    raise ValueError(f"not a date: {text[:40]!r}; use ISO 8601 like 2024-05-01 or 2024-05-01T12:00:00Z")


def _tags(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(tag).strip() for tag in value if str(tag).strip()]
    return [tag.strip() for tag in re.split(r"[;,|]", str(value)) if tag.strip()]


class FieldError(ValueError):
    """A value that does not fit its field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def build_item(values: dict[str, Any]) -> MentionIn:
    """A MentionIn from field -> raw value; raises ValueError naming the field at fault."""
    fields: dict[str, Any] = {}
    for field, raw in values.items():
        try:
            if field == "rating":
                fields[field] = parse_rating(raw)
            elif field == "published_at":
                fields[field] = parse_datetime(raw)
            elif field == "tags":
                fields[field] = _tags(raw)
            elif isinstance(raw, dict | list):
                raise ValueError("expected text, got a nested JSON value")
            elif raw is not None and str(raw).strip() != "":
                fields[field] = str(raw) if not isinstance(raw, str) else raw
        except ValueError as error:
            raise FieldError(field, str(error)) from None
    if not fields.get("text", "").strip() and fields.get("rating") is None:
        raise FieldError("text", "a review needs text or a rating; this row has neither")
    if "external_id" not in fields:
        fields["external_id"] = content_key(fields.get("author_name"), fields.get("published_at"),
                                            fields.get("title"), fields.get("text"), fields.get("rating"))
    try:
        return MentionIn(**fields)
    except ValidationError as error:
        first = error.errors()[0]
        raise FieldError(str(first["loc"][0]) if first["loc"] else "row", _explain(first, fields)) from None


def _explain(error: Any, fields: dict[str, Any]) -> str:
    field = error["loc"][0] if error["loc"] else ""
    if field == "rating":
        return f"a rating is 1 to 5 stars (or a fraction like 8/10), got {fields.get('rating'):g}"
    if error["type"] == "string_too_long":
        return f"longer than {error['ctx']['max_length']:,} characters"
    return str(error["msg"])
