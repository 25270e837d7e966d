"""Which word differences the sound itself confirms.

Two transcriptions of the same sound differ: Whisper hears "Kertina" once and "Kartina"
the next time, more so after a re-encode. A word difference is therefore reported as an
edit only where the suspect's audio at that place differs from the official recording at
the matched offset: the share of the suspect's audio landmarks in the word's span that
the library holds at the same (offset-shifted) time, against the same share over the
whole matched piece. Where the audio agrees, the difference is the recogniser's and is
only counted; where there are too few landmarks to tell (a quiet word), or the recogniser
was unsure, the edit is kept but named uncertain.
"""

from __future__ import annotations

import numpy as np

from models.provenance.fingerprint import MediaPrints
from models.provenance.records import MatchSegment, WordDiff, WordEdit

# Landmark times move by a spectrogram frame or two under re-encoding (16 ms frames).
_TOLERANCE = 0.08
# A word's own span is short: look this far either side (landmarks pair peaks ~1 s apart).
_PAD = 0.25
# Fewer landmarks than this in a span: the sound cannot tell (silence, a soft word).
MIN_LANDMARKS = 6
# Local agreement at least this share of the piece's own agreement: the audio is the
# official audio there (measured: untouched re-encodes stay above 0.5, a replaced word
# falls under 0.15; docs/provenance.md).
SAME_AUDIO = 0.35
# Below this recogniser probability a word itself is a guess.
LOW_PROBABILITY = 0.4


def _by_hash(prints: MediaPrints) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(prints.audio_hashes, kind="stable")
    return prints.audio_hashes[order], prints.audio_times[order]


def span_agreement(
    suspect: MediaPrints,
    library: MediaPrints | tuple[np.ndarray, np.ndarray],
    start: float,
    end: float,
    offset: float,
) -> tuple[float, int]:
    """(share of the suspect's landmarks in [start, end] that the library has at time +
    `offset`, how many landmarks there were). `library` may be given already sorted by
    hash (`(hashes, times)`), to sort a long recording once for many spans."""
    lib_hash, lib_time = _by_hash(library) if isinstance(library, MediaPrints) else library
    inside = (suspect.audio_times >= start) & (suspect.audio_times <= end)
    hashes, times = suspect.audio_hashes[inside], suspect.audio_times[inside] + offset
    if hashes.size == 0:
        return 0.0, 0
    lo = np.searchsorted(lib_hash, hashes, "left")
    hi = np.searchsorted(lib_hash, hashes, "right")
    agree = sum(
        bool(np.any(np.abs(lib_time[a:b] - t) <= _TOLERANCE))
        for a, b, t in zip(lo, hi, times, strict=True)
    )
    return agree / hashes.size, int(hashes.size)


def _segment_at(segments: list[MatchSegment], t: float, source: bool) -> MatchSegment | None:
    for g in segments:
        a, b = (g.source_start, g.source_end) if source else (g.query_start, g.query_end)
        if a <= t <= b:
            return g
    return None


def check_edits(
    diff: WordDiff, suspect: MediaPrints, library: MediaPrints, segments: list[MatchSegment]
) -> WordDiff:
    """`diff` with the edits the audio does not confirm taken out (counted in
    `asr_differences`), each kept edit carrying its audio agreement, and `uncertain` set
    where the sound or the recogniser cannot tell. `segments` are the suspect's pieces
    from the same library video as `library`."""
    sorted_library = _by_hash(library)
    reference: dict[int, float] = {}
    kept: list[WordEdit] = []
    dropped = 0
    for edit in diff.edits:
        if edit.kind == "moved":  # placed by the fingerprints themselves
            kept.append(edit)
            continue
        if edit.kind == "deleted" and edit.official_start is not None:
            end = edit.official_end if edit.official_end is not None else edit.official_start
            segment = _segment_at(segments, (edit.official_start + end) / 2, source=True)
            window = (
                None
                if segment is None
                else (edit.official_start - segment.offset, end - segment.offset)
            )
        else:
            a = edit.suspect_start or 0.0
            b = edit.suspect_end if edit.suspect_end is not None else a
            segment = _segment_at(segments, (a + b) / 2, source=False)
            window = (a, b)
        if segment is None or window is None:
            # The suspect does not play the official sound here: the change is real.
            kept.append(edit.model_copy(update={"audio_agreement": 0.0}))
            continue
        key = id(segment)
        if key not in reference:
            reference[key] = span_agreement(
                suspect, sorted_library, segment.query_start, segment.query_end, segment.offset
            )[0]
        share, count = span_agreement(
            suspect, sorted_library, window[0] - _PAD, window[1] + _PAD, segment.offset
        )
        relative = share / reference[key] if reference[key] > 0 else 0.0
        if count >= MIN_LANDMARKS and relative >= SAME_AUDIO:
            dropped += 1  # same sound, different transcription
            continue
        unsure = count < MIN_LANDMARKS or (
            edit.min_probability is not None and edit.min_probability < LOW_PROBABILITY
        )
        kept.append(
            edit.model_copy(update={"audio_agreement": round(relative, 3), "uncertain": unsure})
        )
    return diff.model_copy(
        update={"edits": kept, "asr_differences": diff.asr_differences + dropped}
    )
