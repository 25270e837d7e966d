"""The review app through HTTP: login wall, roles, CSRF, path traversal, ranges, persistence."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import io
import json
import re
import shutil
import tempfile
import threading
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import av
import opentimelineio as otio
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from review.app import create_app
from review.db import open_db
from review.decisions import decisions_for_training
from review.i18n import MESSAGES
from review.media import stream_object
from review.passwords import HashingSlots
from review.settings import ReviewSettings, db_url_of
from review.tables import Comment, User
from review.tables import Session as SessionRow
from review.users import add_user
from storage import layout
from storage.manifest import read_manifest
from storage.store import Store
from tests.test_review_library import NIGHT, UNLISTED, built_library

SECRET = "test-secret-" + "x" * 32
PASSWORD = "kata-sandi-rahasia"
TEMPLATES = Path(__file__).resolve().parents[1] / "review" / "templates"


def settings_for(store: str, db_path: Path, **extra: object) -> ReviewSettings:
    """Settings of a test app: the given store and a SQLite file."""
    extra.setdefault("search_db", str(db_path.with_suffix(".search.sqlite")))
    return ReviewSettings(store=store, db_url=db_url_of(str(db_path)), secret=SECRET, **extra)


def add_users(db_url: str) -> None:
    """One user of each role, all with PASSWORD."""
    db = open_db(db_url)
    for role in ("viewer", "editor", "admin"):
        add_user(db, role, PASSWORD, role)
    db.close()


@functools.cache
def users_db_template() -> Path:
    """A migrated SQLite file with the three users, made once (argon2 hashing is slow)."""
    path = Path(tempfile.mkdtemp(prefix="sorot-review-db-")) / "template.db"
    add_users(db_url_of(str(path)))
    return path


def csrf_of(html: str) -> str:
    """The CSRF token a page carries in its meta tag."""
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token."""
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/").text)


@pytest.fixture(scope="module")
def entry() -> tuple[Path, str]:
    """(library root, video id) of the built library."""
    return built_library()


@pytest.fixture
def settings(entry: tuple[Path, str], tmp_path: Path) -> ReviewSettings:
    """Settings with a fresh database holding a viewer, an editor and an admin."""
    shutil.copyfile(users_db_template(), tmp_path / "review.db")
    return settings_for(str(entry[0]), tmp_path / "review.db", export_dir=str(tmp_path))


@pytest.fixture
def app(settings: ReviewSettings) -> FastAPI:
    """A fresh app."""
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An anonymous client (no redirects followed, so we see what the app answers)."""
    with TestClient(app, follow_redirects=False) as c:
        yield c


def recorded_date(root: Path, video_id: str) -> str | None:
    """The recording date of the built entry (the export names clips with it)."""
    manifest = read_manifest(Store(str(root)), video_id)
    assert manifest is not None
    created = manifest.source.probe.creation_time
    return created[:10] if created else None


def clip_ids(entry: tuple[Path, str]) -> list[str]:
    """Clip ids of the built entry, best first."""
    root, video_id = entry
    ranked = json.loads((root / layout.entry_key(video_id, "clips/ranked.json")).read_text())
    return [c["clip_id"] for c in ranked["clips"]]


def concrete_path(route: APIRoute, entry: tuple[Path, str]) -> str:
    """A route's path with real values for its parameters."""
    _, video_id = entry
    values = {
        "video_id": video_id,
        "clip_id": clip_ids(entry)[0],
        "name": "clip-01.mp4",
        "date": NIGHT,
        "job_id": "0" * 32,
        "username": "editor",
    }
    return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], route.path)


