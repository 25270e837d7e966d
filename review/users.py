"""User management: the functions `sorot review user ...` calls.

Each takes a `Database` (see `review.db.open_db`) and raises `UserError` with a message fit
for the terminal when the request cannot be done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from review.db import Database
from review.passwords import HashingSlots, hash_password, needs_rehash, verify_password
from review.tables import ROLES, User
from review.tables import Session as SessionRow


class UserError(ValueError):
    """A user operation that cannot be done (unknown user, bad role, weak password)."""


@dataclass(frozen=True)
class UserInfo:
    """A user as callers see it (never the password hash)."""

    id: int
    username: str
    role: str
    active: bool
    created_at: datetime


def _info(user: User) -> UserInfo:
    return UserInfo(user.id, user.username, user.role, user.active, user.created_at)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")


def _check_username(username: str) -> None:
    if not (1 <= len(username) <= 64) or not all(c.isalnum() or c in "._-" for c in username):
        raise UserError("username: 1-64 letters, digits, '.', '_' or '-'")


def add_user(
    db: Database, username: str, password: str, role: str, slots: HashingSlots | None = None
) -> UserInfo:
    """Create a user with an argon2id password hash and a role (viewer, editor, admin).

    `slots` bounds concurrent hashing (the web app passes its own; HashingBusy when full).
    """
    _check_username(username)
    _check_role(role)
    try:
        password_hash = hash_password(password, slots)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    with db.session() as s:
        if s.scalar(select(User).where(User.username == username)) is not None:
            raise UserError(f"user {username!r} already exists")
        user = User(username=username, password_hash=password_hash, role=role, active=True)
        s.add(user)
        s.flush()
        return _info(user)


def _get(s, username: str) -> User:
    user = s.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserError(f"no user {username!r}")
    return user


def set_password(db: Database, username: str, password: str) -> None:
    """Replace a user's password and end all of their sessions."""
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    with db.session() as s:
        user = _get(s, username)
        user.password_hash = password_hash
        s.execute(delete(SessionRow).where(SessionRow.user_id == user.id))


def set_role(db: Database, username: str, role: str) -> None:
    """Change a user's role (takes effect at their next request)."""
    _check_role(role)
    with db.session() as s:
        _get(s, username).role = role


def set_active(db: Database, username: str, active: bool) -> None:
    """Enable or disable a user; disabling ends their sessions. Their decisions stay."""
    with db.session() as s:
        user = _get(s, username)
        user.active = active
        if not active:
            s.execute(delete(SessionRow).where(SessionRow.user_id == user.id))


def list_users(db: Database) -> list[UserInfo]:
    """Every user, by name."""
    with db.session() as s:
        return [_info(u) for u in s.scalars(select(User).order_by(User.username))]


def authenticate(
    db: Database, username: str, password: str, slots: HashingSlots | None = None
) -> UserInfo | None:
    """The active user with this name and password, or None (same cost either way).

    The password is checked outside any database session (waiting for one of `slots` must
    not hold a connection); HashingBusy when no slot came free in time.
    """
    with db.session() as s:
        user = s.scalar(select(User).where(User.username == username))
        stored = user.password_hash if user else None
        info = _info(user) if user else None
    if not verify_password(stored, password, slots) or info is None or not info.active:
        return None
    assert stored is not None
    if needs_rehash(stored):
        rehashed = hash_password(password, slots)
        with db.session() as s:  # unless the password changed meanwhile
            s.execute(
                update(User)
                .where(User.id == info.id, User.password_hash == stored)
                .values(password_hash=rehashed)
            )
    return info
