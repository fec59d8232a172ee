"""The engine interface: a kind, typed parameters, a one-line description, a request and a parser.

An engine module defines one `Engine` subclass:

    class Gemini(Engine):
        \"\"\"Google Gemini generateContent with Google Search grounding.\"\"\"
        kind = "gemini"
        Params = GeminiParams
        def request(self, prompt): ...   # path, JSON body, headers, query
        def parse(self, raw): ...        # the stored raw answer -> ParsedAnswer

`parse` only reads the raw answer, so stored answers can be analysed again when definitions change.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from monitor.errors import InvalidParams, PolicyError
from monitor.http import ClientOptions, EngineClient

SEARCHED = "searched"
NOT_SEARCHED = "not_searched"
TOOL_ERROR = "tool_error"


class EngineParams(BaseModel):
    """Parameters every engine has; fields typed `SecretStr` are secrets (masked, never logged)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    base_url: str
    model: str
    api_key: SecretStr | None = Field(default=None, description="API key for this engine's base_url only")
    api_key_base_url: str | None = Field(default=None, description="the base_url the stored key belongs to")
    concurrency: int = Field(default=4, ge=1, le=64)
    max_requests: int | None = Field(default=None, ge=0, description="request cap per run")
    max_cost: float | None = Field(default=None, ge=0, description="estimated cost cap per run, USD")
    price_per_request: float = Field(default=0.0, ge=0, description="estimated USD per request (search fees)")
    price_per_million_input: float = Field(default=0.0, ge=0)
    price_per_million_output: float = Field(default=0.0, ge=0)
    timeout: float = Field(default=120.0, gt=0)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        return value.rstrip("/")

    @classmethod
    def secret_fields(cls) -> set[str]:
        """Names of the parameters that hold secrets."""
        return {name for name, info in cls.model_fields.items() if info.annotation in (SecretStr, SecretStr | None)}


@dataclass(frozen=True)
class SourceRef:
    """A web page in an answer: cited inline or retrieved while searching; offsets index `text`."""

    url: str
    title: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass
class ParsedAnswer:
    """What an engine's raw answer says, in one shape for every provider."""

    text: str
    retrieval_status: str
    cited: list[SourceRef] = field(default_factory=list)
    retrieved: list[SourceRef] = field(default_factory=list)
    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    reported_cost: float | None = None
    tool_error: str | None = None


@dataclass
class Asked:
    """One question's outcome: the raw answer to store (one or more provider responses) and its reading."""

    raw: Any
    parsed: ParsedAnswer
    requests: int
    seconds: float


class Engine(ABC):
    """Base class of every engine kind. The class docstring's first line is the user-facing help."""

    kind: ClassVar[str]
    Params: ClassVar[type[EngineParams]]
    default_base_url: ClassVar[str | None] = None
    key_setting: ClassVar[str | None] = None
    """The setting whose key may be sent, but only to `default_base_url`."""
    example: ClassVar[dict[str, str]] = {}

    def __init__(self, params: EngineParams, settings_key: str | None = None) -> None:
        self.params = params
        self.key = self._choose_key(params, settings_key)

    @classmethod
    def description(cls) -> str:
        return next(iter((cls.__doc__ or "").strip().splitlines()), "")

    @classmethod
    def validate(cls, values: dict[str, Any]) -> EngineParams:
        """Typed parameters, or `InvalidParams` naming every problem."""
        from pydantic import ValidationError

        try:
            return cls.Params.model_validate(values)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'params'}: {e['msg']}" for e in error.errors())
            raise InvalidParams(f"invalid parameters for {cls.kind}: {problems}") from None

    def _choose_key(self, params: EngineParams, settings_key: str | None) -> str | None:
        # A key is only ever sent to the base URL it was configured with: a stored key to the
        # base_url it was stored with, a key from settings to the provider's own address.
        if params.api_key is not None:
            if params.api_key_base_url is not None and params.api_key_base_url.rstrip("/") != params.base_url:
                raise PolicyError(f"the {self.kind} engine's key was stored for {params.api_key_base_url}, "
                                  f"not {params.base_url}; add the key again for the new address")
            return params.api_key.get_secret_value()
        if settings_key and self.default_base_url and params.base_url == self.default_base_url:
            return settings_key
        return None

    def client_options(self, timeout: float | None = None, **options: Any) -> ClientOptions:
        return ClientOptions(timeout=timeout or self.params.timeout, **options)

    def expected_cost(self) -> float:
        """Cost reserved against the budget before a request is sent."""
        return self.params.price_per_request

    def cost(self, parsed: ParsedAnswer, requests: int) -> float:
        """Estimated cost of an answer: the provider's own figure if it gives one, else the prices."""
        if parsed.reported_cost is not None:
            return parsed.reported_cost
        return (requests * self.params.price_per_request
                + parsed.input_tokens * self.params.price_per_million_input / 1e6
                + parsed.output_tokens * self.params.price_per_million_output / 1e6)

    @abstractmethod
    def request(self, prompt: str) -> tuple[str, dict[str, Any], dict[str, str], dict[str, str]]:
        """(path under base_url, JSON body, headers, query parameters) that ask `prompt`."""

    @classmethod
    @abstractmethod
    def parse(cls, raw: Any) -> ParsedAnswer:
        """Read a stored raw answer; raise `ParseError` for a shape this engine does not know."""

    async def ask(self, client: EngineClient, prompt: str) -> Asked:
        """Ask once; engines whose turns can pause (Anthropic) override this."""
        path, body, headers, query = self.request(prompt)
        started = time.perf_counter()
        raw = await client.post_json(self.params.base_url + path, body, headers=headers, params=query or None,
                                     expected_cost=self.expected_cost())
        return Asked(raw, self.parse(raw), 1, time.perf_counter() - started)


def dig(value: Any, *path: str | int) -> Any:
    """`value[path[0]][path[1]]...`, or None where any step is missing or of the wrong type."""
    for step in path:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and -len(value) <= step < len(value) else None
        else:
            value = value.get(step) if isinstance(value, dict) else None
        if value is None:
            return None
    return value
