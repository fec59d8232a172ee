"""Who is asking: Bearer tokens for the API, a signed session cookie for the dashboard.

The cookie holds only the id of the token that was exchanged at login, signed and time-limited;
every request checks that token is still live, so revoking it ends its dashboard sessions too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

from storage import ApiToken, Database, utcnow, verify_token
from storage.types import as_utc

SESSION_COOKIE = "advocado_session"
LAST_USED_EVERY = 60.0
"""Seconds between writes of a token's `last_used_at`, so reads never queue behind the write lock."""

bearer = HTTPBearer(auto_error=False, description="An admin token from `advocado token create`.")


class NotAuthenticated(Exception):
    """No valid credentials; the API answers 401, pages redirect to the login form."""


@dataclass(frozen=True)
class Caller:
    """The token a request was made with."""

    token_id: int
    name: str


class Authenticator:
    """Checks secrets and session cookies against the tokens table."""

    def __init__(self, db: Database, secret: str, session_seconds: int) -> None:
        self.db = db
        self.session_seconds = session_seconds
        self.signer = URLSafeTimedSerializer(secret, salt="advocado-dashboard-session")
        self._recorded: dict[int, float] = {}

    def check_secret(self, secret: str) -> Caller | None:
        """The caller for a live token secret, recording its use at most once a minute."""
        with self.db.read() as session:
            token = verify_token(session, secret)
            caller = Caller(token.id or 0, token.name) if token is not None else None
        if caller is not None and time.monotonic() - self._recorded.get(caller.token_id, -LAST_USED_EVERY) >= LAST_USED_EVERY:
            self._recorded[caller.token_id] = time.monotonic()
            with self.db.write() as session:
                verify_token(session, secret)
        return caller

    def session_cookie(self, caller: Caller) -> str:
        return self.signer.dumps({"token": caller.token_id})

    def check_cookie(self, value: str) -> Caller | None:
        """The caller for a signed, unexpired cookie whose token is still live."""
        try:
            payload = self.signer.loads(value, max_age=self.session_seconds)
        except BadSignature:
            return None
        token_id = payload.get("token") if isinstance(payload, dict) else None
        if not isinstance(token_id, int):
            return None
        with self.db.read() as session:
            token = session.get(ApiToken, token_id)
            if token is None or token.revoked_at is not None or (
                    token.expires_at is not None and as_utc(token.expires_at) <= utcnow()):
                return None
            return Caller(token_id, token.name)

    def set_cookie(self, response: Response, request: Request, caller: Caller) -> None:
        response.set_cookie(SESSION_COOKIE, self.session_cookie(caller), max_age=self.session_seconds, httponly=True,
                            samesite="lax", secure=request.url.scheme == "https", path="/")


def authenticator(request: Request) -> Authenticator:
    return request.app.state.auth  # type: ignore[no-any-return]


def api_caller(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Caller:
    """The API's guard: a live token as `Authorization: Bearer`, or 401."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("send an admin token as `Authorization: Bearer <token>` (see `advocado token create`)")
    caller = authenticator(request).check_secret(credentials.credentials)
    if caller is None:
        raise NotAuthenticated("the token is unknown, revoked or expired")
    return caller


def page_caller(request: Request) -> Caller:
    """The dashboard's guard: a valid session cookie, or a redirect to the login form."""
    value = request.cookies.get(SESSION_COOKIE)
    caller = authenticator(request).check_cookie(value) if value else None
    if caller is None:
        raise NotAuthenticated("log in first")
    return caller
