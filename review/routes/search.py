"""The search page: one box, results across the whole library, each a jump to the second."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.search import BadQuery
from review.context import ctx
from review.templating import render

router = APIRouter()


@router.get("/search")
def search_page(request: Request, q: str = "") -> Response:
    """Hits for `q` (words spoken, event, place, date, speaker); a bad query is a message."""
    hits, error = [], None
    if q:
        try:
            hits = ctx(request).search.search(q)
        except BadQuery as exc:
            error = exc.key
    return render(request, "search.html", q=q[:200], hits=hits, error=error)
