"""A learned ranker over the explained factors, trained on editors' approve/reject decisions.

RankNet (pairwise logistic loss) on a small MLP: within one group (a video, or a night),
every (approved, rejected) pair should score approved higher. Scores pass through a sigmoid
so they stay in 0..1 like the hand-weighted score. Pure: bytes in, bytes out; the flow
stores versions in the object store.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import torch
from torch import nn

from models.clips.scoring import FACTORS

RANKER_FORMAT = 1


@dataclass
class Decision:
    """One editor decision on one clip; `group` is what the editor compared it with."""

    group: str  # e.g. video_id or the night's date
    factors: dict[str, float]
    approved: bool


class _Net(nn.Module):
    def __init__(self, n: int, hidden: int) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x).squeeze(-1)


class Ranker:
    """A trained ranker: `score(factors)` in 0..1, with a version id and training metadata."""

    def __init__(self, net: _Net, meta: dict[str, object]) -> None:
        self.net = net.eval()
        self.meta = meta

    @property
    def version(self) -> str:
        """Version id, e.g. "ranknet-20260101T010000Z-3f2a"."""
        return str(self.meta["version"])

    @property
    def features(self) -> list[str]:
        """Factor names in input order."""
        return list(self.meta["features"])  # type: ignore[arg-type]

    def scores(self, rows: list[dict[str, float]]) -> list[float]:
        """Scores in 0..1 for factor dicts (missing factors count 0)."""
        if not rows:
            return []
        x = torch.tensor(
            [[r.get(f, 0.0) for f in self.features] for r in rows], dtype=torch.float32
        )
        with torch.no_grad():
            return [round(float(v), 4) for v in torch.sigmoid(self.net(x))]

    def to_bytes(self) -> bytes:
        """state_dict + metadata, loadable with `Ranker.from_bytes` (weights_only safe)."""
        buf = io.BytesIO()
        torch.save(
            {"format": RANKER_FORMAT, "state_dict": self.net.state_dict(), "meta": self.meta}, buf
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Ranker:
        """Load a ranker saved by `to_bytes`."""
        blob = torch.load(io.BytesIO(data), weights_only=True)
        if blob.get("format") != RANKER_FORMAT:
            raise ValueError(f"unknown ranker format {blob.get('format')!r}")
        meta = blob["meta"]
        net = _Net(len(meta["features"]), int(meta["hidden"]))
        net.load_state_dict(blob["state_dict"])
        return cls(net, meta)


def _groups(decisions: list[Decision]) -> dict[str, list[Decision]]:
    out: dict[str, list[Decision]] = {}
    for d in decisions:
        out.setdefault(d.group, []).append(d)
    return out


def ndcg_at_k(scores: list[float], relevance: list[float], k: int) -> float:
    """NDCG@k of one list (binary or graded relevance); 1.0 when nothing is relevant."""
    order = np.argsort(-np.asarray(scores), kind="stable")[:k]
    gains = np.asarray(relevance, dtype=float)
    dcg = sum(gains[i] / math.log2(r + 2) for r, i in enumerate(order))
    ideal = sorted(gains, reverse=True)[:k]
    idcg = sum(g / math.log2(r + 2) for r, g in enumerate(ideal))
    return float(dcg / idcg) if idcg > 0 else 1.0


def evaluate(score_fn, decisions: list[Decision], k: int = 3) -> dict[str, float]:
    """Mean NDCG@k and HIT@1 (top clip approved) over groups that have an approved clip."""
    ndcgs, hits = [], []
    for items in _groups(decisions).values():
        rel = [1.0 if d.approved else 0.0 for d in items]
        if not any(rel):
            continue
        s = score_fn([d.factors for d in items])
        ndcgs.append(ndcg_at_k(s, rel, k))
        hits.append(rel[int(np.argmax(s))])
    return {
        f"ndcg@{k}": round(float(np.mean(ndcgs)), 4) if ndcgs else 0.0,
        "hit@1": round(float(np.mean(hits)), 4) if hits else 0.0,
        "groups": float(len(ndcgs)),
    }


def split_groups(
    decisions: list[Decision], holdout: float = 0.25, seed: int = 0
) -> tuple[list[Decision], list[Decision]]:
    """Train/held-out split by whole groups (never the same video on both sides)."""
    names = sorted(_groups(decisions))
    random.Random(seed).shuffle(names)
    n_test = max(1, round(len(names) * holdout)) if len(names) > 1 else 0
    test = set(names[:n_test])
    return [d for d in decisions if d.group not in test], [d for d in decisions if d.group in test]


def train_ranker(
    decisions: list[Decision],
    epochs: int = 300,
    hidden: int = 8,
    lr: float = 0.03,
    seed: int = 0,
    features: tuple[str, ...] = FACTORS,
) -> Ranker:
    """Fit RankNet on every (approved, rejected) pair within each group.

    Raises ValueError when no group holds both an approved and a rejected clip.
    """
    torch.manual_seed(seed)
    xs, pairs = [], []
    for items in _groups(decisions).values():
        base = len(xs)
        xs += [[d.factors.get(f, 0.0) for f in features] for d in items]
        pos = [base + i for i, d in enumerate(items) if d.approved]
        neg = [base + i for i, d in enumerate(items) if not d.approved]
        pairs += [(p, n) for p in pos for n in neg]
    if not pairs:
        raise ValueError("need at least one group with both approved and rejected clips")
    x = torch.tensor(xs, dtype=torch.float32)
    p_idx, n_idx = (torch.tensor(v) for v in zip(*pairs, strict=True))
    net = _Net(len(features), hidden)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=1e-4)
    for _ in range(epochs):
        opt.zero_grad()
        s = net(x)
        loss = nn.functional.softplus(-(s[p_idx] - s[n_idx])).mean()  # RankNet, sigma = 1
        loss.backward()
        opt.step()
    now = datetime.now(UTC)
    meta = {
        "version": f"ranknet-{now:%Y%m%dT%H%M%SZ}-{seed:04x}",
        "features": list(features),
        "hidden": hidden,
        "trained_at": now.isoformat(),
        "decisions": len(decisions),
        "pairs": len(pairs),
        "final_loss": round(float(loss.detach()), 5),
    }
    return Ranker(net, meta)
