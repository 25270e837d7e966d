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


def test_fingerprints_are_the_full_hash_and_parse_as_typed() -> None:
    key = signing.generate_private_key().public_key()
    fp = signing.fingerprint(key)
    assert len(fp) == 64 and fp.startswith(signing.key_id(key))
    shown = signing.format_fingerprint(fp)
    assert len(shown.split()) == 16
    # As an office might print it: grouped, colon-separated, upper case, with a prefix.
    for typed in (shown, fp.upper(), "SHA256:" + ":".join(shown.split()), fp[:16]):
        assert fp.startswith(signing.parse_fingerprint(typed))
    for bad in ("", "abc", "zz" * 16, fp[:15]):
        with pytest.raises(ValueError):
            signing.parse_fingerprint(bad)


def test_the_first_check_makes_the_key_later_ones_find_it(tmp_path, monkeypatch) -> None:
    from app.signing import check_signing_key, signing_note
    from storage.keys import key_offices, public_key_from_file, public_keys
    from storage.store import Store

    path = tmp_path / "office" / "signing-key.pem"
    monkeypatch.setenv("SOROT_SIGNING_KEY_FILE", str(path))
    store = Store(str(tmp_path / "store"))
    missing = check_signing_key(store)
    assert not missing.usable and str(path) in (missing.problem or "") and not path.exists()
    assert signing_note(missing, allow_unsigned=True).startswith("UNSIGNED (allowed")
    made = check_signing_key(store, create=True)
    assert made.created and made.usable and path.stat().st_mode & 0o077 == 0
    again = check_signing_key(store, create=True)
    assert not again.created and again.fingerprint == made.fingerprint
    assert made.key_id in public_keys(store)  # the public half is published in the store
    assert signing.fingerprint(public_key_from_file(path)) == made.fingerprint
    assert made.key_id in signing_note(again, allow_unsigned=False)
    assert key_offices(store) == {}

    path.write_text("not a key")
    broken = check_signing_key(store, create=True)
    assert not broken.usable and "not an unencrypted Ed25519 PEM" in (broken.problem or "")
    assert path.read_text() == "not a key"  # a broken key is never replaced silently
    with pytest.raises(ValueError):
        public_key_from_file(path)


def test_a_key_file_that_cannot_be_read_is_a_clear_problem(tmp_path, monkeypatch) -> None:
    from app.signing import check_signing_key
    from storage.store import Store

    folder = tmp_path / "signing-key.pem"
    folder.mkdir()  # a folder where the key should be: reading fails like a bad permission
    monkeypatch.setenv("SOROT_SIGNING_KEY_FILE", str(folder))
    check = check_signing_key(Store(str(tmp_path / "store")), create=True)
    assert not check.usable and "cannot be read" in (check.problem or "")
