"""Server-side login sessions and CSRF tokens.

The browser holds a random token in an HttpOnly cookie; the database holds only
HMAC(secret, token), so a copy of the database cannot be replayed as a login. Each session
has its own CSRF token. Before login, the CSRF token is HMAC(secret, a random cookie) so the
login form is protected too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from review.db import Database
from review.tables import Session as SessionRow
from review.tables import utcnow

SESSION_COOKIE = "sorot_session"
PRELOGIN_COOKIE = "sorot_pre"


@dataclass(frozen=True)
class LoggedIn:
    """The user behind a request's session."""

    user_id: int
    username: str
    role: str
    csrf_token: str


def _digest(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


def start_session(db: Database, secret: str, user_id: int, hours: float) -> str:
    """Create a session for a user; returns the cookie token (shown to nobody else)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with db.session() as s:
        # Expired rows of anyone are removed here, so the table stays small without a cron.
        s.execute(delete(SessionRow).where(SessionRow.expires_at < now))
        s.add(
            SessionRow(
                token_hash=_digest(secret, token),
                user_id=user_id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + timedelta(hours=hours),
            )
        )
    return token


def lookup_session(db: Database, secret: str, token: str | None) -> LoggedIn | None:
    """The active, unexpired session for a cookie token, or None."""
    if not token or len(token) > 128:
        return None
    with db.session() as s:
        row = s.scalar(select(SessionRow).where(SessionRow.token_hash == _digest(secret, token)))
        if row is None:
            return None
        if row.expires_at <= utcnow() or not row.user.active:
            s.delete(row)
            return None
        return LoggedIn(row.user_id, row.user.username, row.user.role, row.csrf_token)


def end_session(db: Database, secret: str, token: str | None) -> None:
    """Log out: delete the session row for this token."""
    if token:
        with db.session() as s:
            s.execute(delete(SessionRow).where(SessionRow.token_hash == _digest(secret, token)))


def new_prelogin_nonce() -> str:
    """A random value for the pre-login cookie."""
    return secrets.token_urlsafe(24)


def prelogin_csrf(secret: str, nonce: str) -> str:
    """The CSRF token that goes with a pre-login cookie value."""
    return _digest(secret, "prelogin:" + nonce)


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of CSRF tokens; missing tokens never match."""
    if not expected or not given:
        return False
    # Bytes, not str: compare_digest refuses non-ASCII str, and the given token is untrusted.
    return hmac.compare_digest(expected.encode(), given.encode())
