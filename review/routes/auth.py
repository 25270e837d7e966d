"""Log in, log out, and the language switch."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse, Response

from review.context import ctx
from review.i18n import LANG_COOKIE, LANGUAGES, translate
from review.passwords import HashingBusy
from review.ratelimit import client_address
from review.security import current_user, public
from review.sessions import PRELOGIN_COOKIE, SESSION_COOKIE, end_session, start_session
from review.templating import language, render, set_cookie, wants_json
from review.users import authenticate

router = APIRouter()


def safe_next(target: str | None) -> str:
    """A same-site path to go to after a form (never another host: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
@public
def login_page(request: Request, next: str = "/") -> Response:
    """The login form (already logged-in users go straight on)."""
    if current_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", next=safe_next(next), error=None)


def _refused(request: Request, status: int, next: str, error: str, retry: float) -> Response:
    """The login form again with why (429 over the limit, 503 hashing busy), and when to
    come back in Retry-After."""
    headers = {"Retry-After": str(max(1, math.ceil(retry)))}
    if wants_json(request):
        return JSONResponse({"detail": error}, status_code=status, headers=headers)
    response = render(request, "login.html", status, next=safe_next(next), error=error)
    response.headers.update(headers)
    return response


@router.post("/login")
@public
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password; on success start a session (new token: no session fixation).

    Failures are limited per user name and per client address (`LoginLimits`): over the
    limit the password is not even checked. argon2 runs in one of the app's hashing slots.
    """
    c = ctx(request)
    lang = language(request)
    address = client_address(request.scope)
    wait = c.login_limits.attempt(username, address)
    if wait > 0:
        message = translate(lang, "login_rate_limited").format(minutes=math.ceil(wait / 60))
        return _refused(request, 429, next, message, wait)
    try:
        async with c.hashing.waited():  # the check (and a re-hash) runs in this one slot
            user = await run_in_threadpool(authenticate, c.db, username, password)
    except HashingBusy:
        c.login_limits.not_checked(username, address)
        return _refused(request, 503, next, translate(lang, "login_busy"), 2)
    if user is None:
        message = translate(lang, "login_failed")
        return render(request, "login.html", 401, next=safe_next(next), error=message)
    c.login_limits.succeeded(username, address)
    token = await run_in_threadpool(
        start_session, c.db, c.settings.secret, user.id, c.settings.session_hours
    )
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token, int(c.settings.session_hours * 3600))
    response.delete_cookie(PRELOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session."""
    c = ctx(request)
    end_session(c.db, c.settings.secret, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/lang")
@public
def set_language(
    request: Request,
    lang: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Switch the interface language (kept in a cookie for a year)."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in LANGUAGES:
        set_cookie(request, response, LANG_COOKIE, lang, max_age=365 * 24 * 3600)
    return response
