"""`advocado import`, `export` and `erase` end to end, through the real command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advocado.cli import app

REVIEWS_CSV = """Review ID,Reviewer,Date,Stars,Headline,Review
g2-1,Ann Lee,2024-05-01,5,Great,"Love it, really"
g2-2,Bob Ray,"May 3, 2024",2,Meh,"Crashes, often"
g2-3,Cy Dee,2024-06-01T10:00:00+02:00,8/10,Good,Solid tool
"""


def run(cli: CliRunner, *args: str) -> tuple[int, str, str]:
    result = cli.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def export(cli: CliRunner, brand: str = "Acme") -> list[dict]:
    code, out, err = run(cli, "export", "--brand", brand, "--format", "jsonl")
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture
def acme(cli: CliRunner) -> None:
    code, out, err = run(cli, "brand", "add", "Acme", "--alias", "Acme Inc", "--domain", "acme.com", "--competitor", "Globex")
    assert code == 0, err


def test_importing_twice_lists_each_review_once(cli: CliRunner, acme: None, tmp_path: Path) -> None:
    (tmp_path / "reviews.csv").write_text(REVIEWS_CSV)
    assert run(cli, "import", "reviews.csv", "--brand", "Acme")[0] == 0
    code, out, _ = run(cli, "import", "reviews.csv", "--brand", "Acme")
    assert code == 0 and "0 new" in out and "3 unchanged" in out
    records = export(cli)
    assert [r["external_id"] for r in records] == ["g2-1", "g2-2", "g2-3"]
    first = records[0]
    assert (first["author"], first["rating"], first["title"], first["text"]) == ("Ann Lee", 5.0, "Great", "Love it, really")
    assert first["published_at"] == "2024-05-01T00:00:00+00:00"
    assert records[1]["published_at"] == "2024-05-03T00:00:00+00:00"
    assert records[2]["rating"] == 4.0 and records[2]["published_at"] == "2024-06-01T08:00:00+00:00"
    assert {r["brand"] for r in records} == {"Acme"} and {r["status"] for r in records} == {"pending"}
    assert all(r["sentiment"] is None for r in records)


def test_an_edited_row_is_updated_not_duplicated(cli: CliRunner, acme: None, tmp_path: Path) -> None:
    (tmp_path / "reviews.csv").write_text(REVIEWS_CSV)
    run(cli, "import", "reviews.csv", "--brand", "Acme")
    (tmp_path / "reviews.csv").write_text(REVIEWS_CSV.replace("Crashes, often", "Fixed now, happy"))
    code, out, _ = run(cli, "import", "reviews.csv", "--brand", "Acme")
    assert code == 0 and "1 updated" in out
    assert [r["text"] for r in export(cli)] == ["Love it, really", "Fixed now, happy", "Solid tool"]


BAD_FILES = {
    "rating-of-7.csv": ("id,text,rating\n1,fine,5\n2,too good,7\n", "rating-of-7.csv:3: rating: "),
    "unknown-column.csv": ("id,text,mood\n1,fine,happy\n", "unknown-column.csv:1: mood: unknown column"),
    "unclosed-quote.csv": ('id,text\n1,fine\n2,"never closed\n', "unclosed-quote.csv:3: malformed CSV"),
    "extra-value.csv": ("id,text\n1,fine\n2,two,three\n", "extra-value.csv:3: has 3 values"),
    "invalid.jsonl": ('{"id": 1, "text": "ok"}\n{"id": 2, "text": \n', "invalid.jsonl:2: invalid JSON"),
    "invalid.json": ('[\n  {"id": 1, "text": "ok"},\n  {"id": 2 "text": "x"}\n]', "invalid.json:3: invalid JSON"),
    "zero-rating.json": ('[\n  {"id": 1, "text": "ok"},\n  {"id": 2, "text": "x", "rating": 0}\n]', "zero-rating.json:3: rating: "),
    "not-objects.jsonl": ('{"id": 1, "text": "ok"}\n[1, 2]\n', "not-objects.jsonl:2: expected a JSON object"),
    "nested.jsonl": ('{"id": 1, "text": {"html": "<b>hi</b>"}}\n', "nested.jsonl:1: text: expected text"),
    "empty-row.csv": ("id,text,rating\n1,,\n", "empty-row.csv:2: text: a review needs text or a rating"),
    "bad-date.csv": ("id,text,date\n1,ok,next tuesday\n", "bad-date.csv:2: date: not a date"),
    "huge.csv": ("id,text\n1," + "a" * 10_000_000 + "\n", "huge.csv:2: text: longer than 100,000 characters"),
    "no-header.csv": ("", "no-header.csv:1: has no header row"),
    "markup-column.csv": ("id,text,[bold]x[/bold]\n1,ok,y\n", "markup-column.csv:1: [bold]x[/bold]: unknown column"),
    "latin1.csv": (b"id,text\n1,caf\xe9\n", "latin1.csv:2: not UTF-8"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_input_is_one_line_error_and_changes_nothing(cli: CliRunner, acme: None, tmp_path: Path, name: str) -> None:
    content, expected = BAD_FILES[name]
    (tmp_path / "good.csv").write_text(REVIEWS_CSV)
    run(cli, "import", "good.csv", "--brand", "Acme")
    before = export(cli)
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    code, out, err = run(cli, "import", name, "--brand", "Acme")
    assert code == 1
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert expected in err
    assert "Traceback" not in err + out
    assert export(cli) == before


def test_columns_can_be_mapped_or_ignored(cli: CliRunner, acme: None, tmp_path: Path) -> None:
    (tmp_path / "sheet.csv").write_text("Customer quote,Internal note,Score (of 10)\nBest purchase ever,call back,10\n")
    code, _, err = run(cli, "import", "sheet.csv", "--brand", "Acme", "--map", "Customer quote=text",
                       "--map", "Internal note=ignore", "--map", "Score (of 10)=rating")
    assert code == 1 and "rating" in err  # 10 is not a 1-5 rating, even when mapped
    (tmp_path / "sheet.csv").write_text("Customer quote,Internal note,Score (of 10)\nBest purchase ever,call back,10/10\n")
    code, _, err = run(cli, "import", "sheet.csv", "--brand", "Acme", "--map", "Customer quote=text",
                       "--map", "Internal note=ignore", "--map", "Score (of 10)=rating")
    assert code == 0, err
    [record] = export(cli)
    assert (record["text"], record["rating"]) == ("Best purchase ever", 5.0)
    assert "call back" not in json.dumps(record)


def test_json_documents_wrapping_a_list_and_jsonl_both_import(cli: CliRunner, acme: None, tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"reviews": [{"id": "a", "body": "Nice", "stars": "★★★★☆"}]}))
    (tmp_path / "b.ndjson").write_text('{"review_id": "b", "content": "Bad", "rating": "1 out of 5"}\n\n')
    assert run(cli, "import", "a.json", "--brand", "Acme")[0] == 0
    assert run(cli, "import", "b.ndjson", "--brand", "Acme")[0] == 0
    assert [(r["external_id"], r["rating"]) for r in export(cli)] == [("a", 4.0), ("b", 1.0)]


def test_rows_without_an_id_are_deduplicated_by_content(cli: CliRunner, acme: None, tmp_path: Path) -> None:
    (tmp_path / "noid.csv").write_text("author,text,rating\nAnn,Good stuff,4\nBob,Bad stuff,1\n")
    run(cli, "import", "noid.csv", "--brand", "Acme")
    run(cli, "import", "noid.csv", "--brand", "Acme")
    assert len(export(cli)) == 2


def test_an_export_imports_back_unchanged(cli: CliRunner, acme: None, tmp_path: Path) -> None:
    (tmp_path / "reviews.csv").write_text(REVIEWS_CSV)
    run(cli, "import", "reviews.csv", "--brand", "Acme")
    assert run(cli, "export", "--brand", "Acme", "--output", "out/acme.jsonl")[0] == 0
    assert run(cli, "brand", "add", "Copy")[0] == 0
    code, _, err = run(cli, "import", "out/acme.jsonl", "--brand", "Copy")
    assert code == 0, err
    keep = ("external_id", "author", "title", "text", "rating", "published_at")
    assert [{k: r[k] for k in keep} for r in export(cli, "Copy")] == [{k: r[k] for k in keep} for r in export(cli)]


def test_csv_export_defuses_spreadsheet_formulas(cli: CliRunner, acme: None, tmp_path: Path) -> None:
    (tmp_path / "evil.jsonl").write_text(json.dumps({"id": "1", "text": "=HYPERLINK(\"http://evil\")", "author": "@bob"}) + "\n")
    run(cli, "import", "evil.jsonl", "--brand", "Acme")
    code, out, _ = run(cli, "export", "--brand", "Acme", "--format", "csv")
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert row["text"] == "'=HYPERLINK(\"http://evil\")" and row["author"] == "'@bob"


def test_erase_by_author_keeps_them_out_of_later_imports(cli: CliRunner, acme: None, tmp_path: Path) -> None:
    (tmp_path / "reviews.csv").write_text(REVIEWS_CSV)
    run(cli, "import", "reviews.csv", "--brand", "Acme")
    code, out, _ = run(cli, "erase", "--author", "bob ray", "--brand", "Acme")
    assert code == 0 and "Erased 1 mention" in out
    code, out, _ = run(cli, "import", "reviews.csv", "--brand", "Acme")
    assert "1 skipped as erased" in out
    records = export(cli)
    assert [r["author"] for r in records] == ["Ann Lee", "Cy Dee"]
    assert "Crashes" not in json.dumps(records)


def test_erase_by_id_and_bad_erase_arguments(cli: CliRunner, acme: None, tmp_path: Path) -> None:
    (tmp_path / "reviews.csv").write_text(REVIEWS_CSV)
    run(cli, "import", "reviews.csv", "--brand", "Acme")
    first = export(cli)[0]["id"]
    assert run(cli, "erase", "--mention", str(first))[0] == 0
    assert len(export(cli)) == 2
    code, _, err = run(cli, "erase", "--author", "Ann Lee")
    assert code == 1 and "--brand" in err
    code, _, err = run(cli, "erase", "--mention", str(first))
    assert code == 1 and "no mention" in err
