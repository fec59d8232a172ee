"""The collector interface: a kind, typed parameters, a one-line description, one async method.

A collector module defines one `Collector` subclass and is registered under the
`advocado.collectors` entry point group (built-ins too, exactly like a third-party plugin):

    class AppStore(Collector):
        \"\"\"App Store customer reviews for one app in several countries.\"\"\"
        kind = "appstore"
        Params = AppStoreParams
        async def pages(self, state): ...

`pages` yields `Page`s newest first: the normalized items of one response and the cursor to save
with them. The runner stores each page with `storage.ingest` in one transaction together with its
cursor, so a crash only replays a page, never skips one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from collectors.http import Fetched, Fetcher
from storage import MentionIn


class Params(BaseModel):
    """Base of every collector's parameters; fields typed `SecretStr` are secrets (masked, never logged)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    base_url: str

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @classmethod
    def secret_fields(cls) -> set[str]:
        """Names of the parameters that hold secrets."""
        return {name for name, info in cls.model_fields.items() if info.annotation in (SecretStr, SecretStr | None)}

    def secret(self, name: str) -> str:
        value = getattr(self, name)
        return value.get_secret_value() if isinstance(value, SecretStr) else (value or "")


def comma_list(value: Any) -> Any:
    """Accept `us,gb` from the command line as well as a list."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


@dataclass
class Page:
    """One response's items and the source cursor to save together with them."""

    items: list[MentionIn]
    cursor: dict[str, Any] = field(default_factory=dict)


AnyParams = Params
"""Any collector's parameters (inside `Collector`, the name `Params` is the subclass's own model)."""


class Collector(ABC):
    """Base class of every source kind. The class docstring's first line is the user-facing help."""

    kind: ClassVar[str]
    Params: ClassVar[type[Params]]
    example: ClassVar[dict[str, str]]
    """Parameters for the README's `advocado source add` example and the contract tests."""
    obeys_robots: ClassVar[bool] = True
    """robots.txt governs crawling pages; documented APIs (their terms and rate-limit headers) set False."""

    def __init__(self, params: AnyParams, fetcher: Fetcher) -> None:
        self.params = params
        self.fetcher = fetcher

    async def get(self, url: str, **options: Any) -> Fetched:
        """GET through the shared fetcher, obeying robots.txt unless this collector reads a documented API."""
        return await self.fetcher.get(url, robots=self.obeys_robots, **options)

    @classmethod
    def description(cls) -> str:
        return next(iter((cls.__doc__ or "").strip().splitlines()), "")

    @abstractmethod
    def pages(self, state: dict[str, Any]) -> AsyncIterator[Page]:
        """Yield pages newest first, starting from the saved `state` (the last cursor)."""


class Watermark:
    """Incremental sync for newest-first sources: stop at the newest time stored by the last full run.

    The stored `since` only moves forward once a run reaches its end, so a run that crashes halfway
    starts again from the top next time instead of skipping what it had not reached.
    """

    def __init__(self, state: dict[str, Any], key: str = "since") -> None:
        self.key = key
        try:
            self.since = datetime.fromisoformat(state[key]) if state.get(key) else None
        except (TypeError, ValueError):
            self.since = None  # an unreadable cursor costs one full re-read, never a crash
        self.newest = self.since

    def see(self, items: Iterable[MentionIn]) -> bool:
        """Note the items of one page; True once the page reaches what an earlier run stored."""
        reached = False
        for item in items:
            if item.published_at is None:
                continue
            if self.newest is None or item.published_at > self.newest:
                self.newest = item.published_at
            if self.since is not None and item.published_at <= self.since:
                reached = True
        return reached

    def cursor(self, *, finished: bool, **extra: Any) -> dict[str, Any]:
        """The cursor to save after a page: the old mark while paging, the newest one at the end."""
        mark = self.newest if finished else self.since
        return {self.key: mark.isoformat() if mark else None, **extra}
