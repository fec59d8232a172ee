"""Loading a sentiment model: the built-in one, or any Hugging Face sequence-classification model."""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from transformers import AutoModelForSequenceClassification, AutoTokenizer, PreTrainedTokenizerBase
from transformers.utils import logging as transformers_logging

from sentiment import minilm
from sentiment.errors import ModelNotFound
from sentiment.labels import SENTIMENTS, resolve_labels

BUILTIN_ID = minilm.BUILTIN_ID
BUILTIN_VERSION = "1"
# The built-in model was trained on texts of up to 96 tokens; longer texts are split into windows.
BUILTIN_MAX_TOKENS = 128
MAX_TOKENS = 512


@dataclass
class SentimentModel:
    """A loaded model, ready to score: its network, tokenizer, label sentiments and identity.

    `model_id` and `version` are stored with every score, so a change of model, weights, label
    mapping or quantization gives unscored mentions again.
    """

    model_id: str
    version: str
    source: str
    network: nn.Module
    tokenizer: PreTrainedTokenizerBase
    class_sentiments: list[str]
    max_tokens: int
    quantized: bool
    forward: Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]

    def logits(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The network's class logits for one padded batch."""
        return self.forward(self.network, input_ids, attention_mask)

    parameters: int = 0

    def info(self) -> dict[str, object]:
        """Model id, version, size and where it was loaded from, for `advocado sentiment info`."""
        return {
            "model_id": self.model_id,
            "version": self.version,
            "source": self.source,
            "parameters": self.parameters,
            "labels": self.class_sentiments,
            "max_tokens": self.max_tokens,
            "quantized": self.quantized,
            "threads": torch.get_num_threads(),
        }


@contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence transformers' load-time chatter (progress bars, unused-weight notes) for one load."""
    verbosity = transformers_logging.get_verbosity()
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    try:
        yield
    finally:
        transformers_logging.set_verbosity(verbosity)
        transformers_logging.enable_progress_bar()


def set_threads(threads: int | None) -> int:
    """Use `threads` CPU threads for scoring, default one per available core; returns the count."""
    if threads is None:
        threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    torch.set_num_threads(max(1, threads))
    return torch.get_num_threads()


def quantize(network: nn.Module) -> nn.Module:
    """int8 dynamic quantization of every linear layer (about 2x faster on CPU, 1-2 points less accurate)."""
    with warnings.catch_warnings():
        # torch marks torch.ao.quantization as deprecated in favour of torchao, which is not a
        # dependency here; the eager API still works in this torch version.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", UserWarning)
        return torch.ao.quantization.quantize_dynamic(network, {nn.Linear}, dtype=torch.qint8)


def load_model(
    name: str = BUILTIN_ID,
    labels: Mapping[str, str] | None = None,
    quantize_int8: bool = False,
    threads: int | None = None,
) -> SentimentModel:
    """Load `name`: `advocado-minilm` (built in), a local directory, or a Hugging Face model id.

    Hub ids load from the local cache and, unless `HF_HUB_OFFLINE=1`, may download once; the built-in
    model and local directories never touch the network. `labels` maps the model's own labels to
    negative/neutral/positive where they cannot be guessed.
    """
    set_threads(threads)
    with quiet_transformers():
        if name == BUILTIN_ID:
            loaded = _load_builtin()
        else:
            loaded = _load_hub_or_path(name, labels)
    loaded.parameters = sum(p.numel() for p in loaded.network.parameters())
    if quantize_int8:
        loaded.network = quantize(loaded.network)
        loaded.quantized = True
        loaded.version += "+int8"
    return loaded


def _load_builtin() -> SentimentModel:
    network, tokenizer, metadata = minilm.load_builtin()
    return SentimentModel(
        model_id=BUILTIN_ID,
        version=f"{BUILTIN_VERSION}+{metadata['sha256'][:12]}",
        source=f"{minilm.WEIGHTS} on {minilm.encoder_path()}",
        network=network,
        tokenizer=tokenizer,
        class_sentiments=list(minilm.LABELS),
        max_tokens=BUILTIN_MAX_TOKENS,
        quantized=False,
        forward=lambda network, input_ids, attention_mask: network(input_ids, attention_mask),
    )


def _load_hub_or_path(name: str, labels: Mapping[str, str] | None) -> SentimentModel:
    local = Path(name).expanduser()
    is_local = local.is_dir()
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(local) if is_local else name, local_files_only=is_local)
        network = AutoModelForSequenceClassification.from_pretrained(
            str(local) if is_local else name, local_files_only=is_local
        )
    except (OSError, ValueError) as error:
        hint = "" if is_local else " (offline? set ADVOCADO_SENTIMENT_MODEL to a local directory, or download it once)"
        raise ModelNotFound(f"cannot load sentiment model {name!r}{hint}: {str(error).splitlines()[0]}") from None
    network.eval()
    sentiments = resolve_labels(network.config.id2label, labels)
    limit = min(int(getattr(tokenizer, "model_max_length", MAX_TOKENS) or MAX_TOKENS), MAX_TOKENS)
    positions = getattr(network.config, "max_position_embeddings", None)
    if positions:
        # RoBERTa-style models reserve two positions for padding offsets.
        limit = min(limit, int(positions) - 2)
    return SentimentModel(
        model_id=name,
        version=_version(network, local if is_local else None, sentiments),
        source=str(local.resolve()) if is_local else f"Hugging Face cache ({name})",
        network=network,
        tokenizer=tokenizer,
        class_sentiments=sentiments,
        max_tokens=limit,
        quantized=False,
        forward=lambda network, input_ids, attention_mask: network(input_ids=input_ids, attention_mask=attention_mask).logits,
    )


def _version(network: nn.Module, local: Path | None, sentiments: list[str]) -> str:
    """A hub commit, or a digest of a local model's config and weight files, plus its label mapping."""
    digest = hashlib.sha256(json.dumps(sentiments).encode())
    commit = getattr(network.config, "_commit_hash", None)
    if commit and local is None:
        return f"{commit[:12]}+{digest.hexdigest()[:8]}"
    if local is not None:
        for path in sorted(local.iterdir()):
            if path.suffix in {".json", ".safetensors", ".bin"} and path.is_file():
                digest.update(path.name.encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


__all__ = ["BUILTIN_ID", "SENTIMENTS", "SentimentModel", "load_model", "quiet_transformers"]
