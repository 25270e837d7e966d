"""Bigger Whisper models one command away: import a CTranslate2 folder or convert a checkpoint.

`sorot models add NAME --from PATH|HUB_NAME` lands here. A CTranslate2 Whisper folder is
copied; a Hugging Face Whisper checkpoint (a folder, or a hub name when the machine has
internet) is converted with CTranslate2's own converter (transformers and torch are already
installed). Either way the model ends in `<model cache>/added/<NAME>/` with its sha256
recorded beside it, so `--model NAME` loads it offline and a changed file is refused.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

from models.speech.records import AddedModel
from models.speech.whisper_models import (
    REGISTRY_NAMES,
    ModelNotAvailable,
    added_model_dir,
    added_models_dir,
    hash_weights,
    read_added_model,
)

# faster-whisper loads these beside model.bin; without tokenizer.json it would download one.
TOKENIZER = "tokenizer.json"
EXTRA_FILES = ("preprocessor_config.json",)
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
QUANTIZATIONS = ("int8", "int8_float16", "float16", "float32")


def _check_name(name: str) -> None:
    if not NAME_PATTERN.fullmatch(name):
        raise ModelNotAvailable(
            f"model name {name!r} must be lower-case letters, digits, '.', '_' or '-' "
            "(at most 64), e.g. medium-id"
        )
    if name in REGISTRY_NAMES:
        raise ModelNotAvailable(f"{name!r} is a built-in model; choose another name")


def _shape(checkpoint: Path) -> tuple[int | None, int | None]:
    """(layers, width) of a Hugging Face Whisper checkpoint, when its config says."""
    try:
        config = json.loads((checkpoint / "config.json").read_text())
    except (OSError, ValueError):
        return None, None
    layers = config.get("encoder_layers", 0) + config.get("decoder_layers", 0)
    return layers or None, config.get("d_model")


def _convert(source: str, target: Path, quantization: str) -> tuple[str, int | None, int | None]:
    """Convert a Hugging Face Whisper checkpoint (folder or hub name) into `target`."""
    from ctranslate2.converters import TransformersConverter

    local = Path(source).expanduser()
    if local.is_dir():
        if not (local / TOKENIZER).exists():
            raise ModelNotAvailable(
                f"{local} has no {TOKENIZER}: faster-whisper would download one at run time; "
                "copy the tokenizer of the checkpoint's base model into the folder"
            )
        copy = [f for f in (TOKENIZER, *EXTRA_FILES) if (local / f).exists()]
        layers, width = _shape(local)
        origin = str(local.resolve())
    else:
        copy, layers, width, origin = [TOKENIZER, *EXTRA_FILES], None, None, source
    try:
        converter = TransformersConverter(origin, copy_files=copy, load_as_float16=False)
        converter.convert(str(target), quantization=quantization, force=True)
    except (OSError, ValueError, KeyError) as exc:
        # A hub name without internet, a folder that is not a Whisper checkpoint, ...
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelNotAvailable(f"{source} cannot be converted: {first}") from exc
    return "transformers", layers, width


def _copy_ctranslate2(source: Path, target: Path) -> None:
    if not (source / TOKENIZER).exists():
        raise ModelNotAvailable(
            f"{source} has no {TOKENIZER}: faster-whisper would download one at run time"
        )
    shutil.copytree(source, target, dirs_exist_ok=True)


def add_model(
    name: str, source: str, quantization: str = "int8", replace: bool = False
) -> AddedModel:
    """Install `source` as model `name` in the model cache; returns its record.

    Raises ModelNotAvailable with the reason when the name is taken or invalid, or the
    source is missing, incomplete or cannot be converted. Nothing half-copied is ever
    visible under the name: the model is built in a temporary folder and renamed.
    """
    _check_name(name)
    if quantization not in QUANTIZATIONS:
        raise ModelNotAvailable(f"quantization must be one of {', '.join(QUANTIZATIONS)}")
    target = added_model_dir(name)
    if target.exists() and not replace:
        raise ModelNotAvailable(f"model {name!r} is already installed (use --replace)")
    local = Path(source).expanduser()
    if source.startswith((".", "/", "~")) and not local.is_dir():
        raise ModelNotAvailable(f"{source} is not a folder")
    building = target.with_name(f".{name}.tmp{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    building.parent.mkdir(parents=True, exist_ok=True)
    try:
        if local.is_dir() and (local / "model.bin").exists():
            _copy_ctranslate2(local, building)
            kind, layers, width, quant, origin = "ctranslate2", None, None, None, local.resolve()
        else:
            kind, layers, width = _convert(source, building, quantization)
            quant, origin = quantization, local.resolve() if local.is_dir() else source
        weights = building / "model.bin"
        record = AddedModel(
            name=name,
            source=str(origin),
            kind=kind,
            quantization=quant,
            weights_sha256=hash_weights(weights),
            size_bytes=sum(f.stat().st_size for f in building.iterdir() if f.is_file()),
            layers=layers,
            width=width,
            added_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        (building / "sorot-model.json").write_text(record.model_dump_json(indent=2))
        if target.exists():
            shutil.rmtree(target)
        building.rename(target)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return record


def added_models() -> list[AddedModel]:
    """Every model added to this machine's cache, by name."""
    root = added_models_dir()
    folders = sorted(root.iterdir()) if root.is_dir() else []
    records = [read_added_model(f) for f in folders if f.is_dir() and not f.name.startswith(".")]
    return [r for r in records if r is not None]
