"""What every alert channel is: a kind, typed parameters with secrets marked, and one send method."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from advocado.alerts.errors import InvalidChannel

MASK = "********"


class ChannelParams(BaseModel):
    """A channel's parameters; fields typed `SecretStr` are secrets, stored but never shown."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class AlertMessage:
    """One alert as every channel sends it."""

    key: str
    """Stable per rule, channel and window: receivers can drop repeats by it."""
    brand: str
    rule: str
    title: str
    text: str
    window: str
    created_at: datetime
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.key, "brand": self.brand, "rule": self.rule, "title": self.title, "text": self.text,
                "window": self.window, "created_at": self.created_at.isoformat(), "details": self.details}


@dataclass(frozen=True)
class SendOptions:
    """How to reach channels; the CLI fills these from settings."""

    timeout: float = 20.0
    allow_private_networks: bool = False
    user_agent: str = "Advocado/0.1 alerts"


class Channel(ABC):
    """An alert channel kind. Its docstring's first line is its help text."""

    kind: ClassVar[str]
    Params: ClassVar[type[ChannelParams]]

    @classmethod
    def validate(cls, raw: dict[str, Any]) -> ChannelParams:
        """Typed parameters from stored or user-given values; `InvalidChannel` when they cannot work."""
        try:
            return cls.Params.model_validate(raw)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(map(str, first["loc"])) or "parameters"
            raise InvalidChannel(f"{cls.kind} channel: {where}: {first['msg']}") from None

    @classmethod
    def stored(cls, params: ChannelParams) -> dict[str, Any]:
        """The values to store, secrets included."""
        return {name: value.get_secret_value() if isinstance(value, SecretStr) else value
                for name, value in params.model_dump().items()}

    @classmethod
    def masked(cls, raw: dict[str, Any]) -> dict[str, Any]:
        """Stored values fit to show: every secret field replaced by a mask."""
        secret = {name for name, info in cls.Params.model_fields.items() if info.annotation is SecretStr
                  or info.annotation == SecretStr | None}
        return {name: (MASK if value else "") if name in secret else value for name, value in raw.items()}

    @abstractmethod
    async def send(self, message: AlertMessage, params: Any, options: SendOptions) -> None:
        """Deliver `message`; raise `DeliveryFailed` (retry later) or `DeliveryRefused` (give up)."""
