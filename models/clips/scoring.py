"""Explained factors (each 0..1), the hand-weighted score, diversity and the reason line.

Factors (all from features.json rows inside the clip and the transcript words):

* interaction: mean of (mean, 90th percentile) of the fused per-second interaction score, so
  a short peak (a handshake) inside an otherwise calm clip still counts.
* informal: share of seconds labelled informal (crowd counts half).
* leader: presence (share of seconds the enrolled leader is seen; without enrolment, share of
  seconds with a face) x 0.6 + face size (largest face height / 0.25 of the frame) x 0.4.
* speech_clarity: 0.7 x mean word probability + 0.3 x VAD speech share (no words: VAD x 0.3).
* quotability: starts and ends on sentence edges, 1-4 whole sentences, 1.5-4 words/s.
* visual_quality: sharpness (Laplacian variance / (v + 150)), exposure (mid-grey is best),
  stability (camera motion); black or frozen seconds count zero.
* audio_quality: loudness in the -28..-12 dBFS comfort band, falling to 0 at -55 and -3.
* duration_fit: 1 inside the ideal range, falling linearly to 0.3 at the min/max limits.
"""

from __future__ import annotations

import math

import numpy as np

from models.clips.candidates import Candidate
from models.clips.settings import ClipSettings, ScoreWeights
from models.moments.records import FeatureRow, FeatureTimeline
from models.speech.sentences import ends_sentence
from models.speech.text import bare_word

FACTORS = (
    "interaction",
    "informal",
    "leader",
    "speech_clarity",
    "quotability",
    "visual_quality",
    "audio_quality",
    "duration_fit",
)


def _rows(timeline: FeatureTimeline, c: Candidate) -> list[FeatureRow]:
    rows = [r for r in timeline.rows if c.start <= r.t + 0.5 < c.end]
    return rows or [r for r in timeline.rows if r.t <= c.start < r.t + 1][:1]


def _band(x: float, lo0: float, lo1: float, hi1: float, hi0: float) -> float:
    """1 inside [lo1, hi1], linear to 0 at lo0 and hi0."""
    if x <= lo0 or x >= hi0:
        return 0.0
    if x < lo1:
        return (x - lo0) / (lo1 - lo0)
    if x > hi1:
        return (hi0 - x) / (hi0 - hi1)
    return 1.0


def _leader(rows: list[FeatureRow]) -> float:
    frames = [r.frame for r in rows if r.frame is not None]
    if not frames:
        return 0.0
    enrolled = any(f.leader_visible is not None for f in frames)
    seen = [bool(f.leader_visible) if enrolled else bool(f.faces) for f in frames]
    size = float(np.mean([min(1.0, f.face_size_max / 0.25) for f in frames]))
    return 0.6 * float(np.mean(seen)) + 0.4 * size


def _visual(rows: list[FeatureRow]) -> float:
    frames = [r.frame for r in rows if r.frame is not None]
    if not frames:
        return 0.0
    per = []
    for f in frames:
        if f.black or f.frozen:
            per.append(0.0)
            continue
        sharp = f.sharpness / (f.sharpness + 150.0)
        exposure = max(0.0, 1.0 - 2.0 * abs(f.brightness - 0.5))
        stable = math.exp(-f.motion / 0.15)
        per.append(0.4 * sharp + 0.3 * exposure + 0.3 * stable)
    return float(np.mean(per))


def _audio(rows: list[FeatureRow]) -> float:
    audio = [r.audio for r in rows if r.audio is not None]
    if not audio:
        return 0.0
    return float(np.mean([_band(a.loudness, -55, -28, -12, -3) for a in audio]))


def _speech(c: Candidate, rows: list[FeatureRow]) -> float:
    vad = [r.audio.speech for r in rows if r.audio is not None]
    vad_share = float(np.mean(vad)) if vad else 0.0
    if not c.words:
        return 0.3 * vad_share
    return 0.7 * float(np.mean([w.probability for w in c.words])) + 0.3 * vad_share


