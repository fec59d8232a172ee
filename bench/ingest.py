"""Ingest throughput: the real ingest path against a raw sqlite3 executemany of the same rows.

    python bench/ingest.py [--n 100000] [--rounds 3]

Both run in the same process, alternating, into fresh SQLite files with the same schema, so machine
noise hits both alike; the figure that matters is the ratio (target: ingest >= 0.5 x raw). Rates are
given by wall time and by this process's CPU time: on a shared, busy machine the CPU-time ratio is the
steadier of the two.
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


Rates = tuple[float, float]


def _rates(n: int, wall: float, cpu: float) -> Rates:
    return n / wall, n / cpu


def run_ingest(directory: Path, items: list[MentionIn], round_: int) -> Rates:
    db, source_id = fresh(directory, f"ingest-{round_}.db")
    wall, cpu = time.perf_counter(), time.process_time()
    result = ingest(db, source_id, items)
    rates = _rates(len(items), time.perf_counter() - wall, time.process_time() - cpu)
    assert result.new == len(items)
    db.dispose()
    return rates


def run_raw(directory: Path, items: list[MentionIn], round_: int) -> Rates:
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
    # The same connection settings Advocado uses, so both sides enforce the same constraints.
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA foreign_keys = ON")
    wall, cpu = time.perf_counter(), time.process_time()
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany(
        "INSERT INTO mentions (source_id, kind, external_id, url, author_name, author_handle, title, text, original,"
        " rating, language, published_at, collected_at, updated_at, content_hash, status, tags, consent_ref)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    connection.execute("COMMIT")
    rates = _rates(len(items), time.perf_counter() - wall, time.process_time() - cpu)
    connection.close()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    items = synthetic(args.n)
    ingest_rates: list[Rates] = []
    raw_rates: list[Rates] = []
    with tempfile.TemporaryDirectory() as directory:
        for round_ in range(args.rounds):
            raw_rates.append(run_raw(Path(directory), items, round_))
            ingest_rates.append(run_ingest(Path(directory), items, round_))
            (raw_wall, raw_cpu), (real_wall, real_cpu) = raw_rates[-1], ingest_rates[-1]
            print(f"round {round_ + 1}: raw {raw_wall:,.0f}/s  ingest {real_wall:,.0f}/s  ratio {real_wall / raw_wall:.2f}"
                  f"   (CPU time: raw {raw_cpu:,.0f}/s  ingest {real_cpu:,.0f}/s  ratio {real_cpu / raw_cpu:.2f})")
    print(f"\n{args.n:,} mentions, median of {args.rounds} rounds")
    for label, index in (("wall time", 0), ("CPU time", 1)):
        raw = statistics.median(rate[index] for rate in raw_rates)
        real = statistics.median(rate[index] for rate in ingest_rates)
        print(f"{label:9s}: raw executemany {raw:,.0f} rows/s, ingest() {real:,.0f} rows/s, ratio {real / raw:.2f} (target >= 0.50)")


if __name__ == "__main__":
    main()
