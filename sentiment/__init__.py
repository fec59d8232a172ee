"""Sentiment: an offline transformer classifier for mentions, with batch scoring and evaluation.

Stands on `storage`. Other packages use only what is named here: `load_model` for a configured
model, `score_texts` for texts, `score_mentions` for stored mentions, `evaluate_file` for a
labelled file, and the error classes. Opinion analytics (summaries, themes, shifts) live in
`sentiment.opinion`.

Names load on first use (PEP 562), so importing the package does not import torch and
transformers: every `advocado` command would otherwise pay seconds for it at start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sentiment.errors import DataFileError, LabelMappingError, ModelNotFound, SentimentError
from sentiment.labels import SENTIMENTS

_LAZY = {
    "evaluate_file": "sentiment.evaluate",
    "count_to_score": "sentiment.mentions",
    "mention_text": "sentiment.mentions",
    "score_mentions": "sentiment.mentions",
    "BUILTIN_ID": "sentiment.model",
    "SentimentModel": "sentiment.model",
    "load_model": "sentiment.model",
    "Score": "sentiment.scoring",
    "score_texts": "sentiment.scoring",
}

if TYPE_CHECKING:
    from sentiment.evaluate import evaluate_file
    from sentiment.mentions import count_to_score, mention_text, score_mentions
    from sentiment.model import BUILTIN_ID, SentimentModel, load_model
    from sentiment.scoring import Score, score_texts


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'sentiment' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "BUILTIN_ID", "SENTIMENTS", "DataFileError", "LabelMappingError", "ModelNotFound", "Score",
    "SentimentError", "SentimentModel", "count_to_score", "evaluate_file", "load_model",
    "mention_text", "score_mentions", "score_texts",
]
