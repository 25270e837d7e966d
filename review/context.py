"""What every request handler needs: settings, database, library, exports, templates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from app.library import Library
from review.db import Database
from review.export import Exports
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


def ctx(request: Request) -> AppContext:
    """The app context of a request."""
    return request.app.state.ctx
