"""What a widget shows, as the public JSON document: chosen items, honest totals, theme.

Only what the widget displays leaves the server: a name, optional role/company/avatar the customer
gave with consent, the rating, title, text and day. No e-mail, handle, source URL or internal id
beyond an opaque per-widget position.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage.public import ShownItem, Widget, WidgetKind, WidgetMode
from widgets.select import disclosure, select_representative

THEMES = ("light", "dark")
HEIGHTS = {"wall": 520, "carousel": 300, "badge": 64, "quote": 240}
"""Pixels reserved for each kind, so the host page never shifts while a widget loads."""
FEATURED_HEADING = "Selected testimonials"
REPRESENTATIVE_HEADING = "What customers say"
MAX_TEXT = 1200
_COLOR = re.compile(r"^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$")
_FONT = re.compile(r"^[\w ,'\"-]{1,80}$")
COLOR_NAMES = ("accent", "background", "text")


def clean_colors(colors: dict[str, str]) -> dict[str, str]:
    """Only known keys with `#rgb`/`#rrggbb` colours and a plain font-family list survive."""
    kept = {name: value for name, value in colors.items() if name in COLOR_NAMES and _COLOR.match(value or "")}
    if (font := colors.get("font")) and _FONT.match(font):
        kept["font"] = font
    return kept


def safe_https(url: str | None) -> str | None:
    """The URL if it is an absolute https URL without credentials or odd characters, else None."""
    if not url or not url.startswith("https://") or len(url) > 500:
        return None
    if any(ch in url for ch in "\"'<>\\ \t\r\n`") or "@" in url.split("/", 3)[2]:
        return None
    return url


def _card(item: ShownItem) -> dict[str, Any]:
    text = item.text if len(item.text) <= MAX_TEXT else item.text[:MAX_TEXT].rstrip() + "…"
    return {"name": item.name or "A customer", "role": item.role, "company": item.company,
            "avatar": safe_https(item.avatar_url), "rating": item.rating, "title": item.title, "text": text,
            "date": item.published_at.date().isoformat() if item.published_at else None,
            "kind": item.kind}


def _average(items: Sequence[ShownItem]) -> tuple[float | None, int]:
    ratings = [item.rating for item in items if item.rating is not None]
    return (round(sum(ratings) / len(ratings), 1) if ratings else None), len(ratings)


def choose(widget: Widget, population: Sequence[ShownItem], *, now: datetime | None = None) -> list[ShownItem]:
    """The items `widget` displays: a representative pick, or the hand-picked ids still approved."""
    if widget.kind == WidgetKind.badge.value:
        return []
    if widget.mode == WidgetMode.featured.value:
        by_id = {item.mention_id: item for item in population}
        chosen = [by_id[mid] for mid in widget.featured_ids if mid in by_id][: widget.size]
    else:
        chosen = list(select_representative(population, widget.size, now=now).items)
    return chosen[:1] if widget.kind == WidgetKind.quote.value else chosen


def widget_payload(widget: Widget, population: Sequence[ShownItem], chosen: Sequence[ShownItem]) -> dict[str, Any]:
    """The public document for `widget`: `chosen` (from `choose`) over `population`, every item it may show.

    Featured mode is labelled "Selected testimonials" and computes no aggregate from its subset;
    either way the totals and the disclosure line are over the whole population.
    """
    average, rated = _average(population)
    total = len(population)
    badge = (f"Rated {average:.1f} out of 5 from {rated} review{'s' if rated != 1 else ''}"
             if average is not None else f"{total} review{'s' if total != 1 else ''}")
    featured = widget.mode == WidgetMode.featured.value
    return {
        "id": widget.public_id, "kind": widget.kind, "mode": widget.mode,
        "theme": widget.theme if widget.theme in THEMES else "light", "colors": clean_colors(widget.colors),
        "height": HEIGHTS.get(widget.kind, 400), "heading": FEATURED_HEADING if featured else REPRESENTATIVE_HEADING,
        "items": [_card(item) for item in chosen],
        "totals": {"count": total, "rated": rated, "average": average},
        "disclosure": badge if widget.kind == WidgetKind.badge.value else disclosure(len(chosen), total, average),
        "badge": badge,
    }
