"""The explicit registry of collector kinds, filled from the `advocado.collectors` entry points.

Built-in collectors are listed in Advocado's own `pyproject.toml` under that group, exactly as a
third-party package would list its own, so there is one way in for everyone. Two collectors may not
claim the same kind.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from importlib.metadata import entry_points

from collectors.base import Collector

ENTRY_POINT_GROUP = "advocado.collectors"
log = logging.getLogger(__name__)


class DuplicateKind(Exception):
    """Two collectors claim the same kind."""


class UnknownKind(KeyError):
    """No collector is registered under this kind."""

    def __str__(self) -> str:
        return f"no source kind {self.args[0]!r} (see `advocado source kinds`)"


class Registry:
    """Collector classes by kind."""

    def __init__(self) -> None:
        self._by_kind: dict[str, type[Collector]] = {}

    def register(self, collector: type[Collector]) -> type[Collector]:
        """Add a collector class; refuses a second class for a kind already taken."""
        if not (isinstance(collector, type) and issubclass(collector, Collector)):
            raise TypeError(f"{collector!r} is not a Collector subclass")
        kind = collector.kind
        existing = self._by_kind.get(kind)
        if existing is not None and existing is not collector:
            raise DuplicateKind(f"source kind {kind!r} is claimed by both {existing.__module__} and {collector.__module__}")
        self._by_kind[kind] = collector
        return collector

    def get(self, kind: str) -> type[Collector]:
        try:
            return self._by_kind[kind]
        except KeyError:
            raise UnknownKind(kind) from None

    def __contains__(self, kind: object) -> bool:
        return kind in self._by_kind

    def __iter__(self) -> Iterator[type[Collector]]:
        return iter(sorted(self._by_kind.values(), key=lambda c: c.kind))

    def kinds(self) -> list[str]:
        return sorted(self._by_kind)

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> Registry:
        """Register every collector named in the entry point group; a broken plugin is logged and skipped."""
        for entry in entry_points(group=group):
            try:
                collector = entry.load()
            except Exception:  # noqa: BLE001 - a broken third-party plugin must not stop the built-ins
                log.exception("could not load collector plugin %s (%s)", entry.name, entry.value)
                continue
            if getattr(collector, "kind", None) != entry.name:
                log.error("collector plugin %s declares kind %r; skipped", entry.name, getattr(collector, "kind", None))
                continue
            self.register(collector)
        return self


@functools.cache
def registry() -> Registry:
    """The registry of every installed collector, loaded once."""
    return Registry().load_entry_points()
