"""CLI commands for opinion reports and alerts: `report`, `alert channel add|list|remove`, `alert add|list|remove|check`."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import typer

from advocado.alerts import RULE_HELP, CheckReport, InvalidChannel, RetryPolicy, SendOptions, channel_kind, run_check
from advocado.alerts.report import opinion_report, parse_since
from advocado.context import UserError, console, database, errors, friendly_errors, settings
from sentiment.opinion import SENSITIVITIES
from storage import get_brand
from storage.alerts import add_channel, add_rule, get_channel, list_channels, list_rules, recent_events
from storage.errors import NotFound
from storage.models import AlertRule

alert_app = typer.Typer(help="Alerts on negative shifts, rating drops, review bursts and rating/text mismatches.",
                        no_args_is_help=True)
channel_app = typer.Typer(help="Where alerts go: webhook, Slack or email.", no_args_is_help=True)
alert_app.add_typer(channel_app, name="channel")


class ChannelKind(StrEnum):
    webhook = "webhook"
    slack = "slack"
    email = "email"


def _time(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_since(text)
    except ValueError as error:
        raise UserError(f"{option}: {error}") from None


@friendly_errors
def report(
    brand: Annotated[str, typer.Option("--brand", help="The brand to report on.")],
    since: Annotated[str | None, typer.Option(help="Only mentions published since: 30d, 12w, 6m or a date.")] = None,
    until: Annotated[str | None, typer.Option(help="Only mentions published before this date.")] = None,
    period: Annotated[str, typer.Option(help="Group the timeline by day, week or month.")] = "week",
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole report as JSON.")] = False,
) -> None:
    """Opinion report: volume, sentiment and ratings with confidence intervals, themes with quotes, mix check, alerts."""
    if period not in ("day", "week", "month"):
        raise UserError("--period: use day, week or month")
    data = opinion_report(database(), brand, since=_time(since, "--since"), until=_time(until, "--until"), period=period)
    if as_json:
        console.print(json.dumps(data, ensure_ascii=False, indent=2))
        return
    _print_report(data)


def _pct(share: dict[str, float]) -> str:
    return f"{share['value']:.0%} ({share['low']:.0%}-{share['high']:.0%})"


def _print_report(data: dict[str, Any]) -> None:
    overall = data["summary"]["overall"]
    console.print(f"{data['brand']}: {overall['volume']} mentions" + (f" since {data['since'][:10]}" if data["since"] else ""))
    shares = overall["sentiment_shares"]
    console.print(f"  sentiment: negative {_pct(shares['negative'])}, neutral {_pct(shares['neutral'])}, "
                  f"positive {_pct(shares['positive'])}   (95% intervals)")
    net = overall["net_sentiment"]
    console.print(f"  net sentiment: {net['value']:+.2f} ({net['low']:+.2f} to {net['high']:+.2f})")
    if overall["average_rating"]:
        rating = overall["average_rating"]
        console.print(f"  average rating: {rating['value']:.2f} ({rating['low']:.2f}-{rating['high']:.2f}) from "
                      f"{overall['rated']} ratings; " + ", ".join(f"{s}★ {n}" for s, n in overall["rating_histogram"].items()))
    basis = overall["sentiment_basis"]
    if basis["rating"]:
        console.print(f"  ({basis['rating']} mentions have no model score yet; their sentiment comes from their stars. "
                      "Run `advocado sentiment score`.)")
    for source in data["summary"]["by_source"]:
        console.print(f"  {source['label']}: {source['volume']} mentions, negative "
                      f"{_pct(source['sentiment_shares']['negative'])}")
    console.print("Themes:")
    for theme in data["themes"][:8]:
        counts = theme["sentiment_counts"]
        console.print(f"  {theme['name']}: {theme['volume']} mentions ({counts['positive']} positive, "
                      f"{counts['neutral']} neutral, {counts['negative']} negative)")
        for quote in theme["quotes"]:
            console.print(f"    \"{quote['text']}\"")
    mix = data["mix_check"]
    console.print(f"Mix check of {mix['displayed']} ({mix['shown']} of {mix['population']}): score {mix['score']}/100, "
                  f"{'fair' if mix['fair'] else 'not representative'}")
    for finding in mix["findings"]:
        console.print(f"  {finding}")
    console.print(f"Representative selection: {data['representative_selection']['disclosure']}")
    console.print("Recent alerts:" if data["alerts"] else "Recent alerts: none")
    for alert in data["alerts"]:
        states = ", ".join(f"channel {d['channel_id']} {d['status']}" for d in alert["deliveries"])
        console.print(f"  {alert['created_at'][:16]} {alert['title']} [{alert['window']}] {states}")


@channel_app.command("add")
@friendly_errors
def channel_add(
    kind: Annotated[ChannelKind, typer.Argument(help="webhook, slack or email.")],
    name: Annotated[str, typer.Option(help="A name to recognise the channel by.")] = "",
    url: Annotated[str | None, typer.Option(help="webhook: the URL to POST to; slack: the incoming-webhook URL.")] = None,
    secret: Annotated[str | None, typer.Option(help="webhook: signing secret (16+ characters); default: a new random one, shown once.")] = None,
    host: Annotated[str | None, typer.Option(help="email: SMTP server.")] = None,
    port: Annotated[int, typer.Option(help="email: SMTP port.")] = 587,
    security: Annotated[str, typer.Option(help="email: starttls, tls or none.")] = "starttls",
    username: Annotated[str | None, typer.Option(help="email: SMTP user name.")] = None,
    password: Annotated[str | None, typer.Option(help="email: SMTP password.", envvar="SMTP_PASSWORD")] = None,
    sender: Annotated[str | None, typer.Option(help="email: the From address.")] = None,
    to: Annotated[list[str] | None, typer.Option("--to", help="email: a recipient (repeat for more).")] = None,
) -> None:
    """Add an alert channel and print its id (for `alert add --channel ID`)."""
    generated = None
    if kind is ChannelKind.webhook:
        if secret is None:
            secret = generated = secrets.token_urlsafe(32)
        raw: dict[str, Any] = {"url": url, "secret": secret}
    elif kind is ChannelKind.slack:
        raw = {"url": url}
    else:
        raw = {"host": host, "port": port, "security": security, "username": username, "password": password,
               "sender": sender, "recipients": to or []}
    chosen = channel_kind(kind.value)
    try:
        params = chosen.validate({key: value for key, value in raw.items() if value is not None})
    except InvalidChannel as error:
        raise UserError(str(error)) from None
    with database().write() as session:
        channel = add_channel(session, kind.value, chosen.stored(params), name=name)
    console.print(str(channel.id))
    if generated:
        errors.print(f"Signing secret (shown once, give it to the receiver): {generated}", markup=False, highlight=False)


@channel_app.command("list")
@friendly_errors
def channel_list() -> None:
    """List alert channels; secrets are masked."""
    with database().read() as session:
        channels = list_channels(session)
    if not channels:
        console.print("No alert channels yet. Add one: advocado alert channel add webhook --url https://...")
    for channel in channels:
        try:
            shown = channel_kind(channel.kind).masked(channel.params)
        except InvalidChannel:
            shown = {}
        console.print(f"{channel.id}  {channel.kind}  {channel.name or '-'}  {json.dumps(shown, ensure_ascii=False)}")


@channel_app.command("remove")
@friendly_errors
def channel_remove(channel_id: Annotated[int, typer.Argument(help="The channel's id.")]) -> None:
    """Remove an alert channel (its delivery records go with it)."""
    with database().write() as session:
        channel = get_channel(session, channel_id)
        for rule, _ in list_rules(session):
            if channel_id in rule.channel_ids:
                rule.channel_ids = [other for other in rule.channel_ids if other != channel_id]
                session.add(rule)
        session.delete(channel)
    console.print(f"Removed channel {channel_id}.")


@alert_app.command("add")
@friendly_errors
def alert_add(
    brand: Annotated[str, typer.Option("--brand", help="The brand to watch.")],
    rule: Annotated[str, typer.Option("--rule", help="negative-shift, rating-drop, review-burst or rating-text-mismatch.")],
    channel: Annotated[list[int] | None, typer.Option("--channel", help="A channel id (repeat for more).")] = None,
    sensitivity: Annotated[str, typer.Option(help="low, medium or high.")] = "medium",
    cooldown_hours: Annotated[float, typer.Option(help="After an alert, stay quiet this long for this rule.")] = 24.0,
) -> None:
    """Add an alert rule for a brand and print its id."""
    if rule not in RULE_HELP:
        raise UserError(f"unknown rule {rule!r}; use one of: " + "; ".join(f"{n} ({h})" for n, h in RULE_HELP.items()))
    if sensitivity not in SENSITIVITIES:
        raise UserError(f"--sensitivity: use one of {', '.join(SENSITIVITIES)}")
    if cooldown_hours < 0:
        raise UserError("--cooldown-hours cannot be negative")
    with database().write() as session:
        added = add_rule(session, get_brand(session, brand), rule, channel or [], sensitivity=sensitivity,
                         cooldown_hours=cooldown_hours)
    console.print(str(added.id))
    if not channel:
        errors.print("No --channel given: the rule's alerts are recorded and shown by `advocado report`, not sent.")


@alert_app.command("list")
@friendly_errors
def alert_list() -> None:
    """List alert rules and each rule's latest alerts with their delivery states."""
    with database().read() as session:
        rules = list_rules(session)
        if not rules:
            console.print("No alert rules yet. Add one: advocado alert add --brand NAME --rule negative-shift --channel ID")
        for rule, brand_name in rules:
            channels = ",".join(map(str, rule.channel_ids)) or "none"
            console.print(f"{rule.id}  {brand_name}  {rule.rule}  sensitivity {rule.sensitivity}  channels {channels}  "
                          f"cooldown {rule.cooldown_hours:g}h  last checked "
                          f"{rule.last_checked_at.isoformat(timespec='minutes') if rule.last_checked_at else 'never'}")
            brand = get_brand(session, brand_name)
            for event, _ in [pair for pair in recent_events(session, brand, limit=50) if pair[1].id == rule.id][:3]:
                console.print(f"    {event.created_at.isoformat(timespec='minutes')}  {event.title}  [{event.window_key}]")


