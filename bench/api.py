"""Admin API latency and throughput with 100,000 stored mentions, 50 concurrent clients on loopback.

    python bench/api.py [--n 100000] [--clients 50] [--seconds 15]

Seeds a fresh SQLite database through the real ingest path (one brand, five sources, two years of
mentions, nine in ten scored), starts `advocado serve --no-scheduler` on a free loopback port in its
own process, and for each endpoint runs `--clients` concurrent keep-alive clients for `--seconds`,
then prints p50/p99 latency and requests per second. Client and server share the machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

from storage import Database, MentionIn, SentimentScore, add_brand, add_source, create_token, ingest

LABELS = ("positive", "neutral", "negative")
WORDS = ("support", "export", "pricing", "dashboard", "onboarding", "reports", "mobile app", "integrations")


def seed(directory: Path, n: int) -> tuple[str, int]:
    """A database of `n` mentions; returns a token and the brand id."""
    db = Database(f"sqlite:///{directory / 'advocado.db'}")
    with db.write() as session:
        brand = add_brand(session, "Bench")
        sources = [add_source(session, brand, kind, name=f"bench {i}").id
                   for i, kind in enumerate(("appstore", "trustpilot", "reddit", "hackernews", "import"))]
        _, token = create_token(session, "bench")
        brand_id = brand.id
    now = datetime.now(UTC)
    per_source = n // len(sources)
    for index, source_id in enumerate(sources):
        items = [MentionIn(external_id=f"m-{index}-{i}", author_name=f"Customer {i % 5000}", title=f"Title {i}",
                           text=f"Mention {i}: the {WORDS[i % len(WORDS)]} works, support answered in {i % 48} hours.",
                           rating=None if i % 7 == 0 else 1 + (i * 7 + index) % 5,
                           published_at=now - timedelta(minutes=(i * len(sources) + index) * 10))
                 for i in range(per_source)]
        ingest(db, source_id, items)  # type: ignore[arg-type]
    with db.engine.begin() as connection:
        ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM mentions ORDER BY id")]
        rows = [{"mention_id": mention_id, "model_id": "bench", "model_version": "1", "label": LABELS[mention_id % 3],
                 "probabilities": {LABELS[mention_id % 3]: 0.9}, "scored_at": now}
                for mention_id in ids if mention_id % 10]
        connection.execute(insert(SentimentScore), rows)
    db.dispose()
    return token, brand_id or 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def load(url: str, token: str, clients: int, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    failures = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, limits=limits, timeout=60) as client:
        async def one_client() -> None:
            nonlocal failures
            while time.perf_counter() < stop:
                began = time.perf_counter()
                try:
                    response = await client.get(url)
                except httpx.TransportError:
                    failures += 1
                    continue
                latencies.append(time.perf_counter() - began)
                failures += response.status_code != 200
        await asyncio.gather(*(one_client() for _ in range(clients)))
    return latencies, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        began = time.perf_counter()
        token, brand_id = seed(directory, args.n)
        print(f"seeded {args.n:,} mentions in {time.perf_counter() - began:.1f} s")
        port = free_port()
        env = {**os.environ, "ADVOCADO_DATA_DIR": str(directory), "ADVOCADO_LOG_LEVEL": "WARNING"}
        server = subprocess.Popen([sys.executable, "-m", "advocado", "serve", "--no-scheduler", "--port", str(port)],
                                  env=env, cwd=tmp, stdout=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            endpoints = {
                "mentions list (page 1, 50 a page)": f"/api/v1/mentions?brand_id={brand_id}&per_page=50",
                "mentions list (negative, search 'export')":
                    f"/api/v1/mentions?brand_id={brand_id}&sentiment=negative&q=export&per_page=50",
                "overview data (90 days)": f"/api/v1/brands/{brand_id}/overview?days=90",
            }
            print(f"{args.clients} concurrent clients, {args.seconds:.0f} s per endpoint, loopback, one server process")
            print(f"{'endpoint':58} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>7}")
            for name, path in endpoints.items():
                asyncio.run(load(base + path, token, min(args.clients, 5), 1.0))
                latencies, failures = asyncio.run(load(base + path, token, args.clients, args.seconds))
                cuts = statistics.quantiles(latencies, n=100)
                print(f"{name:58} {cuts[49] * 1000:8.1f} {cuts[98] * 1000:8.1f} {len(latencies) / args.seconds:8.1f} "
                      f"{failures:7d}")
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
