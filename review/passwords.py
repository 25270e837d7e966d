"""Password hashing: argon2id (argon2-cffi defaults, RFC 9106 low-memory profile).

Parameters: time cost 3, memory 64 MiB, parallelism 4, 16-byte salt, 32-byte hash; they are
stored inside each hash string, so raising them later re-hashes at the next login.

Each hash or check takes 64 MiB and ~0.1 s of every core, so the web app bounds how many
run at once (`HashingSlots`); 30 logins at once would otherwise take ~2 GiB.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Iterator

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
# Verified when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("sorot-dummy-password")

MIN_LENGTH = 10


class HashingBusy(RuntimeError):
    """Every hashing slot stayed taken for the whole wait: try again shortly."""


class HashingSlots:
    """At most `concurrency` argon2 computations at once; others wait up to `wait_seconds`
    for a slot, then get HashingBusy (the web app answers 503)."""

    def __init__(self, concurrency: int = 2, wait_seconds: float = 5.0) -> None:
        if concurrency < 1 or wait_seconds < 0:
            raise ValueError("hashing concurrency must be >= 1 and the wait >= 0")
        self.concurrency = concurrency
        self.wait_seconds = wait_seconds
        self._slots = threading.BoundedSemaphore(concurrency)

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the block (called from worker threads, never the event loop)."""
        if not self._slots.acquire(timeout=self.wait_seconds):
            raise HashingBusy(f"all {self.concurrency} password-hashing slots busy")
        try:
            yield
        finally:
            self._slots.release()

    @contextlib.asynccontextmanager
    async def waited(self, poll_seconds: float = 0.02) -> AsyncIterator[None]:
        """The same slot, waited for in the event loop: a login in the queue holds no
        worker thread (the pages need those)."""
        deadline = time.monotonic() + self.wait_seconds
        while not self._slots.acquire(blocking=False):
            if time.monotonic() >= deadline:
                raise HashingBusy(f"all {self.concurrency} password-hashing slots busy")
            await asyncio.sleep(poll_seconds)
        try:
            yield
        finally:
            self._slots.release()


@contextlib.contextmanager
def _held(slots: HashingSlots | None) -> Iterator[None]:
    if slots is None:  # the CLI: one user, one hash
        yield
    else:
        with slots.slot():
            yield


def hash_password(password: str, slots: HashingSlots | None = None) -> str:
    """An argon2id hash string of a password (inside one of `slots` when given)."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"password must have at least {MIN_LENGTH} characters")
    with _held(slots):
        return _HASHER.hash(password)


def verify_password(
    stored_hash: str | None, password: str, slots: HashingSlots | None = None
) -> bool:
    """Whether `password` matches; constant effort when there is no stored hash."""
    with _held(slots):
        try:
            return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(stored_hash)
