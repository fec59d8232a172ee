"""schema.org reviews from HTML: JSON-LD blocks (lenient about real-world breakage) and microdata.

Used by the `webpage` collector and as Trustpilot's fallback. Broken blocks are skipped, never fatal:
pages ship JSON-LD with raw control characters, HTML or JS comments, and stray trailing braces.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

from bs4 import BeautifulSoup, Tag

from collectors._text import html_to_text

log = logging.getLogger(__name__)

_COMMENTS = re.compile(r"<!--.*?-->|/\*.*?\*/|^\s*//[^\n]*$", re.S | re.M)
_REVIEW_TYPES = {"review", "userreview", "criticreview", "employerreview"}


def parse_ld_block(text: str) -> Any:
    """One `application/ld+json` block as JSON, repaired where that is safe; None if hopeless."""
    text = text.strip().removeprefix("<![CDATA[").removesuffix("]]>").strip()
    decoder = json.JSONDecoder(strict=False)  # strict=False admits raw control characters in strings
    for candidate in (text, _COMMENTS.sub("", text).strip()):
        try:
            value, _end = decoder.raw_decode(candidate)  # raw_decode ignores trailing junk such as a stray "}"
            return value
        except ValueError:
            continue
    return None


def json_ld(soup: BeautifulSoup) -> list[Any]:
    """Every parseable JSON-LD block on the page."""
    blocks = []
    for script in soup.find_all("script"):
        kind = str(script.get("type") or "").split(";")[0].strip().lower()
        if kind != "application/ld+json":
            continue
        value = parse_ld_block(script.string or script.get_text() or "")
        if value is None:
            log.info("skipped a JSON-LD block that is not valid JSON")
        else:
            blocks.append(value)
    return blocks


def types_of(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type") or node.get("type") or []
    raw = [raw] if isinstance(raw, str) else raw
    return {str(t).rsplit("/", 1)[-1].lower() for t in raw if isinstance(t, str)}


def walk(value: Any) -> Iterator[dict[str, Any]]:
    """Every object nested anywhere in a JSON-LD value (`@graph`, `mainEntity`, `review` lists...)."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            yield current
            stack.extend(reversed(list(current.values())))
        elif isinstance(current, list):
            stack.extend(reversed(current))


def _value(tag: Tag) -> Any:
    if tag.has_attr("itemscope"):
        return microdata_item(tag)
    for attribute in ("content", "datetime"):
        if tag.has_attr(attribute):
            return str(tag[attribute]).strip()
    if tag.name in ("a", "link", "area") and tag.has_attr("href"):
        return str(tag["href"]).strip()
    if tag.name in ("img", "audio", "video", "source") and tag.has_attr("src"):
        return str(tag["src"]).strip()
    return html_to_text(tag.decode_contents())


def microdata_item(scope: Tag) -> dict[str, Any]:
    """One microdata item as a JSON-LD-like dict (`@type` from `itemtype`, nested items as dicts)."""
    item: dict[str, Any] = {"@type": [t.rsplit("/", 1)[-1] for t in str(scope.get("itemtype") or "").split()]}
    stack = list(scope.find_all(recursive=False))
    while stack:
        tag = stack.pop(0)
        if tag.has_attr("itemprop"):
            for name in str(tag["itemprop"]).split():
                value = _value(tag)
                existing = item.get(name)
                item[name] = value if existing is None else (existing if isinstance(existing, list) else [existing]) + [value]
        if not tag.has_attr("itemscope"):
            stack[0:0] = tag.find_all(recursive=False)
    return item


def microdata(soup: BeautifulSoup) -> list[dict[str, Any]]:
    """Every top-level microdata item on the page."""
    return [microdata_item(tag) for tag in soup.find_all(itemscope=True) if not tag.has_attr("itemprop")]


def structured_nodes(html: str | bytes) -> list[dict[str, Any]]:
    """Every schema.org object on a page, from JSON-LD and microdata alike."""
    soup = BeautifulSoup(html, "html.parser")
    nodes: list[dict[str, Any]] = []
    for block in json_ld(soup):
        nodes.extend(walk(block))
    for item in microdata(soup):
        nodes.extend(walk(item))
    return nodes


def is_review(node: dict[str, Any]) -> bool:
    return bool(types_of(node) & _REVIEW_TYPES)


def is_aggregate(node: dict[str, Any]) -> bool:
    return "aggregaterating" in types_of(node)


def first(value: Any) -> Any:
    """The first of a repeated property; schema.org allows a list almost anywhere."""
    while isinstance(value, list):
        value = value[0] if value else None
    return value


def name_of(value: Any) -> str | None:
    """A person's or organisation's name from a string, an object or a list of them."""
    value = first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("alternateName")
        value = first(value)
    return str(value).strip() or None if value is not None else None
