"""What editors do on a video page: approve, reject, trim, comment."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from app.library import NotInLibrary
from review.context import ctx
from review.decisions import (
    DecisionConflict,
    DecisionError,
    DecisionInfo,
    add_comment,
    record_decision,
)
from review.i18n import translate
from review.security import require
from review.sessions import LoggedIn
from review.templating import language, wants_json

router = APIRouter()


@contextlib.contextmanager
def _as_http_errors(request: Request) -> Iterator[None]:
    """An unknown video or clip is 404; a decision or comment the rules refuse is 400,
    with the rule's message in the user's language (Indonesian unless they chose English)."""
    try:
        yield
    except NotInLibrary as exc:
        raise HTTPException(404) from exc
    except DecisionConflict as exc:
        # The page shows the other editor's decision and lets this one decide again on it.
        raise HTTPException(
            409,
            {
                "message": translate(language(request), exc.key),
                "latest": decision_json(exc.latest) if exc.latest else None,
            },
        ) from exc
    except DecisionError as exc:
        raise HTTPException(400, translate(language(request), exc.key)) from exc


def decision_json(info: DecisionInfo) -> dict[str, object]:
    """A decision as the page's script reads it (`id` is the next `base`)."""
    return {
        "id": info.id,
        "clip_id": info.clip_id,
        "decision": info.decision,
        "in_point": info.in_point,
        "out_point": info.out_point,
        "user": info.username,
        "created_at": info.created_at.isoformat(),
    }


def _done(request: Request, video_id: str, body: dict[str, object]) -> Response:
    # fetch() gets JSON; a plain form post (no JavaScript) goes back to the page.
    if wants_json(request):
        return JSONResponse(body)
    return RedirectResponse(f"/video/{video_id}", status_code=303)


@router.post("/video/{video_id}/clips/{clip_id}/decision")
def decide(
    request: Request,
    video_id: str,
    clip_id: str,
    decision: Annotated[str, Form()],
    user: Annotated[LoggedIn, require("editor")],
    in_point: Annotated[float | None, Form()] = None,
    out_point: Annotated[float | None, Form()] = None,
    clear_trim: Annotated[bool, Form()] = False,
    base: Annotated[int | None, Form(ge=0)] = None,
) -> Response:
    """Approve or reject a clip, optionally trimmed to in/out (source seconds).

    No in/out keeps the clip's existing trim (`clear_trim` drops it); `base` is the id of
    the decision the editor saw (0: none): a later one answers 409 with it.
    """
    c = ctx(request)
    with _as_http_errors(request):
        ranked, clip = c.library.clip(c.library.manifest(video_id), clip_id)
        info = record_decision(
            c.db,
            clip=clip,
            ranker=ranked.ranker,
            decision=decision,
            user_id=user.user_id,
            in_point=in_point,
            out_point=out_point,
            clear_trim=clear_trim,
            base=base,
        )
    return _done(request, video_id, decision_json(info))


@router.post("/video/{video_id}/comments")
def comment(
    request: Request,
    video_id: str,
    timecode: Annotated[float, Form()],
    text: Annotated[str, Form(max_length=4000)],
    user: Annotated[LoggedIn, require("editor")],
    clip_id: Annotated[str | None, Form()] = None,
) -> Response:
    """Comment at a timecode of the video (optionally about one clip)."""
    c = ctx(request)
    with _as_http_errors(request):
        manifest = c.library.manifest(video_id)
        if clip_id:
            c.library.clip(manifest, clip_id)
        info = add_comment(
            c.db,
            video_id=video_id,
            clip_id=clip_id or None,
            timecode=timecode,
            text=text,
            user_id=user.user_id,
            duration=manifest.source.probe.duration,
        )
    return _done(
        request,
        video_id,
        {
            "id": info.id,
            "timecode": info.timecode,
            "text": info.text,
            "user": info.username,
            "created_at": info.created_at.isoformat(),
        },
    )
