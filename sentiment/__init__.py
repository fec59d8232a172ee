"""Sentiment: an offline transformer classifier for mentions, with batch scoring and evaluation.

Stands on `storage`. Other packages use only what is named here: `load_model` for a configured
model, `score_texts` for texts, `score_mentions` for stored mentions, `evaluate_file` for a
labelled file, and the error classes.
"""

from sentiment.errors import DataFileError, LabelMappingError, ModelNotFound, SentimentError
from sentiment.evaluate import evaluate_file
from sentiment.labels import SENTIMENTS
from sentiment.mentions import count_to_score, mention_text, score_mentions
from sentiment.model import BUILTIN_ID, SentimentModel, load_model
from sentiment.scoring import Score, score_texts

__all__ = [
    "BUILTIN_ID", "SENTIMENTS", "DataFileError", "LabelMappingError", "ModelNotFound", "Score",
    "SentimentError", "SentimentModel", "count_to_score", "evaluate_file", "load_model",
    "mention_text", "score_mentions", "score_texts",
]
