"""The public verification page: upload a circulating clip, see what the archive says.

No login; it answers only from published clips (`review.public_report`). Uploads are
refused before their body is read when the client is over its rate or the declared size
is over the limit, and while streaming when the body grows past the limit: the app-wide
CSRF check parses multipart forms itself, so the cap sits in an ASGI middleware in front
of everything (`UploadGuard`), not in the route.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.library import Library, NotInLibrary
from app.originals import Original, original_of
from app.verify import verify_file
from models.media.decode import MediaError, MediaTooLong, StillImage, measured_length
from models.provenance.signing import format_fingerprint
from models.speech.settings import TranscribeSettings
from models.speech.transcribe import shared_transcriber
from models.speech.whisper_models import DEFAULT_MODEL
from review.context import AppContext, ctx
from review.decisions import ClipBounds, published_spans
from review.i18n import translate
from review.public_report import PublicReport, public_report
from review.ratelimit import RateLimiter, client_address
from review.security import public
from review.templating import language, render, wants_json

PATH = "/verifikasi"
TEMPLATE = "verify_public.html"
FILE_FIELD = "file"
_COPY_CHUNK = 1 << 20

router = APIRouter()


@dataclass(frozen=True)
class VerifyPageSettings:
    """Limits and transcription of the public page (`SOROT_VERIFY_*`)."""

    max_upload_mb: float = 200.0  # request body, multipart overhead included
    rate_count: int = 6  # uploads per client...
    rate_seconds: float = 600.0  # ...per this many seconds (token bucket)
    model: str = DEFAULT_MODEL  # Whisper model for the suspect's words
    language: str = "id"
    max_minutes: float = 10.0  # longer recordings are refused (measured from the packets)
    max_scan_seconds: float = 10.0  # reading the packets to measure must end within this
    min_answer_seconds: float = 2.0  # every answer takes at least this long (no timing tell)
    slot_wait_seconds: float = 60.0  # an upload waits this long for the slot, then 503

    @classmethod
    def from_env(cls) -> VerifyPageSettings:
        """SOROT_VERIFY_MAX_MB, SOROT_VERIFY_RATE_COUNT, SOROT_VERIFY_RATE_SECONDS,
        SOROT_VERIFY_MODEL, SOROT_VERIFY_LANGUAGE, SOROT_VERIFY_MAX_MINUTES,
        SOROT_VERIFY_MAX_SCAN_SECONDS, SOROT_VERIFY_MIN_ANSWER_SECONDS,
        SOROT_VERIFY_SLOT_WAIT_SECONDS; defaults for what is unset."""
        env = os.environ
        d = cls()

        def number(name: str, default: float) -> float:
            return float(env.get(f"SOROT_VERIFY_{name}", default))

        settings = cls(
            max_upload_mb=number("MAX_MB", d.max_upload_mb),
            rate_count=int(env.get("SOROT_VERIFY_RATE_COUNT", d.rate_count)),
            rate_seconds=number("RATE_SECONDS", d.rate_seconds),
            model=env.get("SOROT_VERIFY_MODEL", d.model),
            language=env.get("SOROT_VERIFY_LANGUAGE", d.language),
            max_minutes=number("MAX_MINUTES", d.max_minutes),
            max_scan_seconds=number("MAX_SCAN_SECONDS", d.max_scan_seconds),
            min_answer_seconds=number("MIN_ANSWER_SECONDS", d.min_answer_seconds),
            slot_wait_seconds=number("SLOT_WAIT_SECONDS", d.slot_wait_seconds),
        )
        positive = (
            settings.max_upload_mb,
            settings.rate_count,
            settings.rate_seconds,
            settings.max_minutes,
            settings.max_scan_seconds,
        )
        if min(positive) <= 0 or min(settings.min_answer_seconds, settings.slot_wait_seconds) < 0:
            raise ValueError(
                "SOROT_VERIFY_MAX_MB, _RATE_COUNT, _RATE_SECONDS, _MAX_MINUTES and "
                "_MAX_SCAN_SECONDS must be positive, _MIN_ANSWER_SECONDS and "
                "_SLOT_WAIT_SECONDS at least 0"
            )
        return settings

    @property
    def max_upload_bytes(self) -> int:
        """The size limit in bytes."""
        return int(self.max_upload_mb * 1_000_000)


@dataclass
class PublicVerify:
    """The page's state on one app: settings, rate buckets, the verification slot."""

    settings: VerifyPageSettings
    limiter: RateLimiter = field(init=False)  # review.ratelimit: one mechanism for the app
    # Whisper and the fingerprint search use every core: a second verification at once
    # would only slow both (and the editors' pages), so uploads queue for one slot.
    slot: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.settings.rate_count, self.settings.rate_seconds)


class Busy(Exception):
    """The verification slot stayed taken for longer than an upload waits."""


def install(app: FastAPI) -> None:
    """Add the page to the review app (call before the outermost middleware is added)."""
    app.state.public_verify = PublicVerify(VerifyPageSettings.from_env())
    app.state.ctx.templates.env.filters["fingerprint"] = format_fingerprint
    app.include_router(router)
    app.add_middleware(UploadGuard)


def _state(app: Any) -> PublicVerify:
    return app.state.public_verify


class UploadTooLarge(Exception):
    """The request body grew past the size limit while it was being read."""


def _refusal(request: Request, status: int, key: str, headers: dict[str, str]) -> Response:
    if wants_json(request):
        detail = _message(request, "en", key)
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    response = _page(request, status, error=key)
    response.headers.update(headers)
    return response


