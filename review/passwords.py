"""Password hashing: argon2id (argon2-cffi defaults, RFC 9106 low-memory profile).

Parameters: time cost 3, memory 64 MiB, parallelism 4, 16-byte salt, 32-byte hash; they are
stored inside each hash string, so raising them later re-hashes at the next login.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
# Verified when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("sorot-dummy-password")

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    """An argon2id hash string of a password."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"password must have at least {MIN_LENGTH} characters")
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; constant effort when there is no stored hash."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(stored_hash)
