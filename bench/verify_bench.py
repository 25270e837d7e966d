"""Time to verify a 60 s clip against a library of N hours.

The library is synthesised from real fingerprints: every shared/data recording's prints,
copied under distinct ids until N hours, each copy's hashes XOR-ed with its own random
mask. That keeps the sizes and the distribution of distances within a copy real while
making copies distinct from each other and from the query (a copy of the true source
would just be found again). The suspect is a real 60 s edit (low-bitrate video spliced
from handshake_livingroom) queried against the synthetic library plus the true source.
Run: .venv/bin/python bench/verify_bench.py 1 10 50
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.provenance.fingerprint import FingerprintIndex, MediaPrints, fingerprint_file  # noqa: E402
from tests.media_edits import DATA, edit  # noqa: E402


def synthetic_library(hours: float, seeds: list[MediaPrints]) -> FingerprintIndex:
    rng = np.random.default_rng(0)
    index = FingerprintIndex()
    total, n = 0.0, 0
    while total < hours * 3600:
        p = seeds[n % len(seeds)]
        v_mask = rng.integers(0, 2**63, dtype=np.uint64)
        a_mask = np.uint32(rng.integers(1, 2**21))
        index.add(
            f"synthetic-{n:06d}",
            MediaPrints(
                p.duration,
                p.visual_times,
                p.visual_hashes ^ v_mask,
                p.audio_times,
                p.audio_hashes ^ a_mask,
            ),
        )
        total += p.duration
        n += 1
    return index


def main(hours_list: list[float]) -> None:
    files = sorted((DATA / "video").iterdir()) + sorted((DATA / "speech").iterdir())
    seeds = [fingerprint_file(f) for f in files]
    source = DATA / "video" / "handshake_livingroom.mp4"
    with tempfile.TemporaryDirectory() as tmp:
        suspect = edit(source, Path(tmp) / "s.mp4", pieces=[(0.0, 19.6)] * 3 + [(0.0, 1.2)])
        t0 = time.perf_counter()
        prints = fingerprint_file(suspect)
        t_fp = time.perf_counter() - t0
    print(f"suspect {prints.duration:.1f} s: fingerprinting {t_fp:.2f} s")
    for hours in hours_list:
        index = synthetic_library(hours, seeds)
        index.add(source.stem, fingerprint_file(source))
        t0 = time.perf_counter()
        index.query(prints)  # builds the search tables once (kept while the index lives)
        t_first = time.perf_counter() - t0
        t0 = time.perf_counter()
        results = index.query(prints)
        t_query = time.perf_counter() - t0
        size = len(index.to_bytes()) / 1e6
        print(
            f"{index.hours:7.1f} h: first query {t_first:6.2f} s, next {t_query:6.2f} s, "
            f"index {size:7.1f} MB, top={results[0].video_id if results else None} "
            f"others={len(results) - 1}"
        )


if __name__ == "__main__":
    main([float(x) for x in sys.argv[1:]] or [1.0, 10.0])
