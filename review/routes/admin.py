"""User administration for admins (the same functions as `sorot review user ...`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from review.context import ctx
from review.passwords import HashingBusy
from review.security import require
from review.sessions import LoggedIn
from review.templating import render
from review.users import UserError, add_user, list_users, set_active, set_role

router = APIRouter()


@router.get("/admin/users")
def users_page(request: Request, user: Annotated[LoggedIn, require("admin")]) -> Response:
    """Every user with role and state."""
    return render(request, "users.html", users=list_users(ctx(request).db), error=None)


@router.post("/admin/users")
def create_user(
    request: Request,
    user: Annotated[LoggedIn, require("admin")],
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    role: Annotated[str, Form()],
) -> Response:
    """Add a user."""
    c = ctx(request)
    db = c.db
    try:
        add_user(db, username, password, role, c.hashing)
    except UserError as exc:
        return render(request, "users.html", 400, users=list_users(db), error=str(exc))
    except HashingBusy as exc:
        raise HTTPException(503, "busy hashing passwords: try again", {"Retry-After": "2"}) from exc
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}")
def update_user(
    request: Request,
    username: str,
    user: Annotated[LoggedIn, require("admin")],
    role: Annotated[str, Form()],
    active: Annotated[bool, Form()] = False,
) -> Response:
    """Change a user's role or disable them (admins cannot lock themselves out)."""
    if username == user.username and (role != "admin" or not active):
        raise HTTPException(400, "you cannot demote or disable yourself")
    db = ctx(request).db
    try:
        set_role(db, username, role)
        set_active(db, username, active)
    except UserError as exc:
        raise HTTPException(400, str(exc)) from exc
    return RedirectResponse("/admin/users", status_code=303)
