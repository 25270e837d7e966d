"""Screenshots of the editors' pages on a real library, and how long each step takes.

Usage: PYTHONPATH=. .venv/bin/python -m bench.review_screenshots [--library DIR] [--out DIR]

1. Builds (once; reused when DIR already holds a library) a library from ../shared/data
   with the real nightly run, `sorot run --inbox <folder>`: the composed day of
   bench/compose.py (address, two men, handshake) and the handshake recording in
   `kunjungan-desa/` with an `event.json` sidecar, and the Indonesian Spoken-Wikipedia
   reading (audio only) in `pembacaan-artikel/` without one (its event is the folder).
2. Serves the review app on it and walks an editor's morning in Chromium (Playwright):
   log in, the night page, a video page, play, trim, approve, comment, export, the
   audio-only reading (transcript, audio player), the phone width.
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


@contextmanager
def serve(root: Path, db_path: Path) -> Iterator[str]:
    """The review app on `root` in a thread (uvicorn on a free port); yields its URL."""
    if not db_path.exists():
        db = open_db(db_url_of(str(db_path)))
        for name, role in (("ani", "editor"), ("budi", "editor")):
            add_user(db, name, PASSWORD, role)
        db.close()
    settings = ReviewSettings(
        store=str(root), db_url=db_url_of(str(db_path)), secret="screenshots-" + "x" * 32
    )
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=free_port(), log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Steps:
    """Times each step of the walk and prints it."""

    def __init__(self) -> None:
        self.times: list[tuple[str, float]] = []

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time one step."""
        started = time.perf_counter()
        yield
        self.times.append((name, time.perf_counter() - started))
        print(f"{name:<44} {self.times[-1][1]:6.2f} s")


def wait_until(page, expression: str, timeout: float = 20.0) -> None:
    """Poll a JavaScript expression (the app's CSP forbids wait_for_function's eval)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(expression)
        time.sleep(0.1)


def walk(url: str, out: Path) -> Steps:
    """An editor's morning in Chromium, with a screenshot of each page."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    steps = Steps()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--headless", "--autoplay-policy=no-user-gesture-required"],
        )
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        with steps.step("log in (argon2id)"):
            page.goto(f"{url}/login")
            page.fill("input[name=username]", "ani")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{url}/")
        page.screenshot(path=str(out / "index.png"), full_page=True)
        with steps.step("open the night (3 videos, 2 events)"):
            page.goto(f"{url}/night/{NIGHT}")
        page.screenshot(path=str(out / "night.png"), full_page=True)
        with steps.step("open the composed day's video page"):
            page.click("ul.videos a:has-text('hari-kunjungan')")
            page.wait_for_selector("article.clip")
        with steps.step("play the top clip (until 1 s played)"):
            page.click("article.clip >> nth=0 >> button.thumb")
            wait_until(page, "document.getElementById('player').currentTime > 1")
            page.evaluate("document.getElementById('player').pause()")
        with steps.step("trim in at 1 s, approve"):
            page.evaluate("document.getElementById('player').currentTime = 1")
            page.click("[data-mark=in]")
            page.click("form[data-decide] button[value=approve]")
            page.wait_for_selector("article.clip >> nth=0 >> .badge.approve")
        with steps.step("comment at the player's time"):
            page.fill("form[data-comment] input[name=text]", "Bagus untuk Instagram, mulai di sini")
            page.click("form[data-comment] button")
            wait_until(page, "document.getElementById('comment-count').textContent === '1'")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(out / "video.png"))
        with steps.step("export approved clips (trimmed render)"):
            page.click("form[data-export] button[type=submit]")
            page.wait_for_selector("form[data-export] .export-status a", timeout=120_000)
        with steps.step("audio-only reading: transcript page"):
            page.goto(f"{url}/night/{NIGHT}")
            page.click("ul.videos a:has-text('kartinah')")
            page.wait_for_selector("#transcript")
        page.locator("#transcript").screenshot(path=str(out / "transcript.png"))
        with steps.step("audio-only reading: play its top clip"):
            page.click("article.clip >> nth=0 >> button.thumb")
            wait_until(page, "document.getElementById('player').currentTime > 1")
            page.evaluate("document.getElementById('player').pause()")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(out / "audio.png"))
        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        phone.context.add_cookies(page.context.cookies())
        with steps.step("phone 390 px: the video page"):
            phone.goto(f"{url}/night/{NIGHT}")
            phone.click("ul.videos a:has-text('hari-kunjungan')")
            phone.wait_for_selector("article.clip")
        width = phone.evaluate("document.documentElement.scrollWidth")
        print(f"phone page scrollWidth: {width} px (viewport 390)")
        phone.screenshot(path=str(out / "video-phone.png"), full_page=True)
        browser.close()
    return steps


def main() -> None:
    """Build the library when needed, then walk it and save the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=Path(tempfile.gettempdir()) / "sorot-shots")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    if not (args.library / "library").is_dir():
        build_library(args.library)
    db_path = Path(tempfile.mkdtemp(prefix="sorot-shots-db-")) / "review.db"
    with serve(args.library, db_path) as url:
        walk(url, args.out)
    shutil.rmtree(db_path.parent)


if __name__ == "__main__":
    main()