def api_routes(routes: list) -> Iterator[APIRoute]:
    """Every API route of an app, inside included routers too (FastAPI nests them)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from api_routes(inner.routes)


PUBLIC = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/lang"),
    ("GET", "/verifikasi"),
    ("POST", "/verifikasi"),
}


def test_anonymous_access_to_every_route_is_refused(
    app: FastAPI, client: TestClient, entry: tuple[Path, str]
) -> None:
    seen_public = set()
    routes = list(api_routes(app.routes))
    # Cross-check the walk against FastAPI's own listing of operations.
    assert {r.path for r in routes} == set(app.openapi()["paths"])
    for route in routes:
        for method in sorted(route.methods):
            path = concrete_path(route, entry)
            if (method, route.path) in PUBLIC:
                seen_public.add((method, route.path))
                continue
            response = client.request(method, path, data={"decision": "approve"})
            assert response.status_code in (303, 401), (method, path, response.status_code)
            if response.status_code == 303:
                assert response.headers["location"].startswith("/login")
            assert b"ftyp" not in response.content and b"JFIF" not in response.content
    assert seen_public == PUBLIC


def test_static_mount_serves_only_assets(client: TestClient) -> None:
    assert client.get("/static/app.css").status_code == 200
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py"):
        response = client.get(path)
        assert response.status_code == 404
        assert b"create_app" not in response.content


def test_login_logout_and_wrong_password(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    bad = client.post(
        "/login", data={"username": "editor", "password": "salah-sekali", "csrf_token": token}
    )
    assert bad.status_code == 401 and "sorot_session" not in bad.cookies
    unknown = client.post(
        "/login", data={"username": "nobody", "password": PASSWORD, "csrf_token": token}
    )
    assert unknown.status_code == 401
    csrf = login(client, "editor")
    assert client.get("/").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 303
    assert client.get("/").status_code == 303


def test_login_without_csrf_is_refused(client: TestClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "editor", "password": PASSWORD})
    assert response.status_code == 403
    forged = client.post(
        "/login", data={"username": "editor", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert forged.status_code == 403


def test_every_post_without_csrf_token_is_refused(
    app: FastAPI, client: TestClient, entry: tuple[Path, str]
) -> None:
    login(client, "admin")
    posts = [r for r in api_routes(app.routes) if "POST" in r.methods]
    assert len(posts) >= 7
    for route in posts:
        path = concrete_path(route, entry)
        response = client.post(path, data={"decision": "approve", "lang": "en"})
        assert response.status_code == 403, (path, response.status_code)
        wrong = client.post(path, data={"csrf_token": "x" * 43}, headers={"X-CSRF-Token": "y"})
        assert wrong.status_code == 403, path


def test_open_redirect_is_refused(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "username": "editor",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/"


def test_roles(client: TestClient, entry: tuple[Path, str]) -> None:
    _, video_id = entry
    clip = clip_ids(entry)[0]
    csrf = login(client, "viewer")
    page = client.get(f"/video/{video_id}")
    assert page.status_code == 200 and 'value="approve"' not in page.text
    headers = {"X-CSRF-Token": csrf}
    approve = client.post(
        f"/video/{video_id}/clips/{clip}/decision", data={"decision": "approve"}, headers=headers
    )
    assert approve.status_code == 403
    comment = client.post(
        f"/video/{video_id}/comments", data={"timecode": 2, "text": "hai"}, headers=headers
    )
    assert comment.status_code == 403
    assert client.post("/exports", data={"video_id": video_id}, headers=headers).status_code == 403
    assert client.get("/admin/users").status_code == 403
    add = client.post(
        "/admin/users",
        data={"username": "x", "password": PASSWORD, "role": "admin"},
        headers=headers,
    )
    assert add.status_code == 403


def test_editor_cannot_manage_users_admin_can(client: TestClient) -> None:
    csrf = login(client, "editor")
    assert client.get("/admin/users").status_code == 403
    client.post("/logout", data={"csrf_token": csrf})
    csrf = login(client, "admin")
    assert client.get("/admin/users").status_code == 200
    added = client.post(
        "/admin/users",
        data={"username": "penyunting2", "password": PASSWORD, "role": "editor"},
        headers={"X-CSRF-Token": csrf},
    )
    assert added.status_code == 303
    assert "penyunting2" in client.get("/admin/users").text


TRAVERSALS = [
    "/media/{vid}/clips/..%2fmanifest.json",
    "/media/{vid}/clips/%2e%2e%2fmanifest.json",
    "/media/{vid}/clips/%2e%2e",
    "/media/{vid}/clips/..%5cmanifest.json",
    "/media/{vid}/clips/%2fetc%2fpasswd",
    "/media/{vid}/clips//etc/passwd",
    "/media/{vid}/clips/" + UNLISTED.split("/")[1],
    "/media/{vid}/clips/ranked.json",
    "/media/{vid}/manifest.json",
    "/media/{vid}/transcript.json",
    "/media/{vid}/%2e%2e%2f%2e%2e%2finbox%2fkunjungan-warga%2fhandshake_livingroom.mp4",
    "/media/..%2f..%2fetc/passwd",
    "/media/%2e%2e/clips/clip-01.mp4",
    "/media/ABCDEF0123456789/clips/clip-01.mp4",
    "/media/{vid}x/clips/clip-01.mp4",
    "/video/..%2f..%2fetc%2fpasswd",
    "/video/%2e%2e",
    "/night/..%2f..%2fruns",
    "/history?video_id=..%2f..",
]


@pytest.mark.parametrize("template", TRAVERSALS)
def test_path_traversal_never_serves_files(
    client: TestClient, entry: tuple[Path, str], template: str
) -> None:
    login(client, "admin")
    response = client.get(template.format(vid=entry[1]))
    assert response.status_code in (400, 404), response.status_code
    for secret in (b"not for anyone", b"root:", b"settings_digest", b"ftyp", b"clips_ranked"):
        assert secret not in response.content


def test_range_requests(client: TestClient, entry: tuple[Path, str]) -> None:
    root, video_id = entry
    login(client, "viewer")
    data = (root / layout.entry_key(video_id, "clips/clip-01.mp4")).read_bytes()
    check_ranges(client, f"/media/{video_id}/clips/clip-01.mp4", data)


def check_ranges(client: TestClient, url: str, data: bytes) -> None:
    """The usual range forms answer 206 with the right bytes; bad ones 416."""
    size = len(data)
    whole = client.get(url)
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-type"] == "video/mp4"
    cases = {
        "bytes=0-99": (0, 99),
        "bytes=1000-": (1000, size - 1),
        "bytes=-500": (size - 500, size - 1),
        f"bytes=10-{size + 50}": (10, size - 1),
    }
    for header, (first, last) in cases.items():
        part = client.get(url, headers={"Range": header})
        assert part.status_code == 206, header
        assert part.content == data[first : last + 1], header
        assert part.headers["content-range"] == f"bytes {first}-{last}/{size}"
        assert int(part.headers["content-length"]) == last - first + 1
    for header in (f"bytes={size}-", f"bytes={size + 10}-{size + 20}", "bytes=-0"):
        bad = client.get(url, headers={"Range": header})
        assert bad.status_code == 416, header
        assert bad.headers["content-range"] == f"bytes */{size}"
    # Multiple ranges: the whole object, which HTTP allows.
    assert client.get(url, headers={"Range": "bytes=0-1,5-6"}).status_code == 200


def test_range_requests_on_s3(s3_bucket: str, entry: tuple[Path, str], tmp_path: Path) -> None:
    root, video_id = entry
    s3 = Store(s3_bucket)
    local = Store(str(root))
    for key in local.list(layout.LIBRARY):
        s3.put_file(key, Path(local.path(key)))
    shutil.copyfile(users_db_template(), tmp_path / "s3.db")
    settings = settings_for(s3_bucket, tmp_path / "s3.db")
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, "viewer")
        assert client.get(f"/video/{video_id}").status_code == 200
        data = local.read_bytes(layout.entry_key(video_id, "clips/clip-02.mp4"))
        check_ranges(client, f"/media/{video_id}/clips/clip-02.mp4", data)


def test_security_headers_and_no_store(client: TestClient) -> None:
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_session_expires(client: TestClient, settings: ReviewSettings) -> None:
    login(client, "editor")
    assert client.get("/").status_code == 200
    db = open_db(settings.db_url)
    with db.session() as s:
        s.execute(update(SessionRow).values(expires_at=SessionRow.created_at))
    db.close()
    assert client.get("/").status_code == 303


def test_password_hashes_are_argon2id(settings: ReviewSettings) -> None:
    db = open_db(settings.db_url)
    with db.engine.connect() as conn:
        hashes = [row[0] for row in conn.exec_driver_sql("SELECT password_hash FROM users")]
    db.close()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert all(PASSWORD not in h for h in hashes)


def test_video_page_shows_clips_transcript_and_press(
    client: TestClient, entry: tuple[Path, str]
) -> None:
    _, video_id = entry
    login(client, "editor")
    page = client.get(f"/video/{video_id}").text
    assert "Jabat tangan dengan warga (klip 1)" in page
    assert f"/media/{video_id}/clips/clip-01.jpg" in page
    assert f"/media/{video_id}/timeline.png" in page
    assert 'data-t="2.2"' in page and "Selamat" in page
    assert "Bupati Menyapa Warga" in page and "<sub>Sumber:" in page
    assert "<script>alert(1)</script>" not in page  # raw HTML in drafts stays text
    # Factor names and labels in the editor's language; no internal version strings.
    assert "Interaksi dengan warga" in page and "<meter" in page
    assert "<th>interaction</th>" not in page and "hand-weighted" not in page
    assert "bobot tetap" in page  # how the clips were ranked, in words
    # The transcript reads (and copies) with its spaces, one focusable span per word.
    text = " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert "Selamat pagi, Bapak." in text and "Terima kasih sudah datang." in text
    assert len(re.findall(r'<span data-t="[^"]+" tabindex="0" role="button">', page)) == 13
    # The event of the entry (from its inbox folder here) heads the page.
    assert 'class="event-name">kunjungan-warga' in page
    night = client.get(f"/night/{NIGHT}").text
    assert "kunjungan-warga" in night and f"/video/{video_id}" in night
    # The whole night on one page: the event's clips ranked, each with its reason.
    assert "Klip terbaik malam ini (2 klip)" in night
    first, second = (night.index(f"Jabat tangan dengan warga (klip {n})") for n in (1, 2))
    assert first < second
    index = client.get("/").text
    assert NIGHT in index and "Malam" in index


def test_language_switch(client: TestClient, entry: tuple[Path, str]) -> None:
    csrf = login(client, "editor")
    assert "Klip berperingkat" in client.get(f"/video/{entry[1]}").text
    response = client.post("/lang", data={"lang": "en", "next": "/", "csrf_token": csrf})
    assert response.status_code == 303
    page = client.get(f"/video/{entry[1]}").text
    assert "Ranked clips" in page and "Handshake with a resident (clip 1)" in page


def test_catalogue_has_every_key_in_both_languages() -> None:
    assert MESSAGES["id"].keys() == MESSAGES["en"].keys()
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(["']([a-z_]+)["']\)""", template.read_text()))
    assert used and used <= MESSAGES["id"].keys(), used - MESSAGES["id"].keys()


