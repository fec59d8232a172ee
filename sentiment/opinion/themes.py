"""Themes: the aspects people praise and complain about, with volume, sentiment split and quotes.

Lexical on purpose: the sentiment package's public API scores texts but exposes no sentence
embeddings, and a fixed aspect lexicon gives theme names that stay the same from run to run.
Mentions that no aspect covers still surface through frequent two-word phrases of their own
("custom metrics"), named by the phrase itself, so they are stable too.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sentiment.opinion.data import SENTIMENTS, Opinion
from sentiment.opinion.stats import Interval, wilson

ASPECTS: dict[str, tuple[str, ...]] = {
    "price": ("price", "prices", "pricing", "priced", "cost", "costs", "expensive", "cheap", "renewal", "quote",
              "billing", "billed", "charged", "invoice", "refund", "fee", "fees", "value", "worth"),
    "customer support": ("support", "ticket", "helpdesk", "customer service", "answered", "answer", "response times",
                         "engineer", "fixed our", "responsive"),
    "delivery": ("delivery", "delivered", "shipping", "shipped", "courier", "package", "parcel", "arrived"),
    "onboarding and setup": ("setup", "set up", "onboarding", "install", "installation", "configure", "docs",
                             "documentation", "live the same day"),
    "ease of use": ("easy", "intuitive", "usability", "interface", "clunky", "confusing", "learning curve", "editor",
                    "drag", "simple", "simpler"),
    "speed and reliability": ("slow", "slower", "fast", "faster", "speed", "crawl", "loading", "outage", "outages",
                              "down", "downtime", "crash", "crashes", "reliable", "lag", "forever", "failure"),
    "dashboards and reports": ("dashboard", "dashboards", "report", "reports", "reporting", "chart", "charts",
                               "digest", "metrics", "attribution"),
    "integrations and export": ("integration", "integrations", "connector", "connectors", "api", "sync", "export",
                                "exports", "exporting", "import", "csv", "hubspot", "stripe", "salesforce"),
    "features and roadmap": ("feature", "features", "roadmap", "release", "update", "updates", "requests",
                             "templates", "alerts", "alerting", "permissions"),
    "mobile app": ("mobile", "app", "ios", "android", "iphone"),
    "data accuracy": ("data", "wrong numbers", "accurate", "accuracy", "dropped", "cuts off", "missing"),
}

_STOP = frozenset("""a an the and or but if of to in on at for with from by as is are was were be been being it its
this that these those we our us you your they their them i me my he she his her not no so too very just than then
there here what which who whom when where why how all any each few more most other some such only own same can will
would should could do does did done have has had having up down out over under again further once about into
through during before after above below off also get got one two still much many every lot really""".split())
_WORD = re.compile(r"[a-z][a-z'-]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
QUOTES = 3


@dataclass(frozen=True)
class Quote:
    mention_id: int
    sentiment: str | None
    rating: float | None
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"mention_id": self.mention_id, "sentiment": self.sentiment, "rating": self.rating, "text": self.text}


@dataclass(frozen=True)
class Theme:
    """One aspect: how many mentions speak of it, how they feel, and a few quotes (negative first)."""

    name: str
    kind: str
    """`aspect` (from the lexicon) or `phrase` (a frequent two-word phrase)."""
    volume: int
    sentiment_counts: dict[str, int]
    negative_share: Interval
    quotes: list[Quote] = field(default_factory=list)
    mention_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "volume": self.volume, "sentiment_counts": self.sentiment_counts,
                "negative_share": self.negative_share.as_dict(), "quotes": [quote.as_dict() for quote in self.quotes]}


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE.split(text) if part.strip()]


_TERM_ASPECT = {term.lower(): name for name, terms in ASPECTS.items() for term in terms}
_TERM_LENGTHS = sorted({len(term.split()) for term in _TERM_ASPECT})
_TOKEN = re.compile(r"[a-z0-9]+")


def aspects_of(text: str) -> set[str]:
    """The lexicon aspects a text speaks of (whole words and word runs, any letter case)."""
    words = _TOKEN.findall(text.lower())
    found = set()
    for length in _TERM_LENGTHS:
        for start in range(len(words) - length + 1):
            aspect = _TERM_ASPECT.get(words[start] if length == 1 else " ".join(words[start:start + length]))
            if aspect is not None:
                found.add(aspect)
    return found


def _phrases(text: str) -> set[str]:
    words = _WORD.findall(text.lower())
    return {f"{a} {b}" for a, b in zip(words, words[1:]) if a not in _STOP and b not in _STOP and len(a) > 2 and len(b) > 2}


def extract_themes(opinions: Sequence[Opinion], *, min_volume: int = 2, max_phrases: int = 5,
                   brand_words: Sequence[str] = ()) -> list[Theme]:
    """Themes across `opinions`, largest first: lexicon aspects with at least `min_volume` mentions,
    then up to `max_phrases` frequent phrases (in 3 or more mentions) that no aspect already explains.
    `brand_words` (the brand's name and aliases) are never a phrase."""
    members: dict[str, list[Opinion]] = defaultdict(list)
    matched_sentences: dict[tuple[str, int], list[str]] = defaultdict(list)
    phrase_counts: Counter[str] = Counter()
    phrase_members: dict[str, list[Opinion]] = defaultdict(list)
    ignore = {word.lower() for name in brand_words for word in _WORD.findall(name.lower())}
    for opinion in opinions:
        found: set[str] = set()
        for sentence in sentences(opinion.full_text):
            for name in aspects_of(sentence):
                found.add(name)
                matched_sentences[(name, opinion.mention_id)].append(sentence)
        for name in sorted(found):
            members[name].append(opinion)
        if not found and opinion.sentiment in ("negative", "positive"):
            for phrase in _phrases(opinion.full_text):
                if not ignore & set(phrase.split()):
                    phrase_counts[phrase] += 1
                    phrase_members[phrase].append(opinion)
    themes = [_theme(name, "aspect", group, matched_sentences) for name, group in members.items() if len(group) >= min_volume]
    frequent = [phrase for phrase, count in sorted(phrase_counts.items(), key=lambda kv: (-kv[1], kv[0])) if count >= 3]
    for phrase in frequent[:max_phrases]:
        group = phrase_members[phrase]
        for opinion in group:
            matched_sentences[(phrase, opinion.mention_id)] = [s for s in sentences(opinion.full_text) if phrase in s.lower()]
        themes.append(_theme(phrase, "phrase", group, matched_sentences))
    return sorted(themes, key=lambda theme: (-theme.volume, theme.name))


def _theme(name: str, kind: str, group: list[Opinion], matched: dict[tuple[str, int], list[str]]) -> Theme:
    counts = Counter(opinion.sentiment for opinion in group if opinion.sentiment)
    known = sum(counts.values())
    return Theme(
        name=name, kind=kind, volume=len(group),
        sentiment_counts={label: counts.get(label, 0) for label in SENTIMENTS},
        negative_share=wilson(counts.get("negative", 0), known),
        quotes=_quotes(name, group, matched),
        mention_ids=[opinion.mention_id for opinion in group],
    )


def _quotes(name: str, group: list[Opinion], matched: dict[tuple[str, int], list[str]]) -> list[Quote]:
    """Up to three quotes: the most negative and the most positive voices first, then the rest; each
    quote is the sentence that names the theme, of readable length, newest first within a sentiment."""
    def readable(sentence: str) -> bool:
        return 4 <= len(sentence.split()) <= 40

    order = {"negative": 0, "positive": 1, "neutral": 2, None: 3}
    candidates = sorted(group, key=lambda o: (order.get(o.sentiment, 3), -(o.published_at.timestamp() if o.published_at else 0), o.mention_id))
    chosen: list[Quote] = []
    seen_sentiments: set[str | None] = set()
    for pass_number in (0, 1):
        for opinion in candidates:
            if len(chosen) >= QUOTES:
                return chosen
            if any(quote.mention_id == opinion.mention_id for quote in chosen):
                continue
            if pass_number == 0 and opinion.sentiment in seen_sentiments:
                continue
            options = [s for s in matched.get((name, opinion.mention_id), []) if readable(s)]
            if not options:
                continue
            chosen.append(Quote(opinion.mention_id, opinion.sentiment, opinion.rating, options[0][:300]))
            seen_sentiments.add(opinion.sentiment)
    return chosen


def themes_by_mention(themes: Sequence[Theme]) -> dict[int, set[str]]:
    """mention id → its theme names, the shape `widgets.select_representative(themes=...)` takes."""
    result: dict[int, set[str]] = defaultdict(set)
    for theme in themes:
        for mention_id in theme.mention_ids:
            result[mention_id].add(theme.name)
    return dict(result)
