"""Scoring texts: windows for long texts, length-bucketed batches, probabilities per sentiment."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from transformers import PreTrainedTokenizerBase

from sentiment.labels import SENTIMENTS
from sentiment.model import BUILTIN_ID, SentimentModel, load_model

# Texts longer than this are cut to evenly spaced pieces before tokenizing, so a 10 MB paste costs
# what a long review costs; MAX_WINDOWS windows of a text are scored at most.
MAX_CHARS = 40_000
MAX_WINDOWS = 24
WINDOW_OVERLAP = 32


@dataclass(frozen=True)
class Score:
    """A sentiment label and the probability of each of negative, neutral and positive."""

    label: str
    probabilities: dict[str, float]


EMPTY_SCORE = Score("neutral", {"negative": 0.0, "neutral": 1.0, "positive": 0.0})


def as_text(value: object) -> str:
    """Any input as text: None is empty, bytes are decoded leniently, anything else is `str()`-ed."""
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return value if isinstance(value, str) else str(value)


def _shorten(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    pieces = MAX_WINDOWS
    size = MAX_CHARS // pieces
    step = (len(text) - size) / (pieces - 1)
    return " ".join(text[round(i * step):round(i * step) + size] for i in range(pieces))


def special_tokens(tokenizer: PreTrainedTokenizerBase) -> tuple[list[int], list[int]]:
    """The ids a tokenizer puts before and after one sequence (`[CLS]`/`[SEP]`, `<s>`/`</s>`, ...)."""
    bare = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a", add_special_tokens=True)["input_ids"]
    for start in range(len(full) - len(bare) + 1):
        if full[start:start + len(bare)] == bare:
            return full[:start], full[start + len(bare):]
    return [], []


def windows(model: SentimentModel, text: str) -> list[list[int]]:
    """Token ids of the text's windows, special tokens included: one for a short text, several
    overlapping ones for a long text (evenly spread, at most MAX_WINDOWS)."""
    return _windows_of_texts(model, [text])[0]


def _windows_of_texts(model: SentimentModel, texts: list[str]) -> list[list[list[int]]]:
    tokenizer = model.tokenizer
    prefix, suffix = special_tokens(tokenizer)
    room = model.max_tokens - len(prefix) - len(suffix)
    encoded = tokenizer([_shorten(text) for text in texts], add_special_tokens=False, truncation=False, verbose=False)
    result = []
    for ids in encoded["input_ids"]:
        if len(ids) <= room:
            result.append([prefix + ids + suffix])
            continue
        stride = room - min(WINDOW_OVERLAP, room // 4)
        starts = [*range(0, len(ids) - room, stride), len(ids) - room]
        if len(starts) > MAX_WINDOWS:
            step = (len(starts) - 1) / (MAX_WINDOWS - 1)
            starts = [starts[round(i * step)] for i in range(MAX_WINDOWS)]
        result.append([prefix + ids[start:start + room] + suffix for start in starts])
    return result


def _batches(lengths: list[int], batch_size: int, max_batch_tokens: int) -> list[list[int]]:
    """Indices grouped by similar length (shortest first), each batch within a padded-token budget."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        if current and (len(current) >= batch_size or lengths[index] * (len(current) + 1) > max_batch_tokens):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


@torch.inference_mode()
def window_probabilities(
    model: SentimentModel, encoded: list[list[int]], batch_size: int = 32, max_batch_tokens: int = 8192
) -> torch.Tensor:
    """Class probabilities (model's own classes) for each window, in input order."""
    pad = model.tokenizer.pad_token_id or 0
    result = torch.empty(len(encoded), len(model.class_sentiments))
    for indices in _batches([len(ids) for ids in encoded], batch_size, max_batch_tokens):
        width = max(len(encoded[i]) for i in indices)
        input_ids = torch.full((len(indices), width), pad, dtype=torch.long)
        attention_mask = torch.zeros((len(indices), width), dtype=torch.long)
        for row, i in enumerate(indices):
            input_ids[row, :len(encoded[i])] = torch.tensor(encoded[i], dtype=torch.long)
            attention_mask[row, :len(encoded[i])] = 1
        result[indices] = torch.softmax(model.logits(input_ids, attention_mask).float(), dim=-1)
    return result


@functools.cache
def builtin_model() -> SentimentModel:
    """The built-in model, loaded once per process (for callers that pass no model)."""
    return load_model(BUILTIN_ID)


def score_texts(texts: Sequence[object], model: SentimentModel | None = None, batch_size: int = 32) -> list[Score]:
    """Score each text with `model` (default: the built-in model); long texts are windowed and their
    windows' probabilities averaged by length.

    Empty and whitespace-only texts are neutral with certainty and never reach the model.
    """
    model = model or builtin_model()
    present = [(position, text) for position, text in enumerate(map(as_text, texts)) if text.strip()]
    owners: list[int] = []
    encoded: list[list[int]] = []
    if present:
        for (position, _), parts in zip(present, _windows_of_texts(model, [text for _, text in present])):
            owners += [position] * len(parts)
            encoded += parts
    probabilities = window_probabilities(model, encoded, batch_size)
    mapping = torch.zeros(len(model.class_sentiments), len(SENTIMENTS))
    for index, sentiment in enumerate(model.class_sentiments):
        mapping[index, SENTIMENTS.index(sentiment)] = 1.0
    per_sentiment = probabilities @ mapping
    weights = torch.tensor([float(len(ids)) for ids in encoded])
    totals = torch.zeros(len(texts), len(SENTIMENTS))
    weight_sums = torch.zeros(len(texts))
    if owners:
        owner_index = torch.tensor(owners)
        totals.index_add_(0, owner_index, per_sentiment * weights.unsqueeze(1))
        weight_sums.index_add_(0, owner_index, weights)
    scores = []
    for position in range(len(texts)):
        if weight_sums[position] == 0:
            scores.append(EMPTY_SCORE)
            continue
        row = (totals[position] / weight_sums[position]).tolist()
        probabilities_by_label = {label: round(value, 6) for label, value in zip(SENTIMENTS, row)}
        scores.append(Score(SENTIMENTS[max(range(len(SENTIMENTS)), key=row.__getitem__)], probabilities_by_label))
    return scores
