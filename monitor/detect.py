"""Finding tracked names in an answer: brand, competitors and the control brand, with positions.

Names and aliases match on word boundaries that also work for names that start or end with
punctuation ("C++", ".NET"): the character before a name must not be a letter or digit, nor the
character after it when the name ends in one. At one place the longest name wins. A name written
with capitals does not match the same word in all lower case ("Notion" is not "notion"). With
`fuzzy=True`, words of six or more letters one typo away from a name of six or more letters count
too, starting with the same letter ("Initehc"). Names inside URLs and bare domains are not
mentions: a brand that only appears in a link is counted as a citation, not as a mention.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

BRAND = "brand"
COMPETITOR = "competitor"
CONTROL = "control"

_URL = re.compile(r"https?://[^\s)\]>\"']+|\bwww\.[^\s)\]>\"']+")
_TLDS = "com|net|org|io|ai|co|app|dev|de|uk|fr|eu|us|so|gg|me|info|biz"
_DOMAIN = re.compile(rf"(?<![\w.-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:{_TLDS})\b(?:/\S*)?")
_WORD = re.compile(r"[A-Za-z0-9][\w+#&'.-]*[\w+#]|[A-Za-z0-9]")
FUZZY_MIN_LENGTH = 6
_LIST_ITEM = re.compile(r"^\s{0,6}(?:(?P<number>\d{1,3})[.)]|[-*+•]|#{1,6})\s+", re.M)


@dataclass(frozen=True)
class Entity:
    """A tracked name: which kind it is, its id (for competitors), its name and other names."""

    kind: str
    name: str
    aliases: tuple[str, ...] = ()
    entity_id: int | None = None

    @property
    def key(self) -> tuple[str, int | None, str]:
        return (self.kind, self.entity_id, self.name)


@dataclass
class Found:
    """One entity in one answer: where it first appears, how often, and its rank among tracked names."""

    entity: Entity
    spans: list[tuple[int, int]] = field(default_factory=list)
    position: int | None = None

    @property
    def first_offset(self) -> int:
        return self.spans[0][0]


def mask_links(text: str) -> str:
    """`text` with URLs and bare domains blanked out (same length, so offsets still hold)."""
    blank = lambda match: " " * len(match.group(0))  # noqa: E731
    return _DOMAIN.sub(blank, _URL.sub(blank, text))


class Detector:
    """Compiled once per brand; `find(text)` returns every tracked entity mentioned in `text`."""

    def __init__(self, entities: Sequence[Entity], *, fuzzy: bool = False) -> None:
        self.entities = list(entities)
        self.fuzzy = fuzzy
        forms: dict[str, Entity] = {}
        for entity in self.entities:
            for form in (entity.name, *entity.aliases):
                form = " ".join(form.split())
                if form and form.casefold() not in forms:
                    forms[form.casefold()] = entity
        self._forms = forms
        self._has_capitals = {folded: any(c.isupper() for c in folded_form(forms, folded)) for folded in forms}
        ordered = sorted(forms, key=len, reverse=True)
        alternatives = "|".join(_pattern_of(folded_form(forms, f)) for f in ordered)
        self._pattern = re.compile(alternatives, re.I) if ordered else None
        self._original = {f: folded_form(forms, f) for f in forms}

    def find(self, text: str) -> list[Found]:
        """Entities mentioned in `text`, ranked: list order first, then order of first mention."""
        if self._pattern is None:
            return []
        prose = mask_links(text)
        found: dict[tuple[str, int | None, str], Found] = {}
        for match in self._pattern.finditer(prose):
            surface = " ".join(match.group(0).split())
            folded = surface.casefold()
            entity = self._forms.get(folded)
            if entity is None:
                continue
            if self._has_capitals[folded] and surface == surface.lower() and surface != self._original[folded]:
                continue
            found.setdefault(entity.key, Found(entity)).spans.append(match.span())
        if self.fuzzy:
            taken = [span for item in found.values() for span in item.spans]
            for entity, span in self._near_misses(prose, taken):
                found.setdefault(entity.key, Found(entity)).spans.append(span)
            for item in found.values():
                item.spans.sort()
        items = [m.start() for m in _LIST_ITEM.finditer(text)]
        rank = sorted(found.values(), key=lambda f: (min(_list_index(items, text, a) for a, _ in f.spans), f.first_offset))
        position = 0
        for item in rank:
            if item.entity.kind != CONTROL:
                position += 1
                item.position = position
        return rank


    def _near_misses(self, prose: str, taken: list[tuple[int, int]]) -> list[tuple[Entity, tuple[int, int]]]:
        """Capitalised words one typo away from a name of FUZZY_MIN_LENGTH or more letters (opt-in)."""
        words = [(m.group(0), m.span()) for m in _WORD.finditer(prose)]
        hits = []
        for folded, entity in self._forms.items():
            form = self._original[folded]
            size = len(form.split())
            if len(form) < FUZZY_MIN_LENGTH or entity.kind == CONTROL:
                continue
            for start in range(len(words) - size + 1):
                window = words[start:start + size]
                span = (window[0][1][0], window[-1][1][1])
                candidate = " ".join(word for word, _ in window)
                if (candidate[0] != form[0] or len(candidate) < FUZZY_MIN_LENGTH or candidate.casefold() == folded
                        or any(a < span[1] and span[0] < b for a, b in taken)):
                    continue
                if one_edit_apart(candidate.casefold(), folded):
                    hits.append((entity, span))
                    taken.append(span)
        return hits


def one_edit_apart(a: str, b: str) -> bool:
    """True when one insertion, deletion, substitution or swap of neighbours turns `a` into `b`."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diffs) == 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                                   and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return short[i:] == long[i + 1:]


def _pattern_of(form: str) -> str:
    """A name as a pattern: not glued to a letter or digit before it, nor after it when it ends in
    one ("C++17" mentions C++, "ASP.NET" does not mention .NET, "Acmeville" does not mention Acme)."""
    body = r"\s+".join(re.escape(word) for word in form.split())
    tail = r"(?![^\W_])" if form[-1].isalnum() else ""
    return rf"(?<![^\W_]){body}{tail}"


def folded_form(forms: dict[str, Entity], folded: str) -> str:
    entity = forms[folded]
    for form in (entity.name, *entity.aliases):
        if " ".join(form.split()).casefold() == folded:
            return " ".join(form.split())
    return folded


def _list_index(item_starts: list[int], text: str, offset: int) -> float:
    """Index of the list item (numbered, bulleted or heading line) on the line of `offset`, else infinity."""
    line_start = text.rfind("\n", 0, offset) + 1
    try:
        return float(item_starts.index(line_start))
    except ValueError:
        return float("inf")
