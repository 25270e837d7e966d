"""Start the real servers Sorot runs against, on loopback: SeaweedFS S3, PostgreSQL,
Prefect, Dask. Used by the tests (throwaway instances on free ports) and by `make up`
(a long-lived stack whose processes outlive the command that started them).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import boto3

BIN = Path(sys.executable).parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(
    args: list[str], env: dict[str, str] | None = None, log: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start a server process in its own session (so it survives its parent if asked)."""
    out = log.open("ab") if log is not None else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        if log is not None:
            out.close()  # type: ignore[union-attr]


def wait_until(
    ready: Callable[[], bool], proc: subprocess.Popen[bytes], what: str, timeout: float = 60
) -> None:
    """Poll `ready` until it is true; fail early if the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except Exception:  # not up yet: connection refused, 503, ...
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited during start (code {proc.returncode})")
        time.sleep(0.3)
    raise RuntimeError(f"{what} not ready within {timeout:.0f} s")


def stop_process(proc: subprocess.Popen[bytes], sig: int = 15, timeout: float = 20) -> None:
    """Signal a process and wait for it; kill it if it does not go."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass
class S3Server:
    """A running SeaweedFS `weed mini`, its S3 endpoint and credentials."""

    endpoint: str
    access_key: str
    secret_key: str
    args: list[str]
    log: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def env(self) -> dict[str, str]:
        """Environment variables that point Sorot (and boto3) at this server."""
        return {
            "SOROT_S3_ENDPOINT": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def client(self):
        """A boto3 client for direct checks."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
        )

    def start(self) -> None:
        """(Re)start with the same ports and data, and wait until S3 answers."""
        self.process = spawn(self.args, log=self.log)
        wait_until(lambda: bool(self.client().list_buckets()), self.process, "SeaweedFS S3", 30)

    def stop(self) -> None:
        """Stop the server (data stays on disk, so `start` again resumes it)."""
        if self.process is not None:
            stop_process(self.process)


def start_seaweedfs(
    workdir: Path,
    s3_port: int | None = None,
    access_key: str = "sorot-test",
    secret_key: str = "sorot-test-secret",
    log: Path | None = None,
) -> S3Server:
    """`weed mini` bound to 127.0.0.1 (S3 on `s3_port`, other ports free), one access key."""
    weed = shutil.which("weed") or str(BIN / "weed")
    data = workdir / "weed-data"
    data.mkdir(parents=True, exist_ok=True)
    config = workdir / "s3.json"
    identity = {"accessKey": access_key, "secretKey": secret_key}
    actions = ["Admin", "Read", "Write", "List", "Tagging"]
    config.write_text(
        json.dumps(
            {"identities": [{"name": "sorot", "credentials": [identity], "actions": actions}]}
        )
    )
    config.chmod(0o600)
    s3_port = s3_port or free_port()
    ports = {p: free_port() for p in ("master", "filer", "volume", "admin", "debug")}
    args = [
        weed, "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-s3.config={config}", "-webdav=false", "-admin.ui=false", f"-s3.port={s3_port}",
        *(f"-{name}.port={port}" for name, port in ports.items()),
    ]  # fmt: skip
    server = S3Server(f"http://127.0.0.1:{s3_port}", access_key, secret_key, args, log)
    server.start()
    return server


@dataclass
class PrefectServer:
    """A running `prefect server start` on loopback."""

    api_url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """Stop the server."""
        stop_process(self.process)


def start_prefect_server(
    home: Path, port: int | None = None, database_url: str | None = None, log: Path | None = None
) -> PrefectServer:
    """A real Prefect API server (SQLite in `home`, or PostgreSQL by URL), once healthy."""
    port = port or free_port()
    env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.pop("PREFECT_API_URL", None)
    if database_url:
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = database_url
    proc = spawn(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env,
        log,
    )
    api = f"http://127.0.0.1:{port}/api"

    def healthy() -> bool:
        with urllib.request.urlopen(f"{api}/health", timeout=2) as r:
            return r.status == 200

    wait_until(healthy, proc, "prefect server", 120)
    return PrefectServer(api, proc)


@dataclass
class DaskCluster:
    """A `dask scheduler` and worker processes on loopback."""

    address: str
    processes: list[subprocess.Popen[bytes]]

    def stop(self) -> None:
        """Stop workers, then the scheduler."""
        for proc in reversed(self.processes):
            stop_process(proc)


def start_dask(workers: int, env: dict[str, str]) -> DaskCluster:
    """A scheduler and `workers` single-threaded worker processes (with `env`)."""
    from distributed import Client

    dask = str(BIN / "dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [
        spawn([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
               "--dashboard-address", f"127.0.0.1:{free_port()}"], env)
    ]  # fmt: skip
    procs += [
        spawn([dask, "worker", address, "--nthreads", "1", "--nworkers", "1",
               "--host", "127.0.0.1", "--no-dashboard", "--name", f"w{i}"], env)
        for i in range(workers)
    ]  # fmt: skip

    def all_workers() -> bool:
        with Client(address, timeout=5) as client:
            return len(client.scheduler_info()["workers"]) == workers

    try:
        wait_until(all_workers, procs[0], "dask cluster", 60)
    except RuntimeError:
        DaskCluster(address, procs).stop()
        raise
    return DaskCluster(address, procs)


@dataclass
class Postgres:
    """A PostgreSQL 15 cluster in a folder, on a loopback port."""

    base: Path
    port: int
    process: subprocess.Popen[bytes]

    def url(self, database: str, driver: str = "psycopg") -> str:
        """SQLAlchemy URL of a database in this cluster."""
        return f"postgresql+{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def createdb(self, name: str) -> None:
        """Create a database (no error when it exists)."""
        subprocess.run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             name],
            capture_output=True,
        )  # fmt: skip

    def stop(self) -> None:
        """Fast shutdown (running transactions are rolled back, data kept)."""
        subprocess.run(
            _as_postgres(PG_BIN / "pg_ctl", "stop", "-D", self.base / "data", "-m", "fast"),
            capture_output=True,
        )
        stop_process(self.process, timeout=30)


def _as_postgres(*args: str | Path) -> list[str]:
    # initdb and postgres refuse to run as root: drop to the postgres user when we are root.
    cmd = [str(a) for a in args]
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def start_postgres(base: Path, port: int | None = None, log: Path | None = None) -> Postgres:
    """Initialise (once) and start a cluster in `base/data`; trust auth on loopback only.

    `base` must be enterable by the postgres user (not under a root-only temp dir).
    """
    if not (PG_BIN / "initdb").exists():
        raise RuntimeError(
            f"PostgreSQL 15 server binaries are required at {PG_BIN} "
            "(Debian: apt-get install postgresql-15; `make setup` installs it)"
        )
    data = base / "data"
    base.mkdir(parents=True, exist_ok=True)
    base.chmod(0o755)
    if not (data / "PG_VERSION").exists():
        data.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(base, "postgres")
            shutil.chown(data, "postgres")
        subprocess.run(
            _as_postgres(PG_BIN / "initdb", "-D", data, "-U", "postgres", "--auth=trust",
                         "-E", "UTF8"),
            check=True,
            capture_output=True,
        )  # fmt: skip
    port = port or free_port()
    proc = spawn(
        _as_postgres(PG_BIN / "postgres", "-D", data, "-k", base, "-p", port, "-h", "127.0.0.1"),
        log=log,
    )

    def ready() -> bool:
        check = [str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)]
        return subprocess.run(check, capture_output=True).returncode == 0

    wait_until(ready, proc, "postgres", 30)
    return Postgres(base, port, proc)
