"""A real browser (Debian's Chromium via Playwright) through an editor's morning.

Two editors log in -> copy a transcript line (spaced) -> play a clip (range requests)
-> Tab to a word and press Enter (seek) -> click a clip on the timeline -> trim and
approve -> comment (live counter) -> reload (trim still shown) -> the second editor's
stale approval is a conflict, then keeps the trim -> search a word form and jump to its
second -> export ("Ekspor siap: 1 klip") and download the zip -> an audio-only recording
plays in an audio player and a word seeks it -> the video, night and audio pages at 390 px
without horizontal scroll.
With SOROT_UPDATE_SCREENSHOT=1 it also refreshes docs/img/review.png (otherwise the
screenshot goes to a temp dir: tests leave the tree clean);
screenshots of a real library: bench/review_screenshots.py.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Response, expect, sync_playwright

from ops.servers import free_port
from review.app import create_app
from review.i18n import MESSAGES
from storage.store import Store
from tests.test_review import PASSWORD, settings_for, users_db_template
from tests.test_review_library import NIGHT, built_library, write_audio_entry

pytestmark = pytest.mark.slow  # Chromium against the review app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "img" / "review.png"


def wait_until(page: Page, expression: str, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression until it is true.

    Not `wait_for_function`: that compiles the predicate with eval, which the app's
    Content-Security-Policy forbids (and we keep the policy on in the browser).
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def audio_id(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of the built library with an audio-only entry added: (root, its id)."""
    root = tmp_path_factory.mktemp("browser-library") / "store"
    shutil.copytree(built_library()[0], root)
    return root, write_audio_entry(Store(str(root)))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, audio_id: tuple[Path, str]) -> Iterator[str]:
    """The app served by uvicorn on a free port in a thread; yields its base URL."""
    root, _ = audio_id
    tmp = tmp_path_factory.mktemp("browser")
    shutil.copyfile(users_db_template(), tmp / "review.db")
    app = create_app(settings_for(str(root), tmp / "review.db", export_dir=str(tmp)))
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    assert CHROMIUM.exists(), f"Chromium expected at {CHROMIUM} (apt-get install chromium)"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def logged_in(browser: Browser, server: str, username: str, path: str) -> Page:
    """A new browser (own cookies) at laptop size, logged in as `username`, at `path`."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server}{path}")
    expect(page).to_have_url(f"{server}/login?next={path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server}{path}")
    return page


def test_editors_morning(
    server: str, browser: Browser, audio_id: tuple[Path, str], tmp_path: Path
) -> None:
    """Read, seek by keyboard, trim, approve, comment, reload, a second editor, export, and
    the phone width, as editors use it."""
    _, video_id = built_library()
    path = f"/video/{video_id}"
    ranges: list[tuple[int, str]] = []

    def on_response(response: Response) -> None:
        if "/clips/clip-" in response.url and response.url.endswith(".mp4"):
            ranges.append((response.status, response.request.headers.get("range", "")))

    page = logged_in(browser, server, "editor", path)
    page.on("response", on_response)
    # A second editor opens the same video now: they see the first clip undecided.
    other = logged_in(browser, server, "admin", path)
    expect(page.locator("article.clip")).to_have_count(2)

    # The transcript reads, and copies, with its spaces.
    copied = page.evaluate(
        """(() => { const p = document.querySelector("#transcript p[data-t='2.2']");
        const range = document.createRange(); range.selectNodeContents(p);
        const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
        return sel.toString(); })()"""
    )
    assert " ".join(copied.split()) == "0:02.2 Selamat pagi, Bapak."

    # Play the first clip: the browser fetches it with range requests, and time advances.
    page.click("article.clip >> nth=0 >> button.thumb")
    wait_until(page, "document.getElementById('player').currentTime > 0.5")
    assert any(status == 206 and header.startswith("bytes=") for status, header in ranges)
    assert page.evaluate("document.getElementById('player').readyState") >= 2
    page.evaluate("document.getElementById('player').pause()")
    shot = SCREENSHOT if os.environ.get("SOROT_UPDATE_SCREENSHOT") else tmp_path / "review.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one

    # Every word is focusable: Tab to a word of the second clip, Enter seeks the player.
    page.focus("#transcript span[data-t='9.5']")
    page.keyboard.press("Enter")
    wait_until(
        page,
        "document.getElementById('player').src.endsWith('clip-02.mp4') && "
        "Math.abs(document.getElementById('player').currentTime - 0.5) < 0.6",
    )
    expect(page.locator("article.clip >> nth=1")).to_have_class("clip selected")

    # The timeline: a click on the first clip's bar plays that clip.
    page.click(".tl rect.tl-clip >> nth=0")
    wait_until(page, "document.getElementById('player').src.endsWith('clip-01.mp4')")
    expect(page.locator("article.clip >> nth=0")).to_have_class("clip selected")

    # Back to the first clip (2-6 s): trim to 2.6-5.6 s and approve.
    page.click("article.clip >> nth=0 >> button.thumb")
    # Selecting plays from the clip's start once loaded: wait for that, then position.
    wait_until(
        page,
        "document.getElementById('player').src.endsWith('clip-01.mp4') && "
        "document.getElementById('player').currentTime > 0.2",
    )
    for at, mark in ((0.6, "in"), (3.6, "out")):
        page.evaluate(f"(() => {{ const v = document.getElementById('player'); v.pause(); "
                      f"v.currentTime = {at}; }})()")  # fmt: skip
        wait_until(page, f"Math.abs(document.getElementById('player').currentTime - {at}) < 0.05")
        page.click(f"[data-mark={mark}]")
    page.click("form[data-decide] button[value=approve]")
    badge = page.locator("article.clip >> nth=0 >> [data-badge]")
    expect(badge).to_have_class("badge approve")
    expect(badge).to_contain_text("editor · 0:02.6–0:05.6")

    # A comment: the counter follows at once.
    expect(page.locator("#comment-count")).to_have_text("0")
    page.fill("form[data-comment] input[name=text]", "Potong sebelum tepuk tangan")
    page.click("form[data-comment] button")
    expect(page.locator("#comment-count")).to_have_text("1")

    # After a reload the trim is still shown.
    page.reload()
    expect(page.locator('[data-show="in"]')).to_have_text("0:02.6")
    expect(page.locator('[data-show="out"]')).to_have_text("0:05.6")
    expect(page.locator("article.clip >> nth=0 >> [data-badge]")).to_contain_text("0:02.6")

    # The second editor, still on the old state, approves: a conflict, shown, not saved.
    other.click("form[data-decide] button[value=approve]")
    expect(other.locator("form[data-decide] .saved")).to_have_text(
        "⚠ " + MESSAGES["id"]["decision_conflict"]
    )
    other_badge = other.locator("article.clip >> nth=0 >> [data-badge]")
    expect(other_badge).to_contain_text("Disetujui · editor · 0:02.6–0:05.6")
    # Now they see it: approving again keeps the first editor's trim.
    other.click("form[data-decide] button[value=approve]")
    expect(other_badge).to_contain_text("Disetujui · admin · 0:02.6–0:05.6")
    other.context.close()

    # Search by words spoken (another form of the word): the hit plays from that second.
    page.goto(f"{server}/search")
    page.fill("input[name=q]", "kedatangan")
    page.click(".search-form button")
    page.click("ol.hits a >> nth=0")
    wait_until(
        page,
        "document.getElementById('player').src.endsWith('clip-02.mp4') && "
        "Math.abs(document.getElementById('player').currentTime - 0.5) < 0.6",
    )

    # Export: "Ekspor siap: 1 klip", and the zip holds the trimmed render.
    page.click("form[data-export] button[type=submit]")
    link = page.locator("form[data-export] .export-status a")
    expect(link).to_be_visible(timeout=60000)
    expect(page.locator("form[data-export] .export-status")).to_contain_text("Ekspor siap: 1 klip")
    with page.expect_download() as info:
        link.click()
    zip_path = tmp_path / "export.zip"
    info.value.save_as(zip_path)
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
    assert any(n.startswith("clips/kunjungan-warga_") and n.endswith("_01.mp4") for n in names)
    assert {"edit.otio", "edit.edl", "approved.json"} <= set(names)

    # A speech recorded without picture plays in an audio player; a word seeks it.
    audio_path = f"/video/{audio_id[1]}"
    page.goto(f"{server}{audio_path}")
    expect(page.locator("audio#player")).to_have_count(1)
    page.focus("#transcript span[data-t='2.0']")  # " membersihkan" in the 0.5-6.9 s clip
    page.keyboard.press("Enter")
    wait_until(page, "document.getElementById('player').currentTime > 1.45")
    assert page.evaluate("document.getElementById('player').src").endswith("clip-01.m4a")

    # A phone (390 px): nothing wider than the screen, on the video and the night page.
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (path, f"/night/{NIGHT}", audio_path):
        page.goto(f"{server}{url}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (url, width)
    page.context.close()
