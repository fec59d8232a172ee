"""Monitor benchmark: P prompts x S samples x E engines against the loopback stand-in provider.

The stand-in runs in its own process and answers every request after a fixed latency, in each
provider's shape. Prints the wall time of `collect` (asking and storing raw answers in a temporary
SQLite file) next to the ideal for the configured per-engine concurrency (engines in parallel, each
asking ceil(P*S / C) rounds of `latency`), then the analysis time per answer (parsing, mention
detection, positions, prominence, citations and storing the rows; sentiment scoring excluded,
timed separately on a subset when the model is available).

Usage: python bench/monitor.py [--prompts 200] [--samples 5] [--engines 4] [--latency 0.3] [--concurrency 16]
       [--sentiment-answers 400]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# This file is called monitor.py too: take its own folder off the path so `monitor` is the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from monitor import RunOptions, analyse_run, collect, sentiment_scorer  # noqa: E402
from monitor.params import validate_engine_params  # noqa: E402
from monitor.standin import Knobs, StandIn  # noqa: E402
from monitor.analyze import analyse_answers, tracked_for  # noqa: E402
from storage import Database, add_brand, get_brand  # noqa: E402
from storage.monitor import add_monitor_engine, add_monitor_prompt, answers_by_id, monitor_answers  # noqa: E402

ENGINES = (("openai", "/v1", {}), ("anthropic", "/v1", {}), ("gemini", "/v1beta", {}), ("perplexity", "", {}))


def _serve(latency: float, urls: Any, stop: Any) -> None:
    with StandIn(seed=1, variants=16, knobs=Knobs(latency=latency, no_search=0.1)) as server:
        urls.put(server.url)
        stop.wait()


async def bench(args: argparse.Namespace) -> None:
    context = multiprocessing.get_context("spawn")
    urls, stop = context.Queue(), context.Event()
    process = context.Process(target=_serve, args=(args.latency, urls, stop), daemon=True)
    process.start()
    base = urls.get(timeout=30)
    try:
        with tempfile.TemporaryDirectory() as folder:
            db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
            with db.write() as session:
                add_brand(session, "Acme Analytics", aliases=["Acme"], domains=["acme-analytics.example"],
                          competitors=["Globex", "Initech", "Umbrella Insights", "Hooli Metrics"])
                for kind, path, extra in ENGINES[:args.engines]:
                    add_monitor_engine(session, kind, kind, validate_engine_params(
                        kind, {"base_url": base + path, "concurrency": args.concurrency, **extra}))
                for n in range(args.prompts):
                    add_monitor_prompt(session, f"Question {n}: which analytics tool suits team type {n}?")
            started = time.perf_counter()
            report = await collect(db, "Acme Analytics", samples=args.samples,
                                   options=RunOptions(allow_private_networks=True))
            wall = time.perf_counter() - started
            analysis_started = time.perf_counter()
            analysed = analyse_run(db, report.run_id, "Acme Analytics", scorer=None)
            analysis = time.perf_counter() - analysis_started
            sentiment = _sentiment_time(db, report.run_id, args.sentiment_answers)
            db.dispose()
    finally:
        stop.set()
        process.join(timeout=10)
    per_engine = args.prompts * args.samples
    ideal = math.ceil(per_engine / args.concurrency) * args.latency
    failed = sum(e.failed + e.skipped for e in report.engines)
    print(f"{args.prompts} prompts x {args.samples} samples x {args.engines} engines = {report.answers} answers, "
          f"{args.latency * 1000:.0f} ms each, concurrency {args.concurrency} per engine")
    print(f"collect wall time {wall:.2f} s; ideal {ideal:.2f} s; ratio {wall / ideal:.2f}; {failed} failed or skipped")
    print(f"analysis {analysis:.2f} s for {analysed} answers: {analysis / max(analysed, 1) * 1000:.2f} ms per answer "
          f"(sentiment excluded)")
    print(sentiment)


def _sentiment_time(db: Database, run_id: int, count: int) -> str:
    """Analysis of the run's first `count` answers again, this time scoring brand sentences."""
    scorer = sentiment_scorer()
    try:
        scorer(["probe"])  # load the model outside the timing
    except Exception as error:  # noqa: BLE001 - the benchmark reports and goes on
        return f"sentiment not timed: {type(error).__name__}: {error}"
    with db.read() as session:
        brand = get_brand(session, "Acme Analytics")
        tracked = tracked_for(session, brand)
        ids = [a.id for a in monitor_answers(session, run_id=run_id)][:count]
    started = time.perf_counter()
    with db.write() as session:
        done = analyse_answers(session, answers_by_id(session, ids), tracked, scorer)
    seconds = time.perf_counter() - started
    return (f"analysis with sentiment of brand sentences: {seconds:.2f} s for {done} answers, "
            f"{seconds / max(done, 1) * 1000:.2f} ms per answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=200)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--engines", type=int, default=4, choices=range(1, 5))
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--sentiment-answers", type=int, default=400, help="answers re-analysed with sentiment scoring")
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
