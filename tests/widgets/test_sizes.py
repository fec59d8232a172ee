"""The loader and renderer stay within their gzipped size budgets (5 KB and 20 KB)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "widgets" / "static"
BUDGETS = {"widget.js": 5 * 1024, "widget-render.js": 20 * 1024, "widget-frame.js": 2 * 1024}


@pytest.mark.parametrize(("name", "budget"), BUDGETS.items())
def test_script_is_within_its_gzipped_budget(name: str, budget: int) -> None:
    size = len(gzip.compress((STATIC / name).read_bytes(), compresslevel=9))
    print(f"{name}: {size} bytes gzipped (budget {budget})")
    assert 0 < size <= budget
