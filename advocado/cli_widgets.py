"""CLI commands for the public face: `widget create|list|embed|form` and `moderate`."""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlmodel import col, select

from advocado.context import UserError, console, database, friendly_errors, settings
from storage import DisplayStatus, Mention, Source, get_brand, moderate
from storage.public import (
    Widget,
    WidgetKind,
    WidgetMode,
    form_for_brand,
    get_widget,
    list_widgets,
)
from widgets.embed import iframe_embed, script_embed
from widgets.payload import HEIGHTS

campaign_app = typer.Typer(help="Review requests by email: import customers, send requests and reminders.", no_args_is_help=True)
survey_app = typer.Typer(help="Net Promoter Score surveys: a 0-10 question and one follow-up.", no_args_is_help=True)
widget_app = typer.Typer(help="Embeddable widgets showing approved reviews and testimonials, and testimonial forms.",
                         no_args_is_help=True)


class Decision(StrEnum):
    approve = "approve"
    reject = "reject"
    hide = "hide"


def public_url() -> str:
    """Where browsers reach this server: the `public_url` setting, or the address `advocado serve` listens on."""
    values = settings()
    return (values.public_url or f"http://{values.web_host}:{values.web_port}").rstrip("/")


@widget_app.command("create")
@friendly_errors
def widget_create(
    brand: Annotated[str, typer.Option("--brand", help="Brand whose approved reviews and testimonials it shows.")],
    kind: Annotated[WidgetKind, typer.Option("--kind", help="wall, carousel, badge or quote.")],
    mode: Annotated[WidgetMode, typer.Option("--mode", help="representative (a fair mix) or featured (hand-picked, "
                                                             "labelled \"Selected testimonials\").")] = WidgetMode.representative,
    size: Annotated[int, typer.Option("--size", min=1, max=50, help="How many items it shows.")] = 9,
    theme: Annotated[str, typer.Option("--theme", help="light or dark.")] = "light",
    featured: Annotated[list[int] | None, typer.Option("--feature", help="Mention id to show in featured mode (repeatable).")] = None,
    allow_origin: Annotated[list[str] | None, typer.Option(
        "--allow-origin", help="Only these sites (e.g. https://www.acme.example) may frame the iframe mode (repeatable).")] = None,
) -> None:
    """Create a widget and print its id."""
    if theme not in ("light", "dark"):
        raise UserError("--theme must be light or dark")
    origins = [origin.rstrip("/") for origin in allow_origin or []]
    if bad := [origin for origin in origins if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?", origin)]:
        raise UserError(f"--allow-origin takes scheme://host[:port], not {bad[0]!r}")
    if mode == WidgetMode.featured and not featured:
        raise UserError("featured mode needs at least one --feature MENTION_ID")
    with database().write() as session:
        owner = get_brand(session, brand)
        widget = Widget(brand_id=owner.id or 0, kind=kind.value, mode=mode.value, size=size, theme=theme,
                        featured_ids=list(featured or []), allowed_origins=origins)
        session.add(widget)
        session.flush()
        console.print(widget.public_id, highlight=False)


@widget_app.command("list")
@friendly_errors
def widget_list() -> None:
    """List widgets."""
    table = Table("id", "brand id", "kind", "mode", "size", "theme")
    with database().read() as session:
        for widget in list_widgets(session):
            table.add_row(widget.public_id, str(widget.brand_id), widget.kind, widget.mode, str(widget.size), widget.theme)
    console.print(table)


@widget_app.command("embed")
@friendly_errors
def widget_embed(
    widget_id: Annotated[str, typer.Argument(help="The id `widget create` printed.")],
    origin: Annotated[str, typer.Option("--origin", help="Your site's origin, for the iframe mode.")] = "https://your-site.example",
) -> None:
    """Print the embed code for each mode: script (default), iframe (strict sites) and static HTML."""
    with database().read() as session:
        widget = get_widget(session, widget_id)
    base, height = public_url(), HEIGHTS.get(widget.kind, 400)
    console.print("# Script (recommended): paste where the widget should appear", highlight=False)
    console.print(script_embed(base, widget.public_id, height), markup=False, highlight=False, soft_wrap=True)
    console.print("\n# iframe (strict sites; resizes when widget.js is on the page)", highlight=False)
    console.print(iframe_embed(base, widget.public_id, height, origin), markup=False, highlight=False, soft_wrap=True)
    console.print("\n# Static HTML (SEO, no script): fetch this and include it in your page, e.g. at build time", highlight=False)
    console.print(f"{base}/w/{widget.public_id}.html", markup=False, highlight=False, soft_wrap=True)


@widget_app.command("form")
@friendly_errors
def widget_form(brand: Annotated[str, typer.Option("--brand", help="Brand the testimonials are about.")]) -> None:
    """Print the link to the brand's hosted testimonial form and the iframe code to embed it."""
    from advocado.web.collect import DEFAULT_CONSENT

    with database().write() as session:
        form = form_for_brand(session, get_brand(session, brand).id or 0, DEFAULT_CONSENT)
    url = f"{public_url()}/t/{form.public_id}"
    console.print(url, markup=False, highlight=False, soft_wrap=True)
    console.print(f'<iframe src="{url}" title="Leave a testimonial" style="width:100%;height:900px;border:0"></iframe>',
                  markup=False, highlight=False, soft_wrap=True)


@friendly_errors
def moderate_command(
    mention_ids: Annotated[list[int], typer.Argument(help="Mention ids.")],
    brand: Annotated[str, typer.Option("--brand", help="Brand the mentions belong to.")],
    approve: Annotated[bool, typer.Option("--approve", help="Approve for display.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject.")] = False,
    hide: Annotated[bool, typer.Option("--hide", help="Hide (keep, never show).")] = False,
) -> None:
    """Approve, reject or hide mentions of one brand; apply the same criteria whatever the rating."""
    chosen = [decision for decision, flag in ((Decision.approve, approve), (Decision.reject, reject), (Decision.hide, hide)) if flag]
    if len(chosen) != 1:
        raise UserError("give exactly one of --approve, --reject or --hide")
    status = {Decision.approve: DisplayStatus.approved, Decision.reject: DisplayStatus.rejected,
              Decision.hide: DisplayStatus.hidden}[chosen[0]]
    with database().write() as session:
        owner = get_brand(session, brand)
        owned = {mention_id for mention_id in session.exec(select(Mention.id).join(Source, col(Source.id) == Mention.source_id)
                                 .where(Source.brand_id == owner.id, col(Mention.id).in_(mention_ids))) if mention_id is not None}
        missing = sorted(set(mention_ids) - owned)
        if missing:
            raise UserError(f"not mentions of {owner.name}: {', '.join(map(str, missing))}")
        changed = moderate(session, sorted(owned), status=status)
    console.print(f"{changed} mention(s) set to {status.value}.")


@survey_app.command("link")
@friendly_errors
def survey_link(brand: Annotated[str, typer.Option("--brand", help="Brand the survey is about.")]) -> None:
    """Print the link to the brand's NPS survey (created on first use)."""
    from storage.public import survey_for_brand

    with database().write() as session:
        survey = survey_for_brand(session, get_brand(session, brand).id or 0)
    console.print(f"{public_url()}/s/{survey.public_id}", markup=False, highlight=False, soft_wrap=True)


@survey_app.command("results")
@friendly_errors
def survey_results(brand: Annotated[str, typer.Option("--brand", help="Brand the survey is about.")]) -> None:
    """Print the Net Promoter Score, the counts behind it, and the detractors waiting for a personal follow-up."""
    from storage.public import nps_summary, survey_for_brand

    with database().write() as session:
        summary = nps_summary(session, survey_for_brand(session, get_brand(session, brand).id or 0))
    score = "no answers yet" if summary.score is None else f"{summary.score:+d}"
    console.print(f"NPS {score} from {summary.responses} answer(s): {summary.promoters} promoters, "
                  f"{summary.passives} passives, {summary.detractors} detractors", highlight=False)
    for response in summary.to_follow_up:
        console.print(f"follow up: {response.ref} scored {response.score}: {response.comment or '(no comment)'}",
                      markup=False, highlight=False)


def smtp_sender() -> Callable[[EmailMessage], None]:
    """Sends one email through the configured review-request SMTP server."""
    values = settings()
    if not values.review_smtp_host or not values.review_sender:
        raise UserError("set ADVOCADO_REVIEW_SMTP_HOST and ADVOCADO_REVIEW_SENDER to send review requests")
    host, port, security = values.review_smtp_host, values.review_smtp_port, values.review_smtp_security

    def send(email: EmailMessage) -> None:
        factory: Any = smtplib.SMTP_SSL if security == "tls" else smtplib.SMTP
        kwargs: dict[str, Any] = {"timeout": values.http_timeout}
        if security == "tls":
            kwargs["context"] = ssl.create_default_context()
        with factory(host, port, **kwargs) as client:
            if security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if values.review_smtp_username and values.review_smtp_password:
                client.login(values.review_smtp_username, values.review_smtp_password.get_secret_value())
            client.send_message(email)

    return send


@campaign_app.command("import")
@friendly_errors
def campaign_import(
    file: Annotated[Path, typer.Argument(help="CSV with the header email,name,first_purchase (YYYY-MM-DD).", exists=True, dir_okay=False)],
    brand: Annotated[str, typer.Option("--brand", help="Brand the customers bought from.")],
) -> None:
    """Import or update customers who may be asked for a review."""
    from storage.public import CampaignCustomer
    from widgets.campaigns import read_customers

    try:
        rows = read_customers(file.read_text(encoding="utf-8-sig").splitlines())
    except ValueError as error:
        raise UserError(f"{file}: {error}") from None
    added = updated = 0
    with database().write() as session:
        owner = get_brand(session, brand)
        for email, name, first_purchase in rows:
            customer = session.exec(select(CampaignCustomer).where(CampaignCustomer.brand_id == owner.id,
                                                                   CampaignCustomer.email == email)).first()
            if customer is None:
                session.add(CampaignCustomer(brand_id=owner.id or 0, email=email, name=name, first_purchase_at=first_purchase))
                added += 1
            else:
                customer.name, customer.first_purchase_at = name or customer.name, first_purchase
                session.add(customer)
                updated += 1
    console.print(f"{added} customer(s) added, {updated} updated.")


@campaign_app.command("send")
@friendly_errors
def campaign_send(
    brand: Annotated[str, typer.Option("--brand", help="Brand whose customers are asked.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count who is due.")] = False,
) -> None:
    """Send due review requests and reminders (30-90 days after first purchase, at most 2 reminders, once per 180 days)."""
    from widgets.campaigns import run_campaign

    send = (lambda _email: None) if dry_run else smtp_sender()
    with database().read() as session:
        owner = get_brand(session, brand)
    result = run_campaign(database(), owner, send, sender=settings().review_sender or "", base_url=public_url(),
                          dry_run=dry_run)
    verb = "would send" if dry_run else "sent"
    console.print(f"{verb} {result.sent} request(s) and {result.reminders} reminder(s); {result.failed} failed.")
    for error in result.errors[:20]:
        console.print(f"failed: {error}", markup=False, highlight=False)
    if result.failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(widget_app, name="widget")
    app.add_typer(survey_app, name="survey")
    app.add_typer(campaign_app, name="campaign")
    app.command("moderate")(moderate_command)
