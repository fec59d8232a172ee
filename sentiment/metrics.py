"""Classification metrics for labelled sentiment files: accuracy, macro-F1, macro-recall, per class."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def classification_report(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """`n`, `accuracy`, `macro_f1`, `macro_recall` and `per_class` precision/recall/F1/support.

    Macro averages run over the classes present in `gold`, so a binary file is judged on two classes.
    """
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted labels differ in length")
    classes = sorted(set(gold))
    per_class: dict[str, dict[str, float | int]] = {}
    for label in classes:
        true_positive = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        predicted_count = sum(1 for p in predicted if p == label)
        support = sum(1 for g in gold if g == label)
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    n = len(gold)
    correct = sum(1 for g, p in zip(gold, predicted) if g == p)
    return {
        "n": n,
        "accuracy": correct / n if n else 0.0,
        "macro_f1": sum(c["f1"] for c in per_class.values()) / len(classes) if classes else 0.0,
        "macro_recall": sum(c["recall"] for c in per_class.values()) / len(classes) if classes else 0.0,
        "per_class": per_class,
    }
