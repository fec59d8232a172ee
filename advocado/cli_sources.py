"""CLI commands for sources: `source kinds|add|list|remove`, `collect` and `schedule`."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlmodel import select

from advocado.context import UserError, console, database, errors, friendly_errors, progress, settings
from collectors import (
    CollectorError, HttpOptions, RunReport, SourceScheduler, UnknownKind, due_sources, masked_params, registry,
    run_sources, validate_params,
)
from storage import Brand, Source, add_source, get_brand, get_source

source_app = typer.Typer(help="Where reviews and mentions come from: app stores, review sites, social networks, feeds.",
                         no_args_is_help=True)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_INTERVAL = re.compile(r"(\d+)\s*([smhdw])")
MIN_INTERVAL = 60


def parse_interval(text: str) -> int:
    """Seconds in an interval such as `6h`, `30m`, `1d` or `1h30m`."""
    cleaned = text.strip().lower()
    parts = _INTERVAL.findall(cleaned)
    if not parts or _INTERVAL.sub("", cleaned).strip():
        raise UserError(f"--every {text!r}: use a number and a unit, e.g. 30m, 6h, 1d or 1h30m")
    seconds = sum(int(number) * _UNITS[unit] for number, unit in parts)
    if seconds < MIN_INTERVAL:
        raise UserError(f"--every {text!r}: the shortest schedule is one minute")
    return seconds


def format_interval(seconds: int | None) -> str:
    if not seconds:
        return "-"
    for unit in ("w", "d", "h", "m"):
        if seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"


def _parse_params(pairs: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--param {pair.split('=')[0]!r}: expected KEY=VALUE")
        params[key.strip()] = value.strip()
    return params


def http_options() -> HttpOptions:
    """Fetch options from the settings (per-host interval and concurrency keep their defaults unless set)."""
    values = settings()
    return HttpOptions(
        user_agent=values.user_agent, timeout=values.http_timeout, allow_private_networks=values.allow_private_networks,
        host_interval=values.host_interval,
    )


@source_app.command("kinds")
@friendly_errors
def source_kinds() -> None:
    """List the kinds of source and their parameters (* required, secret ones marked)."""
    table = Table("kind", "what it collects", "parameters")
    for collector in registry():
        model = collector.Params
        secrets = model.secret_fields()
        names = [f"{name}{'*' if info.is_required() else ''}{' (secret)' if name in secrets else ''}"
                 for name, info in model.model_fields.items() if name != "base_url"]
        table.add_row(collector.kind, collector.description(), ", ".join(names + ["base_url"]))
    console.print(table)


@source_app.command("add")
@friendly_errors
def source_add(
    kind: Annotated[str, typer.Argument(help="The kind of source (see `advocado source kinds`).")],
    brand: Annotated[str, typer.Option("--brand", help="The brand the source is about.")],
    param: Annotated[list[str] | None, typer.Option("--param", help="KEY=VALUE parameter (repeatable).")] = None,
    every: Annotated[str | None, typer.Option("--every", help="Collect on a schedule, e.g. 30m, 6h, 1d.")] = None,
    name: Annotated[str, typer.Option("--name", help="A name to tell sources of the same kind apart.")] = "",
) -> None:
    """Add a source to a brand and print its id."""
    schedule = parse_interval(every) if every else None
    try:
        params = validate_params(kind, _parse_params(param or []))
    except (UnknownKind, CollectorError) as error:
        raise UserError(str(error)) from None
    with database().write() as session:
        source = add_source(session, get_brand(session, brand), kind, name=name, params=params, schedule_seconds=schedule)
        console.print(source.id)


@source_app.command("list")
@friendly_errors
def source_list(brand: Annotated[str | None, typer.Option("--brand", help="Only this brand's sources.")] = None) -> None:
    """List sources with their parameters (secrets masked), schedule and health."""
    threshold = settings().failure_threshold
    table = Table("id", "brand", "kind", "name", "parameters", "every", "last run", "status")
    with database().read() as session:
        query = select(Source, Brand.name).join(Brand, Brand.id == Source.brand_id).order_by(Source.id)  # type: ignore[arg-type]
        if brand:
            query = query.where(Source.brand_id == get_brand(session, brand).id)
        for source, brand_name in session.exec(query):
            shown = masked_params(source.kind, source.params)
            status = "ok" if not source.consecutive_failures else (
                f"failing ({source.consecutive_failures}x): {source.last_error}" if source.consecutive_failures >= threshold
                else f"retrying ({source.consecutive_failures}x)")
            table.add_row(str(source.id), brand_name, source.kind, source.name,
                          " ".join(f"{k}={v}" for k, v in shown.items()), format_interval(source.schedule_seconds),
                          source.last_run_at.strftime("%Y-%m-%d %H:%M") if source.last_run_at else "never",
                          status if source.enabled else "disabled")
    console.print(table)


@source_app.command("remove")
@friendly_errors
def source_remove(
    source_id: Annotated[int, typer.Argument(help="The source's id (see `advocado source list`).")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove a source together with the mentions collected from it."""
    with database().read() as session:
        source = get_source(session, source_id)
        label = f"{source.kind} source {source_id}" + (f" ({source.name})" if source.name else "")
    if not yes and not typer.confirm(f"Remove {label} and every mention collected from it?"):
        raise typer.Exit(1)
    with database().write() as session:
        session.delete(get_source(session, source_id))
    console.print(f"Removed {label}.", highlight=False)