def test_decide_comment_export_and_persist_across_restart(
    settings: ReviewSettings, entry: tuple[Path, str]
) -> None:
    root, video_id = entry
    first, second = clip_ids(entry)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        csrf = login(client, "editor")
        headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
        empty = client.post("/exports", data={"video_id": video_id}, headers=headers)
        assert empty.status_code == 409  # nothing approved yet
        url = f"/video/{video_id}/clips/{first}/decision"
        approved = client.post(
            url, data={"decision": "approve", "in_point": 2.6, "out_point": 5.6}, headers=headers
        )
        assert approved.status_code == 200, approved.text
        assert approved.json()["user"] == "editor"
        outside = client.post(url, data={"decision": "approve", "in_point": 1.0}, headers=headers)
        assert outside.status_code == 400
        unknown = client.post(
            f"/video/{video_id}/clips/{video_id}-0-1/decision",
            data={"decision": "approve"},
            headers=headers,
        )
        assert unknown.status_code == 404
        # A plain form post (no JavaScript) works too and returns to the page.
        rejected = client.post(
            f"/video/{video_id}/clips/{second}/decision",
            data={"decision": "reject", "csrf_token": csrf},
        )
        assert rejected.status_code == 303
        commented = client.post(
            f"/video/{video_id}/comments",
            data={"timecode": 3.1, "text": "Potong sebelum tepuk tangan", "clip_id": first},
            headers=headers,
        )
        assert commented.status_code == 200

        job = client.post("/exports", data={"video_id": video_id}, headers=headers).json()
        deadline = time.monotonic() + 30
        while job["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.1)
            job = client.get(f"/exports/{job['id']}").json()
        assert job["status"] == "done" and job["clips"] == 1 and job["progress"] == 1.0
        download = client.get(f"/exports/{job['id']}/download")
        assert download.status_code == 200
        assert download.headers["content-type"] == "application/zip"

    stem = f"kunjungan-warga_{recorded_date(root, video_id)}_01".replace("_None", "")
    with zipfile.ZipFile(io.BytesIO(download.content)) as zf:
        names = set(zf.namelist())
        # The approved, trimmed span is rendered anew under a readable name (event, date,
        # rank), with its captions beside it; the rejected clip is not there.
        assert {f"clips/{stem}.mp4", f"clips/{stem}.srt", f"clips/{stem}.vtt"} <= names
        assert not any("clip-02" in n or "_02" in n for n in names)
        trimmed = zf.read(f"clips/{stem}.mp4")
        with av.open(io.BytesIO(trimmed)) as media:
            assert 2.8 < media.duration / av.time_base < 3.3  # 2.6-5.6 s of a 2-6 s clip
            assert media.streams.video and media.streams.audio
        assert zf.read(f"clips/{stem}.vtt").startswith(b"WEBVTT")
        # Read back with OpenTimelineIO: a video and an audio track, the comment a marker.
        timeline = otio.adapters.read_from_string(zf.read("edit.otio").decode(), "otio_json")
        assert [(t.name, t.kind) for t in timeline.tracks] == [("V1", "Video"), ("A1", "Audio")]
        for track in timeline.tracks:
            (clip,) = track
            assert clip.name == stem
            assert clip.media_reference.target_url == f"clips/{stem}.mp4"
            assert clip.source_range.start_time.to_seconds() == pytest.approx(0.0)
            assert clip.source_range.duration.to_seconds() == pytest.approx(3.0)
        (marker,) = timeline.tracks[0][0].markers
        # The comment at 3.1 s is 0.5 s into the 2.6 s trim (25 fps: within a frame).
        assert marker.marked_range.start_time.to_seconds() == pytest.approx(0.5, abs=0.04)
        assert "Potong sebelum tepuk tangan" in marker.name
        edl_text = zf.read("edit.edl").decode()
        assert "SOROT001" in edl_text and "00:00:00:00 00:00:03:00" in edl_text
        edl = otio.adapters.read_from_string(edl_text, "cmx_3600")
        # Channel AA/V: the picture and both stereo channels of the same file.
        assert [t.name for t in edl.tracks] == ["V", "A1", "A2"]
        assert all(len(t) == 1 and t[0].name == stem for t in edl.tracks)
        assert any(c.markers for t in edl.tracks for c in t)  # the comment as a LOC line
        approved_json = json.loads(zf.read("approved.json"))
        assert approved_json["clips"][0]["approved_by"] == "editor"
        assert approved_json["clips"][0]["trimmed"] is True and approved_json["skipped"] == []

    # A new app on the same database: everything is still there.
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, "viewer")
        page = client.get(f"/video/{video_id}").text
        assert "Disetujui · editor" in page and "Ditolak · editor" in page
        assert "Potong sebelum tepuk tangan" in page
        history = client.get("/history").text
        assert history.count("editor") >= 3
    db = open_db(settings.db_url)
    records = {r.clip_id: r for r in decisions_for_training(db)}
    db.close()
    assert records[first].decision == "approve" and records[second].decision == "reject"
    assert records[first].factors["interaction"] == pytest.approx(0.6)
    assert records[first].ranker == "hand-weighted v1"
    assert (records[first].in_point, records[first].out_point) == (2.6, 5.6)


