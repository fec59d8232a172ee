"""Admin API tokens: random, prefixed, shown once, stored hashed, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from storage.errors import AlreadyExists, NotFound
from storage.models import ApiToken
from storage.types import as_utc, utcnow

TOKEN_PREFIX = "adv_"
_PREFIX_CHARS = 8


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str, *, expires_in: timedelta | None = None) -> tuple[ApiToken, str]:
    """A new token named `name`; returns the row and the secret, which is never stored or shown again."""
    if session.exec(select(ApiToken).where(ApiToken.name == name)).first() is not None:
        raise AlreadyExists(f"a token named {name!r} already exists")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name, prefix=secret[: len(TOKEN_PREFIX) + _PREFIX_CHARS], token_hash=_digest(secret),
        expires_at=utcnow() + expires_in if expires_in else None,
    )
    session.add(token)
    session.flush()
    return token, secret


def verify_token(session: Session, secret: str, *, now: datetime | None = None) -> ApiToken | None:
    """The live token matching `secret`, its last use recorded; None for anything else."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    now = now or utcnow()
    digest = _digest(secret)
    for token in session.exec(select(ApiToken).where(ApiToken.prefix == secret[: len(TOKEN_PREFIX) + _PREFIX_CHARS])):
        if not hmac.compare_digest(token.token_hash, digest):
            continue
        if token.revoked_at is not None or (token.expires_at is not None and as_utc(token.expires_at) <= now):
            return None
        token.last_used_at = now
        session.add(token)
        return token
    return None


def revoke_token(session: Session, name: str) -> ApiToken:
    token = session.exec(select(ApiToken).where(ApiToken.name == name)).first()
    if token is None:
        raise NotFound(f"no token named {name!r}")
    token.revoked_at = token.revoked_at or utcnow()
    session.add(token)
    return token


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).order_by(ApiToken.name)))


def any_live_token(session: Session) -> bool:
    """Whether at least one unrevoked, unexpired token exists (serve refuses public binds without one)."""
    now = utcnow()
    return any(t.revoked_at is None and (t.expires_at is None or as_utc(t.expires_at) > now) for t in list_tokens(session))
