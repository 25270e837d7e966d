"""The nightly flow end to end on real recordings: local folder store and real S3 server."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from app.settings import RunSettings
from flows.nightly import nightly
from models.clips.records import RankedClips
from models.media.decode import probe
from models.media.hashing import sha256_file
from models.moments.records import FeatureTimeline, Moments
from models.press import PressDraft
from models.speech.records import Transcript
from models.speech.text import plain_text
from models.speech.wer import wer
from storage import layout
from storage.manifest import check_entry, list_entries, read_manifest
from storage.runs import RunReport, list_reports
from storage.store import Store
from tests.media_factory import write_video_only, write_wav
from tests.test_transcribe import JFK

pytestmark = pytest.mark.slow  # the nightly flow end to end


def build_inbox(shared: Path, inbox: Path) -> dict[str, str]:
    """An inbox of real and hostile files; returns name -> expected outcome."""
    inbox.mkdir(parents=True)
    (inbox / "hari ini").mkdir()
    shutil.copy(shared / "speech/jfk_en.flac", inbox / "hari ini/pidato gubernur é.flac")
    shutil.copy(shared / "video/handshake_livingroom.mp4", inbox / "handshake.mp4")
    shutil.copy(shared / "video/handshake_livingroom.mp4", inbox / "hari ini/copy of handshake.MP4")
    shutil.copy(shared / "video/bikes_cuts.mp4", inbox / "bikes.mp4")
    write_video_only(inbox / "video only.mp4")
    write_wav(inbox / "hening.wav", np.zeros(16_000 * 5, dtype=np.float32))
    (inbox / "empty.mov").write_bytes(b"")
    (inbox / "random.mp4").write_bytes(np.random.default_rng(1).bytes(20_000))
    data = (shared / "video/address_to_camera_1.mp4").read_bytes()
    (inbox / "truncated.mp4").write_bytes(data[: len(data) // 3])
    (inbox / "event.json").write_text('{"event": "Peresmian pasar"}')  # sidecar: not an input
    (inbox / "hari ini/pidato gubernur é.flac.json").write_text(
        '{"event": "Pidato pelantikan", "place": "Denpasar", "date": "2026-11-27",'
        ' "speaker_name": "John F. Kennedy", "speaker_title": "Presiden"}'
    )
    return {
        "hari ini/pidato gubernur é.flac": "processed",
        "handshake.mp4": "processed",
        "hari ini/copy of handshake.MP4": "duplicate",
        "bikes.mp4": "processed",
        "video only.mp4": "processed",
        "hening.wav": "processed",
        "empty.mov": "failed",
        "random.mp4": "failed",
        "truncated.mp4": "failed",
    }


def _outcomes(report: RunReport, prefix: str) -> dict[str, str]:
    return {i.key.removeprefix(prefix): i.outcome for i in report.inputs}


def check_night(store: Store, report: RunReport, expected: dict[str, str], prefix: str) -> None:
    """What every night must satisfy: outcomes, complete entries, transcripts, the report."""
    assert _outcomes(report, prefix) == expected
    failed = {i.key.removeprefix(prefix): i.reason for i in report.inputs if i.outcome == "failed"}
    assert "empty" in failed["empty.mov"]
    assert "not a readable media file" in failed["random.mp4"]
    entries = {m.source.key.removeprefix(prefix): m for m in list_entries(store)}
    assert set(entries) == {k for k, v in expected.items() if v == "processed"}
    for manifest in entries.values():
        assert check_entry(store, manifest) == []
        assert manifest.video_id == manifest.source.sha256[:16]
    speech = entries["hari ini/pidato gubernur é.flac"]
    transcript = Transcript.model_validate_json(
        store.read_bytes(speech.artifacts["transcript"].key)
    )
    assert wer(JFK, transcript.text) <= 0.1
    srt = store.read_text(speech.artifacts["transcript_srt"].key)
    assert srt.startswith("1\n00:00:0") and "country" in srt
    assert entries["bikes.mp4"].components["transcribe"] == "skipped: no audio stream"
    assert "transcript" not in entries["bikes.mp4"].artifacts
    silent = Transcript.model_validate_json(
        store.read_bytes(entries["hening.wav"].artifacts["transcript"].key)
    )
    assert silent.segments == []
    handshake = entries["handshake.mp4"]
    assert handshake.source.probe.video.rotation in (90, 270)
    assert {"features", "moments", "timeline"} <= set(handshake.artifacts)
    features = FeatureTimeline.model_validate_json(
        store.read_bytes(handshake.artifacts["features"].key)
    )
    assert len(features.rows) == 20  # one row per second of a 19.6 s file
    assert any(r.frame is not None and r.frame.faces for r in features.rows)
    assert store.read_bytes(handshake.artifacts["timeline"].key)[:8] == b"\x89PNG\r\n\x1a\n"
    assert handshake.components["look.faces"] == "ran"
    assert handshake.components["leader"] == "missing: no leader enrolled"
    assert speech.components["look.frames"] == "missing: no video stream"
    Moments.model_validate_json(store.read_bytes(handshake.artifacts["moments"].key))
    # Press drafts where a sidecar gave event metadata: the file's own, or the folder's.
    draft = PressDraft.model_validate_json(store.read_bytes(speech.artifacts["press_draft"].key))
    assert draft.quotes and draft.missing_metadata == ["PENYELENGGARA"]  # no organiser given
    words = [w for seg in transcript.segments for w in seg.words]
    for quote in draft.quotes:
        spoken = [w.word for w in words if quote.start <= w.start and w.end <= quote.end]
        assert plain_text(" ".join(spoken)) == plain_text(quote.text)
    markdown = store.read_text(speech.artifacts["press_release"].key)
    assert "DENPASAR, 27 November 2026" in markdown  # dateline convention: city in capitals
    assert draft.quotes[0].text[:40] in markdown
    assert "press_release" in handshake.artifacts
    assert "Peresmian pasar" in store.read_text(handshake.artifacts["press_release"].key)
    assert entries["bikes.mp4"].components["press"] == "skipped: no transcript"
    # Ranked clips with rendered files, all listed in the manifest.
    ranked = RankedClips.model_validate_json(
        store.read_bytes(handshake.artifacts["clips_ranked"].key)
    )
    assert ranked.clips and [c.rank for c in ranked.clips] == list(range(1, len(ranked.clips) + 1))
    best = ranked.clips[0]
    assert best.files.video and best.files.thumbnail and best.reason["id"] and best.reason["en"]
    clip_ref = handshake.artifacts[f"clip:{best.files.video}"]
    with store.local_file(clip_ref.key) as clip_path:
        clip_info = probe(clip_path)
    assert abs(clip_info.duration - (best.end - best.start)) < 0.5
    assert (
        clip_info.display_size is not None and clip_info.display_size[1] > clip_info.display_size[0]
    )
    assert report.top_clips(3) and report.top_clips(3)[0].score >= report.top_clips(3)[-1].score
    grouped = [v for e in report.events for v in e.video_ids]
    assert sorted(grouped) == sorted(m.video_id for m in entries.values())  # each in one event
    assert all(c.event_id for c in report.top_clips(10))
    stored = list_reports(store)[0]
    assert stored.run_id == report.run_id and stored.finished_at is not None


@pytest.mark.temporary_prefect  # the embedded default: no Prefect server set up
def test_night_on_local_store_then_rerun_does_no_work(tmp_path: Path, shared_data: Path) -> None:
    expected = build_inbox(shared_data, tmp_path / "store" / "inbox")
    settings = RunSettings(
        store=str(tmp_path / "store"),
        model="tiny.en",
        language="en",
        date="2026-11-27",
        render_top=2,
    )
    store = Store(settings.store)

    first = nightly(settings)
    check_night(store, first, expected, "inbox/")
    assert store.exists(layout.run_report_key("2026-11-27", first.run_id))

    second = nightly(settings)
    assert all(i.outcome in ("duplicate", "failed") for i in second.inputs)
    assert all(i.stages == {} for i in second.inputs)
    assert sorted(i.key for i in second.inputs if i.outcome == "failed") == sorted(
        i.key for i in first.inputs if i.outcome == "failed"
    )
    # Footage already hashed and unchanged is not downloaded or hashed again.
    unchanged = [i for i in second.inputs if i.outcome == "duplicate"]
    assert unchanged and all(i.reason.endswith("unchanged, not re-read") for i in unchanged)

    # An entry whose manifest never got written (a run killed before its commit) is redone,
    # and the finished stages come from the cache instead of running again.
    speech_sha = sha256_file(tmp_path / "store/inbox/hari ini/pidato gubernur é.flac")
    vid = layout.video_id_for(speech_sha)
    store.delete(layout.manifest_key(vid))
    assert read_manifest(store, vid) is None
    # New bytes under an old name are read again and become their own entry.
    write_wav(tmp_path / "store/inbox/hening.wav", np.zeros(16_000 * 6, dtype=np.float32))
    third = nightly(settings)
    renewed = next(i for i in third.inputs if i.key == "inbox/hening.wav")
    assert renewed.outcome == "processed" and renewed.sha256 == sha256_file(
        tmp_path / "store/inbox/hening.wav"
    )
    redone = next(i for i in third.inputs if i.video_id == vid and i.outcome == "processed")
    assert redone.stages == {
        "probe": "cached",
        "transcribe": "cached",
        "analyze": "cached",
        "press": "cached",
        "fingerprint": "cached",
        "clips": "cached",
        "render": "cached",  # audio-only: its clips are rendered as .m4a
        "publish": "ran",
    }
    assert read_manifest(store, vid) is not None


def test_night_on_real_s3_server(tmp_path: Path, shared_data: Path, s3_bucket: str) -> None:
    local_inbox = tmp_path / "inbox"
    expected = build_inbox(shared_data, local_inbox)
    store = Store(s3_bucket + "/sorot")
    for path in local_inbox.rglob("*"):
        if path.is_file():
            store.put_file(f"inbox/{path.relative_to(local_inbox).as_posix()}", path)
    settings = RunSettings(
        store=store.url,
        model="tiny.en",
        language="en",
        cache_dir=str(tmp_path / "cache"),
        render_top=1,
    )
    report = nightly(settings)
    check_night(store, report, expected, "inbox/")
    # Nothing half-written is visible in the bucket: every key is an input, a listed
    # artifact, a manifest or a run report.
    listed = {ref.key for m in list_entries(store) for ref in m.artifacts.values()}
    for key in store.list("library"):
        assert key in listed or key.endswith("/manifest.json"), key


def test_inbox_given_as_separate_folder(tmp_path: Path, shared_data: Path) -> None:
    inbox = tmp_path / "camera card"
    inbox.mkdir()
    shutil.copy(shared_data / "speech/jfk_en.flac", inbox / "jfk.flac")
    settings = RunSettings(
        store=str(tmp_path / "lib"), inbox=str(inbox), model="tiny.en", language="en"
    )
    report = nightly(settings)
    assert [(i.key, i.outcome) for i in report.inputs] == [("jfk.flac", "processed")]
    assert report.inbox == str(inbox)


def test_unavailable_model_fails_each_input_with_the_reason(
    tmp_path: Path, shared_data: Path
) -> None:
    inbox = tmp_path / "store/inbox"
    inbox.mkdir(parents=True)
    shutil.copy(shared_data / "speech/cv_id_19059577.wav", inbox / "cv.wav")
    settings = RunSettings(store=str(tmp_path / "store"), model=str(tmp_path / "no-such-model"))
    report = nightly(settings)
    (item,) = report.inputs
    assert item.outcome == "failed" and "does not exist" in (item.reason or "")
    assert list_entries(Store(settings.store)) == []


def test_broken_sidecar_is_reported_as_unreadable_and_the_video_still_processes(
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "store/inbox"
    (inbox / "acara").mkdir(parents=True)
    (inbox / "rapat").mkdir()
    for seconds, name in ((5, "hening.wav"), (6, "acara/sunyi.wav"), (7, "rapat/rekaman.wav")):
        write_wav(inbox / name, np.zeros(16_000 * seconds, dtype=np.float32))
    (inbox / "hening.wav.json").write_text('{"event": "Rapat", ')  # not JSON
    (inbox / "acara/event.json").write_text('{"evnt": "Rapat"}')  # not event metadata
    (inbox / "rapat/rekaman.json").write_text('{"date": "kemarin"}')  # a bad field...
    (inbox / "rapat/event.json").write_text('{"event": "Rapat pagi"}')  # ...the folder's is fine
    settings = RunSettings(store=str(tmp_path / "store"), model="tiny.en", language="en")
    report = nightly(settings)
    store = Store(settings.store)
    assert {i.key: i.outcome for i in report.inputs} == {
        "inbox/hening.wav": "processed",
        "inbox/acara/sunyi.wav": "processed",
        "inbox/rapat/rekaman.wav": "processed",
    }
    reasons = {i.key: i.reason or "" for i in report.inputs}
    manifests = {m.source.key: m for m in list_entries(store)}
    expected = {
        "inbox/hening.wav": "event metadata sidecar inbox/hening.wav.json unreadable: Invalid JSON",
        "inbox/acara/sunyi.wav": (
            "event metadata sidecar inbox/acara/event.json unreadable: "
            "evnt: Extra inputs are not permitted"
        ),
        "inbox/rapat/rekaman.wav": (
            "event metadata sidecar inbox/rapat/rekaman.json unreadable: date"
        ),
    }
    for key, problem in expected.items():
        assert reasons[key].startswith(problem), (key, reasons[key])
        assert "\n" not in reasons[key]
        components = manifests[key].components
        assert components["event_metadata"].startswith(f"missing: {problem}"), components
    for key in ("inbox/hening.wav", "inbox/acara/sunyi.wav"):
        press = manifests[key].components["press"]
        assert press.startswith(f"skipped: {expected[key]}"), press
        assert "no event metadata sidecar" not in press
    # The folder's readable sidecar still gave the third one its press draft.
    rekaman = manifests["inbox/rapat/rekaman.wav"]
    assert rekaman.components["press"] == "ran" and "press_release" in rekaman.artifacts
    html = store.read_text(
        layout.run_report_key(report.date, report.run_id).removesuffix(".json") + ".html"
    )
    assert "inbox/acara/event.json unreadable" in html


def test_a_file_still_being_copied_waits_and_a_cut_one_fails(
    tmp_path: Path, shared_data: Path
) -> None:
    """A copy into the inbox still running is `waiting` (not failed, not ingested half) and
    is taken whole by the next night, as one entry; a copy cut short whose MP4 index (moov)
    survived fails as truncated instead of passing for the whole recording."""
    inbox = tmp_path / "store/inbox"
    inbox.mkdir(parents=True)
    whole = (shared_data / "speech/two_speakers_stereo.wav").read_bytes()
    copying = inbox / "sedang disalin.wav"
    copying.write_bytes(whole[: len(whole) // 2])  # the copy is half done, right now
    handshake = (shared_data / "video/handshake_livingroom.mp4").read_bytes()
    (inbox / "terpotong.mp4").write_bytes(handshake[: len(handshake) // 3])
    hour_ago = time.time() - 3600
    os.utime(inbox / "terpotong.mp4", (hour_ago, hour_ago))  # copied long ago: taken
    settings = RunSettings(
        store=str(tmp_path / "store"), model="tiny.en", language="en", inbox_settle_seconds=600
    )
    store = Store(settings.store)

    first = nightly(settings)
    outcomes = {i.key: (i.outcome, i.reason or "") for i in first.inputs}
    assert outcomes["inbox/sedang disalin.wav"][0] == "waiting"
    assert "still being written" in outcomes["inbox/sedang disalin.wav"][1]
    cut = outcomes["inbox/terpotong.mp4"]
    assert cut[0] == "failed" and cut[1].startswith("truncated: the container says 19.6 s"), cut
    assert first.count("failed") == 1  # the cut file only: waiting is no failure
    assert list_entries(store) == []

    copying.write_bytes(whole)  # the copy finished a while ago
    os.utime(copying, (hour_ago, hour_ago))
    second = nightly(settings)
    (taken,) = [i for i in second.inputs if i.key == "inbox/sedang disalin.wav"]
    assert taken.outcome == "processed" and taken.sha256 == sha256_file(copying)
    assert [m.source.sha256 for m in list_entries(store)] == [taken.sha256]  # one entry
