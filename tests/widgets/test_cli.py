"""`advocado widget create|embed|list|form` and `advocado moderate`."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from advocado.cli import app
from advocado.context import database
from storage import Mention, MentionIn, add_brand, add_source, ingest
from storage.public import get_widget


def _brand_with_reviews() -> list[int]:
    with database().write() as session:
        brand = add_brand(session, "Acme")
        add_brand(session, "Globex")
        source_id = add_source(session, brand, "import", name="csv").id or 0
    ingest(database(), source_id, [MentionIn(external_id=f"r{i}", text=f"review {i}", rating=i) for i in (1, 3, 5)])
    with database().read() as session:
        return [m.id or 0 for m in session.exec(select(Mention).order_by(Mention.id))]


def test_create_then_embed_prints_code_for_each_mode(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVOCADO_PUBLIC_URL", "https://reviews.example/")
    _brand_with_reviews()
    created = cli.invoke(app, ["widget", "create", "--brand", "Acme", "--kind", "carousel", "--size", "3"])
    assert created.exit_code == 0, created.output
    widget_id = created.output.strip()
    assert re.fullmatch(r"[\w-]{12}", widget_id)
    embed = cli.invoke(app, ["widget", "embed", widget_id, "--origin", "https://shop.example"])
    assert embed.exit_code == 0, embed.output
    assert f'<div data-advocado-widget="{widget_id}" data-height="300" style="height:300px"></div>' in embed.output
    assert '<script async src="https://reviews.example/widget.js"></script>' in embed.output
    assert f"https://reviews.example/w/{widget_id}/frame?origin=https%3A%2F%2Fshop.example" in embed.output
    assert f"https://reviews.example/w/{widget_id}.html" in embed.output
    assert widget_id in cli.invoke(app, ["widget", "list"]).output


def test_featured_mode_needs_items_and_unknown_brand_is_one_line(cli: CliRunner) -> None:
    _brand_with_reviews()
    featured = cli.invoke(app, ["widget", "create", "--brand", "Acme", "--kind", "wall", "--mode", "featured"])
    assert featured.exit_code == 1 and "--feature" in featured.output
    bad = cli.invoke(app, ["widget", "create", "--brand", "Acme", "--kind", "wall", "--allow-origin", "https://a.example/x"])
    assert bad.exit_code == 1 and "scheme://host[:port]" in bad.output
    good = cli.invoke(app, ["widget", "create", "--brand", "Acme", "--kind", "wall", "--allow-origin", "https://a.example/"])
    with database().read() as session:
        assert get_widget(session, good.output.strip()).allowed_origins == ["https://a.example"]
    unknown = cli.invoke(app, ["widget", "create", "--brand", "Nope", "--kind", "badge"])
    assert unknown.exit_code == 1 and "Traceback" not in unknown.output


def test_moderate_sets_status_only_for_the_brands_own_mentions(cli: CliRunner) -> None:
    ids = _brand_with_reviews()
    result = cli.invoke(app, ["moderate", "--brand", "Acme", "--approve", str(ids[0]), str(ids[2])])
    assert result.exit_code == 0 and "2 mention(s) set to approved." in result.output
    wrong = cli.invoke(app, ["moderate", "--brand", "Globex", "--hide", str(ids[1])])
    assert wrong.exit_code == 1 and f"not mentions of Globex: {ids[1]}" in wrong.output
    both = cli.invoke(app, ["moderate", "--brand", "Acme", "--approve", "--reject", str(ids[1])])
    assert both.exit_code == 1 and "exactly one" in both.output
    with database().read() as session:
        assert [m.status for m in session.exec(select(Mention).order_by(Mention.id))] == ["approved", "pending", "approved"]


def test_form_prints_a_stable_link(cli: CliRunner) -> None:
    _brand_with_reviews()
    first = cli.invoke(app, ["widget", "form", "--brand", "Acme"])
    assert first.exit_code == 0 and re.search(r"http://127\.0\.0\.1:8000/t/[\w-]{12}", first.output)
    assert first.output == cli.invoke(app, ["widget", "form", "--brand", "Acme"]).output
