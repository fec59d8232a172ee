"""Prompts to questions: templates filled in with {brand}, {competitor} and {category}.

{brand} is the brand's name without a trailing parenthesis ("Acme Analytics (demo)" asks about
"Acme Analytics").
A template with {competitor} becomes one question per competitor; one with {category} needs a
category for the run, and is left out (and reported) without one.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storage.models import MonitorPrompt

if TYPE_CHECKING:
    from monitor.analyze import Tracked

FIELDS = frozenset({"brand", "competitor", "category"})


@dataclass(frozen=True)
class Question:
    """One question as sent: its prompt, which variant of the template it is, and its text."""

    prompt_id: int
    variant: int
    text: str


def template_fields(text: str) -> set[str]:
    """The {names} a prompt uses; `ValueError` for unknown names or broken braces."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as error:
        raise ValueError(f"broken template braces: {error}") from None
    unknown = names - FIELDS
    if unknown:
        raise ValueError(f"unknown template field(s) {', '.join(sorted(unknown))}; use {{brand}}, {{competitor}}, {{category}}")
    return names


def questions_for(prompts: Sequence[MonitorPrompt], tracked: Tracked, category: str | None) -> tuple[list[Question], list[str]]:
    """Questions to ask for a brand, and the prompts left out because a value was missing."""
    questions: list[Question] = []
    left_out: list[str] = []
    for prompt in prompts:
        try:
            names = template_fields(prompt.text)
        except ValueError:
            left_out.append(prompt.text)
            continue
        if ("category" in names and not category) or ("competitor" in names and not tracked.competitors):
            left_out.append(prompt.text)
            continue
        competitors = [c.name for c in tracked.competitors] if "competitor" in names else [None]
        brand = re.sub(r"\s*\([^)]*\)\s*$", "", tracked.brand.name) or tracked.brand.name  # "Acme (demo)" -> "Acme"
        for variant, competitor in enumerate(competitors):
            text = prompt.text.format(brand=brand, competitor=competitor, category=category)
            questions.append(Question(prompt.id, variant, text))  # type: ignore[arg-type]
    return questions, left_out
