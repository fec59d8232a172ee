"""The collector error tree: callers decide whether to retry or report from the class alone.

- `TransientError`: worth trying again later (rate limited, timed out, upstream 5xx, connection lost).
- `PermanentError`: the same request will fail again until someone changes something (robots.txt
  forbids it, not found, bad parameters, a response we cannot parse, a body over the size cap).
- `PolicyError`: Advocado refused to make the request at all (an address it must not reach).
"""

from __future__ import annotations


class CollectorError(Exception):
    """Anything that stops one source run; the run state records it and the other sources go on."""


class TransientError(CollectorError):
    """A failure that may go away on its own; retried with backoff."""


class RateLimited(TransientError):
    """The service answered 429 (or 503 with `Retry-After`); `retry_after` is in seconds if it said."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UpstreamError(TransientError):
    """The service answered with a 5xx status (or 408/425)."""


class FetchTimeout(TransientError):
    """Connecting, reading or the whole request took longer than the configured timeout."""


class ConnectionFailed(TransientError):
    """The connection could not be made or broke off mid-response."""


class PermanentError(CollectorError):
    """A failure that repeats until the source, its parameters or the service change."""


class BlockedByRobots(PermanentError):
    """robots.txt forbids the URL for our User-Agent (or could not be read: RFC 9309 says disallow)."""


class NotFound(PermanentError):
    """The service says the thing asked for does not exist (404/410)."""


class AccessDenied(PermanentError):
    """The service refused our credentials or wants some (401/403)."""


class ClientError(PermanentError):
    """Any other 4xx answer."""


class ParseError(PermanentError):
    """The response did not have the shape the collector knows (truncated, reshaped, not JSON)."""


class ResponseTooLarge(PermanentError):
    """The body was bigger than the response size cap."""


class InvalidParams(PermanentError):
    """The source's parameters are missing or malformed."""


class PolicyError(CollectorError):
    """Advocado refused the request on purpose; never retried."""


class AddressRefused(PolicyError):
    """The URL points at a loopback, private, link-local, multicast, reserved or metadata address."""
