"""Speech activity per second with Silero VAD (the ONNX model shipped in faster-whisper)."""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16_000
_FRAME = 512  # Silero's hop at 16 kHz: 32 ms


class SpeechActivity:
    """Silero VAD speech probabilities aggregated to the fraction of speech per second."""

    name = "silero-vad (faster-whisper)"

    def __init__(self, threshold: float = 0.5) -> None:
        from faster_whisper.vad import get_vad_model

        self._model = get_vad_model()
        self._threshold = threshold

    def probabilities(self, audio: np.ndarray) -> np.ndarray:
        """Speech probability per 32 ms frame of 16 kHz mono `audio`."""
        if audio.size == 0:
            return np.zeros(0, dtype=np.float32)
        padded = np.pad(audio, (0, (-audio.size) % _FRAME)).astype(np.float32)
        return np.asarray(self._model(padded), dtype=np.float32).reshape(-1)

    def per_second(self, audio: np.ndarray) -> np.ndarray:
        """Fraction of each second [i, i+1) that is speech, for ceil(len/16000) seconds."""
        probs = self.probabilities(audio)
        seconds = int(np.ceil(audio.size / SAMPLE_RATE))
        speech = (probs >= self._threshold).astype(np.float32)
        idx = (np.arange(probs.size) * _FRAME / SAMPLE_RATE).astype(int)
        out = np.zeros(seconds, dtype=np.float32)
        counts = np.zeros(seconds, dtype=np.float32)
        np.add.at(out, np.minimum(idx, seconds - 1), speech)
        np.add.at(counts, np.minimum(idx, seconds - 1), 1.0)
        return out / np.maximum(counts, 1.0)