def test_export_of_other_users_job_is_hidden(
    settings: ReviewSettings, entry: tuple[Path, str]
) -> None:
    db = open_db(settings.db_url)
    add_user(db, "editor2", PASSWORD, "editor")
    db.close()
    app = create_app(settings)
    with TestClient(app, follow_redirects=False) as one, TestClient(app) as two:
        csrf = login(one, "editor")
        one.post(
            f"/video/{entry[1]}/clips/{clip_ids(entry)[0]}/decision",
            data={"decision": "approve"},
            headers={"X-CSRF-Token": csrf},
        )
        job = one.post(
            "/exports", data={"video_id": entry[1]}, headers={"X-CSRF-Token": csrf}
        ).json()
        login(two, "editor2")
        assert two.get(f"/exports/{job['id']}").status_code == 404
        assert two.get(f"/exports/{job['id']}/download").status_code == 404


def test_settings_from_env_keep_the_secret_out_of_sight(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SOROT_REVIEW_SECRET", SECRET)
    monkeypatch.setenv("SOROT_REVIEW_DB", str(tmp_path / "r.db"))
    settings = ReviewSettings.from_env(store=str(tmp_path))
    assert settings.secret == SECRET and SECRET not in repr(settings)
    assert settings.db_url == f"sqlite:///{tmp_path / 'r.db'}"
    pg = "postgresql+psycopg://u@db/review"
    assert ReviewSettings.from_env(db_url=pg).db_url == pg
    monkeypatch.setenv("SOROT_REVIEW_SECRET", "short")
    with pytest.raises(ValueError, match="at least 32"):
        ReviewSettings.from_env()


def test_streaming_memory_stays_flat(tmp_path: Path) -> None:
    store = Store(str(tmp_path))
    size = 64 << 20
    big = tmp_path / "library" / "big.mp4"
    big.parent.mkdir()
    with big.open("wb") as fh:
        fh.truncate(size)
    tracemalloc.start()
    response = stream_object(store, "library/big.mp4", "bytes=1000-")

    async def drain() -> int:
        return sum([len(chunk) async for chunk in response.body_iterator])

    assert asyncio.run(drain()) == size - 1000
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 4 << 20, peak


def _comment_count(settings: ReviewSettings) -> int:
    db = open_db(settings.db_url)
    with db.session() as s:
        count = s.scalar(select(func.count()).select_from(Comment)) or 0
    db.close()
    return count


def test_comment_times_are_checked_and_bad_stored_rows_still_render(
    client: TestClient, settings: ReviewSettings, entry: tuple[Path, str]
) -> None:
    root, video_id = entry
    manifest = read_manifest(Store(str(root)), video_id)
    assert manifest is not None
    duration = manifest.source.probe.duration  # 19.6 s
    csrf = login(client, "editor")
    headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
    url = f"/video/{video_id}/comments"
    # inf was stored and then answered 500 (JSON cannot carry it); NaN hit NOT NULL.
    for bad in ("inf", "-inf", "Infinity", "nan", "-1", str(duration + 5), "1e308"):
        refused = client.post(url, data={"timecode": bad, "text": "salah"}, headers=headers)
        assert refused.status_code == 400, (bad, refused.status_code, refused.text)
        assert refused.json()["detail"] == MESSAGES["id"]["comment_bad_timecode"], bad
    not_a_number = client.post(url, data={"timecode": "abc", "text": "x"}, headers=headers)
    assert not_a_number.status_code == 422
    client.post("/lang", data={"lang": "en", "next": "/", "csrf_token": csrf})
    english = client.post(url, data={"timecode": "nan", "text": "x"}, headers=headers)
    assert english.json()["detail"] == MESSAGES["en"]["comment_bad_timecode"]
    assert _comment_count(settings) == 0  # nothing refused was stored
    at_end = client.post(url, data={"timecode": str(duration), "text": "akhir"}, headers=headers)
    assert at_end.status_code == 200 and at_end.json()["timecode"] == duration

    # Rows stored before this check (or by hand) must not take the pages down.
    db = open_db(settings.db_url)
    with db.session() as s:
        editor = s.scalar(select(User).where(User.username == "editor"))
        assert editor is not None
        for value in (float("inf"), float("-inf"), 1e300, -3.0):
            s.add(
                Comment(video_id=video_id, timecode=value, text=f"lama {value}", user_id=editor.id)
            )
    db.close()
    page = client.get(f"/video/{video_id}")
    assert page.status_code == 200, page.text
    assert all(f"lama {v}" in page.text for v in ("inf", "-inf", "1e+300", "-3.0"))
    assert 'data-t="inf"' not in page.text and 'data-t="-inf"' not in page.text
    for path in ("/history", f"/history?video_id={video_id}"):
        history = client.get(path)
        assert history.status_code == 200 and "lama inf" in history.text, path


def _try_login(client: TestClient, username: str, password: str, **headers: str):
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        headers=headers,
    )


