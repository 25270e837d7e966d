"""The transcription GPU path, measured where the rest of Sorot cannot be installed.

The lent GPU machines (H200, CUDA 13, no internet, 64 MiB per upload) have no PyAV and no
onnxruntime-gpu, and CTranslate2 4.8.5's wheel asks for CUDA 12's libcublas.so.12. So the
GPU run is faster-whisper alone, with the bench's whisper_alone settings, on the bench
input's audio exported here as 16 kHz PCM; libcublas.so.12 is a link to CUDA 13's
libcublas.so.13 (the calls CTranslate2 makes exist in both). How it was run
(BENCHMARKS.md, "The GPU path"):

    .venv/bin/python bench/gpu_transcribe.py export .gpu/audio.wav     # here, from .bench/
    # there, with ctranslate2 + faster-whisper wheels and Whisper base copied over:
    ln -s /usr/local/cuda-13.0/targets/x86_64-linux/lib/libcublas.so.13 /tmp/cu12/libcublas.so.12
    LD_LIBRARY_PATH=/tmp/cu12 python3 bench/gpu_transcribe.py run MODEL_DIR audio.wav OUT.json
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import types
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {
    "language": "id",
    "beam_size": 5,
    "vad_filter": True,
    "word_timestamps": True,
    "condition_on_previous_text": False,
}


def export(wav: Path, minutes: float = 10.0) -> None:
    """Write the bench input's audio as the Transcriber reads it, as 16-bit 16 kHz mono."""
    sys.path.insert(0, str(ROOT))
    from bench.inputs import build_input
    from models.media.decode import iter_audio

    audio = np.concatenate(list(iter_audio(build_input(minutes, 2.0))))
    pcm = np.clip(np.round(audio * 32767), -32768, 32767).astype(np.int16)
    wav.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16_000)
        w.writeframes(pcm.tobytes())


def run(model_dir: Path, wav: Path, out: Path) -> None:
    """Transcribe `wav` on CUDA (float16) twice each sequentially and batched; write JSON."""
    # faster_whisper.audio imports PyAV at import time; samples are passed in, so PyAV is
    # never called and need not exist on the GPU machine.
    sys.modules.setdefault("av", types.ModuleType("av"))
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    with wave.open(str(wav)) as w:
        audio = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768
    t0 = time.perf_counter()
    model = WhisperModel(str(model_dir), device="cuda", compute_type="float16")
    result: dict = {"audio_s": audio.size / 16_000, "load_s": time.perf_counter() - t0, "runs": []}
    modes = {
        "sequential": lambda: model.transcribe(audio, **SETTINGS),
        "batched16": lambda: BatchedInferencePipeline(model).transcribe(
            audio, batch_size=16, **SETTINGS
        ),
    }
    for mode, transcribe in modes.items():
        for i in range(2):  # the first run includes CUDA start-up
            t0 = time.perf_counter()
            segments = list(transcribe()[0])
            wall = time.perf_counter() - t0
            words = sum(len(s.words or []) for s in segments)
            print(f"{mode} run {i + 1}: {wall:.2f} s, {len(segments)} segments, {words} words")
            text = " ".join(s.text.strip() for s in segments)
            result["runs"].append({"mode": mode, "wall_s": wall, "words": words, "text": text})
    query = ["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"]
    result["gpu"] = subprocess.run(query, capture_output=True, text=True).stdout.strip()
    out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "export":
        export(Path(sys.argv[2]))
    elif len(sys.argv) == 5 and sys.argv[1] == "run":
        run(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        raise SystemExit(__doc__)
