"""Settings of transcription: everything that changes a transcript (part of its cache key)."""

from __future__ import annotations

from models.common.records import Settings
from models.speech.whisper_models import DEFAULT_MODEL


class TranscribeSettings(Settings):
    """Everything that changes a transcript; part of the stage's cache key."""

    model: str = DEFAULT_MODEL
    language: str = "id"
    beam_size: int = 5
    vad: bool = True
    compute_type: str = "int8"  # models.common.devices.whisper_compute_type: float16 on CUDA
    device: str = "cpu"
    vocabulary: tuple[str, ...] = ()
    # 5-minute windows, trimmed between: peak 970 -> ~600 MiB, flat with length (R6).
    window_seconds: float = 300.0
    # Thresholds for dropping hallucinated segments (see module docstring).
    max_no_speech_prob: float = 0.6
    min_avg_logprob: float = -1.0
    max_compression_ratio: float = 2.4

    def as_dict(self) -> dict[str, object]:
        """Plain dict for manifests and cache keys."""
        return self.model_dump(mode="json")
