"""Word-level differences between a suspect transcript and the official one.

Matching pieces are found in any order (greedy string tiling: the longest common run of
normalised words first, then the next longest among the words left), so a piece moved
out of its original place is recognised as moved rather than as a deletion plus an
insertion. The pieces in original order anchor a difflib alignment of the words between
them, which yields the insertions, deletions and substitutions.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Sequence

from models.provenance.records import WordDiff, WordEdit
from models.speech.records import Word
from models.speech.text import word_key


def _tiles(a: list[str], b: list[str], min_run: int) -> list[tuple[int, int, int]]:
    """Non-overlapping common runs (i in a, j in b, length), longest first, any order."""
    used_a = [False] * len(a)
    used_b = [False] * len(b)
    tiles: list[tuple[int, int, int]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    while True:
        best = (0, 0, 0)
        # Longest common run among words not yet tiled: difflib on each free stretch pair.
        for a0, a1 in _free_spans(used_a):
            for b0, b1 in _free_spans(used_b):
                m = matcher.find_longest_match(a0, a1, b0, b1)
                if m.size > best[2]:
                    best = (m.a, m.b, m.size)
        i, j, n = best
        if n < min_run:
            return tiles
        tiles.append(best)
        for k in range(n):
            used_a[i + k] = used_b[j + k] = True


def _free_spans(used: list[bool]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = None
    for i, u in enumerate([*used, True]):
        if not u and start is None:
            start = i
        elif u and start is not None:
            spans.append((start, i))
            start = None
    return spans


def _in_order(tiles: list[tuple[int, int, int]]) -> set[int]:
    """Indices of tiles forming the heaviest chain increasing on both sides (the rest moved)."""
    order = sorted(range(len(tiles)), key=lambda t: tiles[t][1])
    best = [tiles[t][2] for t in order]
    prev = [-1] * len(order)
    for x in range(len(order)):
        for y in range(x):
            if tiles[order[y]][0] < tiles[order[x]][0] and best[y] + tiles[order[x]][2] > best[x]:
                best[x] = best[y] + tiles[order[x]][2]
                prev[x] = y
    if not order:
        return set()
    x = max(range(len(order)), key=best.__getitem__)
    chain: set[int] = set()
    while x >= 0:
        chain.add(order[x])
        x = prev[x]
    return chain


def _text(words: Sequence[Word]) -> str:
    return " ".join(w.word.strip() for w in words)


def _prob(*groups: Sequence[Word]) -> float | None:
    probs = [w.probability for g in groups for w in g]
    return round(min(probs), 4) if probs else None


def diff_words(
    suspect: Sequence[Word],
    official: Sequence[Word],
    min_run: int = 3,
    edge_tolerance: float = 1.0,
) -> WordDiff:
    """Differences from `official` (the matched span of the source) to `suspect`.

    `min_run` is the fewest words a piece needs to count as matched in any order (shorter
    agreements only count in their original order). Words the official span has before
    the first or after the last matched word, within `edge_tolerance` seconds of its
    ends, are not reported as deleted: the span's edges are only known to about a second.
    """
    sus = [w for w in suspect if word_key(w.word)]
    off = [w for w in official if word_key(w.word)]
    a = [word_key(w.word) for w in off]
    b = [word_key(w.word) for w in sus]
    tiles = _tiles(a, b, min_run)
    chain = _in_order(tiles)
    edits: list[WordEdit] = []
    for t, (i, j, n) in enumerate(tiles):
        if t not in chain:
            edits.append(
                WordEdit(
                    kind="moved",
                    suspect_text=_text(sus[j : j + n]),
                    official_text=_text(off[i : i + n]),
                    suspect_start=sus[j].start,
                    suspect_end=sus[j + n - 1].end,
                    official_start=off[i].start,
                    official_end=off[i + n - 1].end,
                    min_probability=_prob(sus[j : j + n]),
                )
            )
    moved_a = {i + k for t, (i, _, n) in enumerate(tiles) if t not in chain for k in range(n)}
    moved_b = {j + k for t, (_, j, n) in enumerate(tiles) if t not in chain for k in range(n)}
    anchors = sorted(tiles[t] for t in chain)
    # Gaps between consecutive anchors (and before the first / after the last).
    bounds = [(0, 0, 0), *anchors, (len(a), len(b), 0)]
    matched = sum(n for _, _, n in anchors)
    span_start = off[0].start if off else 0.0
    span_end = off[-1].end if off else 0.0
    for (i0, j0, n0), (i1, j1, _) in itertools.pairwise(bounds):
        ga = [k for k in range(i0 + n0, i1) if k not in moved_a]
        gb = [k for k in range(j0 + n0, j1) if k not in moved_b]
        ops = difflib.SequenceMatcher(None, [a[k] for k in ga], [b[k] for k in gb], autojunk=False)
        for tag, x0, x1, y0, y1 in ops.get_opcodes():
            if tag == "equal":
                matched += x1 - x0
                continue
            ow = [off[k] for k in ga[x0:x1]]
            sw = [sus[k] for k in gb[y0:y1]]
            if (
                tag == "delete"
                and (i0 + n0 == 0 or i1 == len(a))
                and (
                    ow[-1].end <= span_start + edge_tolerance
                    or ow[0].start >= span_end - edge_tolerance
                )
            ):
                continue
            # Where a deletion happened in the suspect: after the last suspect word before it.
            before = sus[gb[y0 - 1]] if y0 > 0 else (sus[j0 + n0 - 1] if j0 + n0 > 0 else None)
            at = before.end if before else (sus[0].start if sus else 0.0)
            edits.append(
                WordEdit(
                    kind={"delete": "deleted", "insert": "inserted", "replace": "substituted"}[tag],
                    suspect_text=_text(sw),
                    official_text=_text(ow),
                    suspect_start=sw[0].start if sw else at,
                    suspect_end=sw[-1].end if sw else at,
                    official_start=ow[0].start if ow else None,
                    official_end=ow[-1].end if ow else None,
                    min_probability=_prob(sw, ow),
                )
            )
    edits.sort(key=lambda e: (e.suspect_start or 0.0, e.kind))
    return WordDiff(
        suspect_words=len(sus), official_words=len(off), matched_words=matched, edits=edits
    )
