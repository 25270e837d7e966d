"""The editors' desk without a server: transcript spacing, times, decisions that stick,
two editors at once, events and export names (issue 17)."""

from __future__ import annotations

import io
import json
import shutil
import threading
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import av
import opentimelineio as otio
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from app.events import entry_event
from app.library import Library
from app.search import BadQuery, SearchIndex
from cli import app as cli_app
from models.clips.records import Clip
from models.moments.records import Moment
from models.speech.records import Word
from models.speech.text import join_words, spaced_words
from review.db import make_engine, migrate, open_db
from review.decisions import DecisionConflict, latest_decision, record_decision
from review.explain import component_notes, factor_name
from review.export import ExportJob, approved_items, write_zip
from review.export_names import ClipNames, slug
from review.formatting import local_time, timecode
from review.settings import ReviewSettings, db_url_of
from review.tables import User
from review.timeline import timeline_view
from storage import layout
from storage.manifest import read_manifest
from storage.store import Store
from tests.test_review import users_db_template
from tests.test_review_library import built_library, write_audio_entry


def _words(*tokens: str) -> list[Word]:
    return [Word(start=i, end=i + 0.5, word=w, probability=0.9) for i, w in enumerate(tokens)]


def test_words_keep_the_spacing_they_were_spoken_with() -> None:
    # faster-whisper's own output for cv_id_19059577.wav (base, id): a reduplicated word
    # comes as " bertahun" "-tahun." (second piece without a leading space).
    spoken = _words(" selama", " bertahun", "-tahun.")
    assert join_words(spoken) == "selama bertahun-tahun."
    assert spaced_words(spoken) == [("", "selama"), (" ", "bertahun"), ("", "-tahun.")]
    # Libraries made before kept words stripped: they still read with single spaces.
    old = _words("Kartinah", "adalah", "sebuah", "film.")
    assert join_words(old) == "Kartinah adalah sebuah film."


def test_timecodes_round_before_they_carry() -> None:
    assert timecode(59.96) == "1:00.0" and timecode(59.94) == "0:59.9"
    assert timecode(3599.97) == "1:00:00" and timecode(float("inf")) == "–"
    assert local_time(datetime(2026, 11, 27, 18, 5, tzinfo=UTC), "Asia/Jakarta") == (
        "2026-11-28 01:05 WIB"
    )
    assert local_time("2026-11-27T18:05:00+00:00", "Asia/Makassar") == "2026-11-28 02:05 WITA"
    with pytest.raises(ValueError, match="IANA zone"):
        ReviewSettings(secret="s" * 32, timezone="Jakarta").check()


def test_factor_names_say_when_recognition_was_off() -> None:
    off = {"leader": "missing: no leader enrolled", "look.bodies": "missing: disabled in settings"}
    assert factor_name("id", "leader", off) == "Wajah terlihat (pimpinan tidak dikenali)"
    assert factor_name("id", "leader", {"leader": "ran"}) == "Pimpinan terlihat"
    assert factor_name("en", "quotability", {}) == "Quotability"
    assert factor_name("id", "new_factor", {}) == "New factor"  # never a raw key
    assert component_notes(off) == ["note_no_leader", "note_no_people"]
    assert component_notes({"leader": "ran", "look.bodies": "cached"}) == []
    sound_only = {**off, "look.frames": "missing: no video stream"}
    assert component_notes(sound_only) == ["note_no_picture"]


@pytest.fixture
def db(tmp_path: Path):
    """A review database with two users who may decide ("editor" as Ani, "admin" as Budi)."""
    shutil.copyfile(users_db_template(), tmp_path / "review.db")  # argon2 hashes made once
    database = open_db(db_url_of(str(tmp_path / "review.db")))
    with database.session() as s:
        ids = dict(s.execute(select(User.username, User.id)).all())
    yield database, ids["editor"], ids["admin"]
    database.close()


CLIP = Clip(
    clip_id="0123456789abcdef-2000-6000",
    video_id="0123456789abcdef",
    rank=1,
    start=2.0,
    end=6.0,
    origin="moment",
    label="informal",
    score=0.7,
)


def _decide(db, user: int, decision: str = "approve", **kw: object):
    return record_decision(db, clip=CLIP, ranker="hand-weighted v1", decision=decision,
                           user_id=user, **kw)  # fmt: skip


def test_a_later_approval_keeps_the_trim_and_a_stale_one_is_a_conflict(db) -> None:
    database, ani, budi = db
    first = _decide(database, ani, in_point=2.5, out_point=5.0, base=0)
    # Budi approves without touching the trim: Ani's trim stays.
    second = _decide(database, budi, base=first.id)
    assert (second.in_point, second.out_point) == (2.5, 5.0)
    # Ani still looks at her own decision: pressing again is a conflict, nothing stored.
    with pytest.raises(DecisionConflict) as conflict:
        _decide(database, ani, "reject", base=first.id)
    assert conflict.value.latest is not None and conflict.value.latest.username == "admin"
    assert latest_decision(database, CLIP.video_id, CLIP.clip_id) == second
    # A new trim replaces it; clearing goes back to the whole clip.
    third = _decide(database, ani, in_point=3.0, base=second.id)
    assert (third.in_point, third.out_point) == (3.0, None)
    cleared = _decide(database, ani, clear_trim=True, base=third.id)
    assert (cleared.in_point, cleared.out_point) == (None, None)


