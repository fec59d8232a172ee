"""The sentiment package's errors; callers decide what to tell the user from the class."""

from __future__ import annotations


class SentimentError(Exception):
    """Base class of every error the sentiment package raises on purpose."""


class ModelNotFound(SentimentError):
    """The configured model (or the built-in model's files) cannot be found or loaded offline."""


class LabelMappingError(SentimentError):
    """A model's labels cannot be mapped onto negative / neutral / positive."""


class DataFileError(SentimentError):
    """A labelled evaluation or training file is missing or malformed."""
