"""The nightly deployment on a real Prefect server, missed runs, the HTML report and webhook."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from prefect import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.states import Scheduled

from app.settings import RunSettings
from flows.nightly import nightly
from ops.servers import free_port, start_prefect_server
from storage.runs import list_reports
from storage.store import Store

pytestmark = pytest.mark.slow  # a Prefect server

BIN = Path(sys.executable).parent


def _run(args: list[str], env: dict[str, str], timeout: int = 600):
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)


def test_deploy_missed_run_is_reported_then_worker_runs_it(
    tmp_path: Path, shared_data: Path
) -> None:
    server = start_prefect_server(tmp_path / "server")
    env = dict(
        os.environ,
        PREFECT_API_URL=server.api_url,
        COLUMNS="200",
        SOROT_CACHE_DIR=str(tmp_path / "cache"),
    )
    store_dir = tmp_path / "store"
    (store_dir / "inbox").mkdir(parents=True)
    shutil.copy(shared_data / "speech/jfk_en.flac", store_dir / "inbox/pidato.flac")
    try:
        deployed = _run(
            [
                str(BIN / "sorot"),
                "deploy",
                "--store",
                str(store_dir),
                "--pool",
                "sorot-test",
                "--model",
                "tiny.en",
                "--language",
                "en",
            ],
            env,
        )
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        with (
            temporary_settings({PREFECT_API_URL: server.api_url}),
            get_client(sync_client=True) as client,
        ):
            deployment = client.read_deployment_by_name("nightly/nightly")
            schedule = deployment.schedules[0].schedule
            assert (schedule.cron, schedule.timezone) == ("0 1 * * *", "Asia/Jakarta")
            assert deployment.work_pool_name == "sorot-test"
            # A night that was due two hours ago and never started.
            due = datetime.now(UTC) - timedelta(hours=2)
            client.create_flow_run_from_deployment(
                deployment.id, state=Scheduled(scheduled_time=due)
            )
        missed = _run([str(BIN / "sorot"), "status", "--store", str(store_dir)], env)
        assert missed.returncode == 1 and "has not started" in missed.stdout, missed.stdout

        worker = _run(
            [str(BIN / "prefect"), "worker", "start", "--pool", "sorot-test", "--run-once"],
            env,
            timeout=900,
        )
        assert worker.returncode == 0, worker.stdout[-3000:] + worker.stderr[-3000:]
        (report,) = list_reports(Store(str(store_dir)))
        assert report.count("processed") == 1 and report.finished_at
        ok = _run([str(BIN / "sorot"), "status", "--store", str(store_dir)], env)
        assert ok.returncode == 0, ok.stdout
        assert "inbox: 0 file(s) not yet processed" in ok.stdout
    finally:
        server.stop()


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_html_report_and_webhook(tmp_path: Path, shared_data: Path, monkeypatch) -> None:
    port = free_port()
    httpd = HTTPServer(("127.0.0.1", port), _Hook)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    monkeypatch.setenv("SOROT_WEBHOOK_URL", f"http://127.0.0.1:{port}/hook?token=rahasia")
    inbox = tmp_path / "store/inbox"
    inbox.mkdir(parents=True)
    shutil.copy(shared_data / "speech/jfk_en.flac", inbox / "pidato <script>.flac")
    (inbox / "rusak.mp4").write_bytes(b"bukan video")
    try:
        report = nightly(
            RunSettings(
                store=str(tmp_path / "store"), model="tiny.en", language="en", date="2026-11-28"
            )
        )
    finally:
        httpd.shutdown()
    (message,) = _Hook.received
    assert message["counts"] == {"processed": 1, "duplicate": 0, "failed": 1, "waiting": 0}
    assert message["failed"][0]["key"] == "inbox/rusak.mp4" and message["ok"] is False
    assert message["text"]["id"].startswith("Sorot 2026-11-28: 1 diproses")
    html = Store(str(tmp_path / "store")).read_text(f"runs/2026-11-28/{report.run_id}.html")
    assert "pidato &lt;script&gt;.flac" in html and "<script>" not in html
    assert datetime.now(UTC) - timedelta(minutes=30) < datetime.fromisoformat(
        report.finished_at or ""
    )
