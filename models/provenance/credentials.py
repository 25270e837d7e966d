"""C2PA Content Credentials for published clips: embed, read back, and signing certificates.

A published clip (MP4) or thumbnail (JPEG) gets a C2PA manifest that names the source
recording as its `parentOf` ingredient, says what was done to it (`c2pa.actions`), and
carries Sorot's own `id.sorot.source` assertion: the source's sha256, video_id and the
clip's time span in source seconds. Anyone with a C2PA reader can see where the clip came
from and whether its bytes were altered since it was signed.

C2PA signs with an X.509 certificate chain, not a bare key. Nothing here stores keys: the
caller passes PEM bytes in. `create_self_signed_credentials` makes a CA + leaf pair for tests
and first-time setup; readers show such credentials as structurally valid but untrusted
(`signingCredential.untrusted`) unless given the CA as a trust anchor.

Measured facts this module relies on (c2pa-python 0.38.1, c2pa-rs 0.91.3) are in
docs/provenance.md, "C2PA Content Credentials".
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import mimetypes
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SOURCE_ASSERTION = "id.sorot.source"
SOURCE_ASSERTION_VERSION = 1
# The ingredient's label inside the manifest; actions point at it by this id.
_INGREDIENT_ID = "source"
# What a self-signed (or otherwise unanchored) certificate adds to an otherwise valid result.
UNTRUSTED = "signingCredential.untrusted"

SigningAlg = Literal["es256", "es384", "es512", "ps256", "ps384", "ps512", "ed25519"]
_ALGS: dict[str, c2pa.C2paSigningAlg] = {
    "es256": c2pa.C2paSigningAlg.ES256,
    "es384": c2pa.C2paSigningAlg.ES384,
    "es512": c2pa.C2paSigningAlg.ES512,
    "ps256": c2pa.C2paSigningAlg.PS256,
    "ps384": c2pa.C2paSigningAlg.PS384,
    "ps512": c2pa.C2paSigningAlg.PS512,
    "ed25519": c2pa.C2paSigningAlg.ED25519,
}
_EC_CURVES = {"es256": ec.SECP256R1, "es384": ec.SECP384R1, "es512": ec.SECP521R1}


@dataclass(frozen=True)
class SourceIngredient:
    """The library recording a clip was cut from, and the span it covers (source seconds).

    `path`, when given, is the recording itself: the C2PA library then reads it as the
    ingredient, which carries over any Content Credentials the camera or phone put in it.
    Without it the ingredient is described by title and hash only.
    """

    title: str  # the original object key or file name
    sha256: str
    video_id: str
    start: float
    end: float  # equal to `start` for a still frame (thumbnail)
    path: Path | None = None
    format: str | None = None  # MIME type; guessed from `title` when None


@dataclass(frozen=True)
class ClipEdit:
    """One more thing done to the clip besides the cut, as a C2PA action.

    Standard names: `c2pa.cropped` (vertical reframing), `c2pa.filtered` (faces blurred),
    `c2pa.transcoded` (re-encoded, scaled), `c2pa.edited` (anything else).
    """

    action: str
    description: str


@dataclass(frozen=True)
class CredentialSigner:
    """A certificate chain (leaf first) and its private key, as PEM, ready for C2PA signing.

    Build it with `make_signer_from_pem`, which checks that the key, certificate and
    algorithm agree. Picklable, so it can travel to worker processes.
    """

    alg: SigningAlg
    cert_chain_pem: bytes
    private_key_pem: bytes = field(repr=False)
    tsa_url: str | None = None

    def c2pa_signer(self) -> c2pa.Signer:
        """A native signer; a new one per call (native handles are not shared)."""
        info = c2pa.C2paSignerInfo(
            _ALGS[self.alg], self.cert_chain_pem, self.private_key_pem, self.tsa_url
        )
        return c2pa.Signer.from_info(info)


@dataclass(frozen=True)
class SelfSignedCredentials:
    """A throwaway CA and a leaf certificate it issued. The CA's key is not kept."""

    cert_chain_pem: bytes  # leaf, then CA
    private_key_pem: bytes = field(repr=False)  # the leaf's key, PKCS#8, unencrypted
    ca_cert_pem: bytes  # give this to `read_credentials` as a trust anchor


