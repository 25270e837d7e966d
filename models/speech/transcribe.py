"""Speech to text with faster-whisper, Indonesian first.

Audio is decoded and transcribed window by window (see `media.iter_audio_windows`), so
memory does not grow with the length of the recording. Segments that look like Whisper's
known failure modes on silence and music (high no-speech probability with low confidence,
or repetition loops) are dropped and counted.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.metadata
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from models.common.records import ModelInfo
from models.media.decode import SAMPLE_RATE, MediaError, iter_audio_windows, probe
from models.speech.languages import tracking_model
from models.speech.name_fixes import fix_names
from models.speech.records import Segment, Transcript, Word
from models.speech.settings import TranscribeSettings
from models.speech.whisper_models import ModelNotAvailable, resolve

ProgressFn = Callable[[float, float], None]


def _keep(seg: object, previous_text: str | None, s: TranscribeSettings) -> bool:
    text = seg.text.strip()  # type: ignore[attr-defined]
    if not text:
        return False
    if seg.no_speech_prob > s.max_no_speech_prob and seg.avg_logprob < s.min_avg_logprob:  # type: ignore[attr-defined]
        return False
    if seg.compression_ratio > s.max_compression_ratio:  # type: ignore[attr-defined]
        return False
    # Repetition loop: the same sentence again and again.
    return text != previous_text


def _release_freed_memory() -> None:
    """Hand memory freed by the last window back to the OS (Linux/glibc only).

    glibc keeps a window's freed audio, STFT and feature buffers in its heaps, and the next
    window's buffers do not fit exactly into them, so the peak grew with every window
    (BENCHMARKS.md R6). Trimming between windows keeps the peak near one window's. (A fixed
    1 MiB mmap threshold flattens it further but makes transcription ~25% slower.)
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to release
        return
    libc.malloc_trim(0)


class Transcriber:
    """A loaded Whisper model and its settings; reuse one for many files."""

    def __init__(self, settings: TranscribeSettings | None = None, cpu_threads: int = 0) -> None:
        self.settings = settings or TranscribeSettings()
        self.resolved = resolve(self.settings.model)
        if self.resolved.english_only and self.settings.language != "en":
            raise ModelNotAvailable(
                f"model {self.settings.model!r} is English-only; "
                f"it cannot transcribe language {self.settings.language!r}"
            )
        try:
            self._model = tracking_model(
                self.resolved.path_or_name,
                device=self.settings.device,
                compute_type=self.settings.compute_type,
                cpu_threads=cpu_threads or (os.cpu_count() or 1),
            )
        except Exception as exc:  # faster-whisper raises many kinds for a missing model
            raise ModelNotAvailable(
                f"cannot load Whisper model {self.settings.model!r}: {exc}"
            ) from exc

    @property
    def model_info(self) -> ModelInfo:
        """Identity of the model and the settings used, for manifests."""
        return ModelInfo(
            name=self.resolved.name,
            version=f"{self.resolved.version}; faster-whisper "
            f"{importlib.metadata.version('faster-whisper')}",
            weights_sha256=self.resolved.weights_sha256,
            settings=self.settings.as_dict(),
        )

    def transcribe_file(
        self, path: str | Path, on_progress: ProgressFn | None = None
    ) -> Transcript:
        """Transcribe the first audio stream of a media file.

        Raises MediaError when the file has no audio stream or cannot be decoded.
        """
        info = probe(path)
        if info.audio is None:
            raise MediaError("no audio stream to transcribe")
        s = self.settings
        hotwords = " ".join(s.vocabulary) or None
        segments: list[Segment] = []
        dropped = 0
        previous: str | None = None
        for offset, samples in iter_audio_windows(path, window_seconds=s.window_seconds):
            _release_freed_memory()  # the previous window's buffers
            raw, _ = self._model.transcribe(
                samples,
                language=s.language,
                beam_size=s.beam_size,
                vad_filter=s.vad,
                word_timestamps=True,
                condition_on_previous_text=False,
                hotwords=hotwords,
            )
            for seg in raw:
                if not _keep(seg, previous, s):
                    dropped += 1
                    continue
                previous = seg.text.strip()
                window = self._model.heard  # the language of the window it came from
                segments.append(
                    Segment(
                        id=len(segments),
                        start=round(offset + seg.start, 3),
                        end=round(offset + seg.end, 3),
                        text=previous,
                        avg_logprob=round(seg.avg_logprob, 4),
                        no_speech_prob=round(seg.no_speech_prob, 4),
                        language=window.language if window else None,
                        language_probability=window.probability if window else None,
                        words=[
                            Word(
                                start=round(offset + w.start, 3),
                                end=round(offset + w.end, 3),
                                # As spoken: the leading space says where a
                                # word starts (" bertahun" "-tahun." is one).
                                word=w.word,
                                probability=round(w.probability, 4),
                            )
                            for w in (seg.words or [])
                        ],
                    )
                )
                if on_progress:
                    on_progress(offset + seg.end, info.duration)
            if on_progress:
                on_progress(offset + samples.size / SAMPLE_RATE, info.duration)
        heard = Transcript(
            language=s.language,
            duration=info.duration,
            model=self.model_info,
            segments=segments,
            dropped_segments=dropped,
        )
        return fix_names(heard, s.vocabulary)


def vocabulary_from(lines: Sequence[str]) -> tuple[str, ...]:
    """Normalise a vocabulary list (names of officials, places): trimmed, unique, ordered."""
    seen: dict[str, None] = {}
    for line in lines:
        term = line.strip()
        if term and not term.startswith("#"):
            seen.setdefault(term, None)
    return tuple(seen)


@functools.lru_cache(maxsize=2)
def shared_transcriber(settings: TranscribeSettings) -> Transcriber:
    """A process-wide Transcriber per settings, so a night's files load the model once."""
    return Transcriber(settings)
