"""Turn-taking from a transcript: one long monologue versus a back-and-forth exchange.

Without diarisation a transcript still shows the rhythm of talk: a speech is long segments
with short pauses; a conversation is short utterances separated by pauses (the other
person's turn, often not transcribed at all). For each second we look at the segments in a
window around it.
"""

from __future__ import annotations

import numpy as np

from models.listen.records import TurnFeatures
from models.speech.records import Transcript

_PAUSE = 0.4  # a gap at least this long between segments counts as a turn boundary


def turn_features(transcript: Transcript, seconds: int, window: float = 15.0) -> list[TurnFeatures]:
    """TurnFeatures for t = 0 .. seconds-1 from the transcript's segment times."""
    segs = sorted((s.start, s.end) for s in transcript.segments if s.end > s.start)
    starts = np.array([s for s, _ in segs])
    ends = np.array([e for _, e in segs])
    out = []
    for t in range(seconds):
        centre = t + 0.5
        inside = bool(np.any((starts <= centre) & (ends >= centre))) if segs else False
        sel = (ends >= centre - window / 2) & (starts <= centre + window / 2) if segs else []
        idx = np.flatnonzero(sel) if segs else np.array([], dtype=int)
        if idx.size == 0:
            out.append(TurnFeatures(t=float(t), in_sentence=inside))
            continue
        lengths = ends[idx] - starts[idx]
        gaps = starts[idx][1:] - ends[idx][:-1]
        turns = int(np.sum(gaps >= _PAUSE))
        per_minute = turns * 60.0 / window
        mean_len = float(lengths.mean())
        # Many turns of short utterances -> 1; few long segments -> 0.
        score = min(1.0, per_minute / 20.0) * (1.0 - min(1.0, mean_len / 12.0))
        out.append(
            TurnFeatures(
                t=float(t),
                in_sentence=inside,
                turns_per_minute=per_minute,
                mean_segment_seconds=mean_len,
                back_and_forth=score,
            )
        )
    return out


def segment_boundaries(transcript: Transcript) -> list[float]:
    """Segment start and end times, sorted: where a moment may begin or end cleanly."""
    return sorted({b for s in transcript.segments for b in (s.start, s.end)})
