"""Where the models run: ``cpu`` (the default, what the office has) or ``cuda``.

faster-whisper runs on CUDA through CTranslate2 (float16) and CenterFace through
onnxruntime's CUDA provider (package onnxruntime-gpu); the rest of the pipeline (decoding,
YAMNet, Silero VAD, fingerprints, ranking) stays on the CPU.
"""

from __future__ import annotations

DEVICES = ("cpu", "cuda")
_PROVIDERS = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider"}


class DeviceNotAvailable(RuntimeError):
    """The requested device cannot run the models on this machine."""


def cuda_problems() -> list[str]:
    """What stops the models from running on CUDA here (empty: nothing)."""
    import ctranslate2
    import onnxruntime

    problems = []
    if ctranslate2.get_cuda_device_count() < 1:
        problems.append("ctranslate2 sees no CUDA device (faster-whisper float16 needs one)")
    if _PROVIDERS["cuda"] not in onnxruntime.get_available_providers():
        problems.append(
            "onnxruntime has no CUDAExecutionProvider (install onnxruntime-gpu for CenterFace)"
        )
    return problems


def require(device: str) -> None:
    """Raise DeviceNotAvailable, saying why, unless `device` can run the models here."""
    if device not in DEVICES:
        raise DeviceNotAvailable(f"unknown device {device!r}; choose one of {DEVICES}")
    problems = cuda_problems() if device == "cuda" else []
    if problems:
        raise DeviceNotAvailable(f"device {device}: " + "; ".join(problems))


def onnx_provider(device: str) -> str:
    """The onnxruntime execution provider for `device`."""
    if device not in _PROVIDERS:
        raise DeviceNotAvailable(f"unknown device {device!r}; choose one of {DEVICES}")
    return _PROVIDERS[device]


def whisper_compute_type(device: str) -> str:
    """CTranslate2's default precision: int8 on the CPU, float16 on CUDA."""
    return "float16" if device == "cuda" else "int8"