@friendly_errors
def collect_command(
    source: Annotated[list[int] | None, typer.Option("--source", help="Only this source id, due or not (repeatable).")] = None,
    brand: Annotated[str | None, typer.Option("--brand", help="Only this brand's due sources.")] = None,
) -> None:
    """Collect new reviews and mentions from every due source once, then summarise per source."""
    db, values = database(), settings()
    source_ids = source or []
    with db.read() as session:
        brand_id = get_brand(session, brand).id if brand else None
        for source_id in source_ids:
            found = get_source(session, source_id)
            if brand_id is not None and found.brand_id != brand_id:
                raise UserError(f"source {source_id} does not belong to brand {brand!r}")
    ids = source_ids or due_sources(db, brand_id=brand_id)
    if not ids:
        console.print("No sources are due. Add one with `advocado source add`, or name one with --source.")
        return
    with progress("Collecting", len(ids)) as advance:
        reports = asyncio.run(run_sources(db, ids, http_options(), concurrency=values.collect_concurrency,
                                          failure_threshold=values.failure_threshold, on_done=lambda _r: advance(1)))
    _summarise(reports)
    if any(report.failing for report in reports):
        raise typer.Exit(1)


def _summarise(reports: list[RunReport]) -> None:
    table = Table("source", "kind", "new", "updated", "unchanged", "errors")
    for report in sorted(reports, key=lambda r: r.source_id):
        problem = "-" if report.ok else (f"{report.error_class}: {report.error}" if report.failing
                                         else f"{report.error_class} (try {report.consecutive_failures}, retrying later)")
        table.add_row(f"{report.source_id} {report.name}".strip(), report.kind, str(report.new), str(report.updated),
                      str(report.unchanged), problem)
    console.print(table)
    for report in reports:
        if report.failing:
            errors.print(f"[bold red]failing:[/] source {report.source_id} ({report.kind}) failed "
                         f"{report.consecutive_failures} runs in a row: {report.error}", highlight=False)


@friendly_errors
def schedule_command() -> None:
    """Run every scheduled source on its schedule until stopped (Ctrl-C)."""
    db, values = database(), settings()

    async def forever() -> None:
        runner = SourceScheduler(db, http_options(), failure_threshold=values.failure_threshold)
        runner.start()
        jobs = [job for job in runner.scheduler.get_jobs() if job.id.startswith("source-")]
        console.print(f"Scheduling {len(jobs)} source(s); new and changed sources are picked up every minute. Ctrl-C stops.")
        try:
            await asyncio.Event().wait()
        finally:
            await runner.stop()

    try:
        asyncio.run(forever())
    except KeyboardInterrupt:
        console.print("Stopped.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(source_app, name="source")
    app.command("collect")(collect_command)
    app.command("schedule")(schedule_command)
