"""Fingerprint index on edited copies of real recordings (shared/data).

The bounds asserted here are the ones measured by bench/provenance_eval.py over the whole
library (docs/provenance.md): every whole-clip edit found at the right offset, splices
whose pieces are at least ~2.5 s found piece by piece, and no false match when the
source is not in the library.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.media.decode import keyframe_times
from models.provenance.fingerprint import (
    KEYFRAME_WINDOW,
    FingerprintIndex,
    MediaPrints,
    fingerprint_file,
)
from models.provenance.fingerprint.visual import hash_gray, visual_hashes
from tests.media_edits import DATA, crop, edit, logo, scale_to

pytestmark = pytest.mark.slow  # fingerprints of every shared video and their edits (about 2.5 min)

LIBRARY = sorted((DATA / "video").iterdir()) + sorted((DATA / "speech").iterdir())


@pytest.fixture(scope="module")
def index() -> FingerprintIndex:
    idx = FingerprintIndex()
    for f in LIBRARY:
        idx.add(f.stem, fingerprint_file(f, keyframe_window=KEYFRAME_WINDOW))  # as at ingest
    return idx


def without(index: FingerprintIndex, video_id: str) -> FingerprintIndex:
    other = FingerprintIndex()
    other.merge(index)
    other.remove(video_id)
    return other


VISUAL_EDITS = {
    "low-bitrate": {"video_kbps": 120, "audio_kbps": 24},
    "360p": {"frame_fn": scale_to(360)},
    "crop10-centre": {"frame_fn": crop(0.05, 0.05, 0.05, 0.05)},
    "crop10-corner": {"frame_fn": crop(0.1, 0.1, 0.0, 0.0)},
    "logo": {"frame_fn": logo},
}


@pytest.mark.parametrize("name", ["handshake_livingroom.mp4", "bikes_cuts.mp4"])
@pytest.mark.parametrize("edit_name", list(VISUAL_EDITS))
def test_visual_edits_are_found_and_only_with_their_source(
    index: FingerprintIndex, tmp_path: Path, name: str, edit_name: str
) -> None:
    src = DATA / "video" / name
    prints = fingerprint_file(edit(src, tmp_path / "s.mp4", **VISUAL_EDITS[edit_name]))
    results = index.query(prints)
    assert [r.video_id for r in results] == [src.stem]
    top = results[0]
    assert top.confidence >= 0.8
    assert all(abs(g.offset) <= 0.5 for g in top.segments)
    assert without(index, src.stem).query(prints) == []


def test_trim_of_long_speech_is_placed_in_the_source(
    index: FingerprintIndex, tmp_path: Path
) -> None:
    src = DATA / "speech" / "kartinah_id_reading.mp3"
    prints = fingerprint_file(edit(src, tmp_path / "t.mp4", pieces=[(100.0, 140.0)], audio_kbps=24))
    (top,) = index.query(prints)
    assert top.video_id == src.stem
    assert abs(top.source_start - 100.0) <= 1.5 and abs(top.source_end - 140.0) <= 1.5
    assert without(index, src.stem).query(prints) == []


def test_splice_pieces_out_of_order_each_get_their_offset(
    index: FingerprintIndex, tmp_path: Path
) -> None:
    src = DATA / "speech" / "kartinah_id_reading.mp3"
    pieces = [(150.0, 162.0), (20.0, 35.0), (90.0, 96.0)]
    prints = fingerprint_file(edit(src, tmp_path / "sp.mp4", pieces=pieces))
    (top,) = index.query(prints)
    q = 0.0
    for a, b in pieces:
        mid = q + (b - a) / 2
        seg = next(g for g in top.segments if g.query_start <= mid <= g.query_end)
        assert abs(seg.offset - (a - q)) <= 0.2
        q += b - a
    assert len(top.segments) == len(pieces)


def test_video_splice_from_two_library_videos(index: FingerprintIndex, tmp_path: Path) -> None:
    a = edit(DATA / "video" / "street_two_men.mp4", tmp_path / "a.mp4", pieces=[(2.0, 8.0)])
    b = edit(DATA / "video" / "handshake_livingroom.mp4", tmp_path / "b.mp4", pieces=[(5.0, 13.0)])
    prints_a, prints_b = fingerprint_file(a), fingerprint_file(b)
    # Concatenate the two suspects' prints as a splice would: b after a.
    joined = MediaPrints(
        duration=prints_a.duration + prints_b.duration,
        visual_times=np.concatenate(
            [prints_a.visual_times, prints_b.visual_times + prints_a.duration]
        ),
        visual_hashes=np.concatenate([prints_a.visual_hashes, prints_b.visual_hashes]),
        audio_times=np.concatenate(
            [prints_a.audio_times, prints_b.audio_times + prints_a.duration]
        ),
        audio_hashes=np.concatenate([prints_a.audio_hashes, prints_b.audio_hashes]),
    )
    results = {r.video_id: r for r in index.query(joined)}
    assert set(results) == {"street_two_men", "handshake_livingroom"}
    assert abs(results["street_two_men"].source_start - 2.0) <= 1.0
    assert abs(results["handshake_livingroom"].source_start - 5.0) <= 1.0


def test_rotation_is_applied(tmp_path: Path) -> None:
    # The source is stored landscape with a -90 display matrix; the edit is upright pixels.
    src = DATA / "video" / "handshake_livingroom.mp4"
    upright = fingerprint_file(edit(src, tmp_path / "u.mp4"))
    stored = fingerprint_file(src)
    n = min(upright.visual_hashes.shape[0], stored.visual_hashes.shape[0])
    d = np.bitwise_count(upright.visual_hashes[:n, 0] ^ stored.visual_hashes[:n, 0])
    assert np.median(d) <= 6


def test_index_and_prints_round_trip_through_bytes(index: FingerprintIndex) -> None:
    again = FingerprintIndex.from_bytes(index.to_bytes())
    assert again.video_ids == index.video_ids
    assert abs(again.hours - index.hours) < 1e-9
    p = fingerprint_file(DATA / "video" / "hug_1080p.mp4")
    q = MediaPrints.from_bytes(p.to_bytes())
    assert np.array_equal(p.visual_hashes, q.visual_hashes) and p.duration == q.duration
    assert [r.video_id for r in again.query(q)] == ["hug_1080p"]
    assert FingerprintIndex().query(q) == []
    assert FingerprintIndex.from_bytes(FingerprintIndex().to_bytes()).video_ids == []


def test_flat_frames_have_no_hash() -> None:
    assert hash_gray(np.full((96, 96), 16, np.uint8)) is None


def _visual_only(prints: MediaPrints) -> MediaPrints:
    return MediaPrints(
        prints.duration,
        prints.visual_times,
        prints.visual_hashes,
        np.zeros(0, np.float32),
        np.zeros(0, np.uint32),
    )


def test_phone_gops_are_indexed_from_a_window_after_each_keyframe(tmp_path: Path) -> None:
    # A phone-like copy (a keyframe every 2 s) of a real clip: ingest hashes only the first
    # KEYFRAME_WINDOW seconds of each GOP, and a 360p excerpt of the original is still
    # found by its pictures alone, at the right offset.
    src = DATA / "video" / "handshake_livingroom.mp4"
    phone = edit(src, tmp_path / "phone.mp4", video_kbps=4000, audio_kbps=128, gop_seconds=2)
    keys = np.asarray(keyframe_times(phone))
    dense_times, _ = visual_hashes(phone)
    times, _ = visual_hashes(phone, keyframe_window=KEYFRAME_WINDOW)
    assert 0 < times.size < 0.5 * dense_times.size
    since_key = np.min(
        np.where(times[:, None] >= keys[None, :] - 1e-3, times[:, None] - keys, 9), 1
    )
    assert since_key.max() <= KEYFRAME_WINDOW + 0.05

    index = FingerprintIndex()
    index.add("phone", fingerprint_file(phone, keyframe_window=KEYFRAME_WINDOW))
    excerpt = edit(src, tmp_path / "x.mp4", pieces=[(6.0, 16.0)], frame_fn=scale_to(360))
    results = index.query(_visual_only(fingerprint_file(excerpt)))
    assert [r.video_id for r in results] == ["phone"]
    assert all(abs(g.offset - 6.0) <= 0.5 for g in results[0].segments)
    assert results[0].coverage >= 0.8


def test_long_gops_are_hashed_in_full(tmp_path: Path) -> None:
    # Keyframes 5 s apart: a window after each would leave most of the picture unseen.
    src = DATA / "video" / "handshake_livingroom.mp4"
    export = edit(src, tmp_path / "export.mp4", video_kbps=2000, gop_seconds=5)
    dense_times, dense = visual_hashes(export)
    times, hashes = visual_hashes(export, keyframe_window=KEYFRAME_WINDOW)
    assert np.array_equal(times, dense_times) and np.array_equal(hashes, dense)
