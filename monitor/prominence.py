"""Sentences of an answer and brand prominence: the position-adjusted word count (PAWC) of GEO
(Aggarwal et al., KDD 2024), with "sentences citing source i" read as "sentences mentioning brand b".

For each sentence s at index pos among N sentences that mentions k_s tracked names, each of them
gets |s|/k_s · exp(-pos/(N-1)), where |s| counts words longer than 2 characters; the scores of an
answer's tracked names are normalised to sum to 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[*]*[A-Z0-9])")
_MARKER_ONLY = re.compile(r"^\s*(?:\d{1,3}[.)]|[-*+•]|#{1,6})\s*$")
_WORD = re.compile(r"\w+")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of `text`; every line (list item) ends one."""
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        start = 0
        for match in _SENTENCE_END.finditer(line):
            if not _MARKER_ONLY.match(line[start:match.start()]):  # "1. Acme" is one sentence, not two
                if line[start:match.start()].strip():
                    spans.append((line_start + start, line_start + match.start()))
                start = match.end()
        if line[start:].strip():
            spans.append((line_start + start, line_start + len(line)))
        line_start += len(line) + 1
    return spans


def word_count(sentence: str) -> int:
    return sum(1 for word in _WORD.findall(sentence) if len(word) > 2)


K = TypeVar("K", bound=Hashable)


def pawc(text: str, spans: Sequence[tuple[int, int]], mentions: Mapping[K, Sequence[tuple[int, int]]]) -> dict[K, float]:
    """Normalised PAWC of each key of `mentions` (its character spans) over the sentences `spans`."""
    raw = dict.fromkeys(mentions, 0.0)
    n = len(spans)
    for pos, (start, end) in enumerate(spans):
        inside = [key for key, found in mentions.items() if any(start <= s < end for s, _ in found)]
        if not inside:
            continue
        weight = math.exp(-pos / (n - 1)) if n > 1 else 1.0
        share = word_count(text[start:end]) / len(inside) * weight
        for key in inside:
            raw[key] += share
    total = sum(raw.values())
    return {key: (value / total if total else 0.0) for key, value in raw.items()}
