"""Engine kinds: one module per AI assistant, in an explicit registry that refuses duplicate kinds.

Built-ins are registered below exactly as a plugin would be; third parties add theirs under the
`advocado.monitor_engines` entry point group.
"""

from __future__ import annotations

import functools
import logging
from importlib.metadata import entry_points

from monitor.engines.anthropic import Anthropic
from monitor.engines.base import NOT_SEARCHED, SEARCHED, TOOL_ERROR, Asked, Engine, EngineParams, ParsedAnswer, SourceRef
from monitor.engines.gemini import Gemini
from monitor.engines.openai import OpenAI
from monitor.engines.openai_compatible import OpenAICompatible
from monitor.engines.perplexity import Perplexity

ENTRY_POINT_GROUP = "advocado.monitor_engines"
BUILTIN: tuple[type[Engine], ...] = (OpenAI, Anthropic, Gemini, Perplexity, OpenAICompatible)
log = logging.getLogger(__name__)


class DuplicateKind(Exception):
    """Two engine classes claim the same kind."""


class UnknownKind(KeyError):
    """No engine is registered under this kind."""

    def __str__(self) -> str:
        return f"no engine kind {self.args[0]!r} (kinds: {', '.join(engine_kinds().kinds())})"


class EngineRegistry:
    """Engine classes by kind."""

    def __init__(self) -> None:
        self._by_kind: dict[str, type[Engine]] = {}

    def register(self, engine: type[Engine]) -> type[Engine]:
        existing = self._by_kind.get(engine.kind)
        if existing is not None and existing is not engine:
            raise DuplicateKind(f"engine kind {engine.kind!r} is claimed by {existing.__module__} and {engine.__module__}")
        self._by_kind[engine.kind] = engine
        return engine

    def get(self, kind: str) -> type[Engine]:
        try:
            return self._by_kind[kind]
        except KeyError:
            raise UnknownKind(kind) from None

    def kinds(self) -> list[str]:
        return sorted(self._by_kind)


@functools.cache
def engine_kinds() -> EngineRegistry:
    """Every engine kind: the built-ins, then entry-point plugins (a broken plugin is logged and skipped)."""
    registry = EngineRegistry()
    for engine in BUILTIN:
        registry.register(engine)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            registry.register(entry.load())
        except Exception:  # noqa: BLE001 - a broken plugin must not stop the built-ins
            log.exception("could not load engine plugin %s", entry.name)
    return registry


__all__ = [
    "BUILTIN", "NOT_SEARCHED", "SEARCHED", "TOOL_ERROR", "Asked", "DuplicateKind", "Engine", "EngineParams",
    "EngineRegistry", "ParsedAnswer", "SourceRef", "UnknownKind", "engine_kinds",
]
