"""Decide whose words may be quoted.

With per-segment speaker labels (from diarisation or the leader's face/voice module) the
quoted speaker is the enrolled leader when present, otherwise the label with the most
speech. A label whose sentences are largely MC announcements is never chosen as the main
speaker. Without labels the whole recording is one speaker. In every case a sentence
that sounds like an MC announcement or a protocol greeting is not quotable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from models.press.ceremony import is_greeting, is_mc_announcement
from models.speech.sentences import Sentence

UNLABELLED_SPEAKER = "pembicara utama"
# A label is the MC when at least this share of its sentences are MC announcements.
MC_LABEL_SHARE = 0.3


@dataclass(frozen=True)
class Attribution:
    """Who speaks each sentence, who is quoted, and which sentences are quotable."""

    speaker: str | None  # the quoted speaker's label; None when nobody speaks
    labels: tuple[str | None, ...]  # per sentence
    quotable: tuple[bool, ...]  # per sentence: the speaker's own, non-ceremonial words
    reason: str


def _mc_labels(sentences: Sequence[Sentence], labels: Sequence[str | None]) -> set[str]:
    total: dict[str, int] = defaultdict(int)
    mc: dict[str, int] = defaultdict(int)
    for sentence, label in zip(sentences, labels, strict=True):
        if label is None:
            continue
        total[label] += 1
        mc[label] += is_mc_announcement(sentence.text)
    return {label for label, n in total.items() if mc[label] / n >= MC_LABEL_SHARE}


def attribute_speakers(
    sentences: Sequence[Sentence],
    segment_speakers: Mapping[int, str] | None = None,
    leader: str | None = None,
) -> Attribution:
    """Label sentences with speakers and mark those that may be quoted.

    `segment_speakers` maps a transcript segment id to a speaker label; a sentence takes
    the label of the segment it starts in. `leader` is the label of the enrolled leader.
    """
    if segment_speakers is None:
        labels: list[str | None] = [UNLABELLED_SPEAKER] * len(sentences)
        chosen: str | None = UNLABELLED_SPEAKER if sentences else None
        reason = "tanpa label pembicara: seluruh rekaman dianggap satu pembicara"
    else:
        labels = [segment_speakers.get(s.segment_id) for s in sentences]
        speech: dict[str, float] = defaultdict(float)
        for sentence, label in zip(sentences, labels, strict=True):
            if label is not None:
                speech[label] += sentence.duration
        mcs = _mc_labels(sentences, labels)
        if leader is not None and leader in speech:
            chosen, reason = leader, f"pimpinan terdaftar ({leader})"
        else:
            candidates = {k: v for k, v in speech.items() if k not in mcs} or speech
            chosen = max(candidates, key=lambda k: candidates[k]) if candidates else None
            reason = f"pembicara dengan ucapan terbanyak ({chosen})"
            if mcs:
                reason += f"; pembawa acara dikecualikan ({', '.join(sorted(mcs))})"
    quotable = tuple(
        chosen is not None
        and label == chosen
        and not is_mc_announcement(s.text)
        and not is_greeting(s.text)
        for s, label in zip(sentences, labels, strict=True)
    )
    return Attribution(chosen, tuple(labels), quotable, reason)


def leader_segments(
    segments: Sequence[tuple[int, float, float]],
    leader_visible: Sequence[bool | None],
    leader: str,
    other: str = "lainnya",
) -> dict[int, str]:
    """Label segments as the leader's when the enrolled leader is on screen for most of them.

    `segments` are (segment id, start, end) in seconds; `leader_visible` is one value per
    second of the video (None where nothing was seen). Being on screen while someone speaks
    is a proxy for speaking: good for podium speeches, and it keeps an off-screen MC's words
    from being quoted as the leader's.
    """
    labels: dict[int, str] = {}
    for seg_id, start, end in segments:
        seconds = range(int(start), min(len(leader_visible), int(end) + 1))
        seen = [bool(leader_visible[t]) for t in seconds]
        labels[seg_id] = leader if seen and sum(seen) / len(seen) > 0.5 else other
    return labels
