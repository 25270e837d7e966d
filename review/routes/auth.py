"""Log in, log out, and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from review.context import ctx
from review.i18n import LANG_COOKIE, LANGUAGES
from review.security import current_user, public
from review.sessions import PRELOGIN_COOKIE, SESSION_COOKIE, end_session, start_session
from review.templating import render, set_cookie
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
    return render(request, "login.html", next=safe_next(next), failed=False)


@router.post("/login")
@public
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password; on success start a session (new token: no session fixation)."""
    c = ctx(request)
    user = await run_in_threadpool(authenticate, c.db, username, password)
    if user is None:
        return render(request, "login.html", 401, next=safe_next(next), failed=True)
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
