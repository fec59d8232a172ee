"""Labelled sentiment files: `text<TAB>label` with a header line, labels negative/neutral/positive."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sentiment.errors import DataFileError

KNOWN_LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Example:
    """One labelled text."""

    text: str
    label: str


def read_labelled(path: Path) -> list[Example]:
    """Read a labelled TSV file; the label is after the last tab, so texts may contain tabs."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise DataFileError(f"cannot read {path}: {error}") from None
    if not lines:
        raise DataFileError(f"{path} is empty; expected a header line `text<TAB>label`")
    examples = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        text, tab, label = line.rpartition("\t")
        label = label.strip().lower()
        if not tab:
            raise DataFileError(f"{path}:{number}: expected `text<TAB>label`")
        if label not in KNOWN_LABELS:
            raise DataFileError(f"{path}:{number}: unknown label {label!r}; use one of {', '.join(KNOWN_LABELS)}")
        examples.append(Example(text, label))
    if not examples:
        raise DataFileError(f"{path} has a header but no examples")
    return examples
