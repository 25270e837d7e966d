"""Signing keys: the private key stays outside the library; public keys are published in it.

The private key (Ed25519, PEM) comes from `SOROT_SIGNING_KEY` (the PEM text itself) or
`SOROT_SIGNING_KEY_FILE` (a path), else `~/.config/sorot/signing-key.pem` when that exists.
It is never written to the store or logged. Public keys live at `keys/<key_id>.pem`, so
anyone holding the store can check manifests, including after the key is rotated.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from models.provenance.credentials import (
    CredentialSigner,
    create_self_signed_credentials,
    make_signer_from_pem,
)
from models.provenance.signing import (
    generate_private_key,
    key_id,
    private_key_from_pem,
    private_key_to_pem,
    public_key_from_pem,
    public_key_to_pem,
)
from storage import layout
from storage.store import Store

CONFIG_DIR = Path.home() / ".config" / "sorot"
DEFAULT_KEY_FILE = CONFIG_DIR / "signing-key.pem"


class SigningKeyError(Exception):
    """A configured signing key that cannot be read (the message never includes the key)."""


def signing_key_path() -> Path:
    """Where `sorot keys init` writes, and where a key is looked for without env settings."""
    return Path(os.environ.get("SOROT_SIGNING_KEY_FILE") or DEFAULT_KEY_FILE).expanduser()


def load_signing_key() -> Ed25519PrivateKey | None:
    """The configured private key, or None when none is configured."""
    text = os.environ.get("SOROT_SIGNING_KEY")
    path = signing_key_path()
    if text:
        return _key_from(text.encode(), "SOROT_SIGNING_KEY")
    if path.exists():
        return read_key_file(path)
    return None


def read_key_file(path: Path) -> Ed25519PrivateKey:
    """The private key in `path`; SigningKeyError when it cannot be read or is no key."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"signing key {path} cannot be read: {exc.strerror}") from None
    return _key_from(data, str(path))


def _key_from(data: bytes, origin: str) -> Ed25519PrivateKey:
    try:
        return private_key_from_pem(data)
    except (ValueError, TypeError):
        # `from None`: the parse error could quote key material
        raise SigningKeyError(
            f"signing key from {origin} is not an unencrypted Ed25519 PEM"
        ) from None


def init_key(path: Path) -> Ed25519PrivateKey:
    """Create a new private key file (mode 0600); refuses to overwrite an existing one."""
    if path.exists():
        raise FileExistsError(f"{path} exists; move it away to rotate the key")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = generate_private_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(private_key_to_pem(key))
    return key


def publish_public_key(store: Store, key: Ed25519PrivateKey, office: str | None = None) -> str:
    """Put the public half in the store (idempotent), and with `office` the name of the
    office that holds it (`keys/<key_id>.json`); returns its key id."""
    public = key.public_key()
    kid = key_id(public)
    target = f"{layout.KEYS}/{kid}.pem"
    if not store.exists(target):
        store.put_bytes(target, public_key_to_pem(public))
    if office:
        store.put_text(f"{layout.KEYS}/{kid}.json", json.dumps({"office": office}))
    return kid


def key_offices(store: Store) -> dict[str, str]:
    """Key id -> the office name published beside it (keys without one are left out)."""
    offices = {}
    for k in store.list(layout.KEYS):
        if k.endswith(".json"):
            try:
                office = json.loads(store.read_text(k)).get("office")
            except (ValueError, AttributeError):
                continue  # a damaged name file only loses the name, never the key
            if isinstance(office, str) and office:
                offices[k.rsplit("/", 1)[-1].removesuffix(".json")] = office
    return offices


def public_key_from_file(path: Path) -> Ed25519PublicKey:
    """The public key in a PEM file (a public key, or a private key's public half);
    ValueError when the file holds neither."""
    data = path.read_bytes()
    try:
        return public_key_from_pem(data)
    except (ValueError, TypeError):
        pass
    try:
        return private_key_from_pem(data).public_key()
    except (ValueError, TypeError):
        raise ValueError(f"{path} holds no Ed25519 public or private key (PEM)") from None


def public_keys(store: Store) -> dict[str, Ed25519PublicKey]:
    """Every public key published in the store, by key id."""
    keys = {}
    for k in store.list(layout.KEYS):
        if k.endswith(".pem"):
            public = public_key_from_pem(store.read_bytes(k))
            keys[key_id(public)] = public
    return keys


def c2pa_paths() -> tuple[Path, Path]:
    """(certificate chain, private key) PEM files for C2PA Content Credentials.

    `SOROT_C2PA_CERT` / `SOROT_C2PA_KEY`, else `c2pa-cert.pem` / `c2pa-key.pem` beside the
    signing key. The key, like the signing key, never goes into the store.
    """
    base = signing_key_path().parent
    cert = os.environ.get("SOROT_C2PA_CERT") or base / "c2pa-cert.pem"
    key = os.environ.get("SOROT_C2PA_KEY") or base / "c2pa-key.pem"
    return Path(cert).expanduser(), Path(key).expanduser()


def load_c2pa_signer() -> CredentialSigner | None:
    """The configured C2PA signer, or None when no certificate is configured."""
    cert, key = c2pa_paths()
    if not (cert.exists() and key.exists()):
        return None
    alg = os.environ.get("SOROT_C2PA_ALG", "es256")
    try:
        return make_signer_from_pem(cert.read_bytes(), key.read_bytes(), alg)
    except (ValueError, TypeError):
        raise SigningKeyError(
            f"C2PA certificate {cert} and key do not form a usable {alg} signer"
        ) from None


def c2pa_identity() -> str:
    """Which C2PA certificate is configured (its SHA-256), for cache keys; "none" if none."""
    cert, key = c2pa_paths()
    if not (cert.exists() and key.exists()):
        return "none"
    return hashlib.sha256(cert.read_bytes()).hexdigest()


def init_c2pa_self_signed(organization: str) -> tuple[Path, Path]:
    """Write a self-signed C2PA certificate and key (0600) where `c2pa_paths` looks.

    Good for a first setup: credentials validate structurally but show as untrusted until
    the office uses a certificate from a CA on the C2PA trust list.
    """
    cert, key = c2pa_paths()
    if cert.exists() or key.exists():
        raise FileExistsError(f"{cert} or {key} exists")
    creds = create_self_signed_credentials(organization)
    cert.parent.mkdir(parents=True, exist_ok=True)
    cert.write_bytes(creds.cert_chain_pem)
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(creds.private_key_pem)
    return cert, key
