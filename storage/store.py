"""One object-store interface over fsspec: a local folder (default) or any S3 server.

A store is named by a URL: a plain path (`./sorot-data`) or `s3://bucket/prefix`. For S3
the endpoint comes from `SOROT_S3_ENDPOINT` (or `AWS_ENDPOINT_URL`) and credentials from
the usual `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`; they are never logged.

Every write is atomic: an object is either absent or whole. Locally we write a hidden
temporary file and rename it; on S3 a PUT (or a completed multipart upload) is atomic.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

import fsspec
from botocore.exceptions import BotoCoreError
from fsspec.implementations.local import LocalFileSystem

CHUNK = 1 << 20


class StoreError(Exception):
    """A storage operation failed for a reason other than a missing object."""


class UnsafeKey(ValueError):
    """A key that would escape the store (absolute, `..`, empty parts)."""


def is_transient(exc: BaseException) -> bool:
    """Whether a failure is the store's or the network's (worth a retry), not a missing
    object or bad input."""
    if isinstance(exc, FileNotFoundError):
        return False
    return isinstance(exc, (StoreError, OSError, BotoCoreError))


def check_key(key: str) -> str:
    """Validate a store key: relative, '/'-separated, no '..' or empty parts."""
    if not key or key.startswith("/") or "\\" in key or "\x00" in key:
        raise UnsafeKey(f"unsafe key: {key!r}")
    parts = PurePosixPath(key).parts
    if any(p in ("..", ".", "") for p in parts) or len(parts) != key.count("/") + 1:
        raise UnsafeKey(f"unsafe key: {key!r}")
    return key


def _s3_options() -> dict[str, object]:
    endpoint = os.environ.get("SOROT_S3_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL")
    opts: dict[str, object] = {}
    if endpoint:
        opts["client_kwargs"] = {"endpoint_url": endpoint}
    # Small retries inside the client; the flows add task-level retries with backoff.
    opts["config_kwargs"] = {"retries": {"max_attempts": 3, "mode": "standard"}}
    # Listings must be fresh: several processes (runs, workers, the review app) share a bucket.
    opts["use_listings_cache"] = False
    return opts


def _reason(exc: BaseException) -> str:
    """One line a user can act on: the innermost cause's message, without the traceback."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror} ({exc.filename})" if exc.filename else exc.strerror
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


