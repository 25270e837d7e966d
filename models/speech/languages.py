"""Which language Whisper hears in each stretch of speech, at almost no cost.

The night decodes in one language (Indonesian by default), so English, Javanese or Sundanese
speech comes out as Indonesian-looking nonsense. Whisper's language detection needs the
encoder's output of a 30 s window, which decoding computes anyway: `tracking_model` keeps
the language detected on every window it encodes, and each segment decoded from that window
carries it: one decoder step per window (kartinah_id_reading.mp3, 240 s, base, best of two
alternating runs each on a shared 2-core machine: 35.5 s without, 37.2 s with). Detection on
each segment's own audio instead costs one more encoder pass per segment (as long again as
the transcription), so a language change inside a window is only seen when it holds most of
the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Whisper often names Indonesian speech Malay (both are Malay languages, one written form).
SAME_LANGUAGE = {"id": frozenset({"id", "ms"}), "ms": frozenset({"id", "ms"})}
# A window is another language only when detection is this sure (measured on the Kartinah
# reading: its one "en" window, a line with an English film-studio name, scored 0.31).
MIN_PROBABILITY = 0.5


@dataclass(frozen=True)
class Heard:
    """The language detected on one decoding window."""

    language: str
    probability: float


def is_foreign(language: str | None, probability: float | None, expected: str) -> bool:
    """Whether speech detected as `language` is confidently not in the `expected` one."""
    if language is None or probability is None or probability < MIN_PROBABILITY:
        return False
    return language not in SAME_LANGUAGE.get(expected, frozenset({expected}))


def tracking_model(path: str, **options: Any) -> Any:
    """A faster-whisper WhisperModel whose `heard` is the language of the last window."""
    from faster_whisper import WhisperModel  # heavy import, only when transcribing

    class TrackingWhisper(WhisperModel):
        heard: Heard | None = None

        def encode(self, features: Any) -> Any:
            output = super().encode(features)
            found = self.model.detect_language(output)[0] if self.model.is_multilingual else []
            if found:  # a model without language tokens (a bare checkpoint) finds none
                token, probability = found[0]
                self.heard = Heard(token.strip("<|>"), round(probability, 3))
            return output

    return TrackingWhisper(path, **options)