@alert_app.command("remove")
@friendly_errors
def alert_remove(rule_id: Annotated[int, typer.Argument(help="The rule's id.")]) -> None:
    """Remove an alert rule and its alert history."""
    with database().write() as session:
        rule = session.get(AlertRule, rule_id)
        if rule is None:
            raise NotFound(f"no alert rule with id {rule_id}")
        session.delete(rule)
    console.print(f"Removed rule {rule_id}.")


def configured_check() -> CheckReport:
    """Evaluate every rule and deliver due alerts with the configured channels' settings
    (`advocado alert check`, and hourly inside `advocado serve` / `advocado worker`)."""
    values = settings()
    options = SendOptions(timeout=values.http_timeout, allow_private_networks=values.allow_private_networks,
                          user_agent=values.user_agent)
    policy = RetryPolicy(max_attempts=values.alert_max_attempts, base_seconds=values.alert_retry_seconds)
    return run_check(database(), options, policy=policy)


@alert_app.command("check")
@friendly_errors
def alert_check() -> None:
    """Evaluate every alert rule now and deliver due alerts (run it from cron or the scheduler)."""
    result = configured_check()
    for label in result.fired:
        console.print(f"fired: {label}")
    for label in result.suppressed:
        console.print(f"in cooldown: {label}")
    console.print(f"{len(result.fired)} alert(s) fired; deliveries: {result.sent} sent, {result.retrying} to retry, "
                  f"{result.failed} failed, {result.unconfirmed} unconfirmed")
    for error in result.errors:
        errors.print(f"delivery problem: {error}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("report")(report)
    app.add_typer(alert_app, name="alert")