class Store:
    """An fsspec-backed object store rooted at a URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        if "://" in url and not url.startswith("file://"):
            protocol = url.split("://", 1)[0]
            options = _s3_options() if protocol in ("s3", "s3a") else {}
            self.fs, root = fsspec.url_to_fs(url, **options)
            self.root = root.rstrip("/")
            self.is_local = False
        else:
            path = Path(url.removeprefix("file://")).expanduser().resolve()
            self.fs = LocalFileSystem(auto_mkdir=True)
            self.root = str(path)
            self.is_local = True

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def path(self, key: str) -> str:
        """Full fsspec path of a key (for local stores, a filesystem path)."""
        return f"{self.root}/{check_key(key)}"

    def key_of(self, full_path: str) -> str:
        """Inverse of `path`: the key for an fsspec path under the root."""
        return full_path[len(self.root) :].lstrip("/")

    # -- reading ---------------------------------------------------------------------------
    def exists(self, key: str) -> bool:
        """True when an object exists at key."""
        return bool(self.fs.exists(self.path(key)))

    def read_bytes(self, key: str) -> bytes:
        """Whole object as bytes (for small objects: manifests, JSON)."""
        try:
            return self.fs.cat_file(self.path(key))
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise StoreError(f"read {key}: {exc}") from exc

    def read_text(self, key: str) -> str:
        """Whole object decoded as UTF-8."""
        return self.read_bytes(key).decode("utf-8")

    def stamp(self, key: str) -> str:
        """Size and modification marker (ETag on S3, mtime locally) of an object: it changes
        whenever the bytes may have, without reading them."""
        info = self.fs.info(self.path(key))
        marker = info.get("ETag") or info.get("LastModified") or info.get("mtime")
        return f"{info['size']}:{marker}"

    def size(self, key: str) -> int:
        """Object size in bytes."""
        return int(self.fs.size(self.path(key)))

    def open(self, key: str, mode: str = "rb", **options: object):
        """Open an object for streaming reads (seek/range reads on S3); `options` go to
        fsspec (e.g. ``block_size``, ``cache_type="none"`` for one GET per read)."""
        return self.fs.open(self.path(key), mode, **options)

    def list(self, prefix: str) -> list[str]:
        """Keys of every object under prefix (recursive), sorted; hidden temp files skipped."""
        base = f"{self.root}/{prefix.strip('/')}" if prefix.strip("/") else self.root
        try:
            found = self.fs.find(base)
        except FileNotFoundError:
            return []
        keys = []
        for full in found:
            key = self.key_of(full)
            if not key or any(part.startswith(".") for part in key.split("/")):
                continue
            keys.append(key)
        return sorted(keys)

    def children(self, prefix: str) -> list[str]:
        """Names of the immediate sub-folders of prefix (e.g. video ids under library/)."""
        base = f"{self.root}/{prefix.strip('/')}"
        try:
            entries = self.fs.ls(base, detail=True)
        except FileNotFoundError:
            return []
        return sorted(
            e["name"].rstrip("/").rsplit("/", 1)[-1] for e in entries if e["type"] == "directory"
        )

    # -- checks before a run does any work -------------------------------------------------
    def check_readable(self) -> None:
        """Raise StoreError unless the store's root exists and can be listed.

        A missing local folder (a camera card that is not mounted) or an S3 endpoint that
        does not answer is reported here, before a night reads "0 inputs" from it.
        """
        if self.is_local:
            root = Path(self.root)
            if not root.is_dir():
                raise StoreError(f"there is no folder {root}")
            if not os.access(root, os.R_OK | os.X_OK):
                raise StoreError(f"permission denied on {root}")
            return
        try:
            self.fs.ls(self.root)
        except FileNotFoundError:
            return  # an empty prefix is an empty folder on S3
        except Exception as exc:  # any failure: its reason is what matters
            raise StoreError(f"listing failed: {_reason(exc)}") from exc

    def check_writable(self) -> None:
        """Raise StoreError unless a small object can be written and removed at the root."""
        key = f".sorot-write-check-{uuid.uuid4().hex}"  # hidden: never listed
        try:
            self.put_bytes(key, b"ok")
            self.delete(key)
        except Exception as exc:  # any failure: its reason is what matters
            raise StoreError(f"a test write failed: {_reason(exc)}") from exc

    def sha256(self, key: str) -> tuple[str, int]:
        """Streamed SHA-256 and size of an object (constant memory)."""
        with self.open(key) as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest(), self.size(key)

    @contextlib.contextmanager
    def local_file(self, key: str) -> Iterator[Path]:
        """A local path holding the object, for decoders that need a real file.

        Local stores give the file itself; remote ones stream it to a temporary file that is
        removed afterwards.
        """
        if self.is_local:
            yield Path(self.path(key))
            return
        suffix = PurePosixPath(key).suffix
        with tempfile.TemporaryDirectory(prefix="sorot-") as tmp:
            dest = Path(tmp) / f"source{suffix}"
            with self.open(key) as src, dest.open("wb") as out:
                shutil.copyfileobj(src, out, CHUNK)
            yield dest

    # -- writing ---------------------------------------------------------------------------
    def _write_local(self, key: str, fill: Callable[[Path], None]) -> None:
        """Write through a hidden temp file, synced, then renamed over the final name."""
        final = Path(self.path(key))
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".{final.name}.tmp-{uuid.uuid4().hex}")
        try:
            fill(tmp)
            with tmp.open("rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"write {key}: {exc}") from exc

    def put_bytes(self, key: str, data: bytes) -> None:
        """Write an object atomically."""
        if self.is_local:
            self._write_local(key, lambda tmp: tmp.write_bytes(data))
            return
        try:
            self.fs.pipe_file(self.path(key), data)
        except OSError as exc:
            raise StoreError(f"write {key}: {exc}") from exc

    def put_text(self, key: str, text: str) -> None:
        """Write UTF-8 text atomically."""
        self.put_bytes(key, text.encode("utf-8"))

    def put_file(self, key: str, local_path: Path) -> None:
        """Upload a local file atomically (streamed, constant memory)."""
        if self.is_local:
            self._write_local(key, lambda tmp: shutil.copyfile(local_path, tmp))
            return
        try:
            self.fs.put_file(str(local_path), self.path(key))
        except OSError as exc:
            raise StoreError(f"write {key}: {exc}") from exc

    def create_exclusive(self, key: str, data: bytes) -> bool:
        """Write an object only if none exists; False when it already did.

        Locally O_EXCL; on S3 a conditional PUT (If-None-Match: *), which AWS and
        SeaweedFS honour. The basis of claims that keep two runs off the same video.
        """
        if self.is_local:
            final = Path(self.path(key))
            final.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                return False
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            return True
        try:
            self.fs.pipe_file(self.path(key), data, mode="create")
        except FileExistsError:
            return False
        except OSError as exc:
            if "precondition" in str(exc).lower():
                return False
            raise StoreError(f"create {key}: {exc}") from exc
        return True

    def delete(self, key: str) -> None:
        """Remove an object if present."""
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self.path(key))
