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
# The sound on either side of an edit: where the suspect plays the official recording
# (its offset), judged over this many seconds.
_CONTEXT = 2.0
# Fewer landmarks than this in a span: the sound cannot tell (silence, a soft word).
MIN_LANDMARKS = 10
# A span whose landmarks agree with the official recording at the offset of the speech
# around it at least this well (relative to that speech's own agreement) plays the
# official sound (measured: untouched re-encodes keep 0.75 and more over a second, a
# pasted word falls to 0.0-0.3; docs/provenance.md).
SAME_AUDIO = 0.5
# Below this recogniser probability a word itself is a guess.
LOW_PROBABILITY = 0.4
# Under this agreement the sound is clearly not the official sound (pastes score 0.0-0.1).
CLEARLY_OTHER = 0.2
# Slices of a word span judged on their own (untouched half seconds keep 0.6 and more).
_SLICE = 0.5

Sorted = tuple[np.ndarray, np.ndarray]  # library landmark hashes (sorted) and their times


def _by_hash(prints: MediaPrints) -> Sorted:
    order = np.argsort(prints.audio_hashes, kind="stable")
    return prints.audio_hashes[order], prints.audio_times[order]


def _pairs(
    suspect: MediaPrints, library: Sorted, start: float, end: float
) -> tuple[np.ndarray, np.ndarray, int]:
    """(suspect landmark index, library time) of every hash pair in [start, end], and how
    many suspect landmarks the span has."""
    lib_hash, lib_time = library
    inside = np.nonzero((suspect.audio_times >= start) & (suspect.audio_times <= end))[0]
    lo = np.searchsorted(lib_hash, suspect.audio_hashes[inside], "left")
    hi = np.searchsorted(lib_hash, suspect.audio_hashes[inside], "right")
    counts = hi - lo
    which = np.repeat(inside, counts)
    rows = np.repeat(lo - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
    return which, lib_time[rows], int(inside.size)


def span_agreement(
    suspect: MediaPrints, library: MediaPrints | Sorted, start: float, end: float, offset: float
) -> tuple[float, int]:
    """(share of the suspect's landmarks in [start, end] that the library has at time +
    `offset`, how many landmarks there were). `library` may be given already sorted by
    hash (`_by_hash`), to sort a long recording once for many spans."""
    lib = _by_hash(library) if isinstance(library, MediaPrints) else library
    which, times, count = _pairs(suspect, lib, start, end)
    if count == 0:
        return 0.0, 0
    ok = np.abs(times - suspect.audio_times[which] - offset) <= _TOLERANCE
    return np.unique(which[ok]).size / count, count


def _context(
    suspect: MediaPrints, library: Sorted, start: float, end: float
) -> tuple[float, float] | None:
    """(offset, agreement) of the official sound the suspect plays in [start, end], the
    best-supported offset; None when the span has too little sound or none of it agrees."""
    which, times, count = _pairs(suspect, library, start, end)
    if count < MIN_LANDMARKS or which.size == 0:
        return None
    offsets = times - suspect.audio_times[which]
    bins = np.round(offsets / _TOLERANCE).astype(np.int64)
    values, votes = np.unique(bins, return_counts=True)
    offset = float(values[np.argmax(votes)] * _TOLERANCE)
    share, _ = span_agreement(suspect, library, start, end, offset)
    return (offset, share) if share > 0.1 else None


def _foreign_inside(
    suspect: MediaPrints, library: Sorted, start: float, end: float, offset: float, reference: float
) -> bool:
    """True when some half second of [start, end] (with enough sound to judge) clearly
    does not play the official sound at `offset`: Whisper's word times are rough, so a
    pasted word hides inside a span that is mostly official sound."""
    t = start
    while t + _SLICE <= max(end, start + _SLICE) + 1e-9:
        share, n = span_agreement(suspect, library, t, t + _SLICE, offset)
        if n >= MIN_LANDMARKS and share / reference < CLEARLY_OTHER:
            return True
        t += _SLICE / 2
    return False


def check_edits(
    diff: WordDiff, suspect: MediaPrints, library: MediaPrints, segments: list[MatchSegment]
) -> WordDiff:
    """`diff` with the edits the audio does not confirm taken out (counted in
    `asr_differences`), each kept edit carrying its audio agreement, and `uncertain` set
    where the sound or the recogniser cannot tell.

    The test: the speech just before and just after an edit gives the offsets at which
    the suspect plays the official recording there; an inserted word whose own sound
    agrees at one of them, deleted official words whose sound is still played at one of
    them, or a substitution with both, is the same sound transcribed differently.
    `segments` (the matcher's pieces from this video) stand in when the edit has no
    usable sound around it."""
    lib = _by_hash(library)
    kept: list[WordEdit] = []
    dropped = 0
    for edit in diff.edits:
        if edit.kind == "moved":  # placed by the fingerprints themselves
            kept.append(edit)
            continue
        a = edit.suspect_start or 0.0
        b = edit.suspect_end if edit.suspect_end is not None else a
        around = [
            c
            for c in (
                _context(suspect, lib, a - _CONTEXT, a),
                _context(suspect, lib, b, b + _CONTEXT),
            )
            if c is not None
        ]
        around += [
            (g.offset, g.audio_score or 0.0)
            for g in segments
            if not around and g.query_start <= a <= g.query_end
        ]
        best, count = 0.0, 0
        for offset, reference in around:
            if reference <= 0:
                continue
            # The sound of each side of the edit: the suspect's words as heard, and the
            # official words where the suspect would play them at this offset. Both must
            # be the official sound for a difference to be the recogniser's (a cut through
            # words is heard as a substitution: its official side is gone).
            windows = []
            if edit.kind != "deleted":
                windows.append((a, b))
            if edit.kind != "inserted" and edit.official_start is not None:
                end = edit.official_end if edit.official_end is not None else edit.official_start
                windows.append((edit.official_start - offset, end - offset))
            scores = [span_agreement(suspect, lib, w0, w1, offset) for w0, w1 in windows]
            if not scores:
                continue
            share = min(share for share, _ in scores)
            if edit.kind != "deleted" and _foreign_inside(suspect, lib, a, b, offset, reference):
                share = 0.0  # part of the words' sound is another sound (a pasted word)
            best = max(best, share / reference)
            count = max(count, min(n for _, n in scores))
        if count >= MIN_LANDMARKS and best >= SAME_AUDIO:
            dropped += 1  # the official sound, transcribed differently
            continue
        # Unsure when the sound cannot tell, or when the recogniser guessed and the sound
        # is not clearly another sound either.
        guessed = edit.min_probability is not None and edit.min_probability < LOW_PROBABILITY
        unsure = not around or count < MIN_LANDMARKS or (guessed and best >= CLEARLY_OTHER)
        kept.append(
            edit.model_copy(
                update={"audio_agreement": round(min(best, 1.0), 3), "uncertain": unsure}
            )
        )
    return diff.model_copy(
        update={"edits": kept, "asr_differences": diff.asr_differences + dropped}
    )
