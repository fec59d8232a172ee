"""Widget data endpoint throughput: `GET /w/{id}.json` with and without `If-None-Match`, 100 clients on loopback.

    python bench/widget.py [--reviews 2000] [--clients 100] [--seconds 10]

Seeds a fresh SQLite database (one brand, `--reviews` approved and scored reviews, a representative
wall widget of 9), starts `advocado serve --no-scheduler` in its own process, and runs `--clients`
concurrent keep-alive clients for `--seconds` per case, printing p50/p99 latency and requests per
second. In the same run, when Debian's `nginx` is installed, the same JSON is served as a static
file by nginx (with its own ETag) as the near-limit reference, and the ratio is printed. Client and
servers share the machine's cores, so on a small machine the Python client caps every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
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
from sqlalchemy import insert, update

from storage import Database, MentionIn, SentimentScore, add_brand, add_source, ingest
from storage.models import Mention
from storage.public import Widget

LABELS = {1: "negative", 2: "negative", 3: "neutral", 4: "positive", 5: "positive"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed(directory: Path, reviews: int) -> str:
    """A database with `reviews` approved, scored reviews and one wall widget; returns the widget id."""
    db = Database(f"sqlite:///{directory / 'advocado.db'}")
    with db.write() as session:
        brand = add_brand(session, "Bench")
        source_id = add_source(session, brand, "import", name="bench").id or 0
        widget = Widget(brand_id=brand.id or 0, kind="wall", size=9)
        session.add(widget)
        session.flush()
        public_id = widget.public_id
    now = datetime.now(UTC)
    ingest(db, source_id, [MentionIn(external_id=f"r{i}", author_name=f"Customer {i}", rating=1 + (i * 7) % 5,
                                     text=f"Review {i}: the reports are {'clear' if i % 3 else 'slow'} and support helped.",
                                     published_at=now - timedelta(hours=i)) for i in range(reviews)])
    with db.engine.begin() as connection:
        connection.execute(update(Mention).values(status="approved"))
        rows = connection.exec_driver_sql("SELECT id, rating FROM mentions").all()
        connection.execute(insert(SentimentScore), [
            {"mention_id": mention_id, "model_id": "bench", "model_version": "1", "label": LABELS[int(rating)],
             "probabilities": {}, "scored_at": now} for mention_id, rating in rows])
    db.dispose()
    return public_id


async def _client(host: str, port: int, request: bytes, stop: float, expect: int,
                  latencies: list[float]) -> int:
    """One keep-alive HTTP/1.1 connection issuing GETs back to back; a bare asyncio client, so the
    Python side costs far less than httpx and the servers, not the client, set the pace."""
    failures = 0
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < stop:
            began = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - began)
            failures += status != expect
    finally:
        writer.close()
    return failures


async def load(url: str, headers: dict[str, str], clients: int, seconds: float, expect: int) -> tuple[list[float], int]:
    parts = httpx.URL(url)
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request = f"GET {parts.raw_path.decode()} HTTP/1.1\r\nHost: {parts.host}:{parts.port}\r\n{extra}\r\n".encode()
    latencies: list[float] = []
    stop = time.perf_counter() + seconds
    results = await asyncio.gather(*(_client(parts.host, parts.port or 80, request, stop, expect, latencies)
                                     for _ in range(clients)), return_exceptions=True)
    failures = sum(result if isinstance(result, int) else 1 for result in results)
    return latencies, failures


def measure(name: str, url: str, headers: dict[str, str], expect: int, clients: int, seconds: float) -> float:
    asyncio.run(load(url, headers, min(clients, 5), 1.0, expect))
    latencies, failures = asyncio.run(load(url, headers, clients, seconds, expect))
    cuts = statistics.quantiles(latencies, n=100)
    rate = len(latencies) / seconds
    print(f"{name:44} {cuts[49] * 1000:8.1f} {cuts[98] * 1000:8.1f} {rate:8.0f} {failures:7d}")
    return rate


def start_nginx(directory: Path, body: bytes) -> tuple[subprocess.Popen[bytes], str] | None:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        return None
    root = directory / "www"
    (root / "w").mkdir(parents=True)
    (root / "w" / "widget.json").write_bytes(body)
    port = free_port()
    conf = directory / "nginx.conf"
    conf.write_text(f"""worker_processes 1; pid {directory}/nginx.pid; error_log {directory}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; keepalive_requests 10000000; keepalive_timeout 120s; client_body_temp_path {directory}; proxy_temp_path {directory}; fastcgi_temp_path {directory};
  uwsgi_temp_path {directory}; scgi_temp_path {directory}; types {{ application/json json; }}
  server {{ listen 127.0.0.1:{port}; root {root}; etag on;
    location /w/ {{ add_header Cache-Control "public, max-age=60, stale-while-revalidate=600"; add_header Access-Control-Allow-Origin *; }} }} }}
""")
    process = subprocess.Popen([nginx, "-c", str(conf), "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, f"http://127.0.0.1:{port}/w/widget.json"


def _wait(url: str) -> None:
    for _ in range(200):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        public_id = seed(directory, args.reviews)
        port = free_port()
        env = {**os.environ, "ADVOCADO_DATA_DIR": str(directory), "ADVOCADO_LOG_LEVEL": "WARNING"}
        server = subprocess.Popen([sys.executable, "-m", "advocado", "serve", "--no-scheduler", "--port", str(port)],
                                  env=env, cwd=tmp, stdout=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/w/{public_id}.json"
        nginx = None
        try:
            _wait(url)
            first = httpx.get(url)
            print(f"{args.reviews:,} approved reviews; wall widget of 9; document {len(first.content):,} bytes; "
                  f"{args.clients} concurrent clients, {args.seconds:.0f} s per case, loopback, {os.cpu_count()} cores")
            print(f"{'case':44} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>7}")
            full = measure("advocado /w/{id}.json (200)", url, {}, 200, args.clients, args.seconds)
            cached = measure("advocado /w/{id}.json If-None-Match (304)", url, {"If-None-Match": first.headers["etag"]},
                             304, args.clients, args.seconds)
            nginx = start_nginx(directory, first.content)
            if nginx is None:
                print("nginx reference: skipped, Debian's nginx is not installed (apt-get install nginx-light)")
                return
            _wait(nginx[1])
            etag = httpx.get(nginx[1]).headers["etag"]
            static = measure("nginx static file (200)", nginx[1], {}, 200, args.clients, args.seconds)
            static_304 = measure("nginx static file If-None-Match (304)", nginx[1], {"If-None-Match": etag}, 304,
                                 args.clients, args.seconds)
            print(f"advocado / nginx: {full / static:.2f} (200), {cached / static_304:.2f} (304)")
        finally:
            if nginx is not None:
                nginx[0].terminate()
                nginx[0].wait(timeout=10)
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
