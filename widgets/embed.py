"""Embed codes for each mode (script, iframe, static HTML) and the JSON-LD a static embed may carry.

The static snippet is escaped by construction (markupsafe), so a review can never become markup on
the customer's page; JSON-LD is written only for first-party testimonials about an eligible item
type, never for imported third-party reviews or an organisation reviewing itself.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from storage.public import ShownItem

ELIGIBLE_TYPES = frozenset({
    "Book", "Course", "CreativeWorkSeason", "CreativeWorkSeries", "Episode", "Event", "Game", "HowTo",
    "MediaObject", "Movie", "MusicPlaylist", "MusicRecording", "Product", "Recipe", "SoftwareApplication"})
"""schema.org types eligible for review snippets; Organization and LocalBusiness are left out because
a brand marking up reviews of itself is self-serving (Google ignores them)."""


def script_embed(base_url: str, public_id: str, height: int) -> str:
    """The default embed: a container that reserves its height and the async loader."""
    return (f'<div data-advocado-widget="{escape(public_id)}" data-height="{height}" style="height:{height}px"></div>\n'
            f'<script async src="{escape(base_url)}/widget.js"></script>')


def iframe_embed(base_url: str, public_id: str, height: int, parent_origin: str = "https://your-site.example") -> str:
    """Strict mode: an isolated iframe; with the loader on the page it also resizes itself."""
    src = f"{base_url}/w/{public_id}/frame?origin={quote(parent_origin, safe='')}"
    return (f'<iframe data-advocado-frame="{escape(public_id)}" src="{escape(src)}" title="Customer reviews" '
            f'loading="lazy" sandbox="allow-scripts allow-same-origin allow-popups" '
            f'style="width:100%;height:{height}px;border:0"></iframe>\n'
            f'<script async src="{escape(base_url)}/widget.js"></script>')


def _stars(rating: float | None) -> str:
    return "" if rating is None else f"Rated {rating:g} out of 5"


def static_snippet(payload: dict[str, Any], json_ld: dict[str, Any] | None = None) -> str:
    """Plain HTML of the widget's content, for SEO and for visitors whose blockers drop scripts."""
    parts = [Markup('<section class="advocado-widget" aria-label="{}">').format(payload["heading"]),
             Markup("<h2>{}</h2>").format(payload["heading"])]
    if payload["kind"] == "badge":
        parts.append(Markup('<p class="advocado-badge">{}</p>').format(payload["badge"]))
    for item in payload["items"]:
        who = ", ".join(part for part in (item["name"], item["role"], item["company"]) if part)
        parts.append(Markup('<figure class="advocado-card"><p class="advocado-rating">{}</p>{}'
                            '<blockquote>{}</blockquote><figcaption>{}</figcaption></figure>').format(
            _stars(item["rating"]), Markup("<p><strong>{}</strong></p>").format(item["title"]) if item["title"] else "",
            item["text"], who))
    if payload["kind"] != "badge":
        parts.append(Markup('<p class="advocado-disclosure">{}</p>').format(payload["disclosure"]))
    parts.append(Markup("</section>"))
    if json_ld is not None:
        text = json.dumps(json_ld, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        parts.append(Markup('<script type="application/ld+json">{}</script>').format(Markup(text)))
    return "\n".join(str(part) for part in parts)


def json_ld(schema_type: str | None, name: str | None, shown: Sequence[ShownItem],
            first_party: Sequence[ShownItem]) -> dict[str, Any] | None:
    """Review and AggregateRating markup over first-party testimonials only, or None when not allowed.

    `shown` is what the widget displays; `first_party` is every approved first-party testimonial,
    so the aggregate counts all of them, not the displayed subset.
    """
    if schema_type not in ELIGIBLE_TYPES or not name:
        return None
    rated = [item for item in first_party if item.rating is not None and item.kind == "testimonial"]
    if not rated:
        return None
    reviews = [{"@type": "Review", "author": {"@type": "Person", "name": item.name or "A customer"},
                "reviewRating": {"@type": "Rating", "ratingValue": item.rating, "bestRating": 5, "worstRating": 1},
                "reviewBody": item.text}
               for item in shown if item.kind == "testimonial" and item.rating is not None]
    average = round(sum(item.rating or 0 for item in rated) / len(rated), 2)
    return {"@context": "https://schema.org", "@type": schema_type, "name": name,
            "aggregateRating": {"@type": "AggregateRating", "ratingValue": average, "ratingCount": len(rated),
                                "bestRating": 5, "worstRating": 1},
            "review": reviews}
