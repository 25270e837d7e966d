"""The one retry policy of every read and write of the store.

Transient failures are the network's or the server's: a refused or reset connection, a
timeout, an HTTP 5xx, throttling (SlowDown). They are retried with backoff long enough to
ride out a short outage (about a minute in all). Everything else is permanent and raised at
once: a missing object, a full disk (ENOSPC), no permission, a read-only filesystem, a bad
key, an HTTP 4xx; retrying those only delays the same answer.

`Store` applies the policy to each of its public operations (the outermost one only, so an
operation built of others is retried whole, not at every level); the S3 client's own
retries are off, so nothing else retries underneath.
"""

from __future__ import annotations

import errno
import functools
import logging
import threading
import time
from collections.abc import Callable
from http.client import IncompleteRead
from typing import ParamSpec, TypeVar

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.parsers import ResponseParserError

log = logging.getLogger(__name__)

# Seconds to wait before each retry: 60 s in all, so a 30 s outage is ridden out.
RETRY_DELAYS: tuple[float, ...] = (1, 2, 4, 8, 15, 30)

_TRANSIENT_ERRNOS = frozenset(
    {
        errno.ETIMEDOUT, errno.ECONNRESET, errno.ECONNREFUSED, errno.ECONNABORTED,
        errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ENETDOWN, errno.ENETRESET, errno.EPIPE,
    }
)  # fmt: skip
_TRANSIENT_CODES = frozenset(
    {
        "SlowDown", "RequestTimeout", "ServiceUnavailable", "InternalError", "Throttling",
        "ThrottlingException", "RequestLimitExceeded", "TooManyRequests",
    }
)  # fmt: skip


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and everything it was raised from or during, innermost last."""
    chain, seen = [], set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    return chain


def _transient_one(exc: BaseException) -> bool | None:
    """True/False when this exception alone decides, None when its causes must."""
    if isinstance(exc, ClientError):
        response = exc.response or {}
        code = str(response.get("Error", {}).get("Code", ""))
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return code in _TRANSIENT_CODES or int(status) >= 500 or code.startswith("5")
    if isinstance(exc, (BotoConnectionError, HTTPClientError, IncompleteRead)):
        return True  # no connection, closed connection, read or connect timeout
    if isinstance(exc, ResponseParserError):
        return True  # what throttling servers sometimes answer instead of XML
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc.errno in _TRANSIENT_ERRNOS
    if type(exc).__module__.startswith("aiohttp"):
        return True  # the HTTP client beneath s3fs: connection, payload, disconnects
    return None


def is_transient(exc: BaseException) -> bool:
    """Whether a failure is worth a retry: the network's or the server's, not the input's.

    The innermost decisive cause wins: an OSError that s3fs made of a 503 is transient, a
    StoreError wrapping ENOSPC or a 403 is permanent, a FileNotFoundError always is.
    """
    if isinstance(exc, FileNotFoundError):
        return False
    for cause in reversed(_causes(exc)):
        decided = _transient_one(cause)
        if decided is not None:
            return decided
    return False


P = ParamSpec("P")
R = TypeVar("R")
_active = threading.local()  # whether this thread is already inside a retried operation


def retried(operation: Callable[P, R]) -> Callable[P, R]:
    """Apply the policy to a store operation: transient failures are retried after each of
    `RETRY_DELAYS`; permanent ones, and the last transient one, are raised. Operations it
    calls run once inside it (the outer one is retried whole)."""

    @functools.wraps(operation)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if getattr(_active, "depth", 0):
            return operation(*args, **kwargs)
        for delay in (*RETRY_DELAYS, None):
            _active.depth = 1
            try:
                return operation(*args, **kwargs)
            except Exception as exc:
                if delay is None or not is_transient(exc):
                    raise
                log.warning("store %s failed (%s); retrying in %g s", operation.__name__,
                            type(exc).__name__, delay)  # fmt: skip
            finally:
                _active.depth = 0
            time.sleep(delay)
        raise AssertionError("unreachable")

    return run


def once(operation: Callable[P, R]) -> Callable[P, R]:
    """Run a store operation with no retries at all, nor in what it calls (checks before
    a run: an endpoint that does not answer now is reported now)."""

    @functools.wraps(operation)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        outer = getattr(_active, "depth", 0)
        _active.depth = outer + 1
        try:
            return operation(*args, **kwargs)
        finally:
            _active.depth = outer

    return run
