"""The review app: `create_app(settings)` for tests and servers, `serve(...)` for the CLI."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import uvicorn
from fastapi import Depends, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from app.library import Library
from app.search import SearchIndex
from review.context import STATIC, TEMPLATES, AppContext
from review.db import open_db
from review.export import Exports
from review.formatting import is_finite, local_time, timecode
from review.passwords import HashingSlots
from review.ratelimit import LoginLimits
from review.routes import actions, admin, auth, exports, files, pages, search, verify_public
from review.security import LoginRequired, SecurityHeaders, authenticate, csrf_guard
from review.settings import ReviewSettings
from review.templating import render, wants_json
from storage.store import Store

log = logging.getLogger(__name__)


async def _login_required(request: Request, _exc: Exception) -> Response:
    if request.method == "GET" and not wants_json(request):
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    return JSONResponse({"detail": "login required"}, status_code=401)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
        key = {403: "forbidden", 404: "not_found"}.get(exc.status_code, "error")
        response = render(request, "error.html", exc.status_code, message_key=key)
        response.headers.update(exc.headers or {})
        return response
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


def create_app(settings: ReviewSettings | None = None) -> FastAPI:
    """Build the app: migrate the database, open the store, wire routes and guards."""
    settings = settings or ReviewSettings.from_env()
    settings.check()
    db = open_db(settings.db_url)
    library = Library(Store(settings.store))
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters["tc"] = timecode
    templates.env.filters["local"] = lambda value, seconds=False: local_time(
        value, settings.timezone, seconds
    )
    templates.env.tests["finite"] = is_finite
    context = AppContext(
        settings=settings,
        db=db,
        library=library,
        exports=Exports(library, db, settings.export_dir),
        templates=templates,
        login_limits=LoginLimits(
            per_user=settings.login_failures,
            per_address=settings.login_failures_per_address,
            seconds=settings.login_window_seconds,
        ),
        hashing=HashingSlots(settings.hash_concurrency, settings.hash_wait_seconds),
        search=SearchIndex(library, Path(settings.search_db) if settings.search_db else None),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        context.exports.close()
        db.close()

    app = FastAPI(
        title="Sorot review",
        # No interactive API docs: they would be routes outside the login wall.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(authenticate), Depends(csrf_guard)],
        lifespan=lifespan,
    )
    app.state.ctx = context
    for module in (auth, pages, files, actions, exports, admin, search):
        app.include_router(module.router)
    verify_public.install(app)  # public page; its upload guard sits inside SecurityHeaders
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(SecurityHeaders)
    return app


def server_config(
    settings: ReviewSettings,
    host: str = "127.0.0.1",
    port: int = 8000,
    app: FastAPI | None = None,
) -> uvicorn.Config:
    """The uvicorn configuration of the app (`app`, else one made from `settings`):
    forwarded headers are read only from the configured proxies (uvicorn's own default
    would believe them from any local client)."""
    proxies = settings.trusted_proxies
    return uvicorn.Config(
        app or create_app(settings),
        host=host,
        port=port,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=",".join(proxies) if proxies else None,
        log_level="info",
    )


def serve(
    settings: ReviewSettings | None = None, host: str = "127.0.0.1", port: int = 8000
) -> None:
    """Run the app with uvicorn until interrupted (binds to localhost unless told)."""
    config = server_config(settings or ReviewSettings.from_env(), host, port)
    log.info("Sorot review on http://%s:%d", host, port)
    uvicorn.Server(config).run()
