"""Widgets: showing mentions. The representative mix lives here so widgets and moderation share it.

- `select_representative(population, k, themes=..., now=...)`: k items matching the population's
  star and sentiment mix, with the honest aggregate and a disclosure line;
- `check_mix(shown, population)`: how far a displayed set is from its population, in plain words.
"""

from widgets.mix import MixCheck, MixItem, check_mix, is_critical, stratum
from widgets.select import Selection, allocate, disclosure, select_representative

__all__ = ["MixCheck", "MixItem", "Selection", "allocate", "check_mix", "disclosure", "is_critical",
           "select_representative", "stratum"]
