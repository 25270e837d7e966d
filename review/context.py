"""What every request handler needs: settings, database, library, exports, templates,
login limits and password-hashing slots."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from app.library import Library
from app.search import SearchIndex
from review.db import Database
from review.export import Exports
from review.passwords import HashingSlots
from review.ratelimit import LoginLimits
from review.settings import ReviewSettings

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")


@dataclass
class AppContext:
    """Shared state of one app instance (kept on `app.state.ctx`)."""

    settings: ReviewSettings
    db: Database
    library: Library
    exports: Exports
    templates: Jinja2Templates
    login_limits: LoginLimits  # failed logins per user and per address
    hashing: HashingSlots  # argon2 runs at once
    search: SearchIndex  # full-text index of the library (a local SQLite cache)


def ctx(request: Request) -> AppContext:
    """The app context of a request."""
    return request.app.state.ctx