# Every other POST is a small form; the CSRF check parses whole bodies, so cap them too.
FORM_LIMIT_BYTES = 1 << 20


class UploadGuard:
    """ASGI middleware capping request bodies before they are read: POST /verifikasi gets
    the rate limit and the upload limit, every other POST the small form limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        public = scope["path"] == PATH

        def too_large() -> Response:
            if public:
                return _refusal(request, 413, "verify_too_large", {})
            return PlainTextResponse("request body too large", status_code=413)

        limit = FORM_LIMIT_BYTES
        if public:
            state = _state(scope["app"])
            wait = state.limiter.take(client_address(scope))
            if wait > 0:
                retry = {"Retry-After": str(math.ceil(wait))}
                await _refusal(request, 429, "verify_rate_limited", retry)(scope, receive, send)
                return
            limit = state.settings.max_upload_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await too_large()(scope, receive, send)
            return
        received = 0
        started = False

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise UploadTooLarge()
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped_receive, watched_send)
        except UploadTooLarge:
            if started:
                raise
            await too_large()(scope, receive, send)


def _message(request: Request, lang: str, key: str) -> str:
    """A refusal in `lang`, with the page's limits filled in."""
    return translate(lang, key).format(minutes=f"{_state(request.app).settings.max_minutes:g}")


def _page(
    request: Request, status: int = 200, report: PublicReport | None = None, error: str = ""
) -> Response:
    settings = _state(request.app).settings
    return render(
        request,
        TEMPLATE,
        status,
        report=report,
        error=_message(request, language(request), error) if error else "",
        limit_mb=settings.max_upload_mb,
        limit_minutes=settings.max_minutes,
    )


def _clip_bounds(library: Library) -> ClipBounds:
    """`ClipBounds` over the library's ranked clips (each video's list read once)."""
    cache: dict[str, dict[str, tuple[float, float]]] = {}

    def bounds(video_id: str, clip_id: str) -> tuple[float, float] | None:
        if video_id not in cache:
            try:
                ranked = library.ranked(library.manifest(video_id))
            except NotInLibrary:
                ranked = None
            cache[video_id] = {c.clip_id: (c.start, c.end) for c in ranked.clips} if ranked else {}
        return cache[video_id].get(clip_id)

    return bounds


def _suffix(filename: str | None) -> str:
    # The container is found from the bytes; a plain extension only helps a few formats.
    suffix = Path(filename or "").suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ""


def _originals(library: Library) -> Callable[[str], Original | None]:
    def original(video_id: str) -> Original | None:
        try:
            return original_of(library.store, library.manifest(video_id))
        except NotInLibrary:
            return None

    return original


def _verify(c: AppContext, state: PublicVerify, upload: BinaryIO, suffix: str) -> PublicReport:
    """Copy the upload to a temp file, verify it, filter the report; the file is removed.

    Only entries with published clips are searched, so an unpublished recording (or an
    unpublished twin of a published one) can neither answer nor win a match; every
    suspect with sound is transcribed, matched or not, and every answer takes at least
    `min_answer_seconds`, so a hit on unpublished parts costs what no hit costs.
    """
    settings = state.settings
    started = time.monotonic()
    fd, name = tempfile.mkstemp(prefix="sorot-verify-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(upload, out, _COPY_CHUNK)
        measured_length(path, settings.max_minutes * 60, settings.max_scan_seconds)
        spans = published_spans(c.db, _clip_bounds(c.library))
        videos = {s.video_id for s in spans}
        transcriber = shared_transcriber(
            TranscribeSettings(model=settings.model, language=settings.language)
        )
        if not state.slot.acquire(timeout=settings.slot_wait_seconds):
            raise Busy()
        try:
            report = verify_file(
                c.library.store,
                path,
                transcriber,
                only=lambda m: m.video_id in videos,
                always_transcribe=True,
            )
        finally:
            state.slot.release()
        public = public_report(report, spans, _originals(c.library))
        time.sleep(max(0.0, settings.min_answer_seconds - (time.monotonic() - started)))
        return public
    finally:
        path.unlink(missing_ok=True)


def _answer(
    request: Request,
    status: int,
    report: PublicReport | None = None,
    error: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    if not wants_json(request):
        response = _page(request, status, report=report, error=error)
        response.headers.update(headers or {})
        return response
    detail = _message(request, "en", error)
    body = report.model_dump(mode="json") if report else {"detail": detail}
    extra = {"Cache-Control": "no-store", **(headers or {})}
    return JSONResponse(body, status_code=status, headers=extra)


@router.get(PATH)
@public
def verify_form(request: Request) -> Response:
    """The upload form."""
    return _page(request)


@router.post(PATH)
@public
async def verify_upload(request: Request) -> Response:
    """Verify an uploaded clip; the report as a page, or as JSON when asked for."""
    form = await request.form(max_files=1, max_fields=4)
    try:
        upload = form.get(FILE_FIELD)
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _answer(request, 400, error="verify_no_file")
        state = _state(request.app)
        try:
            report = await run_in_threadpool(
                _verify, ctx(request), state, upload.file, _suffix(upload.filename)
            )
        except MediaTooLong:
            return _answer(request, 400, error="verify_too_long")
        except StillImage:
            return _answer(request, 400, error="verify_still_image")
        except MediaError:
            return _answer(request, 400, error="verify_not_media")
        except Busy:
            retry = {"Retry-After": str(math.ceil(state.settings.slot_wait_seconds))}
            return _answer(request, 503, error="verify_busy", headers=retry)
    finally:
        await form.close()
    return _answer(request, 200, report=report)
