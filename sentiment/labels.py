"""Map a model's own labels (`LABEL_0`, `NEG`, `4 stars`, ...) onto negative / neutral / positive."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sentiment.errors import LabelMappingError

SENTIMENTS = ("negative", "neutral", "positive")

_STARS = re.compile(r"^\s*([1-5])\s*(?:stars?)?\s*$", re.IGNORECASE)
_WORDS = (("neg", "negative"), ("neu", "neutral"), ("pos", "positive"))


def _guess(label: str) -> str | None:
    stars = _STARS.match(label)
    if stars:
        return ("negative", "negative", "neutral", "positive", "positive")[int(stars.group(1)) - 1]
    lowered = label.strip().lower()
    for prefix, sentiment in _WORDS:
        if lowered.startswith(prefix):
            return sentiment
    return None


def resolve_labels(model_labels: Mapping[int, str], configured: Mapping[str, str] | None = None) -> list[str]:
    """The sentiment of each of the model's output classes, in class-index order.

    `configured` maps model labels (case-insensitive) to sentiments and wins over guessing; without it,
    names such as `negative`/`NEG`/`Positive` and `1 star`...`5 stars` are recognised (1-2 stars
    negative, 3 neutral, 4-5 positive). Anything else, such as `LABEL_0`, needs a configured mapping.
    """
    mapping = {key.strip().lower(): value.strip().lower() for key, value in (configured or {}).items()}
    for key, value in mapping.items():
        if value not in SENTIMENTS:
            raise LabelMappingError(f"label mapping {key!r} → {value!r}: the target must be one of {', '.join(SENTIMENTS)}")
    sentiments = []
    for index in sorted(model_labels):
        name = str(model_labels[index])
        sentiment = mapping.get(name.strip().lower()) or _guess(name)
        if sentiment is None:
            raise LabelMappingError(
                f"the model's label {name!r} has no sentiment; set ADVOCADO_SENTIMENT_LABELS, "
                f'e.g. {{"{name}": "negative"}} for each of: {", ".join(map(str, model_labels.values()))}'
            )
        sentiments.append(sentiment)
    if "negative" not in sentiments or "positive" not in sentiments:
        raise LabelMappingError(f"the model's labels {sentiments} must include both negative and positive")
    return sentiments
