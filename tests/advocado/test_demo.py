"""`advocado demo`: marked sample data through the real import path, scored, idempotent."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from advocado.cli import app
from advocado.demo import DEMO_BRAND


@pytest.mark.slow
def test_demo_loads_scores_and_adds_nothing_the_second_time(cli: CliRunner) -> None:
    first = cli.invoke(app, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.stderr
    assert "32 sample reviews, 32 new" in first.stdout and "Scored 32 mentions" in first.stdout
    second = cli.invoke(app, ["demo", "--no-serve"])
    assert second.exit_code == 0 and "0 new" in second.stdout and "Scored 0 mentions" in second.stdout
    exported = cli.invoke(app, ["export", "--brand", DEMO_BRAND])
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(records) == 32
    assert all("demo" in record["tags"] for record in records)
    assert all(record["sentiment"]["label"] in {"negative", "neutral", "positive"} for record in records)
    by_id = {record["external_id"]: record for record in records}
    assert by_id["demo-007"]["sentiment"]["label"] == "negative"  # "Lost a day of data"
    assert by_id["demo-004"]["sentiment"]["label"] == "positive"  # "Support is outstanding"
