"""The source commands end to end: kinds, add, list (secrets masked), remove, collect against loopback servers."""

from __future__ import annotations

import json
import pytest
from typer.testing import CliRunner

from advocado import cli_sources
from advocado.cli import app
from collectors import HttpOptions, registry
from tests.collectors.loopback import Answer, Loopback
from tests.collectors.test_appstore import APP, FakeAppStore
from tests.collectors.test_webpage import page

CANARY = "sk-canary-7f3a9c1e"


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables print unwrapped, so assertions can read whole cells."""
    from advocado import context

    monkeypatch.setattr(context.console, "width", 250)
    monkeypatch.setattr(context.errors, "width", 250)


@pytest.fixture
def acme(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ADVOCADO_ALLOW_PRIVATE_NETWORKS", "1")
    assert cli.invoke(app, ["brand", "add", "Acme"]).exit_code == 0
    return cli


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """No one-second politeness gap between requests to the loopback server."""
    real = cli_sources.http_options

    def fast() -> HttpOptions:
        options = real()
        return HttpOptions(**{**options.__dict__, "host_interval": 0.0, "attempts": 1})

    monkeypatch.setattr(cli_sources, "http_options", fast)


def add(cli: CliRunner, *args: str) -> int:
    result = cli.invoke(app, ["source", "add", *args])
    assert result.exit_code == 0, result.output
    return int(result.output.strip())


def test_kinds_lists_every_registered_collector(cli: CliRunner) -> None:
    result = cli.invoke(app, ["source", "kinds"])
    assert result.exit_code == 0
    for kind in registry().kinds():
        assert kind in result.output


def test_add_and_list(acme: CliRunner) -> None:
    source_id = add(acme, "appstore", "--brand", "Acme", "--param", "app_id=284882215", "--param", "countries=us,gb", "--every", "6h")
    listed = acme.invoke(app, ["source", "list"])
    assert listed.exit_code == 0
    assert f"{source_id}" in listed.output and "app_id=284882215" in listed.output and "6h" in listed.output
    assert "never" in listed.output


@pytest.mark.parametrize(("args", "message"), [
    (["nosuch", "--brand", "Acme"], "no source kind 'nosuch'"),
    (["appstore", "--brand", "Acme", "--param", "app_id=abc"], "app_id"),
    (["appstore", "--brand", "Acme"], "app_id"),
    (["appstore", "--brand", "Acme", "--param", "app_id=1", "--param", "colour=red"], "colour"),
    (["appstore", "--brand", "Acme", "--param", "app_id=1", "--every", "soon"], "--every"),
    (["appstore", "--brand", "Nobody", "--param", "app_id=1"], "Nobody"),
    (["mastodon", "--brand", "Acme", "--param", "query=a", "--param", "tag=b"], "either query"),
])
def test_add_refuses_bad_input_in_one_line(acme: CliRunner, args: list[str], message: str) -> None:
    result = acme.invoke(app, ["source", "add", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_secret_parameters_never_appear_in_list_or_collect_output(acme: CliRunner, loopback: Loopback, quick: None) -> None:
    loopback.route("/youtube/v3/commentThreads", Answer(json.dumps({"error": {"errors": [{"reason": "keyInvalid"}]}}), 403))
    source_id = add(acme, "youtube", "--brand", "Acme", "--param", "video_id=v1", "--param", f"api_key={CANARY}",
                    "--param", f"base_url={loopback.url}")
    listed = acme.invoke(app, ["source", "list"])
    assert CANARY not in listed.output and "api_key=********" in listed.output
    collected = acme.invoke(app, ["collect", "--source", str(source_id)])
    assert CANARY not in collected.output
    assert all(CANARY not in str(seen.query) for seen in loopback.requests)


def test_collect_then_collect_again_adds_nothing_and_export_shows_the_items(acme: CliRunner, loopback: Loopback, quick: None) -> None:
    FakeAppStore(loopback, {"us": list(range(1, 6))})
    loopback.route("/product", Answer(page([("Ann", "Lovely"), ("Bo", "Fine")]), content_type="text/html"))
    add(acme, "appstore", "--brand", "Acme", "--param", f"app_id={APP}", "--param", "countries=us", "--param", f"base_url={loopback.url}")
    add(acme, "webpage", "--brand", "Acme", "--param", f"url={loopback.url}/product")

    first = acme.invoke(app, ["collect"])
    assert first.exit_code == 0, first.output
    rows = _summary_rows(first.output)
    assert rows == {"appstore": ["5", "0", "0", "-"], "webpage": ["2", "0", "0", "-"]}

    second = acme.invoke(app, ["collect"])
    assert second.exit_code == 0
    assert _summary_rows(second.output) == {"appstore": ["0", "0", "3", "-"], "webpage": ["0", "0", "2", "-"]}

    exported = acme.invoke(app, ["export", "--brand", "Acme"])
    records = [json.loads(line) for line in exported.output.splitlines() if line.strip()]
    assert len(records) == 7
    review = next(r for r in records if r["external_id"] == "5")
    assert (review["rating"], review["author"], review["source_kind"]) == (1.0, "user5", "appstore")
    assert review["published_at"].startswith("2024-03-01T05:00:00")


def _summary_rows(output: str) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if len(cells) == 6 and cells[1] in registry():
            rows[cells[1]] = cells[2:]
    return rows


def test_a_failing_source_is_reported_only_after_the_threshold(acme: CliRunner, loopback: Loopback, quick: None,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from advocado import context

    monkeypatch.setenv("ADVOCADO_FAILURE_THRESHOLD", "2")
    context.settings.cache_clear()
    loopback.route("/down", Answer("oops", 500, content_type="text/plain"))
    source_id = add(acme, "feed", "--brand", "Acme", "--param", f"url={loopback.url}/down")
    first = acme.invoke(app, ["collect"])
    assert first.exit_code == 0
    assert "UpstreamError (try 1, retrying later)" in first.output
    assert acme.invoke(app, ["collect"]).output.startswith("No sources are due")  # backing off
    second = acme.invoke(app, ["collect", "--source", str(source_id)])
    assert second.exit_code == 1
    assert "failed 2 runs in a row" in second.output
    assert "failing (2x)" in acme.invoke(app, ["source", "list"]).output


def test_collect_uses_the_real_settings_and_refuses_private_addresses_by_default(cli: CliRunner) -> None:
    assert cli.invoke(app, ["brand", "add", "Acme"]).exit_code == 0
    add(cli, "webpage", "--brand", "Acme", "--param", "url=http://127.0.0.1:9/admin")
    result = cli.invoke(app, ["collect"])
    assert "AddressRefused" in result.output


def test_remove(acme: CliRunner) -> None:
    source_id = add(acme, "hackernews", "--brand", "Acme", "--param", "query=acme")
    assert acme.invoke(app, ["source", "remove", str(source_id), "--yes"]).exit_code == 0
    assert "hackernews" not in acme.invoke(app, ["source", "list"]).output
    missing = acme.invoke(app, ["source", "remove", str(source_id), "--yes"])
    assert missing.exit_code == 1 and "no source with id" in missing.output


def test_collect_for_an_unknown_brand_is_one_line(cli: CliRunner) -> None:
    result = cli.invoke(app, ["collect", "--brand", "Nobody"])
    assert result.exit_code == 1 and "Nobody" in result.output




def test_schedule_starts_with_the_scheduled_sources_and_stops_cleanly(acme: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    nowhere = "base_url=http://127.0.0.1:9"  # the discard port: nothing leaves the machine
    add(acme, "hackernews", "--brand", "Acme", "--param", "query=acme", "--param", nowhere, "--every", "6h")
    add(acme, "hackernews", "--brand", "Acme", "--param", "query=other", "--param", nowhere)

    class StopAtOnce:
        async def wait(self) -> None:
            raise KeyboardInterrupt

    monkeypatch.setattr(cli_sources.asyncio, "Event", StopAtOnce)
    result = acme.invoke(app, ["schedule"])
    assert result.exit_code == 0, result.output
    assert "Scheduling 1 source(s)" in result.output and "Stopped." in result.output
