"""The composed real video with its transcript and analysis, built once per test process
(tests/test_clips.py and tests/test_ranker.py share it)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bench.compose import compose
from models.media.decode import probe
from models.media.records import ProbeInfo
from models.moments.analyze import analyze_video
from models.moments.records import FeatureTimeline, Moments
from models.moments.settings import MomentSettings
from models.speech.records import Transcript
from models.speech.settings import TranscribeSettings
from models.speech.transcribe import Transcriber

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@dataclass
class Composed:
    path: Path
    truth: list[tuple[float, float, str]]
    probe: ProbeInfo
    transcript: Transcript
    timeline: FeatureTimeline
    moments: Moments

    @property
    def informal(self) -> tuple[float, float]:
        return next((s, e) for s, e, label in self.truth if label == "informal")


@cache
def composed() -> Composed:
    """address_to_camera_1 + group_field + handshake_livingroom, analysed at 1 sample/s."""
    path = Path(tempfile.mkdtemp(prefix="sorot-clips-")) / "composed.mp4"
    truth = compose(path)
    # The address is English: tiny.en is the fast offline model for it.
    transcript = Transcriber(TranscribeSettings(model="tiny.en", language="en")).transcribe_file(
        path
    )
    timeline, moments = analyze_video(path, transcript, MomentSettings(sample_fps=1.0))
    return Composed(path, truth, probe(path), transcript, timeline, moments)
