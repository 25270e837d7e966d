"""Serve store objects with HTTP range requests, streamed in chunks (local or S3).

Browsers play `<video>` by asking for byte ranges (`Range: bytes=a-b`); we answer 206 with
exactly those bytes, read from the store in 256 KiB chunks, so memory stays flat whatever
the file size and an S3 store sees ranged GETs rather than whole-object downloads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from starlette.responses import Response, StreamingResponse

from storage.manifest import media_type_of
from storage.store import Store

CHUNK = 256 * 1024
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class RangeNotSatisfiable(ValueError):
    """The requested range lies outside the object."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) inclusive byte positions for a single-range header, None for all.

    Multiple ranges and unknown units are answered with the whole object, which RFC 9110
    allows; a syntactically valid range past the end raises RangeNotSatisfiable.
    """
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first_s, last_s = match.groups()
    if not first_s and not last_s:
        return None
    if not first_s:  # suffix range: the last N bytes
        length = int(last_s)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        return max(0, size - length), size - 1
    first = int(first_s)
    last = min(int(last_s), size - 1) if last_s else size - 1
    if first >= size or last < first:
        raise RangeNotSatisfiable(header)
    return first, last


def _chunks(store: Store, key: str, first: int, length: int) -> Iterator[bytes]:
    # No read-ahead cache: each read becomes one ranged GET of CHUNK bytes on S3, instead of
    # s3fs's default 50 MB block that would pull a whole clip into memory.
    with store.open(key, "rb", block_size=CHUNK, cache_type="none") as fh:
        fh.seek(first)
        remaining = length
        while remaining > 0:
            data = fh.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data


def stream_object(store: Store, key: str, range_header: str | None) -> Response:
    """A 200 or 206 response streaming an object (key already validated by the caller)."""
    size = store.size(key)
    headers = {
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, max-age=3600",
    }
    media_type = media_type_of(key)
    if key.endswith(".srt"):
        media_type = "text/plain; charset=utf-8"  # shown in the browser, not downloaded
    try:
        span = parse_range(range_header, size)
    except RangeNotSatisfiable:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    if span is None:
        headers["Content-Length"] = str(size)
        return StreamingResponse(_chunks(store, key, 0, size), 200, headers, media_type)
    first, last = span
    length = last - first + 1
    headers["Content-Length"] = str(length)
    headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    return StreamingResponse(_chunks(store, key, first, length), 206, headers, media_type)
