"""Settings of the review app, from arguments or the environment (`SOROT_REVIEW_*`)."""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

DEFAULT_DB_PATH = "sorot-review.db"


def db_url_of(value: str) -> str:
    """A SQLAlchemy URL from a setting: a URL as given, a plain path as a SQLite file."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def database_url(value: str | None = None) -> str:
    """The database URL: `value` (URL or SQLite path), else SOROT_REVIEW_DB, else the default."""
    return db_url_of(value or os.environ.get("SOROT_REVIEW_DB") or DEFAULT_DB_PATH)


@dataclass(frozen=True)
class ReviewSettings:
    """Everything the app needs; build with `from_env` and override what you like."""

    store: str = "./sorot-data"
    db_url: str = field(default_factory=lambda: db_url_of(DEFAULT_DB_PATH))
    # HMAC key for session tokens at rest and pre-login CSRF tokens. Never logged or shown.
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    session_hours: float = 12.0
    language: str = "id"
    # Set when served over HTTPS (behind a proxy): cookies then carry the Secure flag.
    cookie_secure: bool = False
    export_dir: str | None = None  # temp dir for export zips; None = system temp
    # Failed logins per user name / per client address, refilled evenly over the window.
    login_failures: int = 5
    login_failures_per_address: int = 20
    login_window_seconds: float = 900.0
    # argon2 runs (64 MiB each) at once; a login waits this long for one, then gets 503.
    hash_concurrency: int = 2
    hash_wait_seconds: float = 5.0
    # Clock times on the pages (decisions, comments, runs) are shown in this zone.
    timezone: str = "Asia/Jakarta"
    # The search index (SQLite FTS5 file); None: SOROT_SEARCH_DB or the user's cache folder.
    search_db: str | None = None
    # Addresses of the reverse proxies whose X-Forwarded-For / -Proto headers are believed;
    # empty: none is, and the client address is the socket's peer (no spoofed addresses).
    trusted_proxies: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, **overrides: object) -> ReviewSettings:
        """Settings from the environment, then `overrides` (None values are ignored).

        SOROT_STORE, SOROT_REVIEW_DB (URL or SQLite file path), SOROT_REVIEW_SECRET,
        SOROT_REVIEW_SESSION_HOURS, SOROT_REVIEW_LANGUAGE, SOROT_REVIEW_COOKIE_SECURE,
        SOROT_REVIEW_EXPORT_DIR, SOROT_REVIEW_LOGIN_FAILURES,
        SOROT_REVIEW_LOGIN_FAILURES_PER_ADDRESS, SOROT_REVIEW_LOGIN_WINDOW_SECONDS,
        SOROT_REVIEW_HASH_CONCURRENCY, SOROT_REVIEW_HASH_WAIT_SECONDS, SOROT_REVIEW_TIMEZONE,
        SOROT_REVIEW_TRUSTED_PROXIES (comma-separated addresses).
        """
        env = os.environ
        values: dict[str, object] = {
            "store": env.get("SOROT_STORE", "./sorot-data"),
            "db_url": database_url(),
            "session_hours": float(env.get("SOROT_REVIEW_SESSION_HOURS", "12")),
            "language": env.get("SOROT_REVIEW_LANGUAGE", "id"),
            "cookie_secure": env.get("SOROT_REVIEW_COOKIE_SECURE", "") in ("1", "true", "yes"),
            "export_dir": env.get("SOROT_REVIEW_EXPORT_DIR") or None,
            "timezone": env.get("SOROT_REVIEW_TIMEZONE") or "Asia/Jakarta",
            "trusted_proxies": tuple(
                p.strip()
                for p in env.get("SOROT_REVIEW_TRUSTED_PROXIES", "").split(",")
                if p.strip()
            ),
        }
        numbers = {
            "login_failures": ("SOROT_REVIEW_LOGIN_FAILURES", int),
            "login_failures_per_address": ("SOROT_REVIEW_LOGIN_FAILURES_PER_ADDRESS", int),
            "login_window_seconds": ("SOROT_REVIEW_LOGIN_WINDOW_SECONDS", float),
            "hash_concurrency": ("SOROT_REVIEW_HASH_CONCURRENCY", int),
            "hash_wait_seconds": ("SOROT_REVIEW_HASH_WAIT_SECONDS", float),
        }
        for key, (name, kind) in numbers.items():
            if env.get(name):
                try:
                    values[key] = kind(env[name])
                except ValueError:
                    raise ValueError(f"{name} must be a number, not {env[name]!r}") from None
        secret = env.get("SOROT_REVIEW_SECRET")
        if secret:
            values["secret"] = secret
        else:
            # A per-process secret still keeps everything safe; sessions just end on restart.
            log.warning("SOROT_REVIEW_SECRET is not set: sessions will end when the app restarts")
        for key, value in overrides.items():
            if value is not None:
                values[key] = db_url_of(str(value)) if key == "db_url" else value
        settings = cls(**values)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse settings that would be unsafe or unusable."""
        if len(self.secret) < 32:
            raise ValueError("SOROT_REVIEW_SECRET must be at least 32 characters")
        if self.language not in ("id", "en"):
            raise ValueError(f"language must be 'id' or 'en', not {self.language!r}")
        if self.session_hours <= 0:
            raise ValueError("session_hours must be positive")
        if min(self.login_failures, self.login_failures_per_address, self.hash_concurrency) < 1:
            raise ValueError("login failure limits and hash concurrency must be at least 1")
        if self.login_window_seconds <= 0 or self.hash_wait_seconds < 0:
            raise ValueError("the login window must be positive and the hash wait >= 0")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"SOROT_REVIEW_TIMEZONE must be an IANA zone such as Asia/Jakarta, "
                f"not {self.timezone!r}"
            ) from None
