"""One object-store interface over fsspec: a local folder (default) or any S3 server.

A store is named by a URL: a plain path (`./sorot-data`) or `s3://bucket/prefix`. For S3
the endpoint comes from `SOROT_S3_ENDPOINT` (or `AWS_ENDPOINT_URL`) and credentials from
the usual `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`; they are never logged.

Every write is atomic: an object is either absent or whole. Locally we write a hidden
temporary file and rename it; on S3 a PUT (or a completed multipart upload) is atomic.
Locally an object is a regular file inside the root, as on S3 it could only be: folders,
FIFOs, devices and links that leave the root are neither listed nor read. Every public
operation follows one retry policy (storage/retry.py): transient failures are retried with
backoff, permanent ones (not found, no space, no permission) are raised at once.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import shutil
import stat
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

import fsspec
from botocore.exceptions import ClientError
from fsspec.asyn import sync
from fsspec.implementations.local import LocalFileSystem

from storage.retry import is_transient, once, retried

CHUNK = 1 << 20


class StoreError(Exception):
    """A storage operation failed for a reason other than a missing object."""


class UnsafeKey(ValueError):
    """A key that would escape the store (absolute, `..`, empty parts)."""


__all__ = ["Store", "StoreError", "UnsafeKey", "check_key", "is_transient"]


def check_key(key: str) -> str:
    """Validate a store key: relative, '/'-separated, no '..' or empty parts."""
    why = (
        "it is empty" if not key
        else "it is absolute" if key.startswith("/")
        else "it contains a backslash" if "\\" in key
        else "it contains a NUL character" if "\x00" in key
        else "it is not valid UTF-8" if any("\ud800" <= ch <= "\udfff" for ch in key)
        else None
    )  # fmt: skip
    parts = PurePosixPath(key).parts
    if why is None and (
        any(p in ("..", ".", "") for p in parts) or len(parts) != key.count("/") + 1
    ):
        why = "it has an empty, '.' or '..' part"
    if why is not None:
        raise UnsafeKey(f"unsafe key {key!r}: {why}")
    return key


def _not_an_object(key: str, why: str) -> FileNotFoundError:
    return FileNotFoundError(errno.ENOENT, f"no object {key!r} ({why})", key)


def _precondition_failed(exc: BaseException) -> bool:
    """Whether an S3 error is a conditional request that did not hold (HTTP 412), from the
    server's response (the code or status), not its wording (SeaweedFS and AWS differ)."""
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ClientError):
        cause = cause.__cause__ or cause.__context__
    if cause is None:
        return False
    response = cause.response or {}
    code = str(response.get("Error", {}).get("Code", ""))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code == "PreconditionFailed" or code == "412" or status == 412


def _conflict(exc: BaseException) -> bool:
    """Whether an S3 conditional write met a concurrent one (409: retry it)."""
    cause = exc.__cause__
    if not isinstance(cause, ClientError):
        return False
    return str(cause.response.get("Error", {}).get("Code", "")) == "ConditionalRequestConflict"


def _s3_options() -> dict[str, object]:
    endpoint = os.environ.get("SOROT_S3_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL")
    opts: dict[str, object] = {}
    if endpoint:
        opts["client_kwargs"] = {"endpoint_url": endpoint}
    # No retries inside the client: the store's one policy retries (storage/retry.py).
    opts["config_kwargs"] = {"retries": {"total_max_attempts": 1, "mode": "standard"}}
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


