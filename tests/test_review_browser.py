"""A real browser (Debian's Chromium via Playwright) through an editor's morning.

Log in -> open the video -> play a clip (range requests) -> click a transcript word ->
approve -> export and download the zip. With SOROT_UPDATE_SCREENSHOT=1 it also refreshes
docs/img/review.png (otherwise the screenshot goes to a temp dir: tests leave the tree clean).
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
from playwright.sync_api import Page, Response, expect, sync_playwright

from ops.servers import free_port
from review.app import create_app
from tests.test_review import PASSWORD, settings_for, users_db_template
from tests.test_review_library import built_library

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
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by uvicorn on a free port in a thread; yields its base URL."""
    root, _ = built_library()
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
def page() -> Iterator[Page]:
    """A Chromium page at laptop size."""
    assert CHROMIUM.exists(), f"Chromium expected at {CHROMIUM} (apt-get install chromium)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1366, "height": 768}, accept_downloads=True
        )
        yield context.new_page()
        context.close()
        browser.close()


def test_login_play_approve_export(server: str, page: Page, tmp_path: Path) -> None:
    _, video_id = built_library()
    ranges: list[tuple[int, str]] = []

    def on_response(response: Response) -> None:
        if "/clips/clip-" in response.url and response.url.endswith(".mp4"):
            ranges.append((response.status, response.request.headers.get("range", "")))

    page.on("response", on_response)

    page.goto(f"{server}/video/{video_id}")
    expect(page).to_have_url(f"{server}/login?next=/video/{video_id}")
    page.fill("input[name=username]", "editor")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server}/video/{video_id}")
    expect(page.locator("article.clip")).to_have_count(2)

    # Play the first clip: the browser fetches it with range requests, and time advances.
    page.click("article.clip >> nth=0 >> button.thumb")
    wait_until(page, "document.getElementById('player').currentTime > 0.5")
    assert any(status == 206 and header.startswith("bytes=") for status, header in ranges)
    ready = page.evaluate("document.getElementById('player').readyState")
    assert ready >= 2

    page.evaluate("document.getElementById('player').pause()")
    shot = SCREENSHOT if os.environ.get("SOROT_UPDATE_SCREENSHOT") else tmp_path / "review.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one

    # Click-to-seek: a word inside the second clip loads it and seeks to the word.
    page.click("#transcript span[data-t='9.5']")
    wait_until(
        page,
        "document.getElementById('player').src.endsWith('clip-02.mp4') && "
        "Math.abs(document.getElementById('player').currentTime - 0.5) < 0.6",
    )
    expect(page.locator("article.clip >> nth=1")).to_have_class("clip selected")

    # Back to the first clip; approve it.
    page.click("article.clip >> nth=0 >> button.thumb")
    page.click("form[data-decide] button[value=approve]")
    expect(page.locator("article.clip >> nth=0 >> [data-badge]")).to_contain_text("editor")
    expect(page.locator("article.clip >> nth=0 >> [data-badge]")).to_have_class("badge approve")

    # Export: the progress ends in a download link; the zip holds the approved clip.
    page.click("form[data-export] button[type=submit]")
    link = page.locator("form[data-export] .export-status a")
    expect(link).to_be_visible(timeout=30000)
    with page.expect_download() as info:
        link.click()
    path = tmp_path / "export.zip"
    info.value.save_as(path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    assert f"clips/{video_id}/clip-01.mp4" in names
    assert f"clips/{video_id}/clip-02.mp4" not in names
    assert {"edit.otio", "edit.edl", "approved.json"} <= set(names)
