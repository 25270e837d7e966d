"""PyAV probing and streaming audio decode on real and generated files."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import av
import numpy as np
import pytest
from av.video.frame import PictureType

from models.media.decode import (
    SAMPLE_RATE,
    MediaError,
    iter_audio,
    iter_audio_windows,
    keyframe_times,
    keyframes_dense,
    probe,
)
from tests.media_factory import tone_bursts, write_video_only, write_wav


def test_probe_rotated_phone_video(shared_data: Path) -> None:
    info = probe(shared_data / "video/handshake_livingroom.mp4")
    assert info.video is not None and info.audio is not None
    assert (info.video.width, info.video.height) == (848, 480)
    assert info.video.rotation in (90, 270)  # stored landscape, shown portrait
    assert info.display_size == (480, 848)
    assert 19.0 < info.duration < 20.0


def test_probe_video_without_audio_and_audio_without_video(shared_data: Path) -> None:
    bikes = probe(shared_data / "video/bikes_cuts.mp4")
    assert bikes.audio is None and bikes.video is not None and bikes.video.avg_fps == 25.0
    speech = probe(shared_data / "speech/kartinah_id_reading.mp3")
    assert speech.video is None and speech.audio is not None
    assert abs(speech.duration - 240.0) < 1.0


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty file"), (b"\x00garbage" * 500, "not a readable media file")],
)
def test_bad_files_raise_media_error(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(content)
    with pytest.raises(MediaError, match=message):
        probe(bad)


def test_truncated_mp4_is_an_error_not_a_crash(tmp_path: Path, shared_data: Path) -> None:
    data = (shared_data / "video/address_to_camera_1.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(MediaError):
        probe(cut)


def test_audio_decode_length_matches_duration(shared_data: Path) -> None:
    for name in ("speech/jfk_en.flac", "video/handshake_livingroom.mp4"):
        path = shared_data / name
        n = sum(chunk.size for chunk in iter_audio(path))
        assert abs(n / SAMPLE_RATE - probe(path).duration) < 0.1, name


def test_video_only_file_has_no_audio_to_decode(tmp_path: Path) -> None:
    path = write_video_only(tmp_path / "silent.mp4")
    assert probe(path).audio is None
    with pytest.raises(MediaError, match="no audio stream"):
        list(iter_audio(path))


def test_windows_cut_in_silence_and_lose_nothing(tmp_path: Path) -> None:
    samples = tone_bursts(seconds=95, period=7)
    path = write_wav(tmp_path / "bursts.wav", samples)
    windows = list(iter_audio_windows(path, window_seconds=20, search_seconds=3))
    assert len(windows) >= 4
    joined = np.concatenate([w for _, w in windows])
    assert joined.size == samples.size
    np.testing.assert_allclose(joined, samples, atol=1e-3)
    for offset, _ in windows[1:]:
        assert (offset % 7) >= 0.8 * 7 - 0.05, f"cut at {offset:.2f} s is inside a tone"


@pytest.mark.slow
def test_decode_memory_does_not_grow_with_length(tmp_path: Path) -> None:
    """Peak memory of windowed decode is bounded by the window, not the file."""
    minutes = 20
    path = write_wav(tmp_path / "long.wav", tone_bursts(seconds=minutes * 60, period=9))
    whole_file_bytes = minutes * 60 * SAMPLE_RATE * 4
    tracemalloc.start()
    total = 0
    for _, window in iter_audio_windows(path, window_seconds=60, search_seconds=5):
        total += window.size
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert total == minutes * 60 * SAMPLE_RATE
    assert peak < whole_file_bytes / 4, f"peak {peak / 1e6:.0f} MB"


def test_keyframes_only_at_the_start_are_not_dense(tmp_path: Path) -> None:
    # Like the UT-Interaction AVIs: three keyframes in the first 0.1 s, then none for 6 s.
    # The median gap is tiny, yet keyframes-only decoding would see nothing after 0.1 s.
    path = tmp_path / "front_keyframes.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.codec_context.gop_size = 1000
        for i in range(185):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i, np.uint8), format="rgb24")
            frame.pict_type = PictureType.I if i < 3 else PictureType.NONE
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    keyframes = keyframe_times(path)
    assert len(keyframes) == 3 and max(keyframes) < 0.2
    assert not keyframes_dense(keyframes, probe(path).duration, 2.0)
    assert keyframes_dense([0.0, 1.0, 2.0, 3.0, 4.0, 5.0], 6.0, 2.0)  # a 1 s GOP still is


@pytest.mark.parametrize(
    ("source", "fraction", "stated"),
    [("video/handshake_livingroom.mp4", 1 / 3, 19.6), ("speech/jfk_en.flac", 1 / 2, 11.0)],
)
def test_truncated_files_whose_index_survived_are_refused(
    tmp_path: Path, shared_data: Path, source: str, fraction: float, stated: float
) -> None:
    """A copy cut short: the MP4's moov (at its start) or the FLAC header still states the
    whole duration, but the packets end early."""
    data = (shared_data / source).read_bytes()
    cut = tmp_path / f"cut{Path(source).suffix}"
    cut.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(MediaError, match=rf"truncated: the container says {stated} s") as err:
        probe(cut)
    ends = float(str(err.value).rsplit("ends at ", 1)[1].removesuffix(" s"))
    assert 0 < ends < stated * fraction + 1.5  # where its data really stops
    assert probe(shared_data / source).duration > stated - 0.1  # the whole file passes