def _why(exc: BaseException) -> str:
    """What went wrong in a read or write, without the (temporary) paths it involved."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


_IF_MATCH_SUPPORT: dict[tuple[str, str], bool] = {}


async def _get_tagged(fs, bucket: str, key: str) -> tuple[bytes, str]:
    """One GET: the bytes and the ETag of the same version."""
    resp = await fs._call_s3("get_object", Bucket=bucket, Key=key)
    try:
        return await resp["Body"].read(), str(resp["ETag"])
    finally:
        resp["Body"].close()


class Store:
    """An fsspec-backed object store rooted at a URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        if "://" in url and not url.startswith("file://"):
            protocol = url.split("://", 1)[0]
            options = _s3_options() if protocol in ("s3", "s3a") else {}
            self.fs, root = fsspec.url_to_fs(url, **options)
            if hasattr(self.fs, "retries"):
                self.fs.retries = 1  # s3fs's own retry loop: one attempt, the policy retries
            self.root = root.rstrip("/")
            self.is_local = False
            self.is_s3 = protocol in ("s3", "s3a")
        else:
            path = Path(url.removeprefix("file://")).expanduser().resolve()
            self.fs = LocalFileSystem(auto_mkdir=True)
            self.root = str(path)
            self.is_local = True
            self.is_s3 = False

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def path(self, key: str) -> str:
        """Full fsspec path of a key (for local stores, a filesystem path)."""
        return f"{self.root}/{check_key(key)}"

    def key_of(self, full_path: str) -> str:
        """Inverse of `path`: the key for an fsspec path under the root."""
        return full_path[len(self.root) :].lstrip("/")

    # -- reading ---------------------------------------------------------------------------
    def _regular(self, full: str) -> str | None:
        """Why a local path is not an object of this store (None when it is one): an
        object is a regular file inside the root; a directory, FIFO, socket or device, a
        symlink that leaves the root, or a name the filesystem cannot hold is none, as
        such a thing would be none on S3."""
        try:
            real = os.path.realpath(full, strict=True)
            mode = os.stat(real).st_mode
        except FileNotFoundError:
            return "not there"
        except OSError as exc:
            if exc.errno in (errno.ENAMETOOLONG, errno.ENOTDIR, errno.ELOOP):
                return exc.strerror or "not a file"
            raise
        if os.path.commonpath([real, self.root]) != self.root:
            return "a link that leaves the store"
        if not stat.S_ISREG(mode):
            return "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        return None

    def _object(self, key: str) -> str:
        """The full path of the object at key; locally FileNotFoundError unless it is one."""
        full = self.path(key)
        if self.is_local:
            why = self._regular(full)
            if why is not None:
                raise _not_an_object(key, why)
        return full

    @retried
    def exists(self, key: str) -> bool:
        """True when an object exists at key."""
        if self.is_local:
            return self._regular(self.path(key)) is None
        return bool(self.fs.exists(self.path(key)))

    @retried
    def read_bytes(self, key: str, limit: int | None = None) -> bytes:
        """Whole object as bytes (for small objects: manifests, JSON); with `limit`, at
        most its first `limit` bytes (a file of unknown size, read whole only if small)."""
        try:
            return self.fs.cat_file(self._object(key), start=None, end=limit)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise StoreError(f"read {key}: {_why(exc)}") from exc

    def read_text(self, key: str) -> str:
        """Whole object decoded as UTF-8."""
        return self.read_bytes(key).decode("utf-8")

    @retried
    def stamp(self, key: str) -> str:
        """Size and modification marker (ETag on S3, mtime locally) of an object: it changes
        whenever the bytes may have, without reading them."""
        info = self.fs.info(self._object(key))
        marker = info.get("ETag") or info.get("LastModified") or info.get("mtime")
        return f"{info['size']}:{marker}"

    @retried
    def modified(self, key: str) -> float:
        """When an object last changed (unix time): its mtime locally, its upload time on
        S3 (objects there are whole once visible)."""
        info = self.fs.info(self._object(key))
        when = info.get("LastModified") or info.get("mtime") or info.get("last_modified")
        return when.timestamp() if hasattr(when, "timestamp") else float(when)

    @retried
    def size(self, key: str) -> int:
        """Object size in bytes."""
        return int(self.fs.size(self._object(key)))

    @retried
    def open(self, key: str, mode: str = "rb", **options: object):
        """Open an object for streaming reads (seek/range reads on S3); `options` go to
        fsspec (e.g. ``block_size``, ``cache_type="none"`` for one GET per read)."""
        full = self._object(key) if "r" in mode else self.path(key)
        return self.fs.open(full, mode, **options)

    @retried
    def list(self, prefix: str) -> list[str]:
        """Keys of every object under prefix (recursive), sorted; hidden temp files skipped.

        Locally only regular files inside the root are objects: directories linked in are
        not entered, and FIFOs, sockets, devices and links out of the root are not listed.
        """
        base = f"{self.root}/{prefix.strip('/')}" if prefix.strip("/") else self.root
        try:
            found = self._find_local(base) if self.is_local else self.fs.find(base)
        except FileNotFoundError:
            return []
        keys = []
        for full in found:
            key = self.key_of(full)
            if not key or any(part.startswith(".") for part in key.split("/")):
                continue
            keys.append(key)
        return sorted(keys)

    def _find_local(self, base: str) -> list[str]:
        if not os.path.isdir(base):
            return [] if self._regular(base) else [base]
        found = []
        # Links to folders are not entered; an unreadable folder is omitted, as fsspec does.
        for folder, dirs, files in os.walk(base):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            found += [
                full
                for name in files
                if not name.startswith(".")
                for full in [os.path.join(folder, name)]
                if self._regular(full) is None
            ]
        return found

    @retried
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
    @once
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

    @once
    def check_writable(self) -> None:
        """Raise StoreError unless a small object can be written and removed at the root."""
        key = f".sorot-write-check-{uuid.uuid4().hex}"  # hidden: never listed
        try:
            self.put_bytes(key, b"ok")
            self.delete(key)
        except Exception as exc:  # any failure: its reason is what matters
            raise StoreError(f"a test write failed: {_reason(exc)}") from exc

    @retried
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
            self._object(key)
            yield Path(self.path(key))
            return
        suffix = PurePosixPath(key).suffix
        with tempfile.TemporaryDirectory(prefix="sorot-") as tmp:
            dest = Path(tmp) / f"source{suffix}"
            self._download(key, dest)
            yield dest

    @retried
    def _download(self, key: str, dest: Path) -> None:
        """Stream an object into a local file (from the start again on a retry)."""
        with self.open(key) as src, dest.open("wb") as out:
            shutil.copyfileobj(src, out, CHUNK)

    # -- writing ---------------------------------------------------------------------------
    def _write_local(self, key: str, fill: Callable[[Path], None]) -> None:
        """Write through a hidden temp file, synced, then renamed over the final name."""
        final = Path(self.path(key))
        made = [p for p in reversed(final.parents) if not p.exists()]  # outermost first
        tmp = final.with_name(f".{final.name}.tmp-{uuid.uuid4().hex}")
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            fill(tmp)
            with tmp.open("rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except OSError as exc:
            # A failed write leaves nothing: not its temp file, nor the folders made for it.
            with contextlib.suppress(OSError):  # e.g. a read-only disk: there is none
                tmp.unlink(missing_ok=True)
            for folder in reversed(made):
                with contextlib.suppress(OSError):  # not empty: another writer uses it
                    folder.rmdir()
            raise StoreError(f"write {key}: {_why(exc)}") from exc

    @retried
    def put_bytes(self, key: str, data: bytes) -> None:
        """Write an object atomically."""
        if self.is_local:
            self._write_local(key, lambda tmp: tmp.write_bytes(data))
            return
        try:
            self.fs.pipe_file(self.path(key), data)
        except OSError as exc:
            raise StoreError(f"write {key}: {_why(exc)}") from exc

    def put_text(self, key: str, text: str) -> None:
        """Write UTF-8 text atomically."""
        self.put_bytes(key, text.encode("utf-8"))

    @retried
    def put_file(self, key: str, local_path: Path) -> None:
        """Upload a local file atomically (streamed, constant memory)."""
        if self.is_local:
            self._write_local(key, lambda tmp: shutil.copyfile(local_path, tmp))
            return
        try:
            self.fs.put_file(str(local_path), self.path(key))
        except OSError as exc:
            raise StoreError(f"write {key}: {_why(exc)}") from exc

    # -- compare-and-swap: the basis of claims that keep two runs off the same video -------
    # Locally every change of such an object happens under an flock of a hidden file in its
    # folder (released by the kernel when a holder dies), and is itself a temp file renamed
    # into place, so a reader sees the old object or the new one, whole. On S3 the server
    # decides: a PUT with If-None-Match: * or If-Match: <ETag> (where the server honours
    # it; elsewhere an exclusively created marker per replaced version, `_replace_by_marker`).
    @contextlib.contextmanager
    def _locked(self, key: str) -> Iterator[Path]:
        final = Path(self.path(key))
        final.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(final.parent / ".sorot-lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield final
        finally:
            os.close(fd)  # and with it the lock

    @retried
    def create_exclusive(self, key: str, data: bytes) -> bool:
        """Write a whole object only if none exists; False when one already did."""
        if self.is_local:
            with self._locked(key) as final:
                if os.path.lexists(final):
                    return False
                self._write_local(key, lambda tmp: tmp.write_bytes(data))
            return True
        if not self.is_s3:  # another fsspec backend: its own exclusive mode
            try:
                self.fs.pipe_file(self.path(key), data, mode="create")
            except FileExistsError:
                return False
            return True
        return self._put_if(key, data, IfNoneMatch="*")

    @retried
    def read_tagged(self, key: str) -> tuple[bytes, str]:
        """An object and a tag of exactly those bytes (its ETag on S3, a digest locally),
        for `replace_if` / `delete_if`."""
        if not self.is_s3:
            data = self.read_bytes(key)
            return data, hashlib.sha256(data).hexdigest()
        bucket, path, _ = self.fs.split_path(self.path(key))
        try:
            return sync(self.fs.loop, _get_tagged, self.fs, bucket, path)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise StoreError(f"read {key}: {_why(exc)}") from exc

    @retried
    def replace_if(self, key: str, tag: str, data: bytes) -> bool:
        """Overwrite an object only while it is still the one `read_tagged` gave `tag` for;
        False when it changed or went away meanwhile."""
        if self.is_local:
            with self._locked(key):
                if not self._still(key, tag):
                    return False
                self._write_local(key, lambda tmp: tmp.write_bytes(data))
            return True
        if self.is_s3 and self._s3_if_match():
            return self._put_if(key, data, IfMatch=tag)
        return self._replace_by_marker(key, tag, data)

    @retried
    def delete_if(self, key: str, tag: str) -> bool:
        """Remove an object only while it is still the one `read_tagged` gave `tag` for."""
        if self.is_local:
            with self._locked(key):
                if not self._still(key, tag):
                    return False
                self.delete(key)
            return True
        if not self._still(key, tag):
            return False
        # Few S3 servers take If-Match on DELETE: the check above is the guard. Between it
        # and the DELETE only a takeover could replace the object, and a claim is taken
        # over only once its holder (the one deleting it) counts as dead.
        self.delete(key)
        return True

    def _still(self, key: str, tag: str) -> bool:
        """Whether the object at key is still the version `tag` names."""
        try:
            return self.read_tagged(key)[1] == tag
        except FileNotFoundError:
            return False

    def _put_if(self, key: str, data: bytes, **condition: str) -> bool:
        bucket, path, _ = self.fs.split_path(self.path(key))
        for attempt in range(5):
            try:
                self.fs.call_s3("put_object", Bucket=bucket, Key=path, Body=data, **condition)
            except FileExistsError:
                return False  # s3fs's name for a failed If-None-Match on AWS
            except FileNotFoundError:
                return False  # If-Match on an object that is gone
            except OSError as exc:
                if _precondition_failed(exc):
                    return False
                if _conflict(exc) and attempt < 4:
                    time.sleep(0.05 * (attempt + 1))  # a concurrent conditional write
                    continue
                raise StoreError(f"write {key}: {_why(exc)}") from exc
            return True
        raise AssertionError("unreachable")

    def _s3_if_match(self) -> bool:
        """Whether this S3 server honours If-Match on PUT: probed once per server and bucket
        with a hidden object and a tag it cannot have."""
        where = (str(self.fs.client_kwargs.get("endpoint_url")), self.root.split("/", 1)[0])
        if where not in _IF_MATCH_SUPPORT:
            probe = f".sorot-if-match-check-{uuid.uuid4().hex}"
            self.put_bytes(probe, b"1")
            try:
                _IF_MATCH_SUPPORT[where] = not self._put_if(probe, b"2", IfMatch='"0"')
            except StoreError:  # a server that refuses the header outright lacks it too
                _IF_MATCH_SUPPORT[where] = False
            finally:
                self.delete(probe)
        return _IF_MATCH_SUPPORT[where]

    def _replace_by_marker(self, key: str, tag: str, data: bytes) -> bool:
        """`replace_if` for S3 servers without If-Match (and other fsspec backends with an
        exclusive create): the right to replace the version `tag` of an object is itself
        an object created exclusively, so one writer at most gets it for each version. It
        is kept (hidden): a writer that read this version late must still find it taken."""
        folder, _, name = key.rpartition("/")
        marker = f"{folder}/.{name}.replaced-{tag.strip(chr(34))}".lstrip("/")
        if not self.create_exclusive(marker, data):
            return False
        if not self._still(key, tag):
            return False  # released (and maybe claimed anew) since it was read
        self.put_bytes(key, data)
        return True

    @retried
    def delete(self, key: str) -> None:
        """Remove an object if present."""
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self.path(key))
