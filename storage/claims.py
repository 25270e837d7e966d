"""Claims: which run is working on which video, so concurrent runs never do it twice.

A claim is `claims/<video_id>.json`, created exclusively. It is released when the video
is done (or failed). A claim left by a dead process is stale and may be taken over: on
the same host when its process no longer exists, anywhere once it is older than the TTL.
"""

from __future__ import annotations

import contextlib
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


def _alive(claim: Claim) -> bool:
    if claim.host != socket.gethostname():
        return True  # cannot see other hosts' processes; the TTL decides
    try:
        os.kill(claim.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_claim(store: Store, video_id: str) -> Claim | None:
    """The current claim on a video, if any (an unreadable one counts as none)."""
    try:
        return Claim.model_validate_json(store.read_bytes(_key(video_id)))
    except (FileNotFoundError, ValidationError, ValueError):
        return None


def try_claim(
    store: Store, video_id: str, run_id: str, ttl: float = DEFAULT_TTL_SECONDS
) -> Claim | None:
    """Claim a video for this run. Returns None on success, else the holder's claim."""
    mine = Claim(run_id=run_id, host=socket.gethostname(), pid=os.getpid(), since=time.time())
    for _ in range(2):  # second try after removing a stale claim
        if store.create_exclusive(_key(video_id), mine.model_dump_json().encode()):
            return None
        holder = read_claim(store, video_id)
        if holder is not None and _alive(holder) and time.time() - holder.since < ttl:
            return holder
        store.delete(_key(video_id))
    return read_claim(store, video_id) or mine


def release(store: Store, video_id: str, run_id: str) -> None:
    """Drop this run's claim on a video (never someone else's)."""
    holder = read_claim(store, video_id)
    if holder is None or holder.run_id == run_id:
        with contextlib.suppress(FileNotFoundError):
            store.delete(_key(video_id))
