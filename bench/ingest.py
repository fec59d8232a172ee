"""Ingest throughput: the real ingest path against a raw sqlite3 executemany of the same rows.

    python bench/ingest.py [--n 100000] [--rounds 3]

Both run in the same process, alternating, into fresh SQLite files with the same schema, so machine
noise hits both alike; the figure that matters is the ratio (target: ingest >= 0.5 x raw).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from storage import Database, MentionIn, add_brand, add_source, ingest


def synthetic(n: int) -> list[MentionIn]:
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    return [
        MentionIn(external_id=f"review-{i}", author_name=f"Customer {i % 5000}", title=f"Title {i}",
                  text=f"Review {i}: the product does what it says, support answered in {i % 48} hours.",
                  rating=1 + i % 5, url=f"https://reviews.example/r/{i}", published_at=start + timedelta(minutes=i))
        for i in range(n)
    ]


def fresh(directory: Path, name: str) -> tuple[Database, int]:
    db = Database(f"sqlite:///{directory / name}")
    with db.write() as session:
        source = add_source(session, add_brand(session, "Bench"), "import", name="bench")
    assert source.id is not None
    return db, source.id


def run_ingest(directory: Path, items: list[MentionIn], round_: int) -> float:
    db, source_id = fresh(directory, f"ingest-{round_}.db")
    began = time.perf_counter()
    result = ingest(db, source_id, items)
    elapsed = time.perf_counter() - began
    assert result.new == len(items)
    db.dispose()
    return len(items) / elapsed


def run_raw(directory: Path, items: list[MentionIn], round_: int) -> float:
    db, source_id = fresh(directory, f"raw-{round_}.db")
    db.dispose()
    collected = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
    rows = [
        (source_id, "review", m.external_id, m.url, m.author_name, None, m.title, m.text, None, m.rating, None,
         m.published_at.replace(tzinfo=None).isoformat(sep=" ") if m.published_at else None, collected, None,
         m.content_hash(), "pending", "[]", None)
        for m in items
    ]
    connection = sqlite3.connect(directory / f"raw-{round_}.db", isolation_level=None)
    connection.execute("PRAGMA synchronous = NORMAL")
    began = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany(
        "INSERT INTO mentions (source_id, kind, external_id, url, author_name, author_handle, title, text, original,"
        " rating, language, published_at, collected_at, updated_at, content_hash, status, tags, consent_ref)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - began
    connection.close()
    return len(items) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    items = synthetic(args.n)
    ingest_rates, raw_rates = [], []
    with tempfile.TemporaryDirectory() as directory:
        for round_ in range(args.rounds):
            raw_rates.append(run_raw(Path(directory), items, round_))
            ingest_rates.append(run_ingest(Path(directory), items, round_))
            print(f"round {round_ + 1}: raw {raw_rates[-1]:,.0f}/s  ingest {ingest_rates[-1]:,.0f}/s  "
                  f"ratio {ingest_rates[-1] / raw_rates[-1]:.2f}")
    raw, real = statistics.median(raw_rates), statistics.median(ingest_rates)
    print(f"\n{args.n:,} mentions, median of {args.rounds} rounds")
    print(f"raw executemany : {raw:,.0f} rows/s")
    print(f"ingest()        : {real:,.0f} rows/s")
    print(f"ratio           : {real / raw:.2f}  (target >= 0.50)")


if __name__ == "__main__":
    main()
