"""The `advocado` command line."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from advocado import cli_alerts, cli_data, cli_monitor, cli_sentiment, cli_sources, cli_web, cli_widgets
from advocado.context import console, database, friendly_errors, settings
from advocado.settings import describe
from storage import add_brand, add_competitor, competitors_of, count_mentions, get_brand, list_brands
from storage.migrate import current_revision, upgrade

app = typer.Typer(
    help="Advocado: collect reviews and mentions, score their sentiment offline, and show the best of them honestly.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
brand_app = typer.Typer(help="Brands, their aliases, domains and competitors.", no_args_is_help=True)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
config_app = typer.Typer(help="Settings.", no_args_is_help=True)
app.add_typer(brand_app, name="brand")
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")

Many = Annotated[list[str] | None, typer.Option()]


@brand_app.command("add")
@friendly_errors
def brand_add(
    name: str,
    alias: Annotated[list[str] | None, typer.Option("--alias", help="Another name the brand goes by (repeatable).")] = None,
    domain: Annotated[list[str] | None, typer.Option("--domain", help="A web domain of the brand (repeatable).")] = None,
    competitor: Annotated[list[str] | None, typer.Option("--competitor", help="A competitor's name (repeatable).")] = None,
) -> None:
    """Add a brand to watch."""
    with database().write() as session:
        brand = add_brand(session, name, aliases=alias or [], domains=domain or [], competitors=competitor or [])
        console.print(f"Added brand {brand.name} (id {brand.id}).")


@brand_app.command("competitor")
@friendly_errors
def brand_competitor(
    brand: str,
    name: str,
    alias: Annotated[list[str] | None, typer.Option("--alias", help="Another name the competitor goes by.")] = None,
    domain: Annotated[list[str] | None, typer.Option("--domain", help="A web domain of the competitor.")] = None,
) -> None:
    """Add a competitor to a brand, or add aliases and domains to one it has."""
    with database().write() as session:
        competitor = add_competitor(session, get_brand(session, brand), name, aliases=alias or [], domains=domain or [])
        console.print(f"{competitor.name}: aliases {', '.join(competitor.aliases) or '-'}; "
                      f"domains {', '.join(competitor.domains) or '-'}")


@brand_app.command("list")
@friendly_errors
def brand_list() -> None:
    """List brands with their mention counts."""
    table = Table("id", "brand", "aliases", "domains", "mentions")
    with database().read() as session:
        for brand in list_brands(session):
            table.add_row(str(brand.id), brand.name, ", ".join(brand.aliases), ", ".join(brand.domains),
                          str(count_mentions(session, brand)))
    console.print(table)


@brand_app.command("show")
@friendly_errors
def brand_show(name: str) -> None:
    """Show one brand with its competitors."""
    with database().read() as session:
        brand = get_brand(session, name)
        console.print(f"{brand.name} (id {brand.id})", style="bold")
        console.print(f"aliases: {', '.join(brand.aliases) or '-'}")
        console.print(f"domains: {', '.join(brand.domains) or '-'}")
        console.print(f"mentions: {count_mentions(session, brand)}")
        for competitor in competitors_of(session, brand):
            console.print(f"competitor: {competitor.name}; aliases {', '.join(competitor.aliases) or '-'}; "
                          f"domains {', '.join(competitor.domains) or '-'}")


@db_app.command("upgrade")
@friendly_errors
def db_upgrade() -> None:
    """Create or migrate the database schema to the newest version."""
    from storage.db import create_database_engine

    engine = create_database_engine(settings().resolved_database_url)
    ran = upgrade(engine)
    console.print(f"Database at revision {current_revision(engine)}" + (" (upgraded)." if ran else " (already current)."))
    engine.dispose()


@config_app.command("show")
@friendly_errors
def config_show() -> None:
    """Show every setting and its current value; secrets are masked."""
    table = Table("setting", "value", "help")
    for name, value, help_text in describe(settings()):
        table.add_row(name, value, help_text)
    console.print(table)


@app.command("demo")
@friendly_errors
def demo(
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the dashboard on the demo data afterwards.")] = True,
    port: Annotated[int | None, typer.Option("--port", help="Port for the dashboard (default: ADVOCADO_WEB_PORT).")] = None,
) -> None:
    """Load invented sample reviews (marked as demo data), score their sentiment, and serve the dashboard."""
    from advocado.cli_sentiment import score
    from advocado.cli_web import serve_demo
    from advocado.demo import load_demo

    loaded = load_demo(database())
    console.print(f"Demo brand {loaded.brand!r}: {loaded.read} sample reviews, {loaded.new} new "
                  f"(invented for the demo, tagged 'demo').")
    console.print(f"Database: {settings().resolved_database_url}")
    try:
        score(brand=loaded.brand, rescore=False)
    except typer.Exit:
        console.print("Sentiment scoring was skipped (see the error above); everything else works without it.")
    if serve:
        serve_demo(port=port)
    else:
        console.print(f"Try: advocado brand show {loaded.brand!r}")
        console.print(f"     advocado export --brand {loaded.brand!r} --format csv --output demo.csv")
        console.print("     advocado serve")


cli_data.register(app)
cli_sentiment.register(app)
cli_sources.register(app)
cli_web.register(app)
cli_alerts.register(app)
cli_monitor.register(app)
cli_widgets.register(app)


def main() -> None:
    app()