@dataclass(frozen=True)
class CredentialResult:
    """What `embed_credentials` did. When `embedded` is False, `reason` says why."""

    embedded: bool
    path: Path | None = None  # the signed file (None when not embedded)
    format: str | None = None  # the file extension the C2PA library was given
    reason: str | None = None
    ingredient_from: Literal["file", "description"] | None = None
    manifest_bytes: int = 0
    seconds: float = 0.0


def make_signer_from_pem(
    cert_chain_pem: bytes,
    private_key_pem: bytes,
    alg: SigningAlg,
    *,
    password: bytes | None = None,
    tsa_url: str | None = None,
) -> CredentialSigner:
    """A signer from a PEM certificate chain (leaf first) and the leaf's PEM private key.

    `password` decrypts an encrypted key; the decrypted key stays in memory only.
    `tsa_url` is an RFC 3161 timestamp authority: with one, signatures stay valid after
    the leaf certificate expires. ValueError when the key does not belong to the leaf
    certificate or does not fit `alg`.
    """
    if alg not in _ALGS:
        raise ValueError(f"unknown C2PA signing algorithm {alg!r}; one of {sorted(_ALGS)}")
    certs = x509.load_pem_x509_certificates(cert_chain_pem)
    key = serialization.load_pem_private_key(private_key_pem, password=password)
    _check_key_fits(key, alg)
    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if key.public_key().public_bytes(*spki) != certs[0].public_key().public_bytes(*spki):
        raise ValueError("the private key does not belong to the first (leaf) certificate")
    # The native library takes only unencrypted PKCS#8.
    plain = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return CredentialSigner(alg, cert_chain_pem, plain, tsa_url)


def _check_key_fits(key: Any, alg: str) -> None:
    if alg == "ed25519":
        ok = isinstance(key, ed25519.Ed25519PrivateKey)
    elif alg.startswith("ps"):
        ok = isinstance(key, rsa.RSAPrivateKey)
    else:
        ok = isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, _EC_CURVES[alg])
    if not ok:
        raise ValueError(f"a {type(key).__name__} cannot sign with {alg}")


def create_self_signed_credentials(
    organization: str,
    common_name: str = "Sorot clip signer",
    *,
    alg: Literal["es256", "ed25519"] = "es256",
    days: int = 365,
) -> SelfSignedCredentials:
    """A new CA and a leaf certificate for signing Content Credentials (tests, first setup).

    The leaf has what C2PA validators require of a claim signer: not a CA, digitalSignature
    key usage, the emailProtection EKU, and key identifiers linking it to the CA. ES256 is
    the default because every C2PA validator accepts it. Production offices should use a
    certificate from a CA on the C2PA trust list; these validate but show as untrusted.
    """

    def new_key() -> ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey:
        if alg == "ed25519":
            return ed25519.Ed25519PrivateKey.generate()
        return ec.generate_private_key(ec.SECP256R1())

    # Ed25519 signatures carry their own hash; cryptography wants None for it.
    digest = None if alg == "ed25519" else hashes.SHA256()
    # Backdated a little so a verifier with a slightly slow clock accepts it at once.
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    ca_key, leaf_key = new_key(), new_key()
    org = x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{organization} C2PA CA"), org])
    leaf_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name), org])
    no_usage = dict.fromkeys(
        (
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=days * 2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=False, key_cert_sign=True, crl_sign=True, **no_usage),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, digest)
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(leaf_name)
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False, **no_usage),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, digest)
    )
    pem = serialization.Encoding.PEM
    return SelfSignedCredentials(
        cert_chain_pem=leaf.public_bytes(pem) + ca.public_bytes(pem),
        private_key_pem=leaf_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        ca_cert_pem=ca.public_bytes(pem),
    )


