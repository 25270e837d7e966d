"""Ed25519 signatures over canonical JSON: keys, PEM, sign and verify. No key storage.

Canonical JSON is what makes a signature survive a round trip through any JSON tool:
keys sorted, no whitespace, UTF-8, no NaN/Infinity. A signed document carries its
signature under one field, computed over the document without that field.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "Ed25519"
SIGNATURE_FIELD = "signature"


def generate_private_key() -> Ed25519PrivateKey:
    """A new random signing key."""
    return Ed25519PrivateKey.generate()


def private_key_to_pem(key: Ed25519PrivateKey, password: bytes | None = None) -> bytes:
    """PKCS#8 PEM, encrypted with `password` when given."""
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def private_key_from_pem(data: bytes, password: bytes | None = None) -> Ed25519PrivateKey:
    """Load a PEM private key; ValueError if it is not an Ed25519 key."""
    key = serialization.load_pem_private_key(data, password=password)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def public_key_to_pem(key: Ed25519PublicKey) -> bytes:
    """SubjectPublicKeyInfo PEM."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_key_from_pem(data: bytes) -> Ed25519PublicKey:
    """Load a PEM public key; ValueError if it is not an Ed25519 key."""
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def key_id(key: Ed25519PublicKey) -> str:
    """Short stable name of a public key: first 16 hex chars of SHA-256 of its raw bytes."""
    return fingerprint(key)[:16]


def fingerprint(key: Ed25519PublicKey) -> str:
    """The public key's full fingerprint: hex SHA-256 of its raw bytes (`key_id` is its
    first 16 characters). This is what an office publishes on its own site."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def format_fingerprint(value: str) -> str:
    """A fingerprint in groups of four hex digits, easy to read aloud and compare."""
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def parse_fingerprint(text: str) -> str:
    """Lower-case hex of a typed fingerprint (spaces, colons and a `SHA256:` prefix are
    ignored); ValueError unless it is 16 to 64 hex digits."""
    value = re.sub(r"[\s:]", "", text.strip().lower().removeprefix("sha256:"))
    if not re.fullmatch(r"[0-9a-f]{16,64}", value):
        raise ValueError(f"{text!r} is not a key fingerprint (16 to 64 hex digits)")
    return value


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8; ValueError for NaN or Infinity."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sign_bytes(key: Ed25519PrivateKey, data: bytes) -> str:
    """Base64 (standard alphabet) signature of `data`."""
    return base64.b64encode(key.sign(data)).decode("ascii")


def verify_bytes(key: Ed25519PublicKey, data: bytes, signature: str) -> bool:
    """True when `signature` (base64) is `key`'s signature of `data`."""
    try:
        key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError):
        return False
    return True


def sign_document(
    key: Ed25519PrivateKey, doc: Mapping[str, Any], field: str = SIGNATURE_FIELD
) -> dict[str, Any]:
    """A copy of `doc` with `field` = {algorithm, key_id, value} over the rest of it.

    Any existing `field` is replaced, so re-signing is idempotent.
    """
    body = {k: v for k, v in doc.items() if k != field}
    value = sign_bytes(key, canonical_json(body))
    return {
        **body,
        field: {"algorithm": ALGORITHM, "key_id": key_id(key.public_key()), "value": value},
    }


def verify_document(
    key: Ed25519PublicKey, doc: Mapping[str, Any], field: str = SIGNATURE_FIELD
) -> bool:
    """True when `doc[field]` is a valid signature by `key` of the rest of `doc`."""
    sig = doc.get(field)
    if not isinstance(sig, Mapping) or sig.get("algorithm") != ALGORITHM:
        return False
    value = sig.get("value")
    if not isinstance(value, str):
        return False
    body = {k: v for k, v in doc.items() if k != field}
    try:
        data = canonical_json(body)
    except (TypeError, ValueError):
        return False
    return verify_bytes(key, data, value)
