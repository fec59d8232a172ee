"""Reading reviews a team already has from CSV, JSON or JSONL files (G2, Capterra, Amazon exports,
spreadsheets). A file is validated completely before anything is written, so a bad row changes nothing."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from collectors.file_fields import (
    FORMATS,
    MAX_FIELD_BYTES,
    ColumnMap,
    FieldError,
    ImportedItem,
    ImportFileError,
    build_item,
    detect_format,
)

__all__ = ["FORMATS", "ImportFileError", "ImportedItem", "read_file"]


def read_file(path: Path, *, fmt: str | None = None, mapping: Mapping[str, str] | None = None) -> list[ImportedItem]:
    """Every item in the file, or an ImportFileError for the first bad line; nothing partial."""
    fmt = detect_format(path, fmt)
    columns = ColumnMap(path, mapping or {})
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFileError(path, "no such file") from None
    except IsADirectoryError:
        raise ImportFileError(path, "is a directory, not a file") from None
    except UnicodeDecodeError as error:
        bad_line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise ImportFileError(path, "not UTF-8 text; save the file as UTF-8", line=bad_line) from None
    readers = {"csv": _csv_records, "json": _json_records, "jsonl": _jsonl_records}
    items = []
    for line, record in readers[fmt](path, text):
        fields = columns.fields_for(list(record), 1 if fmt == "csv" else line)
        values = {fields[key]: value for key, value in record.items() if fields[key] != "ignore"}
        try:
            items.append(ImportedItem(line, build_item(values)))
        except FieldError as error:
            column = next((key for key, field in fields.items() if field == error.field), error.field)
            raise ImportFileError(path, str(error), line=line, field=column) from None
    if not items:
        raise ImportFileError(path, "holds no reviews")
    return items


def _csv_records(path: Path, text: str) -> Iterator[tuple[int | str, dict[str, Any]]]:
    csv.field_size_limit(MAX_FIELD_BYTES)
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    try:
        header = next(reader, None)
        if not header or not any(name.strip() for name in header):
            raise ImportFileError(path, "has no header row naming its columns", line=1)
        header = [name.strip() for name in header]
        if len(set(header)) != len(header):
            duplicate = next(name for name in header if header.count(name) > 1)
            raise ImportFileError(path, "appears twice in the header", line=1, field=duplicate)
        start = reader.line_num + 1
        for row in reader:
            if not any(cell.strip() for cell in row):
                start = reader.line_num + 1
                continue
            if len(row) != len(header):
                raise ImportFileError(path, f"has {len(row)} values but the header has {len(header)} columns", line=start)
            yield start, dict(zip(header, row, strict=True))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(path, f"malformed CSV: {error}", line=reader.line_num) from None


def _json_records(path: Path, text: str) -> Iterator[tuple[int | str, dict[str, Any]]]:
    """A top-level array of objects (each reported by its line), or an object holding one array."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    try:
        if text[position:position + 1] != "[":
            document = json.loads(text)
            yield from _wrapped(path, document)
            return
        position = _skip_space(text, position + 1)
        if text[position:position + 1] == "]":
            return
        while True:
            line = text.count("\n", 0, position) + 1
            record, position = decoder.raw_decode(text, position)
            yield line, _object(path, record, line)
            position = _skip_space(text, position)
            separator = text[position:position + 1]
            if separator == "]":
                break
            if separator != ",":
                raise json.JSONDecodeError("expected ',' or ']'", text, position)
            position = _skip_space(text, position + 1)
        if text[_skip_space(text, position + 1):].strip():
            raise json.JSONDecodeError("extra data after the array", text, position + 1)
    except json.JSONDecodeError as error:
        raise ImportFileError(path, f"invalid JSON: {error.msg} (column {error.colno})", line=error.lineno) from None


def _wrapped(path: Path, document: Any) -> Iterator[tuple[int | str, dict[str, Any]]]:
    lists = [value for value in document.values() if isinstance(value, list)] if isinstance(document, dict) else []
    if len(lists) != 1:
        raise ImportFileError(path, "expected a JSON array of reviews, or an object holding one array of them")
    for number, record in enumerate(lists[0], start=1):
        yield f"item {number}", _object(path, record, f"item {number}")


def _jsonl_records(path: Path, text: str) -> Iterator[tuple[int | str, dict[str, Any]]]:
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as error:
            raise ImportFileError(path, f"invalid JSON: {error.msg} (column {error.colno})", line=line) from None
        yield line, _object(path, record, line)


def _object(path: Path, record: Any, line: int | str) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise ImportFileError(path, f"expected a JSON object for each review, got {type(record).__name__}", line=line)
    return record


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position
