"""Library files for the pages: clip videos (range requests), thumbnails, timeline."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from app.library import NotInLibrary
from review.context import ctx
from review.media import stream_object

router = APIRouter()


@router.get("/media/{video_id}/clips/{name}")
def clip_file(request: Request, video_id: str, name: str) -> Response:
    """A file of a clip that ranked.json names and the manifest lists."""
    c = ctx(request)
    try:
        key = c.library.clip_file_key(video_id, name)
    except NotInLibrary as exc:
        raise HTTPException(404) from exc
    return stream_object(c.library.store, key, request.headers.get("range"))


@router.get("/media/{video_id}/{name}")
def entry_file(request: Request, video_id: str, name: str) -> Response:
    """An allowed entry file (the timeline picture, subtitles) that the manifest lists."""
    c = ctx(request)
    try:
        key = c.library.entry_file_key(video_id, name)
    except NotInLibrary as exc:
        raise HTTPException(404) from exc
    return stream_object(c.library.store, key, request.headers.get("range"))
