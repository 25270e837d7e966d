"""Render pages: templates get the user, language, translations and CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from review.context import ctx
from review.i18n import LANG_COOKIE, counted, pick_language, translate
from review.security import current_user, expected_csrf
from review.sessions import PRELOGIN_COOKIE, new_prelogin_nonce, prelogin_csrf


def language(request: Request) -> str:
    """The UI language of this request."""
    return pick_language(request.cookies.get(LANG_COOKIE), ctx(request).settings.language)


def wants_json(request: Request) -> bool:
    """True for fetch() calls from our script (they ask for JSON)."""
    return "application/json" in request.headers.get("accept", "")


def render(request: Request, template: str, status_code: int = 200, **data: Any) -> Response:
    """A page from a template, never cached (it shows decisions and a CSRF token)."""
    c = ctx(request)
    lang = language(request)
    token = expected_csrf(request)
    new_nonce = None
    if token is None:  # anonymous without a pre-login cookie yet
        new_nonce = new_prelogin_nonce()
        token = prelogin_csrf(c.settings.secret, new_nonce)
    response = c.templates.TemplateResponse(
        request,
        template,
        {
            "user": current_user(request),
            "lang": lang,
            "t": lambda key: translate(lang, key),
            "tn": lambda key, n: counted(lang, key, n),
            "csrf_token": token,
            **data,
        },
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"
    if new_nonce is not None:
        set_cookie(request, response, PRELOGIN_COOKIE, new_nonce, max_age=None)
    return response


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None
) -> None:
    """Set a cookie the way all of ours are set: HttpOnly, SameSite=Lax, Secure if HTTPS."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=ctx(request).settings.cookie_secure,
        path="/",
    )
