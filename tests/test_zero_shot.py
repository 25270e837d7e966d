"""Zero-shot scorer loading and scoring with a tiny random CLIP built by the test."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from transformers import (
    CLIPConfig,
    CLIPImageProcessor,
    CLIPModel,
    CLIPProcessor,
    CLIPTokenizer,
)

from models.look.zero_shot import ZeroShotScorer


def build_tiny_clip(path: Path) -> None:
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for ch in letters:
        vocab[ch] = len(vocab)
        vocab[ch + "</w>"] = len(vocab)
    (path / "vocab.json").write_text(json.dumps(vocab))
    (path / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = CLIPTokenizer(str(path / "vocab.json"), str(path / "merges.txt"))
    images = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    CLIPProcessor(image_processor=images, tokenizer=tokenizer).save_pretrained(path)
    config = CLIPConfig(
        text_config={
            "vocab_size": len(vocab),
            "hidden_size": 16,
            "intermediate_size": 32,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "max_position_embeddings": 128,
            "bos_token_id": 0,
            "eos_token_id": 1,
            "pad_token_id": 1,
        },
        vision_config={
            "hidden_size": 16,
            "intermediate_size": 32,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "image_size": 32,
            "patch_size": 8,
        },
        projection_dim=8,
    )
    CLIPModel(config).save_pretrained(path)


def test_tiny_clip_scores_images(tmp_path: Path) -> None:
    build_tiny_clip(tmp_path)
    scorer = ZeroShotScorer(tmp_path)
    rng = np.random.default_rng(0)
    a = scorer(rng.integers(0, 255, (64, 48, 3), dtype=np.uint8))
    b = scorer(np.zeros((64, 48, 3), np.uint8))
    assert 0.0 <= a <= 1.0 and 0.0 <= b <= 1.0
    assert a != b  # the image changes the score: image features really flow through
    assert scorer(np.zeros((64, 48, 3), np.uint8)) == b  # deterministic
    # Prompts can be swapped: informal + ceremonial probabilities sum to one.
    flipped = ZeroShotScorer(tmp_path, informal=scorer_prompts()[1], ceremonial=scorer_prompts()[0])
    assert abs(flipped(np.zeros((64, 48, 3), np.uint8)) + b - 1.0) < 1e-5


def scorer_prompts() -> tuple[tuple[str, ...], tuple[str, ...]]:
    from models.look.zero_shot import CEREMONIAL_PROMPTS, INFORMAL_PROMPTS

    return INFORMAL_PROMPTS, CEREMONIAL_PROMPTS
