"""`sorot review user add` and `sorot review serve` as an administrator runs them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ops.servers import free_port

pytestmark = pytest.mark.slow  # `sorot` processes

SOROT = str(Path(sys.executable).with_name("sorot"))


def test_add_user_then_serve_requires_login(tmp_path: Path) -> None:
    db = str(tmp_path / "review.sqlite")
    env = dict(os.environ, SOROT_NEW_PASSWORD="kata sandi yang panjang", COLUMNS="200")
    added = subprocess.run(
        [SOROT, "review", "user", "add", "ani", "--role", "viewer", "--db", db],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert added.returncode == 0, added.stdout + added.stderr
    again = subprocess.run(
        [SOROT, "review", "user", "add", "ani", "--db", db],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 1
    listed = subprocess.run(
        [SOROT, "review", "user", "list", "--db", db],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.stdout.split() == ["ani", "viewer", "active"]
    assert "kata sandi" not in added.stdout + added.stderr + listed.stdout

    port = free_port()
    server = subprocess.Popen(
        [
            SOROT,
            "review",
            "serve",
            "--db",
            db,
            "--store",
            str(tmp_path / "lib"),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                # Redirects are followed to the login page; nothing else is shown.
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    assert "/login" in r.url and r.status == 200
                    break
            except urllib.error.URLError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=20)