def _software_agent() -> dict[str, str]:
    return {"name": "Sorot", "version": importlib.metadata.version("sorot")}


def _format_of(path: Path) -> str | None:
    """The extension the C2PA library can embed into, or None."""
    ext = path.suffix.lower().lstrip(".")
    return ext if ext and ext in c2pa.Builder.get_supported_mime_types() else None


def _manifest(
    source: SourceIngredient, title: str, edits: Sequence[ClipEdit], with_ingredient: bool
) -> dict[str, Any]:
    agent = _software_agent()
    if source.end > source.start:
        cut = f"Cut from source seconds {source.start:.2f}–{source.end:.2f}"
    else:
        cut = f"Frame at source second {source.start:.2f}"
    actions = [
        {
            "action": "c2pa.opened",
            "softwareAgent": agent,
            "parameters": {"ingredientIds": [_INGREDIENT_ID]},
        },
        {"action": "c2pa.edited", "softwareAgent": agent, "description": cut},
        *(
            {"action": e.action, "softwareAgent": agent, "description": e.description}
            for e in edits
        ),
    ]
    manifest: dict[str, Any] = {
        "claim_generator_info": [agent],
        "title": title,
        "assertions": [
            {"label": "c2pa.actions", "data": {"actions": actions}},
            {
                "label": SOURCE_ASSERTION,
                "data": {
                    "schema_version": SOURCE_ASSERTION_VERSION,
                    "title": source.title,
                    "sha256": source.sha256,
                    "video_id": source.video_id,
                    "start": source.start,
                    "end": source.end,
                },
            },
        ],
    }
    if with_ingredient:
        manifest["ingredients"] = [_ingredient(source)]
    return manifest


def _ingredient(source: SourceIngredient) -> dict[str, Any]:
    # C2PA ingredients hold no hash of the ingredient's own bytes (only of its manifest, if
    # it has one), so the sha256 goes in the description here and in SOURCE_ASSERTION.
    return {
        "title": source.title,
        "format": source.format or mimetypes.guess_type(source.title)[0] or "video/mp4",
        "relationship": "parentOf",
        "label": _INGREDIENT_ID,
        "description": f"Source recording {source.video_id}, sha256 {source.sha256}",
    }


def _builder(manifest: dict[str, Any]) -> c2pa.Builder:
    # No generated thumbnail: the library would add a copy of a JPEG (50 KB on a 36 KB
    # thumbnail), and clips get their own published thumbnail anyway.
    context = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})
    return c2pa.Builder.from_json(manifest, context)


def _builder_with_source(
    source: SourceIngredient, title: str, edits: Sequence[ClipEdit]
) -> tuple[c2pa.Builder, Literal["file", "description"]]:
    if source.path is not None:
        builder = _builder(_manifest(source, title, edits, with_ingredient=False))
        try:
            with open(source.path, "rb") as fh:
                builder.add_ingredient(_ingredient(source), _ingredient(source)["format"], fh)
            return builder, "file"
        except (OSError, c2pa.C2paError):
            # A source the library cannot parse is still named, by hash.
            builder.close()
    return _builder(_manifest(source, title, edits, with_ingredient=True)), "description"


