"""Listen stage on real recordings: speech activity, audio events, turn-taking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.common.records import ModelInfo
from models.listen.sounds import AudioEvents, log_mel_patches
from models.listen.turns import turn_features
from models.listen.vad import SpeechActivity
from models.media.decode import iter_audio
from models.speech.records import Segment, Transcript

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def load(rel: str) -> np.ndarray:
    return np.concatenate(list(iter_audio(DATA / rel)))


@pytest.fixture(scope="module")
def events() -> AudioEvents:
    return AudioEvents()


def test_vad_speech_and_silence() -> None:
    vad = SpeechActivity()
    speech = vad.per_second(load("speech/jfk_en.flac"))
    assert speech.size == 11 and speech.mean() > 0.5
    silence = vad.per_second(np.zeros(16000 * 3, np.float32))
    assert silence.max() == 0.0


def test_yamnet_patches_and_classes(events: AudioEvents) -> None:
    assert log_mel_patches(np.zeros(100, np.float32)).shape == (1, 1, 96, 64)
    jfk = events.class_probabilities(load("speech/jfk_en.flac"))
    music = events.class_probabilities(load("video/street_two_men.mp4"))
    assert jfk[:, 0].mean() > 0.8  # class 0 = Speech
    assert music[:, 132].mean() > 0.8  # class 132 = Music
    assert music[:, 0].mean() < 0.2
    per_second = events.per_second(load("speech/jfk_en.flac"))
    assert set(per_second) == {"laughter", "applause", "cheering", "crowd"}
    assert all(v.size == 11 and v.max() < 0.3 for v in per_second.values())


def _transcript(spans: list[tuple[float, float]]) -> Transcript:
    segs = [
        Segment(id=i, start=s, end=e, text="x", avg_logprob=-0.2, no_speech_prob=0.0)
        for i, (s, e) in enumerate(spans)
    ]
    return Transcript(
        language="id", duration=60.0, model=ModelInfo(name="t", version="0"), segments=segs
    )


def test_turns_monologue_vs_back_and_forth() -> None:
    speech = _transcript([(0.0, 14.0), (14.1, 29.0), (29.1, 44.0)])
    talk = _transcript([(i * 3.0, i * 3.0 + 1.8) for i in range(15)])
    mono = turn_features(speech, 44)
    chat = turn_features(talk, 44)
    assert all(m.in_sentence for m in mono[1:43])
    assert np.mean([c.back_and_forth for c in chat[5:35]]) > 0.5
    assert np.mean([m.back_and_forth for m in mono[5:35]]) < 0.1