def test_two_editors_saving_at_once_one_wins(db) -> None:
    database, ani, budi = db
    start = threading.Barrier(2)
    outcomes: dict[int, object] = {}

    def act(user: int) -> None:
        start.wait()
        try:
            outcomes[user] = _decide(database, user, "approve" if user == ani else "reject", base=0)
        except DecisionConflict as exc:
            outcomes[user] = exc

    threads = [threading.Thread(target=act, args=(u,)) for u in (ani, budi)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conflicts = [o for o in outcomes.values() if isinstance(o, DecisionConflict)]
    saved = [o for o in outcomes.values() if not isinstance(o, DecisionConflict)]
    assert len(conflicts) == 1 and len(saved) == 1
    assert conflicts[0].latest == saved[0]  # the loser is told what the winner decided


def test_migration_0002_chains_existing_history(tmp_path: Path) -> None:
    # A database with decisions made before versions existed: each gets its predecessor.
    engine = make_engine(db_url_of(str(tmp_path / "old.db")))
    migrate(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO users (id, username, password_hash, role, active, created_at) "
            "VALUES (1, 'ani', 'x', 'editor', 1, '2026-11-27 01:00:00')"
        )
        for i, (clip, when) in enumerate([("a", "01:00"), ("b", "01:01"), ("a", "01:02")], 1):
            conn.exec_driver_sql(
                "INSERT INTO decisions (id, video_id, clip_id, decision, user_id, created_at, "
                "ranker, rank, score, factors) VALUES "
                f"({i}, '0123456789abcdef', '{clip}', 'approve', 1, '2026-11-27 {when}:00', "
                "'hand-weighted v1', 1, 0.5, '{}')"
            )
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, supersedes FROM decisions ORDER BY id").all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, 0), (2, 0), (3, 1)]


def test_event_from_kept_sidecar_then_folder(tmp_path: Path) -> None:
    root, video_id = built_library()
    store = Store(str(root))
    manifest = read_manifest(store, video_id)
    assert manifest is not None
    folder = entry_event(store, manifest)
    assert (folder.name, folder.source) == ("kunjungan-warga", "folder")
    # An entry whose footage came from another folder (--inbox DIR: key "file.mp4") and
    # whose night kept the sidecar as event.json: grouped by the sidecar's event.
    sidecar = {"event": "Peresmian Pasar", "place": "Denpasar", "date": "2026-11-27",
               "speaker_name": "Ani", "speaker_title": "Bupati"}  # fmt: skip
    other = Store(str(tmp_path))
    other.put_bytes(layout.entry_key(video_id, "event.json"), json.dumps(sidecar).encode())
    moved = manifest.model_copy(
        update={
            "source": manifest.source.model_copy(update={"key": "handshake.mp4"}),
            "artifacts": {
                "event": manifest.artifacts["transcript"].model_copy(
                    update={"key": layout.entry_key(video_id, "event.json")}
                )
            },
        }
    )
    event = entry_event(other, moved)
    assert (event.name, event.place, event.date) == ("Peresmian Pasar", "Denpasar", "2026-11-27")
    assert event.speaker == "Bupati Ani" and event.source == "sidecar"
    bare = moved.model_copy(update={"artifacts": {}})
    assert entry_event(other, bare).source in ("time", "none")  # no sidecar, no folder


def test_export_names_are_readable_and_unique() -> None:
    assert slug("Kunjungan Kerja ke Desa Sukamaju!") == "kunjungan-kerja-ke-desa-sukamaju"
    assert slug("Peresmian Pasar Ubud — Gianyar") == "peresmian-pasar-ubud-gianyar"
    names = ClipNames()
    got = [names.next("Peresmian Pasar", "2026-11-27", "x") for _ in range(2)]
    got.append(names.next(None, None, "handshake_livingroom"))
    assert got == [
        "peresmian-pasar_2026-11-27_01",
        "peresmian-pasar_2026-11-27_02",
        "handshake-livingroom_01",
    ]


def test_export_leaves_out_a_vanished_file_and_keeps_untrimmed_clips_exact(
    db, tmp_path: Path
) -> None:
    database, ani, _ = db
    root, video_id = built_library()
    copy = tmp_path / "library"
    shutil.copytree(root, copy)
    library = Library(Store(str(copy)))
    ranked = library.ranked(library.manifest(video_id))
    assert ranked is not None
    for clip in ranked.clips:
        record_decision(database, clip=clip, ranker=ranked.ranker, decision="approve",
                        user_id=ani)  # fmt: skip
    (copy / layout.entry_key(video_id, "clips/clip-01.mp4")).unlink()  # gone from the store
    items = approved_items(library, database, [video_id])
    job = ExportJob(id="t", user_id=ani, video_ids=[video_id], clips=len(items))
    write_zip(library, items, tmp_path / "export.zip", job)
    first, second = (item.name for item in items)
    assert job.skipped == [first] and job.done_clips == 2
    with zipfile.ZipFile(tmp_path / "export.zip") as zf:
        kept = (copy / layout.entry_key(video_id, "clips/clip-02.mp4")).read_bytes()
        assert zf.read(f"clips/{second}.mp4") == kept  # untrimmed: the signed file itself
        approved = json.loads(zf.read("approved.json"))
        timeline = otio.adapters.read_from_string(zf.read("edit.otio").decode(), "otio_json")
    assert approved["skipped"] == [first] and [c["name"] for c in approved["clips"]] == [second]
    assert [c.name for c in timeline.tracks[0]] == [second]


def test_search_finds_words_affixes_and_events_and_refuses_bad_queries(tmp_path: Path) -> None:
    root, video_id = built_library()
    index = SearchIndex(Library(Store(str(root))), tmp_path / "search.sqlite")
    (hit,) = index.search("terima KASIH")  # case and word order do not matter
    assert (hit.video_id, hit.start, hit.kind) == (video_id, 9.5, "speech")
    assert hit.text == "Terima kasih sudah datang."
    # Indonesian affixes: "kedatangan" finds "datang."; a prefix of a word finds it too.
    assert [h.start for h in index.search("kedatangan")] == [9.5]
    assert [h.start for h in index.search("kelu")] == [4.0]  # "keluarga?"
    (event,) = index.search("kunjungan warga")  # the event (its inbox folder)
    assert event.kind == "event" and event.event.startswith("kunjungan-warga")
    assert index.search("jembatan") == []
    for bad, key in (("", "search_empty"), ("?!* --", "search_empty"), ("x" * 10_000,
                     "search_too_long")):  # fmt: skip
        with pytest.raises(BadQuery) as refused:
            index.search(bad)
        assert refused.value.key == key
    # The same from the command line: video id, time, the words, the event.
    runner = CliRunner()
    env = {"SOROT_SEARCH_DB": str(tmp_path / "cli.sqlite"), "COLUMNS": "200"}
    result = runner.invoke(cli_app, ["search", "--store", str(root), "sudah", "datang"], env=env)
    assert result.exit_code == 0, result.output
    assert video_id in result.output and "9.5-" in result.output
    assert "Terima kasih sudah datang." in result.output
    assert runner.invoke(cli_app, ["search", "--store", str(root), "%%"], env=env).exit_code == 2


def test_timeline_places_moments_clips_and_ticks() -> None:
    moments = [
        Moment(start=0.0, end=30.0, label="ceremonial", score=0.2),
        Moment(start=30.0, end=60.0, label="informal", score=0.8),
    ]
    clip = CLIP.model_copy(update={"start": 45.0, "end": 75.0})
    view = timeline_view(120.0, moments, [clip])
    assert [(b.x, b.width, b.kind) for b in view.moments] == [
        (0.0, 25.0, "ceremonial"),
        (25.0, 25.0, "informal"),
    ]
    assert [(b.x, b.width, b.text, b.start) for b in view.clips] == [(37.5, 25.0, "#1", 45.0)]
    assert [t.seconds for t in view.ticks] == [0, 15, 30, 45, 60, 75, 90, 105, 120]
    assert view.labels == ["ceremonial", "informal"]


def test_export_of_an_audio_only_clip_is_sound_on_the_audio_track(db, tmp_path: Path) -> None:
    database, ani, _ = db
    store = Store(str(tmp_path / "library"))
    video_id = write_audio_entry(store)
    library = Library(store)
    ranked = library.ranked(library.manifest(video_id))
    assert ranked is not None
    record_decision(database, clip=ranked.clips[0], ranker=ranked.ranker, decision="approve",
                    user_id=ani, in_point=1.0, out_point=5.0)  # fmt: skip
    (item,) = approved_items(library, database, [video_id])
    job = ExportJob(id="a", user_id=ani, video_ids=[video_id], clips=1)
    write_zip(library, [item], tmp_path / "export.zip", job)
    with zipfile.ZipFile(tmp_path / "export.zip") as zf:
        names = set(zf.namelist())
        with av.open(io.BytesIO(zf.read(f"clips/{item.name}.m4a"))) as audio:
            assert not audio.streams.video
            assert 3.8 < audio.duration / av.time_base < 4.3  # the trimmed 1.0-5.0 s
        timeline = otio.adapters.read_from_string(zf.read("edit.otio").decode(), "otio_json")
    assert item.name.startswith("rekaman-pidato_")  # its inbox folder names the event
    assert f"clips/{item.name}.vtt" in names and "edit.edl" not in names  # no picture events
    video, sound = timeline.tracks
    assert isinstance(video[0], otio.schema.Gap) and sound[0].name == item.name
    assert sound[0].source_range.duration.to_seconds() == pytest.approx(4.0)
