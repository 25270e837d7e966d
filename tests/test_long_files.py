"""Long recordings: analysis memory is bounded by a block, not by the file's length."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from models.moments.analyze import analyze_video
from models.moments.settings import MomentSettings
from tests.media_factory import tone_bursts, write_wav

pytestmark = pytest.mark.slow  # long generated recordings


def _peak_analysis_memory(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    timeline, _ = analyze_video(path, settings=MomentSettings())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert timeline.components["listen.vad"].ran and timeline.components["listen.events"].ran
    # Every second was analysed, the last block included.
    assert timeline.rows[-1].audio is not None and timeline.rows[-1].audio.loudness > -60
    return len(timeline.rows), peak


def test_audio_analysis_memory_does_not_grow_with_length(tmp_path: Path) -> None:
    short = write_wav(tmp_path / "pendek.wav", tone_bursts(seconds=4 * 60, period=9))
    long = write_wav(tmp_path / "panjang.wav", tone_bursts(seconds=16 * 60, period=9))
    rows_short, peak_short = _peak_analysis_memory(short)
    rows_long, peak_long = _peak_analysis_memory(long)
    assert (rows_short, rows_long) == (240, 960)
    # Four times the audio, about the same peak (per-second rows are the only growth).
    assert peak_long < 1.25 * peak_short, f"{peak_short / 1e6:.1f} MB -> {peak_long / 1e6:.1f} MB"
