"""A production-like Sorot stack on one machine: `make up` / `make down`.

    PostgreSQL 15  -> databases `prefect` (Prefect server) and `review` (review app)
    Prefect server -> holds the nightly deployment (01:00 Asia/Jakarta)
    SeaweedFS S3   -> bucket `sorot`, the library store s3://sorot/library
    Prefect worker -> process work pool `sorot`, runs the nightly flow
    Review app     -> the editors' web page

State lives in `.stack/` (data, logs, credentials, pids). `up` prints where each part
listens and writes `.stack/env` to source for the CLI; `down` stops exactly the
processes `up` started (the worker with SIGINT, as Prefect asks) and keeps the data.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from ops.servers import (
    BIN,
    spawn,
    start_postgres,
    start_prefect_server,
    start_seaweedfs,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[1]
STATE = Path(os.environ.get("SOROT_STACK_DIR", ROOT / ".stack"))
# Override with SOROT_STACK_PORT_POSTGRES and friends.
PORTS = {
    name: int(os.environ.get(f"SOROT_STACK_PORT_{name.upper()}", default))
    for name, default in {"postgres": 55432, "prefect": 4200, "s3": 8333, "review": 8000}.items()
}
BUCKET = "sorot"


def _credentials() -> tuple[str, str, str]:
    """S3 keys and the review app's secret, generated once and kept in .stack (mode 0600)."""
    path = STATE / "credentials.json"
    if not path.exists():
        data = {
            "access_key": "sorot",
            "secret_key": secrets.token_urlsafe(24),
            "review_secret": secrets.token_urlsafe(32),
        }
        path.write_text(json.dumps(data))
        path.chmod(0o600)
    data = json.loads(path.read_text())
    return data["access_key"], data["secret_key"], data["review_secret"]


def up() -> None:
    """Start every part, deploy the nightly flow, and print where things are."""
    pids_file = STATE / "pids.json"
    if pids_file.exists():
        sys.exit(f"a stack is already up (see {pids_file}); run `make down` first")
    logs = STATE / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    access, secret, review_secret = _credentials()
    pids: dict[str, int] = {}
    try:
        pg = start_postgres(STATE / "postgres", PORTS["postgres"], logs / "postgres.log")
        pids["postgres"] = pg.process.pid
        for db in ("prefect", "review"):
            pg.createdb(db)
        prefect = start_prefect_server(
            STATE / "prefect",
            PORTS["prefect"],
            pg.url("prefect", driver="asyncpg"),
            logs / "prefect.log",
        )
        pids["prefect"] = prefect.process.pid
        s3 = start_seaweedfs(STATE / "s3", PORTS["s3"], access, secret, logs / "seaweedfs.log")
        pids["seaweedfs"] = s3.process.pid  # type: ignore[union-attr]
        if BUCKET not in {b["Name"] for b in s3.client().list_buckets()["Buckets"]}:
            s3.client().create_bucket(Bucket=BUCKET)

        store = f"s3://{BUCKET}/library"
        env = dict(
            os.environ,
            **s3.env(),
            PREFECT_API_URL=prefect.api_url,
            SOROT_STORE=store,
            SOROT_REVIEW_DB=pg.url("review"),
            SOROT_REVIEW_SECRET=review_secret,
        )
        subprocess.run([str(BIN / "sorot"), "deploy", "--store", store], env=env, check=True)
        worker = spawn(
            [str(BIN / "prefect"), "worker", "start", "--pool", "sorot"], env, logs / "worker.log"
        )
        pids["worker"] = worker.pid
        review = spawn(
            [str(BIN / "sorot"), "review", "serve", "--port", str(PORTS["review"])],
            env,
            logs / "review.log",
        )
        pids["review"] = review.pid
        url = f"http://127.0.0.1:{PORTS['review']}/login"
        wait_until(lambda: urllib.request.urlopen(url, timeout=2).status == 200, review, "review")
    except BaseException:
        _stop(pids)
        raise
    pids_file.write_text(json.dumps(pids, indent=2))
    (STATE / "env").write_text(
        "".join(f"export {k}={env[k]}\n" for k in (*s3.env(), "PREFECT_API_URL", "SOROT_STORE",
                                                     "SOROT_REVIEW_DB"))
    )  # fmt: skip
    (STATE / "env").chmod(0o600)
    print(f"""Sorot stack is up (state in {STATE}):
  PostgreSQL     127.0.0.1:{PORTS["postgres"]}   databases prefect, review
  Prefect UI/API http://127.0.0.1:{PORTS["prefect"]}   deployment nightly/nightly, 01:00 WIB
  SeaweedFS S3   {s3.endpoint}   library {store}
  Worker         process pool 'sorot'   log {logs / "worker.log"}
  Review app     http://127.0.0.1:{PORTS["review"]}   add a user: sorot review user add NAME
Use the CLI against it:  source {STATE / "env"}
Stop it:                 make down""")


def _stop(pids: dict[str, int]) -> list[str]:
    """Stop the given processes, newest first; returns what was stopped."""
    stopped = []
    for name in reversed(list(pids)):
        # Prefect workers shut down cleanly on SIGINT, not SIGTERM; postgres does a fast
        # shutdown on SIGINT too.
        sig = signal.SIGINT if name in ("worker", "postgres") else signal.SIGTERM
        try:
            os.killpg(pids[name], sig)
        except ProcessLookupError:
            continue
        stopped.append(name)
    for name in stopped:
        _wait_gone(pids[name])
    return stopped


def _wait_gone(pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.killpg(pid, signal.SIGKILL)


def down() -> None:
    """Stop exactly what `up` started; data stays in .stack for the next `up`."""
    pids_file = STATE / "pids.json"
    if not pids_file.exists():
        print("no stack is up")
        return
    stopped = _stop(json.loads(pids_file.read_text()))
    pids_file.unlink()
    print(f"stopped: {', '.join(stopped) or 'nothing was still running'}")


if __name__ == "__main__":
    {"up": up, "down": down}[sys.argv[1] if len(sys.argv) > 1 else "up"]()
