"""Signs that reviews are not what they seem: bursts of near-copies, and stars that contradict the text."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from sentiment.opinion.data import Opinion

_WORD = re.compile(r"\w+", re.UNICODE)
SHINGLE = 3
MAX_BURST_ITEMS = 20000
MAX_REPRESENTATIVES = 16
# MinHash LSH: 16 bands of 2 rows put two texts with Jaccard 0.6 in a shared bucket with probability
# 1 - (1 - 0.6**2)**16 > 0.999, and unrelated texts (Jaccard 0.05) rarely (4%); buckets are then
# checked exactly, so LSH only decides which pairs are compared.
BANDS, ROWS = 16, 2
_MASK64 = (1 << 64) - 1
_PERMUTATIONS = np.array([(0x9E3779B97F4A7C15 * (2 * k + 1)) & _MASK64 | 1 for k in range(BANDS * ROWS)], dtype=np.uint64)
_OFFSETS = np.array([(0xD1B54A32D192ED03 * (k + 7)) & _MASK64 for k in range(BANDS * ROWS)], dtype=np.uint64)


def shingles(text: str, size: int = SHINGLE) -> frozenset[tuple[str, ...]]:
    """Overlapping runs of `size` words, lower-cased; short texts give their whole word run."""
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return frozenset({tuple(words)}) if words else frozenset()
    return frozenset(tuple(words[i:i + size]) for i in range(len(words) - size + 1))


def jaccard(a: frozenset[Any], b: frozenset[Any]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _minhash(signature: frozenset[tuple[str, ...]]) -> np.ndarray:
    hashes = np.fromiter((int.from_bytes(hashlib.blake2b("\x1f".join(shingle).encode(), digest_size=8).digest(), "little")
                          for shingle in signature), dtype=np.uint64, count=len(signature))
    # multiply-shift hashing; uint64 arithmetic wraps, which is the point
    return ((_PERMUTATIONS[:, None] * hashes[None, :] + _OFFSETS[:, None]) >> np.uint64(32)).min(axis=1)


def _lsh_buckets(signatures: Sequence[frozenset[tuple[str, ...]]]) -> Iterator[list[int]]:
    buckets: dict[tuple[int, bytes], list[int]] = {}
    for index, signature in enumerate(signatures):
        if not signature:
            continue
        values = _minhash(signature)
        for band in range(BANDS):
            key = (band, values[band * ROWS:(band + 1) * ROWS].tobytes())
            buckets.setdefault(key, []).append(index)
    for members in buckets.values():
        if len(members) > 1:
            yield members


@dataclass(frozen=True)
class Burst:
    """A group of near-identical mentions published close together: a campaign or fake reviews."""

    mention_ids: list[int]
    authors: int
    first_at: datetime
    last_at: datetime
    example: str

    @property
    def window(self) -> str:
        return f"{self.first_at.date().isoformat()}..{self.last_at.date().isoformat()}"

    def as_dict(self) -> dict[str, Any]:
        return {"size": len(self.mention_ids), "mention_ids": self.mention_ids, "authors": self.authors,
                "first_at": self.first_at.isoformat(), "last_at": self.last_at.isoformat(), "example": self.example}


def near_duplicate_bursts(opinions: Sequence[Opinion], now: datetime, *, days: int = 3, min_size: int = 5,
                          similarity: float = 0.6) -> list[Burst]:
    """Groups of at least `min_size` mentions from the last `days` days whose texts share most of their
    three-word runs (Jaccard >= `similarity`), largest first. Texts of fewer than five words are
    ignored: "Great!" twice is not a campaign."""
    since = now - timedelta(days=days)
    recent = [o for o in opinions if o.published_at is not None and since <= o.published_at <= now]
    recent = [o for o in recent if len(_WORD.findall(o.full_text)) >= 5][-MAX_BURST_ITEMS:]
    signatures = [shingles(o.full_text) for o in recent]
    parent = list(range(len(recent)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for bucket in _lsh_buckets(signatures):
        # Compare with a few earlier members of the bucket rather than every pair: a campaign of
        # hundreds of copies lands in one bucket, and single linkage needs only one match.
        representatives: list[int] = []
        for i in bucket:
            for j in representatives:
                if root(i) == root(j) or jaccard(signatures[i], signatures[j]) >= similarity:
                    parent[root(i)] = root(j)
                    break
            else:
                if len(representatives) < MAX_REPRESENTATIVES:
                    representatives.append(i)
    groups: dict[int, list[Opinion]] = {}
    for index, opinion in enumerate(recent):
        groups.setdefault(root(index), []).append(opinion)
    bursts = []
    for members in groups.values():
        if len(members) < min_size:
            continue
        times = [member.published_at for member in members if member.published_at is not None]
        bursts.append(Burst(
            mention_ids=[member.mention_id for member in members],
            authors=len({(member.author or "").strip().lower() for member in members}),
            first_at=min(times), last_at=max(times), example=members[0].full_text[:280],
        ))
    return sorted(bursts, key=lambda burst: (-len(burst.mention_ids), burst.mention_ids[0]))


@dataclass(frozen=True)
class Mismatch:
    """A mention whose stars say one thing and whose text, by the model, says the opposite."""

    mention_id: int
    rating: float
    sentiment: str
    confidence: float | None
    published_at: datetime | None
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"mention_id": self.mention_id, "rating": self.rating, "sentiment": self.sentiment,
                "confidence": self.confidence, "published_at": self.published_at.isoformat() if self.published_at else None,
                "text": self.text}


def rating_text_mismatches(opinions: Sequence[Opinion], *, min_confidence: float = 0.8) -> list[Mismatch]:
    """4-5 stars with clearly negative text, or 1-2 stars with clearly positive text.

    Only model scores count (a sentiment derived from the stars cannot contradict them), and only
    when the model was at least `min_confidence` sure, or gave no probabilities.
    """
    found = []
    for opinion in opinions:
        if opinion.rating is None or opinion.model_sentiment is None:
            continue
        if opinion.model_confidence is not None and opinion.model_confidence < min_confidence:
            continue
        if (opinion.rating >= 4 and opinion.model_sentiment == "negative") or (
                opinion.rating <= 2 and opinion.model_sentiment == "positive"):
            found.append(Mismatch(opinion.mention_id, opinion.rating, opinion.model_sentiment, opinion.model_confidence,
                                  opinion.published_at, opinion.full_text[:280]))
    return found
