"""Who may do what: login required by default, roles, CSRF, security headers.

Every route needs a logged-in user unless its endpoint is marked `@public`; every unsafe
method (POST, ...) needs the CSRF token. Both checks run as app-wide dependencies, so a
new route is protected without remembering to ask.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Depends, HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from review.context import ctx
from review.sessions import (
    PRELOGIN_COOKIE,
    SESSION_COOKIE,
    LoggedIn,
    lookup_session,
    prelogin_csrf,
    tokens_match,
)
from review.tables import ROLES

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """An anonymous request to a route that needs a user."""


def public(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a route endpoint as reachable without logging in (login page, language)."""
    endpoint.public = True  # type: ignore[attr-defined]
    return endpoint


def current_user(request: Request) -> LoggedIn | None:
    """The logged-in user of this request (set by `authenticate`), or None."""
    return getattr(request.state, "user", None)


def authenticate(request: Request) -> None:
    """App-wide dependency: load the session; refuse anonymous users on non-public routes."""
    c = ctx(request)
    request.state.user = lookup_session(
        c.db, c.settings.secret, request.cookies.get(SESSION_COOKIE)
    )
    endpoint = request.scope.get("endpoint")
    if request.state.user is None and not getattr(endpoint, "public", False):
        raise LoginRequired()


def expected_csrf(request: Request) -> str | None:
    """The CSRF token this request's forms must carry."""
    user = current_user(request)
    if user is not None:
        return user.csrf_token
    nonce = request.cookies.get(PRELOGIN_COOKIE)
    return prelogin_csrf(ctx(request).settings.secret, nonce) if nonce else None


async def csrf_guard(request: Request) -> None:
    """App-wide dependency: unsafe methods need the token (header for fetch, or form field)."""
    if request.method in SAFE_METHODS:
        return
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not tokens_match(expected_csrf(request), given):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong")


def require(role: str) -> Any:
    """A dependency that returns the user when their role is at least `role`, else 403."""
    needed = ROLES.index(role)

    def check(request: Request) -> LoggedIn:
        user = current_user(request)
        if user is None:
            raise LoginRequired()
        if user.role not in ROLES or ROLES.index(user.role) < needed:
            raise HTTPException(status_code=403, detail="role not allowed")
        return user

    return Depends(check)


# Only our own scripts, styles and media; no framing; no referrer leaks across sites.
_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; media-src 'self'; script-src 'self'; "
        b"style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        b"frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """ASGI middleware adding security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + _HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)
