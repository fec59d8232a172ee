"""Judging a model on a labelled file: accuracy, macro-F1, macro-recall, per-class precision and recall."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sentiment.data import read_labelled
from sentiment.metrics import classification_report
from sentiment.model import SentimentModel
from sentiment.scoring import Score, score_texts


def binary_label(score: Score) -> str:
    """Positive or negative, whichever is more probable: how a model is judged on a two-class file."""
    return "positive" if score.probabilities["positive"] > score.probabilities["negative"] else "negative"


def evaluate_file(path: Path, model: SentimentModel, batch_size: int = 32) -> dict[str, Any]:
    """Score every example of a `text<TAB>label` file and report how the labels compare.

    A file without neutral examples is binary: each text is judged by P(positive) versus P(negative).
    """
    examples = read_labelled(path)
    scores = score_texts([e.text for e in examples], model, batch_size=batch_size)
    gold = [e.label for e in examples]
    binary = "neutral" not in gold
    predicted = [binary_label(s) if binary else s.label for s in scores]
    report = classification_report(gold, predicted)
    report["binary"] = binary
    return report
