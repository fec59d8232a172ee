"""Collect benchmark: N sources against loopback servers that answer each page after a fixed delay.

Prints the measured wall time next to the ideal one for the configured concurrency and per-host
limits: what a zero-overhead run of the same policy would take (sources start in order as one of C
slots frees, each fetches its pages in turn, requests to one host start at least `host_interval`
apart with at most K in flight, and each takes `latency`).

Usage: python bench/collect.py [--sources 20] [--pages 5] [--hosts 5] [--latency 0.1]
       [--concurrency 4] [--host-interval 1.0] [--host-concurrency 2]
Hosts are 127.0.0.1, 127.0.0.2, ... (all loopback on Linux). Ingest into a temporary SQLite file
is part of the measured time, as it is in a real `advocado collect`.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from collectors import HttpOptions, run_sources
from storage import Database, add_brand, add_source


def serve(host: str, latency: float, pages: int) -> ThreadingHTTPServer:
    """An Algolia-like search API on `host` that answers after `latency` seconds, `pages` pages per query."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            time.sleep(latency)
            query = parse_qs(urlsplit(self.path).query)
            topic, page = query["query"][0], int(query["page"][0])
            hits = [{"objectID": f"{topic}-{page}-{n}", "created_at_i": 1_700_000_000 - page * 1000 - n,
                     "author": "bench", "story_text": f"<p>{topic} story {page}.{n}</p>", "title": f"{topic} {page}.{n}",
                     "_tags": ["story"]} for n in range(100)]
            body = json.dumps({"hits": hits, "nbHits": pages * 100, "nbPages": pages, "page": page, "hitsPerPage": 100}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


def ideal_seconds(args: argparse.Namespace) -> float:
    """Wall time with zero overhead under the same limits: a small event simulation of the policy.

    Sources start in order as concurrency slots free up; each fetches its pages one after another;
    requests to one host start at least `host_interval` apart, at most `host_concurrency` at once,
    first come first served, and take `latency` each.
    """
    host_of = [n % args.hosts for n in range(args.sources)]
    next_start = [0.0] * args.hosts
    in_flight: list[list[float]] = [[] for _ in range(args.hosts)]
    waiting = list(range(args.sources))
    ready: list[tuple[float, int, int, int]] = []
    order = 0
    for _ in range(min(args.concurrency, args.sources)):
        heapq.heappush(ready, (0.0, order := order + 1, waiting.pop(0), 0))
    end = 0.0
    while ready:
        at, _, source, page = heapq.heappop(ready)
        host = host_of[source]
        busy = sorted(f for f in in_flight[host] if f > at)
        start = max(at, next_start[host], busy[-args.host_concurrency] if len(busy) >= args.host_concurrency else 0.0)
        next_start[host] = start + args.host_interval
        finish = start + args.latency
        in_flight[host] = busy + [finish]
        end = max(end, finish)
        if page + 1 < args.pages:
            heapq.heappush(ready, (finish, order := order + 1, source, page + 1))
        elif waiting:
            heapq.heappush(ready, (finish, order := order + 1, waiting.pop(0), 0))
    return end


async def bench(args: argparse.Namespace) -> None:
    servers = [serve(f"127.0.0.{n + 1}", args.latency, args.pages) for n in range(args.hosts)]
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        with db.write() as session:
            brand = add_brand(session, "Bench")
            ids = []
            for n in range(args.sources):
                host, port = servers[n % args.hosts].server_address[:2]
                source = add_source(session, brand, "hackernews", name=f"s{n}",
                                    params={"query": f"topic{n}", "base_url": f"http://{host}:{port}"})
                assert source.id is not None
                ids.append(source.id)
        options = HttpOptions(allow_private_networks=True, host_interval=args.host_interval,
                              host_concurrency=args.host_concurrency, timeout=30.0)
        started = time.perf_counter()
        reports = await run_sources(db, ids, options, concurrency=args.concurrency)
        wall = time.perf_counter() - started
        db.dispose()
    for server in servers:
        server.shutdown()
    failed = [r for r in reports if r.error]
    items = sum(r.new for r in reports)
    ideal = ideal_seconds(args)
    print(f"{args.sources} sources x {args.pages} pages on {args.hosts} hosts, {args.latency * 1000:.0f} ms a page; "
          f"concurrency {args.concurrency}, per host {args.host_concurrency} at once and {args.host_interval:g} s apart")
    print(f"wall time {wall:.2f} s; ideal {ideal:.2f} s (zero-overhead simulation of the same limits); ratio {wall / ideal:.2f}; "
          f"{items} items stored; {len(failed)} sources failed")
    if failed:
        print("first failure:", failed[0].error_class, failed[0].error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--pages", type=int, default=5)
    parser.add_argument("--hosts", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--host-interval", type=float, default=1.0)
    parser.add_argument("--host-concurrency", type=int, default=2)
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
