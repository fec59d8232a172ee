"""Collectors: reviews and mentions from the places a marketing team watches, fetched politely and safely.

The small public API the CLI (and later the web app and scheduler) uses:

- `registry()`: every installed collector kind (`Collector` subclasses, from entry points);
- `HttpOptions`: how to fetch (User-Agent, timeout, private networks, per-host limits);
- `run_sources(db, ids, options, ...)` / `run_source(db, id, fetcher, ...)`: run sources, recording
  each outcome in its row; `due_sources(db)`: which sources are due;
- `SourceScheduler(db, options, ...)`: runs scheduled sources inside an asyncio loop (`advocado schedule`,
  later `advocado serve`);
- `validate_params(kind, params)` and `masked_params(kind, params)` for adding and listing sources;
- the error tree in `collectors.errors`.
"""

from collectors._netguard import GuardedTransport, check_addresses
from collectors.base import Collector, Page, Params, Watermark
from collectors.errors import CollectorError, PermanentError, PolicyError, TransientError
from collectors.http import Fetcher, HttpOptions
from collectors.params import masked_params, validate_params
from collectors.registry import DuplicateKind, Registry, UnknownKind, registry
from collectors.runner import RunReport, due_sources, run_source, run_sources
from collectors.schedule import SourceScheduler

__all__ = [
    "Collector", "CollectorError", "DuplicateKind", "Fetcher", "GuardedTransport", "HttpOptions", "Page", "Params", "PermanentError",
    "PolicyError", "Registry", "RunReport", "SourceScheduler", "TransientError", "UnknownKind", "Watermark", "due_sources",
    "check_addresses", "masked_params", "registry", "run_source", "run_sources", "validate_params",
]