def _quotability(c: Candidate) -> float:
    if not c.words:
        return 0.0
    ends = [i for i, w in enumerate(c.words) if ends_sentence(w.word.strip())]
    clean_end = 1.0 if ends and ends[-1] == len(c.words) - 1 else 0.0
    first = bare_word(c.words[0].word)
    clean_start = 1.0 if first[:1].isupper() or c.words[0].word.strip()[:1].isupper() else 0.5
    sentences = len(ends)
    count_fit = 1.0 if 1 <= sentences <= 4 else (0.5 if sentences > 4 else 0.2)
    rate = len(c.words) / max(1e-6, c.end - c.start)
    rate_fit = _band(rate, 0.3, 1.5, 4.0, 6.0)
    return 0.25 * clean_start + 0.25 * clean_end + 0.25 * count_fit + 0.25 * rate_fit


def _duration(c: Candidate, settings: ClipSettings) -> float:
    d = c.end - c.start
    lo, hi = settings.ideal_seconds
    if d < settings.min_seconds:
        return 0.3 * d / settings.min_seconds
    if d < lo:
        return 0.3 + 0.7 * (d - settings.min_seconds) / max(1e-6, lo - settings.min_seconds)
    if d > hi:
        return 1.0 - 0.7 * min(1.0, (d - hi) / max(1e-6, settings.max_seconds - hi))
    return 1.0


def factors(c: Candidate, timeline: FeatureTimeline, settings: ClipSettings) -> dict[str, float]:
    """The explained factors of one candidate, each in 0..1."""
    rows = _rows(timeline, c)
    inter = np.array([r.interaction for r in rows]) if rows else np.zeros(1)
    labels = [r.label for r in rows]
    share = (labels.count("informal") + 0.5 * labels.count("crowd")) / max(1, len(labels))
    values = {
        "interaction": 0.5 * float(inter.mean()) + 0.5 * float(np.percentile(inter, 90)),
        "informal": share,
        "leader": _leader(rows),
        "speech_clarity": _speech(c, rows),
        "quotability": _quotability(c),
        "visual_quality": _visual(rows),
        "audio_quality": _audio(rows),
        "duration_fit": _duration(c, settings),
    }
    return {k: round(min(1.0, max(0.0, v)), 4) for k, v in values.items()}


def hand_score(values: dict[str, float], weights: ScoreWeights) -> float:
    """Weighted mean of the factors with the hand weights (0..1)."""
    w = weights.model_dump()
    total = sum(w.values())
    return round(sum(w[k] * values.get(k, 0.0) for k in w) / total, 4)


def _signature(timeline: FeatureTimeline, c: Candidate) -> np.ndarray:
    """What the clip looks like, for 'near-identical' checks: faces, layout, light."""
    vec = np.zeros(8)
    layouts = ("none", "single", "pair", "group", "crowd")
    frames = [r.frame for r in _rows(timeline, c) if r.frame is not None]
    for f in frames:
        vec[layouts.index(f.layout)] += 1
        vec[5] += min(4, len(f.faces)) / 4
        vec[6] += min(1.0, f.face_size_max / 0.25)
        vec[7] += f.brightness
    return vec / max(1, len(frames))


def similarity(
    a: Candidate, b: Candidate, sig_a: np.ndarray, sig_b: np.ndarray
) -> tuple[float, float]:
    """(time overlap as a share of the shorter clip, content similarity) of two clips.

    Content similarity is the larger of word-set Jaccard and half the cosine of the visual
    signatures (two clips of the same framing are alike, but less than the same words).
    """
    inter = max(0.0, min(a.end, b.end) - max(a.start, b.start))
    overlap = inter / max(1e-6, min(a.end - a.start, b.end - b.start))
    wa = {bare_word(w.word) for w in a.words}
    wb = {bare_word(w.word) for w in b.words}
    text = len(wa & wb) / len(wa | wb) if wa and wb else 0.0
    norm = float(np.linalg.norm(sig_a) * np.linalg.norm(sig_b))
    visual = float(sig_a @ sig_b) / norm if norm else 0.0
    return overlap, max(text, 0.5 * visual)


