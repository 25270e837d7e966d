"""`sorot models add|list`: a Whisper checkpoint converted offline, then used by name.

The checkpoint is a tiny Whisper built here from a `WhisperConfig` with random weights (it
transcribes nonsense): the test checks the plumbing (conversion, sha256, the cache, loading
by name, refusals), never quality, and downloads nothing (HF_HUB_OFFLINE=1).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from models.media.decode import iter_audio
from models.speech.model_import import add_model
from models.speech.settings import TranscribeSettings
from models.speech.transcribe import Transcriber
from models.speech.whisper_models import ModelNotAvailable, resolve
from tests.media_factory import write_wav

pytestmark = pytest.mark.slow  # `sorot` processes, torch and a Whisper model

SOROT = str(Path(sys.executable).with_name("sorot"))


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Hugging Face Whisper checkpoint folder: random tiny weights, base's tokenizer."""
    import torch
    from transformers import WhisperConfig, WhisperForConditionalGeneration

    torch.manual_seed(0)
    config = WhisperConfig(
        d_model=64,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=128,
        decoder_ffn_dim=128,
    )  # vocabulary and positions of the multilingual models, so base's tokenizer fits
    folder = tmp_path_factory.mktemp("hf-whisper-acak")
    WhisperForConditionalGeneration(config).save_pretrained(folder)
    shutil.copy(Path(resolve("base").path_or_name) / "tokenizer.json", folder)
    return folder


def _sorot(args: list[str], cache: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SOROT_MODEL_CACHE=str(cache), HF_HUB_OFFLINE="1", COLUMNS="200")
    return subprocess.run([SOROT, *args], env=env, capture_output=True, text=True, timeout=300)


def test_add_a_checkpoint_then_transcribe_with_it_by_name(
    checkpoint: Path, tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    added = _sorot(["models", "add", "acak-kecil", "--from", str(checkpoint)], cache)
    assert added.returncode == 0, added.stdout + added.stderr
    assert "sorot run --model acak-kecil" in added.stdout
    listed = _sorot(["models", "list"], cache)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    row = next(line for line in listed.stdout.splitlines() if "acak-kecil" in line)
    assert "transformers" in row and "2 x 64" in row  # 1 + 1 layers, d_model 64
    assert "base" in listed.stdout and "tiny.en" in listed.stdout

    monkeypatch.setenv("SOROT_MODEL_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = resolve("acak-kecil")
    folder = cache / "added/acak-kecil"
    assert Path(model.path_or_name) == folder
    assert model.weights_sha256 is not None and model.weights_sha256[:16] in row
    # faster-whisper would download a tokenizer if the folder lacked one.
    assert (folder / "tokenizer.json").exists() and (folder / "model.bin").exists()

    # The transcriber loads it by name like any other model; the words are noise.
    clip = write_wav(
        tmp_path / "dua detik.wav",
        np.concatenate(list(iter_audio(shared_data / "speech/cv_id_19059577.wav")))[
            16_000 : 3 * 16_000
        ],
    )
    settings = TranscribeSettings(model="acak-kecil", language="id", beam_size=1, vad=False)
    transcript = Transcriber(settings).transcribe_file(clip)
    assert transcript.model.name == "acak-kecil"
    assert transcript.model.weights_sha256 == model.weights_sha256
    assert "from " + str(checkpoint) in transcript.model.version

    # The same weights as a CTranslate2 folder are imported by copying.
    copied = _sorot(["models", "add", "salinan", "--from", str(folder)], cache)
    assert copied.returncode == 0, copied.stdout + copied.stderr
    assert resolve("salinan").weights_sha256 == model.weights_sha256

    # A changed weights file is refused, with the remedy.
    with (folder / "model.bin").open("ab") as weights:
        weights.write(b"\0")
    with pytest.raises(ModelNotAvailable, match="add it again"):
        resolve("acak-kecil")


def test_add_refuses_clearly(
    checkpoint: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("SOROT_MODEL_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    no_tokenizer = tmp_path / "tanpa tokenizer"
    shutil.copytree(checkpoint, no_tokenizer)
    (no_tokenizer / "tokenizer.json").unlink()
    not_whisper = tmp_path / "bukan model"
    not_whisper.mkdir()
    (not_whisper / "config.json").write_text('{"model_type": "bert"}')
    (not_whisper / "tokenizer.json").write_text("{}")
    cases = {
        "built-in name": (("base", str(checkpoint)), {}, "built-in model"),
        "bad name": (("Model Besar!", str(checkpoint)), {}, "must be lower-case"),
        "missing folder": (("x", str(tmp_path / "tidak ada")), {}, "is not a folder"),
        "no tokenizer": (("x", str(no_tokenizer)), {}, "no tokenizer.json"),
        "not whisper": (("x", str(not_whisper)), {}, "cannot be converted"),
        "hub offline": (("x", "openai/whisper-medium"), {}, "cannot be converted"),
        "quantization": (("x", str(checkpoint)), {"quantization": "int3"}, "must be one of"),
    }
    for name, (args, options, says) in cases.items():
        with pytest.raises(ModelNotAvailable, match=says):
            add_model(*args, **options)
        assert not (cache / "added").exists() or not any((cache / "added").iterdir()), name
    add_model("satu", str(checkpoint))
    with pytest.raises(ModelNotAvailable, match="already installed"):
        add_model("satu", str(checkpoint))
    add_model("satu", str(checkpoint), replace=True)
    assert sorted(p.name for p in (cache / "added").iterdir()) == ["satu"]  # no temp left
    # On the command line: exit 2, one line, no traceback (--verbose shows it).
    done = _sorot(["models", "add", "x", "--from", str(no_tokenizer)], cache)
    out = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 2 and "no tokenizer.json" in out and "Traceback" not in out
