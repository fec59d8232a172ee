"""Opinion analytics: summaries with confidence intervals, themes, and shift, burst and mismatch detection.

Everything here works on `Opinion` records read by `load_opinions`; it never reads settings and
never sends anything. The CLI report, the alert rules and the dashboard call what is named here.
"""

from sentiment.opinion.anomalies import Burst, Mismatch, near_duplicate_bursts, rating_text_mismatches
from sentiment.opinion.data import Opinion, load_opinions, sentiment_from_rating
from sentiment.opinion.stats import Interval, mean_interval, two_proportion_z, welch_z, wilson
from sentiment.opinion.shift import SENSITIVITIES, Sensitivity, Shift, negative_shift, rating_drop, sensitivity, shifts_by_scope
from sentiment.opinion.themes import ASPECTS, Quote, Theme, aspects_of, extract_themes, themes_by_mention
from sentiment.opinion.summary import BrandSummary, Summary, summarize, summarize_brand

__all__ = [
    "SENSITIVITIES", "Burst", "Mismatch", "Sensitivity", "Shift", "near_duplicate_bursts", "negative_shift",
    "rating_drop", "rating_text_mismatches", "sensitivity", "shifts_by_scope",
    "ASPECTS", "Quote", "Theme", "aspects_of", "extract_themes", "themes_by_mention",
    "BrandSummary", "Interval", "Opinion", "Summary", "load_opinions", "mean_interval", "sentiment_from_rating",
    "summarize", "summarize_brand", "two_proportion_z", "welch_z", "wilson",
]
