"""Screenshots of the editors' pages on a real library, and how long each step takes.

Usage: PYTHONPATH=. .venv/bin/python -m bench.review_screenshots [--library DIR] [--out DIR]

1. Builds (once; reused when DIR already holds a library) a library from ../shared/data
   with the real nightly run, `sorot run --inbox <folder>`: the composed day of
   bench/compose.py (address, two men, handshake) and the handshake recording in
   `kunjungan-desa/` with an `event.json` sidecar, and the Indonesian Spoken-Wikipedia
   reading (audio only) in `pembacaan-artikel/` without one (its event is the folder).
2. Serves the review app on it and walks an editor's morning in Chromium (Playwright):
   log in, the night page, a video page, play, trim, approve, comment, the phone width.
   Each page is saved as a PNG in `--out` (default docs/screenshots/) and each step's
   time is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from bench.compose import compose_day
from ops.servers import free_port
from review.app import create_app
from review.db import open_db
from review.settings import ReviewSettings, db_url_of
from review.users import add_user

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
NIGHT = "2026-11-27"
EVENT = {
    "event": "Kunjungan Kerja ke Desa Sukamaju",
    "place": "Denpasar",
    "date": NIGHT,
    "speaker_name": "I Made Sutrisna",
    "speaker_title": "Bupati Badung",
    "organiser": "Pemerintah Kabupaten Badung",
}
PASSWORD = "kata-sandi-rahasia"
CHROMIUM = "/usr/bin/chromium"


def build_library(root: Path) -> None:
    """Run the real night over a small inbox of shared footage into `root`."""
    inbox = Path(tempfile.mkdtemp(prefix="sorot-shots-inbox-"))
    visit = inbox / "kunjungan-desa"
    visit.mkdir()
    compose_day(visit / "hari-kunjungan.mp4")
    shutil.copy(DATA / "video" / "handshake_livingroom.mp4", visit)
    (visit / "event.json").write_text(json.dumps(EVENT))
    reading = inbox / "pembacaan-artikel"
    reading.mkdir()
    shutil.copy(DATA / "speech" / "kartinah_id_reading.mp3", reading)
    env = {**os.environ, "SOROT_RENDER_TOP": "3"}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "from cli import app; app()", "run", "--store", str(root),
         "--inbox", str(inbox),
         "--date", NIGHT],
        check=False,
        env=env,
    )  # fmt: skip
    print(f"night run: {time.perf_counter() - started:.1f} s")
    shutil.rmtree(inbox)
