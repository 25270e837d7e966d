"""Optional zero-shot image-text scorer (CLIP or SigLIP through transformers).

No such weights load offline here, so this runs only when the user configures a local path
(or a hub name on a machine with internet). Score = softmax probability mass of the
"informal" prompts against the "ceremonial" ones for an image.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

INFORMAL_PROMPTS = (
    "a government official shaking hands with villagers",
    "a leader talking and laughing with residents",
)
CEREMONIAL_PROMPTS = (
    "an official giving a speech at a podium",
    "a formal ceremony with a seated audience",
)


class ZeroShotScorer:
    """P(informal prompt) for an RGB image with a CLIP-style dual encoder."""

    def __init__(
        self,
        model: str | Path,
        informal: tuple[str, ...] = INFORMAL_PROMPTS,
        ceremonial: tuple[str, ...] = CEREMONIAL_PROMPTS,
    ) -> None:
        import torch
        from transformers import AutoModel, AutoProcessor

        self.name = str(model)
        self._torch = torch
        self._processor = AutoProcessor.from_pretrained(str(model))
        self._model = AutoModel.from_pretrained(str(model)).eval()
        self._n_informal = len(informal)
        texts = list(informal) + list(ceremonial)
        with torch.no_grad():
            tokens = self._processor(text=texts, return_tensors="pt", padding=True)
            text = self._model.get_text_features(**tokens)
            text = getattr(text, "pooler_output", text)  # some versions return an output object
        self._text = text / text.norm(dim=-1, keepdim=True)

    def __call__(self, rgb: np.ndarray) -> float:
        """Probability (0..1) that the image matches the informal prompts."""
        torch = self._torch
        with torch.no_grad():
            pixels = self._processor(images=[rgb], return_tensors="pt")
            image = self._model.get_image_features(**pixels)
            image = getattr(image, "pooler_output", image)
            image = image / image.norm(dim=-1, keepdim=True)
            scale = self._model.logit_scale.exp() if hasattr(self._model, "logit_scale") else 100.0
            probs = torch.softmax(scale * image @ self._text.T, dim=-1)[0]
        return float(probs[: self._n_informal].sum())