def embed_credentials(
    clip_path: Path,
    out_path: Path,
    source: SourceIngredient,
    signer: CredentialSigner,
    title: str,
    edits: Sequence[ClipEdit] = (),
) -> CredentialResult:
    """Write `clip_path` with signed Content Credentials to `out_path` (may be the same path).

    The manifest names `source` as the parentOf ingredient, records a `c2pa.opened` of it,
    a `c2pa.edited` for the cut, then `edits`, plus the `id.sorot.source` assertion. When
    the format cannot carry C2PA or the library cannot parse the file, nothing is written
    and the result has `embedded=False` and the library's reason.
    """
    started = time.perf_counter()
    if source.start > source.end:
        raise ValueError(f"source span ends before it starts: {source.start}–{source.end}")
    fmt = _format_of(clip_path)
    if fmt is None:
        return CredentialResult(
            embedded=False,
            reason=f"C2PA has no way to embed credentials in '{clip_path.suffix or clip_path.name}'"
            f" files (c2pa-rs {c2pa.sdk_version()})",
            seconds=time.perf_counter() - started,
        )
    builder, ingredient_from = _builder_with_source(source, title, edits)
    # Written beside the target and renamed, so a failure never leaves a half-signed file
    # and `out_path` may be `clip_path` itself.
    partial = out_path.with_name(f".{out_path.name}.c2pa-partial")
    try:
        with builder, open(clip_path, "rb") as src, open(partial, "w+b") as dest:
            manifest = builder.sign(signer.c2pa_signer(), fmt, src, dest)
    except c2pa.C2paError as exc:
        partial.unlink(missing_ok=True)
        return CredentialResult(
            embedded=False,
            format=fmt,
            reason=f"C2PA could not embed into {clip_path.name}: {exc}",
            ingredient_from=ingredient_from,
            seconds=time.perf_counter() - started,
        )
    os.replace(partial, out_path)
    return CredentialResult(
        embedded=True,
        path=out_path,
        format=fmt,
        ingredient_from=ingredient_from,
        manifest_bytes=len(manifest),
        seconds=time.perf_counter() - started,
    )


def read_credentials(path: Path, trust_anchors_pem: bytes | None = None) -> dict[str, Any] | None:
    """The file's C2PA manifest store, validated, as the C2PA library reports it; or None.

    The dict has `active_manifest`, `manifests`, `validation_state` (`Trusted`, `Valid` or
    `Invalid`) and `validation_results` (success / informational / failure codes). With
    `trust_anchors_pem` (e.g. the office's CA), a chain to it makes the state `Trusted`.
    None when the file has no manifest or its format cannot hold one. A file whose
    credentials cannot be parsed at all gives `{"validation_state": "Unreadable", "error":
    ...}`. The format is detected from the bytes, so uploaded names do not matter.
    """
    settings: dict[str, Any] = {}
    if trust_anchors_pem is not None:
        settings = {"trust": {"trust_anchors": trust_anchors_pem.decode("ascii")}}
    context = c2pa.Context.from_dict(settings)
    try:
        with open(path, "rb") as fh, c2pa.Reader(None, fh, None, context) as reader:
            return json.loads(reader.json())
    except (c2pa.C2paError.ManifestNotFound, c2pa.C2paError.NotSupported):
        return None
    except c2pa.C2paError as exc:
        return {"validation_state": "Unreadable", "error": str(exc)}


def credential_summary(store: dict[str, Any]) -> dict[str, Any]:
    """The parts of a `read_credentials` store a person checking a clip needs.

    `intact` is True when nothing failed except, possibly, trust in the signer: the bytes
    are as signed. `trusted` needs a signer chaining to a trust anchor.
    """
    if store.get("validation_state") == "Unreadable":
        return {"state": "Unreadable", "intact": False, "trusted": False, "error": store["error"]}
    active = store["manifests"][store["active_manifest"]]
    results = store.get("validation_results", {}).get("activeManifest", {})
    failures = [f["code"] for f in results.get("failure", [])]
    assertions = {a["label"]: a["data"] for a in active.get("assertions", [])}
    actions = assertions.get("c2pa.actions.v2", assertions.get("c2pa.actions", {}))
    return {
        "state": store["validation_state"],
        "intact": store["validation_state"] != "Invalid" and set(failures) <= {UNTRUSTED},
        "trusted": store["validation_state"] == "Trusted",
        "failures": failures,
        "title": active.get("title"),
        "signer": active.get("signature_info", {}),
        "source": assertions.get(SOURCE_ASSERTION),
        # has_credentials: the source itself was signed (e.g. by a C2PA camera).
        "ingredients": [
            {
                **{k: i.get(k) for k in ("title", "relationship", "description")},
                "has_credentials": "active_manifest" in i,
            }
            for i in active.get("ingredients", [])
        ],
        "actions": [
            {"action": a["action"], "description": a.get("description")}
            for a in actions.get("actions", [])
        ],
    }
