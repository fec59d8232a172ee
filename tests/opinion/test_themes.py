"""Themes: lexicon aspects with volume, sentiment split and quotes, stable across runs; frequent phrases."""

from __future__ import annotations

import random

from sentiment.opinion import aspects_of, extract_themes, themes_by_mention
from tests.opinion.factory import opinion

REVIEWS = [
    (1, "Shipping took three weeks and the parcel arrived damaged. Nobody answered my emails."),
    (2, "Delivery was late again. The price is fine though."),
    (5, "Fast delivery, well packed. Great value for the price."),
    (5, "Customer service solved my problem on the phone in five minutes."),
    (4, "Good quality. The support ticket was answered the next day."),
    (3, "It works."),
]


def corpus() -> list:
    return [opinion(rating, text=text, day=i) for i, (rating, text) in enumerate(REVIEWS)]


def test_aspects_are_found_by_their_words() -> None:
    assert aspects_of("The parcel arrived late") == {"delivery"}
    assert aspects_of("Too expensive, and support never answered") == {"price", "customer support"}
    assert aspects_of("It works.") == set()


def test_themes_have_volume_sentiment_split_and_quotes() -> None:
    themes = {theme.name: theme for theme in extract_themes(corpus())}
    assert set(themes) == {"delivery", "price", "customer support"}
    delivery = themes["delivery"]
    assert delivery.volume == 3
    assert delivery.sentiment_counts == {"negative": 2, "neutral": 0, "positive": 1}
    assert delivery.quotes[0].sentiment == "negative" and delivery.quotes[1].sentiment == "positive"
    assert all(aspects_of(quote.text) & {"delivery"} for quote in delivery.quotes)
    assert delivery.negative_share.low < 2 / 3 < delivery.negative_share.high


def test_theme_names_are_stable_across_runs_and_input_order() -> None:
    first = [(theme.name, theme.volume) for theme in extract_themes(corpus())]
    shuffled = corpus()
    random.Random(4).shuffle(shuffled)
    assert [(theme.name, theme.volume) for theme in extract_themes(shuffled)] == first


def test_unexplained_complaints_surface_as_phrases_without_the_brand_name() -> None:
    texts = ["Acme Widget dark mode is impossible to read", "The dark mode in Acme Widget hurts my eyes",
             "Gave up on dark mode, Acme Widget needs work"]
    themes = extract_themes([opinion(1, text=text) for text in texts], brand_words=["Acme Widget"])
    assert [(theme.name, theme.kind, theme.volume) for theme in themes] == [("dark mode", "phrase", 3)]


def test_themes_by_mention_feeds_the_selector() -> None:
    items = corpus()
    mapping = themes_by_mention(extract_themes(items))
    assert mapping[items[1].mention_id] == {"delivery", "price"}
    assert items[5].mention_id not in mapping
