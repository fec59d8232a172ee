"""Mapping a model's own labels onto negative / neutral / positive."""

from __future__ import annotations

import pytest

from sentiment.errors import LabelMappingError
from sentiment.labels import resolve_labels


def test_common_label_names_are_recognised() -> None:
    assert resolve_labels({0: "NEG", 1: "Neutral", 2: "positive"}) == ["negative", "neutral", "positive"]


def test_star_ratings_fold_into_three_sentiments() -> None:
    stars = {0: "1 star", 1: "2 stars", 2: "3 stars", 3: "4 stars", 4: "5 stars"}
    assert resolve_labels(stars) == ["negative", "negative", "neutral", "positive", "positive"]


def test_configured_mapping_wins_and_is_case_insensitive() -> None:
    mapping = {"label_0": "Negative", "LABEL_1": "positive"}
    assert resolve_labels({0: "LABEL_0", 1: "LABEL_1"}, mapping) == ["negative", "positive"]
    assert resolve_labels({0: "pos", 1: "neg"}, {"pos": "negative", "neg": "positive"}) == ["negative", "positive"]


def test_generic_labels_without_a_mapping_are_refused_with_a_hint() -> None:
    with pytest.raises(LabelMappingError, match="ADVOCADO_SENTIMENT_LABELS"):
        resolve_labels({0: "LABEL_0", 1: "LABEL_1"})


def test_mapping_to_an_unknown_sentiment_is_refused() -> None:
    with pytest.raises(LabelMappingError, match="must be one of"):
        resolve_labels({0: "LABEL_0", 1: "LABEL_1"}, {"LABEL_0": "bad", "LABEL_1": "positive"})


def test_a_model_without_both_polarities_is_refused() -> None:
    with pytest.raises(LabelMappingError, match="both negative and positive"):
        resolve_labels({0: "negative", 1: "neutral"})
