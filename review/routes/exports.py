"""Export approved clips: start a job, poll its progress, download the zip."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.responses import FileResponse, JSONResponse, Response

from app.library import NotInLibrary
from review.context import ctx
from review.export import approved_items, job_status, zip_name
from review.security import require
from review.sessions import LoggedIn

router = APIRouter()


@router.post("/exports")
def start_export(
    request: Request,
    video_id: Annotated[list[str], Form(max_length=16)],
    user: Annotated[LoggedIn, require("editor")],
) -> Response:
    """Start exporting the approved clips of one or more videos (409 when there are none)."""
    c = ctx(request)
    video_ids = list(dict.fromkeys(video_id))
    try:
        items = approved_items(c.library, c.db, video_ids)
    except NotInLibrary as exc:
        raise HTTPException(404) from exc
    if not items:
        raise HTTPException(409, "no approved clips to export")
    job = c.exports.start(user.user_id, video_ids, items)
    return JSONResponse(job_status(job), status_code=202)


@router.get("/exports/{job_id}")
def export_status(
    request: Request, job_id: str, user: Annotated[LoggedIn, require("editor")]
) -> Response:
    """Progress of an export job (polled by the page)."""
    job = ctx(request).exports.get(job_id, user.user_id, user.role == "admin")
    if job is None:
        raise HTTPException(404)
    return JSONResponse(job_status(job), headers={"Cache-Control": "no-store"})


@router.get("/exports/{job_id}/download")
def export_download(
    request: Request, job_id: str, user: Annotated[LoggedIn, require("editor")]
) -> Response:
    """The finished zip, streamed from its temporary file."""
    job = ctx(request).exports.get(job_id, user.user_id, user.role == "admin")
    if job is None or job.status != "done" or job.path is None:
        raise HTTPException(404)
    return FileResponse(job.path, media_type="application/zip", filename=zip_name(job.video_ids))
