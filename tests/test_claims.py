"""Claims under contention: processes racing for the same video, new or left stale.

Each round every process waits at a barrier, then tries to claim the round's video; exactly
one may win, and the claim left behind must be the winner's. Half the rounds are new
videos, half hold a stale claim (a dead process on this host, or one past the TTL on
another host, or a damaged file) that all of them find at once.
"""

from __future__ import annotations

import multiprocessing
import socket
import time
from pathlib import Path

import pytest

from storage.claims import Claim, read_claim, release, try_claim
from storage.store import Store

WORKERS = 4


def _video(round_no: int) -> str:
    return f"{round_no:016x}"


def _dead_pid() -> int:
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=time.sleep, args=(0,))
    proc.start()
    proc.join()
    return int(proc.pid or 0)


def _stale_claims(store: Store, rounds: range) -> None:
    """Rounds from the middle on start with a claim that must be taken over."""
    dead = _dead_pid()
    for r in rounds:
        key = f"claims/{_video(r)}.json"
        kind = r % 3
        if kind == 0:  # its process died on this host
            stale = Claim(run_id="dead", host=socket.gethostname(), pid=dead, since=time.time())
            store.put_text(key, stale.model_dump_json())
        elif kind == 1:  # another host's, older than the TTL
            old = time.time() - 7 * 3600
            store.put_text(key, Claim(run_id="old", host="far", pid=1, since=old).model_dump_json())
        else:  # damaged (claims are written whole, so only damage makes one unreadable)
            store.put_text(key, '{"run_id": "tor')


def _race(url: str, worker: int, rounds: int, barrier, results, marker: bool) -> None:
    if marker:  # as on an S3 server that ignores If-Match
        Store._s3_if_match = lambda self: False  # type: ignore[method-assign]
    store = Store(url)
    run_id = f"run-{worker}"
    for r in range(rounds):
        barrier.wait(timeout=60)
        holder = try_claim(store, _video(r), run_id)
        results.put((r, worker, holder is None, holder.run_id if holder else run_id))


def _contend(url: str, rounds: int, marker: bool = False) -> None:
    store = Store(url)
    _stale_claims(store, range(rounds // 2, rounds))
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_race, args=(url, w, rounds, barrier, results, marker))
        for w in range(WORKERS)
    ]
    for p in procs:
        p.start()
    got = [results.get(timeout=120) for _ in range(WORKERS * rounds)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    for r in range(rounds):
        won = [w for (rr, w, ok, _) in got if rr == r and ok]
        assert len(won) == 1, f"round {r}: winners {won}"
        winner = f"run-{won[0]}"
        held = read_claim(store, _video(r))
        assert held is not None and held.run_id == winner, f"round {r}"
        seen = {holder for (rr, _, ok, holder) in got if rr == r and not ok}
        assert seen <= {winner}, f"round {r}: losers saw {seen}, winner {winner}"
        release(store, _video(r), "someone-else")
        assert read_claim(store, _video(r)) is not None  # never another run's claim
        release(store, _video(r), winner)
        assert read_claim(store, _video(r)) is None
    assert [k for k in store.list("claims") if k != "claims"] == []  # SeaweedFS: the folder


@pytest.mark.slow
def test_one_winner_per_round_on_a_local_store(tmp_path: Path) -> None:
    _contend(str(tmp_path / "store"), rounds=100)  # 4 processes x (50 new + 50 stale)


@pytest.mark.parametrize("marker", [False, True], ids=["if-match", "marker"])
def test_one_winner_per_round_on_s3(s3_bucket: str, marker: bool) -> None:
    _contend(s3_bucket + "/sorot", rounds=20, marker=marker)


def test_an_existing_claim_on_s3_is_held_not_an_error(s3_bucket: str) -> None:
    """A claim left on S3 (a crash, another run) reads as held: the video is a duplicate of
    that run's work this night, not a failure."""
    store = Store(s3_bucket)
    assert try_claim(store, "00112233445566ff", "first") is None
    holder = try_claim(store, "00112233445566ff", "second")
    assert holder is not None and holder.run_id == "first"
