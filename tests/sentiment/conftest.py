"""Tiny randomly initialised classifiers built on the spot, so most tests never load the real model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

WORDS = "good bad great awful fine okay love hate the a it is was this product service very not".split()


def build_tiny_model(directory: Path, labels: list[str], seed: int = 0, max_positions: int = 64) -> Path:
    """A 2-layer BERT classifier with `labels`, saved with its tokenizer to `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, *"abcdefghijklmnopqrstuvwxyz0123456789"]
    vocab += [f"##{c}" for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    (directory / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tokenizer = BertTokenizerFast(vocab_file=str(directory / "vocab.txt"), model_max_length=max_positions)
    tokenizer.save_pretrained(directory)
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
        max_position_embeddings=max_positions, num_labels=len(labels),
        id2label=dict(enumerate(labels)), label2id={label: i for i, label in enumerate(labels)},
    )
    BertForSequenceClassification(config).eval().save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Build (once per label set and seed) a tiny model directory: `tiny_models(["neg", "pos"])`."""
    built: dict[tuple[tuple[str, ...], int, int], Path] = {}

    def make(labels: list[str], seed: int = 0, max_positions: int = 64) -> Path:
        key = (tuple(labels), seed, max_positions)
        if key not in built:
            built[key] = build_tiny_model(tmp_path_factory.mktemp("tiny-model"), labels, seed, max_positions)
        return built[key]

    return make
