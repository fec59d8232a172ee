"""Accuracy, macro-F1, macro-recall and per-class figures on a hand-checked example."""

from __future__ import annotations

import pytest

from sentiment.metrics import classification_report


def test_figures_match_a_hand_computed_example() -> None:
    gold = ["negative", "negative", "neutral", "neutral", "positive", "positive"]
    predicted = ["negative", "neutral", "neutral", "positive", "positive", "positive"]
    report = classification_report(gold, predicted)
    assert report["n"] == 6
    assert report["accuracy"] == pytest.approx(4 / 6)
    assert report["per_class"]["negative"] == pytest.approx({"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2})
    assert report["per_class"]["positive"]["precision"] == pytest.approx(2 / 3)
    assert report["macro_recall"] == pytest.approx((0.5 + 0.5 + 1.0) / 3)
    assert report["macro_f1"] == pytest.approx((2 / 3 + 0.5 + 0.8) / 3)


def test_binary_gold_is_averaged_over_two_classes() -> None:
    report = classification_report(["negative", "positive"], ["negative", "neutral"])
    assert set(report["per_class"]) == {"negative", "positive"}
    assert report["macro_recall"] == pytest.approx(0.5)
