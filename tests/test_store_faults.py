"""The store's one retry policy against real faults: a full and a read-only filesystem
(permanent: raised at once, nothing left behind) and a SeaweedFS outage (transient: every
read and write rides it out)."""

from __future__ import annotations

import errno
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from storage.leaders import LeaderProfile, load_leaders, save_leader
from storage.manifest import read_manifest
from storage.rankers import latest_version, save_ranker
from storage.retry import RETRY_DELAYS, is_transient
from storage.store import Store, StoreError


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB tmpfs (the suite runs as root, as `make test` does)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def _client_error(code: str, status: int) -> ClientError:
    response = {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "PutObject")  # type: ignore[arg-type]


def test_transient_and_permanent_failures() -> None:
    for exc in (
        EndpointConnectionError(endpoint_url="http://127.0.0.1:1"),
        ConnectionRefusedError(errno.ECONNREFUSED, "refused"),
        TimeoutError("timed out"),
        _client_error("SlowDown", 503),
        _client_error("InternalError", 500),
    ):
        assert is_transient(exc), exc
        wrapped = StoreError("write x")
        wrapped.__cause__ = OSError(errno.EBUSY, "s3fs's name for it")
        wrapped.__cause__.__cause__ = exc
        assert is_transient(wrapped), exc  # the innermost cause decides
    for exc in (
        OSError(errno.ENOSPC, "No space left on device"),
        PermissionError(errno.EACCES, "Permission denied"),
        OSError(errno.EROFS, "Read-only file system"),
        FileNotFoundError(errno.ENOENT, "gone"),
        _client_error("AccessDenied", 403),
        _client_error("PreconditionFailed", 412),
        ValueError("bad key"),
    ):
        assert not is_transient(exc), exc


def test_full_and_read_only_disks_fail_at_once_and_leave_nothing(small_disk: Path) -> None:
    store = Store(str(small_disk))
    store.put_text("runs/ok.json", "{}")
    started = time.monotonic()
    with pytest.raises(StoreError, match="No space left on device"):
        store.put_bytes("library/0123456789abcdef/clips/clip-01.mp4", b"x" * 200_000)
    assert time.monotonic() - started < RETRY_DELAYS[0]  # never retried
    # Neither the hidden temp file nor the folders made for it stay behind.
    assert sorted(p.relative_to(small_disk).as_posix() for p in small_disk.rglob("*")) == [
        "runs",
        "runs/ok.json",
    ]
    with pytest.raises(FileNotFoundError):
        store.read_bytes("runs/missing.json")

    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    started = time.monotonic()
    with pytest.raises(StoreError, match="Read-only file system"):
        store.put_text("runs/other.json", "{}")
    assert time.monotonic() - started < RETRY_DELAYS[0]
    assert store.read_text("runs/ok.json") == "{}"


@pytest.mark.slow
def test_every_read_and_write_rides_out_an_s3_outage(s3_server, s3_bucket: str) -> None:
    store = Store(s3_bucket + "/sorot")
    profile = LeaderProfile(
        name="Nama Pimpinan", embeddings=[[0.1] * 4], model="m", enrolled_at="t"
    )
    save_leader(store, profile)
    save_ranker(store, "v1", b"blob", {"ndcg": 0.5})
    s3_server.stop()
    restart = threading.Timer(3.0, s3_server.start)
    restart.start()
    try:
        started = time.monotonic()
        # The reads a night makes outside its stages, then a write, all during the outage.
        assert read_manifest(store, "0123456789abcdef") is None
        assert [p.name for p in load_leaders(store)] == ["Nama Pimpinan"]
        assert latest_version(store) == "v1"
        store.put_text("runs/2026-11-28/r.json", "{}")
        assert store.read_text("runs/2026-11-28/r.json") == "{}"
        assert time.monotonic() - started >= 2.5  # it really waited for the server
    finally:
        restart.join()