class _Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_failed_logins_are_limited_per_user_and_per_address(
    settings: ReviewSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import review.ratelimit

    clock = _Clock()
    monkeypatch.setattr(review.ratelimit, "time", clock)
    # 2 failures a user, 3 an address, per 15 minutes (one back every 450 / 300 s).
    limited = dataclasses.replace(
        settings, login_failures=2, login_failures_per_address=3, login_window_seconds=900.0
    )
    app = create_app(limited)
    with TestClient(app, follow_redirects=False) as client:
        for _ in range(2):
            wrong = _try_login(client, "editor", "salah-sekali")
            assert wrong.status_code == 401 and MESSAGES["id"]["login_failed"] in wrong.text
        # Over the limit even the right password is refused, before argon2 runs.
        refused = _try_login(client, "editor", PASSWORD)
        assert refused.status_code == 429 and "sorot_session" not in refused.cookies
        assert refused.headers["retry-after"] == "450"
        assert "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 8 menit." in refused.text
        as_json = _try_login(client, "editor", PASSWORD, Accept="application/json")
        assert as_json.status_code == 429 and "8 menit" in as_json.json()["detail"]
        # Another user from the same address still gets in (2 of its 3 failures used)...
        assert _try_login(client, "viewer", PASSWORD).status_code == 303
        client.cookies.clear()
        # ...until the address has failed 3 times: then every user is refused from it.
        assert _try_login(client, "admin", "salah-sekali").status_code == 401
        from_address = _try_login(client, "admin", PASSWORD)
        assert from_address.status_code == 429 and from_address.headers["retry-after"] == "300"
    # Another address is not affected; the user's own limit still is, until it refills.
    with TestClient(app, follow_redirects=False, client=("10.0.0.7", 4000)) as other:
        assert _try_login(other, "admin", PASSWORD).status_code == 303
        other.cookies.clear()
        assert _try_login(other, "editor", PASSWORD).status_code == 429
        clock.now += 451  # one token back for the user
        assert _try_login(other, "editor", PASSWORD).status_code == 303


def test_password_hashing_runs_in_bounded_slots(
    settings: ReviewSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    bounded = dataclasses.replace(
        settings, hash_concurrency=2, hash_wait_seconds=0.3, login_failures=1
    )
    app = create_app(bounded)
    slots: HashingSlots = app.state.ctx.hashing
    with TestClient(app, follow_redirects=False) as client:
        # Every slot taken (as by two logins hashing): the next one waits, then gets 503.
        with slots.slot(), slots.slot():
            busy = _try_login(client, "editor", PASSWORD)
        assert busy.status_code == 503 and busy.headers["retry-after"] == "2"
        assert "sibuk" in busy.text
        # The busy attempt was never checked, so it is no failure (the limit here is 1).
        assert _try_login(client, "editor", PASSWORD).status_code == 303

    # Many logins at once: never more than 2 argon2 runs (64 MiB each) at the same time.
    import review.passwords as passwords

    running, peak, lock = 0, 0, threading.Lock()
    real_verify = passwords._HASHER.verify

    def counting_verify(stored: str, password: str) -> bool:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            return real_verify(stored, password)
        finally:
            with lock:
                running -= 1

    class CountingHasher:
        verify = staticmethod(counting_verify)
        check_needs_rehash = staticmethod(passwords._HASHER.check_needs_rehash)

    monkeypatch.setattr(passwords, "_HASHER", CountingHasher())
    app = create_app(dataclasses.replace(bounded, hash_wait_seconds=30.0, login_failures=20))
    statuses: list[int] = []
    with TestClient(app, follow_redirects=False) as client:
        token = csrf_of(client.get("/login").text)

        def attempt() -> None:
            response = client.post(
                "/login",
                data={"username": "viewer", "password": "salah-sekali", "csrf_token": token},
            )
            statuses.append(response.status_code)

        threads = [threading.Thread(target=attempt) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert statuses == [401] * 6
    assert 1 <= peak <= 2  # 6 at once without the bound
