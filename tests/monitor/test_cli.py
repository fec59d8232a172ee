"""`advocado monitor ...` end to end against the loopback stand-in, and keys never shown."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from advocado.cli import app
from monitor.standin import StandIn

CANARY = "sk-canary-9f8e7d6c"


@pytest.fixture
def configured(cli: CliRunner, standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ADVOCADO_ALLOW_PRIVATE_NETWORKS", "1")
    monkeypatch.setenv("ADVOCADO_MONITOR_OPENAI_API_KEY", "sk-settings-never-sent-to-loopback")
    for args in (
        ["brand", "add", "Acme Analytics (demo)", "--alias", "Acme", "--alias", "Acme Analytics",
         "--domain", "acme-analytics.example", "--competitor", "Globex", "--competitor", "Initech"],
        ["monitor", "engine", "add", "openai", "--name", "gpt", "--param", f"base_url={standin.url}/v1",
         "--param", f"api_key={CANARY}"],
        ["monitor", "engine", "add", "gemini", "--param", f"base_url={standin.url}/v1beta"],
        ["monitor", "prompt", "add", "Best analytics tool for a café?", "--tag", "funnel:awareness"],
        ["monitor", "prompt", "add", "Is {brand} better than {competitor}?", "--tag", "funnel:decision"],
    ):
        result = cli.invoke(app, args)
        assert result.exit_code == 0, result.output
    return cli


def test_run_then_report_json_gives_every_metric_with_intervals(configured: CliRunner, standin: StandIn) -> None:
    result = configured.invoke(app, ["monitor", "run", "--brand", "Acme Analytics (demo)", "--samples", "3"])
    assert result.exit_code == 0, result.output
    assert "18 answers stored, 18 analysed" in result.output  # (1 + 2 competitor variants) x 3 samples x 2 engines
    assert "brand-sentence sentiment skipped" in result.output or "analysed" in result.output
    report = configured.invoke(app, ["monitor", "report", "--brand", "Acme Analytics (demo)", "--json"])
    assert report.exit_code == 0, report.output
    data = json.loads(report.output)
    overall = data["overall"]
    for rate in ("mention_rate", "prompt_coverage", "share_of_voice", "citation_rate", "citation_share", "retrieved_rate"):
        assert overall[rate]["n"] > 0 and overall[rate]["low"] <= overall[rate]["value"] <= overall[rate]["high"], rate
    assert overall["average_position"]["n"] > 0 and overall["prominence"] > 0
    assert [e["engine"] for e in data["engines"]] == ["gpt", "gemini"]
    assert {d["domain"] for d in overall["cited_domains"]} >= {"acme-analytics.example"}
    assert all(CANARY not in text for text in (result.output, report.output))
    # The settings key belongs to api.openai.com: it never went to the loopback stand-in; the stored key did.
    sent = [headers.get("authorization") for path, headers, _ in standin.requests if path.endswith("/responses")]
    assert sent and set(sent) == {f"Bearer {CANARY}"}


def test_table_report_and_reanalyze(configured: CliRunner) -> None:
    assert configured.invoke(app, ["monitor", "run", "--brand", "Acme Analytics (demo)", "--samples", "1",
                                   "--tag", "funnel:awareness"]).exit_code == 0
    table = configured.invoke(app, ["monitor", "report", "--brand", "Acme Analytics (demo)"])
    assert table.exit_code == 0 and "AI visibility (metrics v1, last 30 days)" in table.output
    assert all(word in table.output for word in ("gpt", "gemini", "Globex", "Initech", "cited domain"))
    again = configured.invoke(app, ["monitor", "reanalyze"])
    assert again.exit_code == 0 and "Acme Analytics (demo): 2 answers analysed again." in again.output


def test_engine_list_masks_the_key_and_bad_input_is_one_line(configured: CliRunner) -> None:
    listed = configured.invoke(app, ["monitor", "engine", "list"])
    assert listed.exit_code == 0 and CANARY not in listed.output and "********" in listed.output
    bad = configured.invoke(app, ["monitor", "engine", "add", "nosuch"])
    assert bad.exit_code == 1 and "no engine kind 'nosuch'" in bad.output
    template = configured.invoke(app, ["monitor", "prompt", "add", "Best {produkt}?"])
    assert template.exit_code == 1 and "unknown template field" in template.output
    assert configured.invoke(app, ["monitor", "engine", "kinds"]).output.count("(secret)") == 5
    shown = configured.invoke(app, ["config", "show"])
    assert shown.exit_code == 0 and "sk-settings-never-sent-to-loopback" not in shown.output
