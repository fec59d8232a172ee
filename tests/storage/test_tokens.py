"""Admin API tokens: shown once, stored hashed, expiring, revocable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from storage import AlreadyExists, ApiToken, Database, any_live_token, create_token, revoke_token, utcnow, verify_token


def test_a_token_verifies_and_only_its_hash_is_stored(db: Database) -> None:
    with db.write() as session:
        _, secret = create_token(session, "ci")
    assert secret.startswith("adv_") and len(secret) > 40
    with db.write() as session:
        token = verify_token(session, secret)
        assert token is not None and token.name == "ci" and token.last_used_at is not None
        stored = session.exec(select(ApiToken)).one()
        assert secret not in stored.model_dump_json()
        assert verify_token(session, secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
        assert verify_token(session, "Bearer " + secret) is None


def test_revoked_and_expired_tokens_are_refused(db: Database) -> None:
    with db.write() as session:
        _, revoked = create_token(session, "old")
        _, expiring = create_token(session, "short", expires_in=timedelta(minutes=5))
        revoke_token(session, "old")
    with db.write() as session:
        assert verify_token(session, revoked) is None
        assert verify_token(session, expiring) is not None
        assert verify_token(session, expiring, now=utcnow() + timedelta(minutes=6)) is None
        assert any_live_token(session) is True
        revoke_token(session, "short")
        assert any_live_token(session) is False


def test_token_names_are_unique(db: Database) -> None:
    with db.write() as session:
        create_token(session, "ci")
    with db.write() as session, pytest.raises(AlreadyExists):
        create_token(session, "ci")
