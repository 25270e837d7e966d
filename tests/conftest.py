"""Shared fixtures: real data from ../shared/data, an isolated Prefect home, real servers."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Isolate Prefect (its temporary server's database and settings) from the user's home.
# Must happen before anything imports prefect.
_PREFECT_HOME = tempfile.mkdtemp(prefix="sorot-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# Rendering is tested where it is the subject; elsewhere one clip a video keeps runs short.
os.environ["SOROT_RENDER_TOP"] = "1"
# The session's own office key (a developer's own key must not leak in): a night without
# a usable key stops, so every run here signs; tests of the keyless paths point
# SOROT_SIGNING_KEY_FILE elsewhere.
os.environ["SOROT_SIGNING_KEY_FILE"] = os.path.join(_PREFECT_HOME, "test-signing-key.pem")
os.environ.pop("SOROT_SIGNING_KEY", None)

from ops.servers import S3Server, start_seaweedfs  # noqa: E402
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


# Tests that need a server are slow whatever module they are in (`make test-fast` skips them).
SERVER_FIXTURES = frozenset({"s3_server", "s3_bucket"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a server fixture as slow."""
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
