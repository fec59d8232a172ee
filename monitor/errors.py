"""The monitor's error tree: callers decide whether to retry or report from the class alone.

- `TransientError`: may go away on its own (rate limited, overloaded, timed out, upstream 5xx).
- `PermanentError`: repeats until someone changes something (refused key, bad request, unreadable answer).
- `PolicyError`: Advocado refused to send the request (an address it must not reach, a budget spent).
"""

from __future__ import annotations


class MonitorError(Exception):
    """Anything that stops one answer from being collected; the run records it and goes on."""


class TransientError(MonitorError):
    """A failure that may go away on its own; retried with backoff."""


class RateLimited(TransientError):
    """429, or Anthropic's 529 "overloaded"; `retry_after` is in seconds if the provider said."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UpstreamError(TransientError):
    """The provider answered with a 5xx status."""


class RequestTimeout(TransientError):
    """The request took longer than the engine's timeout."""


class ConnectionFailed(TransientError):
    """The connection could not be made or broke off."""


class PermanentError(MonitorError):
    """A failure that repeats until the engine's parameters or the provider change."""


class AccessDenied(PermanentError):
    """The provider refused the API key (401/403)."""


class BadRequest(PermanentError):
    """Any other 4xx: usually a model name or tool the provider does not accept."""


class ParseError(PermanentError):
    """The answer did not have the shape this engine knows."""


class InvalidParams(PermanentError):
    """The engine's parameters are missing or malformed."""


class PolicyError(MonitorError):
    """Advocado refused to send the request; never retried."""


class AddressRefused(PolicyError):
    """The base URL points at a loopback, private or metadata address and private networks are off."""


class BudgetExhausted(PolicyError):
    """The engine's request or cost cap for this run is spent."""
