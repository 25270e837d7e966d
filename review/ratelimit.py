"""The app's one rate-limit mechanism: a token bucket per key (a client address, a user).

The public verification page spends a token per upload; the login form spends one per
attempt and gives it back when the attempt succeeds, so only failures count. Buckets are
in memory and per process: behind several workers each has its own. Only the event loop
touches them, so they need no lock.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from starlette.types import Scope

# Past this many keys, buckets that have refilled (same as new) are forgotten.
MAX_BUCKETS = 10_000


def client_address(scope: Scope) -> str:
    """The client's address: the socket peer, or the X-Forwarded-For of a proxy that
    `ReviewSettings.trusted_proxies` names (uvicorn rewrites the peer only for those)."""
    client = scope.get("client")
    return client[0] if client else "unknown"


class RateLimiter:
    """A token bucket per key: `count` tokens, refilled evenly over `seconds`."""

    def __init__(self, count: int, seconds: float, max_buckets: int = MAX_BUCKETS) -> None:
        self.count = count
        self.rate = count / seconds  # tokens per second
        self.max_buckets = max_buckets
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def _tokens(self, key: str, now: float) -> float:
        tokens, then = self._buckets.get(key, (float(self.count), now))
        return min(float(self.count), tokens + (now - then) * self.rate)

    def take(self, key: str) -> float:
        """Spend a token: 0 when allowed, else the seconds until one is available."""
        now = time.monotonic()
        if len(self._buckets) > self.max_buckets:
            self._forget_full(now)
        tokens = self._tokens(key, now)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate

    def give_back(self, key: str) -> None:
        """Return a token spent by `take` (what it paid for did not count)."""
        now = time.monotonic()
        self._buckets[key] = (min(float(self.count), self._tokens(key, now) + 1.0), now)

    def reset(self, key: str) -> None:
        """A full bucket again for `key`."""
        self._buckets.pop(key, None)

    def _forget_full(self, now: float) -> None:
        self._buckets = {
            key: (tokens, then)
            for key, (tokens, then) in self._buckets.items()
            if tokens + (now - then) * self.rate < self.count
        }


@dataclass
class LoginLimits:
    """Failed logins per user name and per client address (each its own bucket).

    `attempt` is asked before the password is checked (no argon2 work once over the limit);
    `succeeded` gives the tokens back and clears the user's failures; `not_checked` gives
    them back when the check never ran (the hashing slots were busy).
    """

    per_user: int = 5
    per_address: int = 20
    seconds: float = 900.0
    users: RateLimiter = field(init=False)
    addresses: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.users = RateLimiter(self.per_user, self.seconds)
        self.addresses = RateLimiter(self.per_address, self.seconds)

    def attempt(self, username: str, address: str) -> float:
        """0 when this attempt may be checked (its tokens spent), else seconds to wait."""
        wait = self.addresses.take(address)
        if wait > 0:
            return wait
        wait = self.users.take(username)
        if wait > 0:
            self.addresses.give_back(address)  # refused before any work: not a failure
        return wait

    def succeeded(self, username: str, address: str) -> None:
        """The password was right: the attempt was no failure."""
        self.addresses.give_back(address)
        self.users.reset(username)

    def not_checked(self, username: str, address: str) -> None:
        """The password was never checked: give both tokens back."""
        self.addresses.give_back(address)
        self.users.give_back(username)
