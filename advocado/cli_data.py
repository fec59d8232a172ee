"""CLI commands that move mentions in and out: import, export, erase."""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from advocado.context import UserError, console, database, friendly_errors, progress
from collectors.files import ImportFileError, read_file
from storage import MentionRecord, erase_author, erase_mention, get_brand, get_or_add_source, ingest, iter_mentions

IMPORT_CHUNK = 1000
EXPORT_FIELDS = (
    "id", "brand", "source_kind", "kind", "external_id", "url", "author", "author_handle", "title", "text",
    "rating", "published_at", "collected_at", "language", "status", "tags", "sentiment",
)
# Spreadsheet programs run cells that start with these as formulas (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class FileFormat(StrEnum):
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


def _parse_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        column, sep, field = pair.rpartition("=")
        if not sep or not column.strip() or not field.strip():
            raise UserError(f"--map {pair!r}: expected COLUMN=FIELD")
        mapping[column.strip()] = field.strip()
    return mapping


@friendly_errors
def import_command(
    path: Annotated[Path, typer.Argument(help="A CSV, JSON or JSONL file of reviews.")],
    brand: Annotated[str, typer.Option("--brand", help="The brand the reviews are about.")],
    fmt: Annotated[FileFormat | None, typer.Option("--format", help="File format; default: from the file name.")] = None,
    map_: Annotated[list[str] | None, typer.Option("--map", help="COLUMN=FIELD: which field a column fills, or COLUMN=ignore (repeatable).")] = None,
    source: Annotated[str, typer.Option("--source", help="Name of the import source; items are unique per source.")] = "import",
) -> None:
    """Import reviews from a file. Importing the same file again adds nothing; edited rows are updated."""
    try:
        items = read_file(path, fmt=fmt.value if fmt else None, mapping=_parse_map(map_ or []))
    except ImportFileError as error:
        raise UserError(str(error)) from None
    db = database()
    with db.write() as session:
        source_id = get_or_add_source(session, get_brand(session, brand), "import", source).id
    assert source_id is not None
    totals = {"new": 0, "updated": 0, "unchanged": 0, "erased": 0}
    with progress(f"Importing {path.name}", len(items)) as advance:
        for start in range(0, len(items), IMPORT_CHUNK):
            chunk = [imported.item for imported in items[start:start + IMPORT_CHUNK]]
            result = ingest(db, source_id, chunk, cursor={"file": path.name, "imported": start + len(chunk)})
            for key in totals:
                totals[key] += getattr(result, key)
            advance(len(chunk))
    console.print(f"{path.name}: {len(items)} reviews read; {totals['new']} new, {totals['updated']} updated, "
                  f"{totals['unchanged']} unchanged, {totals['erased']} skipped as erased.")


def export_record(record: MentionRecord) -> dict[str, Any]:
    """One exported mention, as documented in the README."""
    mention, score = record.mention, record.sentiment
    return {
        "id": mention.id, "brand": record.brand, "source_kind": record.source_kind, "kind": mention.kind,
        "external_id": mention.external_id, "url": mention.url, "author": mention.author_name,
        "author_handle": mention.author_handle, "title": mention.title, "text": mention.text,
        "rating": mention.rating, "published_at": _iso(mention.published_at),
        "collected_at": _iso(mention.collected_at), "language": mention.language, "status": mention.status,
        "tags": mention.tags,
        "sentiment": None if score is None else {
            "label": score.label, "probabilities": score.probabilities,
            "model": score.model_id, "model_version": score.model_version,
        },
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    """stdout, or a file written in full beside its target and then renamed into place."""
    if path is None:
        yield sys.stdout
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_row(record: dict[str, Any]) -> dict[str, Any]:
    sentiment = record.pop("sentiment") or {}
    record["tags"] = ";".join(record["tags"])
    record |= {"sentiment_label": sentiment.get("label"), "sentiment_model": sentiment.get("model"),
               "sentiment_probabilities": json.dumps(sentiment["probabilities"]) if sentiment else None}
    return {key: _csv_cell(value) for key, value in record.items()}


@friendly_errors
def export_command(
    brand: Annotated[str, typer.Option("--brand", help="The brand whose mentions to export.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="jsonl (lossless) or csv (for spreadsheets).")] = ExportFormat.jsonl,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write; default: standard output.")] = None,
) -> None:
    """Export every mention of a brand, one record per mention, with its sentiment once scored."""
    count = 0
    with database().read() as session, _output(output) as stream:
        found = get_brand(session, brand)
        writer = None
        if fmt is ExportFormat.csv:
            columns = [f for f in EXPORT_FIELDS if f != "sentiment"] + ["sentiment_label", "sentiment_probabilities", "sentiment_model"]
            writer = csv.DictWriter(stream, fieldnames=columns)
            writer.writeheader()
        for record in iter_mentions(session, found):
            row = export_record(record)
            if writer is not None:
                writer.writerow(_csv_row(row))
            else:
                stream.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    if output is not None:
        console.print(f"Exported {count} mentions of {found.name} to {output}.")


@friendly_errors
def erase_command(
    mention: Annotated[int | None, typer.Option("--mention", help="Id of the mention to erase.")] = None,
    author: Annotated[str | None, typer.Option("--author", help="Erase everything this person wrote (name or handle)...")] = None,
    brand: Annotated[str | None, typer.Option("--brand", help="...about this brand.")] = None,
) -> None:
    """Erase a person's data on request: the text and personal data go, a tombstone stays so the
    item is never collected or imported again."""
    if (mention is None) == (author is None) or (author is not None and brand is None):
        raise UserError("give either --mention ID, or --author NAME with --brand NAME")
    with database().write() as session:
        erased = erase_mention(session, mention) if mention is not None else erase_author(session, brand or "", author or "")
    console.print(f"Erased {erased} mention{'s' if erased != 1 else ''}; tombstones kept so they are not collected again.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("import")(import_command)
    app.command("export")(export_command)
    app.command("erase")(erase_command)
