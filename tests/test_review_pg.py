"""The review app against a real PostgreSQL 15 server that this test starts and stops."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from fastapi.testclient import TestClient

from ops.servers import start_postgres
from review.app import create_app
from review.db import open_db
from review.decisions import decisions_for_training
from review.settings import ReviewSettings
from review.users import add_user, list_users
from tests.test_review import PASSWORD, SECRET, clip_ids, login
from tests.test_review_library import built_library

pytestmark = pytest.mark.slow  # a real PostgreSQL server


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a free port; yields a SQLAlchemy URL."""
    # Not under pytest's tmp dir: that one is private to root and postgres could not enter.
    base = Path(tempfile.mkdtemp(prefix="sorot-pg-"))
    server = start_postgres(base)
    try:
        server.createdb("review")
        yield server.url("review")
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def test_review_app_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    root, video_id = built_library()
    first, second = clip_ids((root, video_id))
    db = open_db(postgres_url)
    db.migrate()  # a second run changes nothing
    for role in ("viewer", "editor"):
        add_user(db, role, PASSWORD, role)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0002"
        # The schema's CHECK constraint holds even for writes that bypass the app.
        with pytest.raises(sqlalchemy.exc.IntegrityError):
            conn.exec_driver_sql(
                "INSERT INTO users (username, password_hash, role, active, created_at) "
                "VALUES ('x', 'y', 'superuser', true, now())"
            )
    db.close()

    settings = ReviewSettings(
        store=str(root), db_url=postgres_url, secret=SECRET, export_dir=str(tmp_path)
    )
    with TestClient(create_app(settings), follow_redirects=False) as client:
        csrf = login(client, "editor")
        headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
        for clip, decision in ((first, "reject"), (first, "approve"), (second, "reject")):
            response = client.post(
                f"/video/{video_id}/clips/{clip}/decision",
                data={"decision": decision},
                headers=headers,
            )
            assert response.status_code == 200, response.text
        # An editor acting on a state that is no longer the latest gets a conflict.
        stale = client.post(
            f"/video/{video_id}/clips/{first}/decision",
            data={"decision": "reject", "base": 0},
            headers=headers,
        )
        assert stale.status_code == 409 and stale.json()["detail"]["latest"]["user"] == "editor"
        comment = client.post(
            f"/video/{video_id}/comments",
            data={"timecode": 10.0, "text": "Suara bagus"},
            headers=headers,
        )
        assert comment.status_code == 200

    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, "viewer")
        page = client.get(f"/video/{video_id}").text
        assert "Disetujui · editor" in page and "Suara bagus" in page
        assert client.get("/history").text.count("Ditolak") >= 2

    db = open_db(postgres_url)
    records = {r.clip_id: r for r in decisions_for_training(db)}
    assert {u.username for u in list_users(db)} == {"viewer", "editor"}
    db.close()
    assert records[first].decision == "approve"  # the latest decision wins
    assert records[second].decision == "reject"
    assert set(records[first].factors) == {"interaction", "leader", "duration_fit"}
