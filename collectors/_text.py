"""HTML from sources turned into plain text, keeping where links pointed; dates and numbers parsed leniently."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from html.parser import HTMLParser
from typing import Any

from storage import MAX_TEXT_CHARS

_SKIPPED = {"script", "style", "template"}
_BLOCKS = {"p", "div", "li", "ul", "ol", "hr", "table", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr"}
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_EPOCH = re.compile(r"\d{9,11}(\.\d+)?")


class _PlainText(HTMLParser):
    """One pass over the markup (no tree): text, line breaks at blocks, links as `label (url)`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skipping = 0
        self._link: tuple[str, int] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag in _BLOCKS:
            self.out.append("\n")
        elif tag == "a" and self._link is None:
            self._link = (dict(attrs).get("href") or "", len(self.out))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" or tag in _BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self.out.append("\n")
        elif tag == "a" and self._link is not None:
            href, start = self._link
            self._link = None
            label = "".join(self.out[start:])
            # Mentions and hashtags (@name, #tag) read better without their profile or tag URL.
            if label.strip().startswith(("@", "#")) or not href.startswith(("http://", "https://")):
                return
            if href.rstrip("/") != label.strip().rstrip("/"):
                self.out[start:] = [f"{label} ({href})" if label.strip() else href]

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.out.append(data)


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment: block elements become line breaks, a link keeps its target
    as `text (url)` when the two differ, and scripts and styles are dropped."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return clip(tidy(html))
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    return clip(tidy("".join(parser.out)))


def tidy(text: str) -> str:
    """Collapse runs of spaces and blank lines; strip each line."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\xa0", " ").split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clip(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """Text cut to what storage accepts."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clip_original(text: str | None) -> str | None:
    return None if text is None else text[: 4 * MAX_TEXT_CHARS]


def short(text: Any, limit: int = 2000) -> str | None:
    """A name, title or id cut to storage's short-text limit; empty becomes None."""
    if text is None:
        return None
    value = str(text).strip()
    return value[:limit] or None


def parse_time(value: Any) -> datetime | None:
    """A timestamp in UTC from ISO 8601 text (with `Z` or an offset) or epoch seconds; None if unreadable."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return datetime.fromtimestamp(float(value), tz=timezone.utc)
        text = str(value).strip()
        if _EPOCH.fullmatch(text):
            return datetime.fromtimestamp(float(text), tz=timezone.utc)
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        parsed = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        return None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


def rating(value: Any, best: float = 5.0) -> float | None:
    """A 1-5 rating from a number or a numeric string, rescaled from `best`; 0 or junk is no rating."""
    try:
        number = float(str(value).strip().replace(",", "."))
    except (TypeError, ValueError):
        return None
    if best and best != 5.0 and best > 0:
        number = number * 5.0 / best
    if not 1.0 <= number <= 5.0:
        return None
    return round(number, 2)
