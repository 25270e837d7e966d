"""Optional abstractive drafting with a local sequence-to-sequence model (transformers).

Off by default: no Indonesian generator ships offline, and a generator may invent words
or numbers. When a user points `PressSettings.abstractive_model` at a local folder
(a saved transformers model and tokenizer), its text is stored apart from the extractive
draft, labelled, and its numbers are checked like the rest. Loading never touches the
network (`local_files_only`).
"""

from __future__ import annotations

from pathlib import Path


class AbstractiveUnavailable(Exception):
    """The configured generator cannot be loaded or run."""


def generate(text: str, model_path: str | Path, max_new_tokens: int = 256) -> str:
    """Rewrite `text` with the seq2seq model saved at `model_path` (greedy decoding)."""
    path = Path(model_path)
    if not path.is_dir():
        raise AbstractiveUnavailable(f"generator model folder does not exist: {path}")
    import torch  # heavy imports, only when a user asked for the generator
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModelForSeq2SeqLM.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise AbstractiveUnavailable(f"cannot load generator from {path}: {exc}") from exc
    model.eval()
    # Long speeches exceed any encoder's window: keep the start (the body is ranked first).
    limit = min(tokenizer.model_max_length, 1024)
    inputs = tokenizer(text, return_tensors="pt", truncation=True, max_length=limit)
    with torch.inference_mode():
        output = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
    return tokenizer.decode(output[0], skip_special_tokens=True).strip()
