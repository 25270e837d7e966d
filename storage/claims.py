"""Claims: which run is working on which video, so concurrent runs never do it twice.

A claim is `claims/<video_id>.json`, created exclusively and whole (no reader ever sees
it half-written). It is released when the video is done (or failed). A claim left by a
dead process is stale and may be taken over: on the same host when its process no longer
exists, anywhere once it is older than the TTL. A takeover replaces exactly the stale
claim that was read (compare-and-swap on its content or ETag), so of several runs that
find the same stale claim one wins, and a claim someone else just took is never removed.
"""

from __future__ import annotations

import os
import socket
import time

from pydantic import ValidationError

from models.common.records import Strict
from storage import layout
from storage.store import Store

DEFAULT_TTL_SECONDS = 6 * 3600  # longer than any single video takes


class Claim(Strict):
    """Who holds a video."""

    run_id: str
    host: str
    pid: int
    since: float  # unix time


def _key(video_id: str) -> str:
    return f"{layout.CLAIMS}/{video_id}.json"


def is_alive(host: str, pid: int) -> bool:
    """Whether a process may still be running: certainly not when it was on this host and
    its pid is gone; other hosts' processes cannot be seen (a TTL decides for them)."""
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _parse(raw: bytes) -> Claim | None:
    try:
        return Claim.model_validate_json(raw)
    except (ValidationError, ValueError):
        return None


def read_claim(store: Store, video_id: str) -> Claim | None:
    """The current claim on a video, if any (an unreadable one counts as none)."""
    try:
        return _parse(store.read_bytes(_key(video_id)))
    except FileNotFoundError:
        return None


def _unknown_holder() -> Claim:
    return Claim(run_id="(unreadable claim)", host="?", pid=0, since=time.time())


def try_claim(
    store: Store, video_id: str, run_id: str, ttl: float = DEFAULT_TTL_SECONDS
) -> Claim | None:
    """Claim a video for this run. Returns None on success, else the holder's claim.

    A stale claim (or an unreadable one: claims are written whole, so it is damage) is
    replaced only if it is still the one read; losing that race means another run holds
    the video now, which the next look reports.
    """
    mine = Claim(run_id=run_id, host=socket.gethostname(), pid=os.getpid(), since=time.time())
    data = mine.model_dump_json().encode()
    key = _key(video_id)
    holder: Claim | None = None
    for _ in range(3):  # a claim released or taken over meanwhile: look again
        if store.create_exclusive(key, data):
            return None
        try:
            raw, tag = store.read_tagged(key)
        except FileNotFoundError:
            continue  # released since: create it again
        if raw == data:
            return None  # ours: a write whose answer was lost, then retried by the store
        holder = _parse(raw)
        if (
            holder is not None
            and is_alive(holder.host, holder.pid)
            and time.time() - holder.since < ttl
        ):
            return holder
        if store.replace_if(key, tag, data):
            return None
    return read_claim(store, video_id) or holder or _unknown_holder()


def release(store: Store, video_id: str, run_id: str) -> None:
    """Drop this run's claim on a video (never someone else's, nor one that changed)."""
    try:
        raw, tag = store.read_tagged(_key(video_id))
    except FileNotFoundError:
        return
    holder = _parse(raw)
    if holder is not None and holder.run_id == run_id:
        store.delete_if(_key(video_id), tag)
