"""Ed25519 over canonical JSON: round trips, tampering, wrong keys."""

from __future__ import annotations

import pytest

from models.provenance import signing


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert signing.canonical_json({"b": 1, "a": [1.5, "é"]}) == '{"a":[1.5,"é"],"b":1}'.encode()
    with pytest.raises(ValueError):
        signing.canonical_json({"x": float("nan")})


def test_keys_round_trip_through_pem_with_and_without_password() -> None:
    key = signing.generate_private_key()
    for password in (None, b"rahasia"):
        pem = signing.private_key_to_pem(key, password)
        again = signing.private_key_from_pem(pem, password)
        assert signing.key_id(again.public_key()) == signing.key_id(key.public_key())
    public = signing.public_key_from_pem(signing.public_key_to_pem(key.public_key()))
    assert signing.key_id(public) == signing.key_id(key.public_key())


def test_signed_document_verifies_and_detects_any_change() -> None:
    key = signing.generate_private_key()
    doc = {"video_id": "abc", "artifacts": {"t": {"sha256": "00", "bytes": 3}}, "n": 1.25}
    signed = signing.sign_document(key, doc)
    assert signing.verify_document(key.public_key(), signed)
    # Key order and re-serialisation do not matter; content does.
    assert signing.verify_document(key.public_key(), dict(reversed(list(signed.items()))))
    assert not signing.verify_document(key.public_key(), {**signed, "n": 1.26})
    assert not signing.verify_document(signing.generate_private_key().public_key(), signed)
    assert not signing.verify_document(key.public_key(), doc)  # unsigned
    assert signing.sign_document(key, signed) == signed  # re-signing replaces, same bytes


def test_garbage_signature_is_false_not_an_error() -> None:
    key = signing.generate_private_key()
    assert not signing.verify_bytes(key.public_key(), b"x", "not base64!")
    bad = {"a": 1, "signature": {"algorithm": "Ed25519", "value": "AAAA"}}
    assert not signing.verify_document(key.public_key(), bad)


def test_non_ed25519_pem_is_rejected() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    other = ec.generate_private_key(ec.SECP256R1())
    from cryptography.hazmat.primitives import serialization

    pem = other.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(ValueError):
        signing.private_key_from_pem(pem)
