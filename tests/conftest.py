"""Shared fixtures: real data from ../shared/data, an isolated Prefect home, real servers."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# `make test` runs two xdist workers: each gets its own temp folder (also for the `sorot`
# processes it starts), so a test counting leftover temp files sees only its own.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    tempfile.tempdir = os.environ["TMPDIR"] = tempfile.mkdtemp(prefix=f"sorot-tests-{worker}-")
    os.chmod(tempfile.tempdir, 0o755)  # PostgreSQL's own user must reach its data folder
    atexit.register(shutil.rmtree, tempfile.tempdir, ignore_errors=True)

# Isolate Prefect (its temporary server's database and settings) from the user's home.
# Must happen before anything imports prefect.
_PREFECT_HOME = tempfile.mkdtemp(prefix="sorot-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# As flows/__init__.py sets for `sorot run`: room for a temporary server on a busy machine.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
# Rendering is tested where it is the subject; elsewhere one clip a video keeps runs short.
os.environ["SOROT_RENDER_TOP"] = "1"
# Inputs written by a test are taken at once (a night waits 60 s for a copy to settle);
# tests of the waiting itself set the settle time they need.
os.environ["SOROT_INBOX_SETTLE_SECONDS"] = "0"
# The session's own office key (a developer's own key must not leak in): a night without
# a usable key stops, so every run here signs; tests of the keyless paths point
# SOROT_SIGNING_KEY_FILE elsewhere.
os.environ["SOROT_SIGNING_KEY_FILE"] = os.path.join(_PREFECT_HOME, "test-signing-key.pem")
os.environ.pop("SOROT_SIGNING_KEY", None)

from ops.servers import PrefectServer, S3Server, start_prefect_server, start_seaweedfs  # noqa: E402
from storage.keys import init_key  # noqa: E402

init_key(Path(os.environ["SOROT_SIGNING_KEY_FILE"]))

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only folder of real recordings (../shared/data)."""
    assert SHARED_DATA.is_dir(), f"real test media expected at {SHARED_DATA}"
    return SHARED_DATA


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A real SeaweedFS S3 server for the whole session, with its env applied."""
    server = start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))
    saved = {k: os.environ.get(k) for k in server.env()}
    os.environ.update(server.env())
    try:
        yield server
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> str:
    """A fresh bucket per test; returns its s3:// URL."""
    name = f"t-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=name)
    return f"s3://{name}"


@pytest.fixture(scope="session", autouse=True)
def prefect_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrefectServer | None]:
    """One real Prefect API server that every night of the session runs on.

    A `sorot run` without PREFECT_API_URL starts Prefect's temporary server on a fresh
    database, 15-30 s on 2 cores; sharing one real server saves that for each night. Only
    started when slow tests are selected (`make test-fast` runs no nights). Tests of the
    embedded default are marked `temporary_prefect` and get the temporary server.
    """
    if not any(item.get_closest_marker("slow") for item in request.session.items):
        yield None
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = start_prefect_server(tmp_path_factory.mktemp("prefect-server"))
    os.environ["PREFECT_API_URL"] = server.api_url  # for `sorot` subprocesses
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}):  # for in-process flows
            yield server
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()


@pytest.fixture(autouse=True)
def _temporary_prefect_when_marked(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """A test marked `temporary_prefect` runs its nights as a user's first night does."""
    if request.node.get_closest_marker("temporary_prefect") is None:
        yield
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        yield


# Tests that need a server are slow whatever module they are in (`make test-fast` skips them).
SERVER_FIXTURES = frozenset({"s3_server", "s3_bucket"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a server fixture as slow."""
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