def diversify(
    candidates: list[Candidate],
    scores: list[float],
    timeline: FeatureTimeline,
    settings: ClipSettings,
) -> list[int]:
    """Indices of candidates in rank order by maximal marginal relevance.

    Each pick maximises lambda x score - (1 - lambda) x max similarity to clips already
    picked (similarity = max(time overlap, content similarity)); a candidate overlapping a
    picked clip by more than `duplicate_overlap` is dropped; at most `max_clips` are kept.
    """
    sigs = [_signature(timeline, c) for c in candidates]
    left, picked = list(range(len(candidates))), []
    lam = settings.diversity
    while left and len(picked) < settings.max_clips:

        def mmr(i: int) -> float:
            sims = [max(similarity(candidates[i], candidates[j], sigs[i], sigs[j])) for j in picked]
            return lam * scores[i] - (1 - lam) * max(sims, default=0.0)

        best = max(left, key=lambda i: (mmr(i), -candidates[i].start))
        picked.append(best)
        left = [
            i
            for i in left
            if i != best
            and similarity(candidates[i], candidates[best], sigs[i], sigs[best])[0]
            <= settings.duplicate_overlap
        ]
    return picked


_PHRASES = {
    "interaction": ("interaksi hangat dengan warga", "warm interaction with citizens"),
    "informal": ("suasana informal", "informal setting"),
    "leader": ("pimpinan/wajah terlihat jelas", "the leader (or a face) is clearly visible"),
    "speech_clarity": ("ucapan terdengar jelas", "speech is clear"),
    "quotability": ("kalimat utuh yang layak dikutip", "whole, quotable sentences"),
    "visual_quality": ("gambar tajam dan stabil", "sharp, steady picture"),
    "audio_quality": ("audio bersih", "clean audio"),
    "duration_fit": ("durasi pas untuk media sosial", "good length for social media"),
}
_WEAK = {
    "interaction": ("sedikit interaksi", "little interaction"),
    "leader": ("pimpinan/wajah jarang terlihat", "the leader (or a face) rarely visible"),
    "speech_clarity": ("ucapan kurang jelas", "unclear speech"),
    "visual_quality": ("gambar kurang baik", "weak picture"),
    "audio_quality": ("audio lemah", "weak audio"),
    "duration_fit": ("durasi kurang pas", "awkward length"),
}
_FLAGS = {
    "shorter_than_min": (
        "seluruh video (lebih pendek dari minimum)",
        "whole video (shorter than the minimum)",
    ),
    "visual_only": ("batas mengikuti potongan gambar", "edges follow shot cuts"),
    "cut_mid_sentence": (
        "dipotong di jeda dalam kalimat panjang",
        "cut at a pause in a long sentence",
    ),
}


def reason(values: dict[str, float], weights: ScoreWeights, flags: list[str]) -> dict[str, str]:
    """One line per language: the two factors that add most, the weakest, any flag."""
    w = weights.model_dump()
    strong = sorted(values, key=lambda k: -w.get(k, 0.0) * values[k])[:2]
    strong = [k for k in strong if values[k] >= 0.4] or strong[:1]
    weak = [k for k in sorted(values, key=values.get) if k in _WEAK and values[k] < 0.3][:1]
    out = {}
    for lang, i in (("id", 0), ("en", 1)):
        parts = [", ".join(_PHRASES[k][i] for k in strong)]
        if weak:
            parts.append(("namun " if i == 0 else "but ") + _WEAK[weak[0]][i])
        parts += [_FLAGS[f][i] for f in flags if f in _FLAGS]
        line = "; ".join(parts)
        out[lang] = line[:1].upper() + line[1:]
    return out
