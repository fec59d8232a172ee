"""CLI commands for the AI-visibility monitor: engines, prompts, runs, reports and re-analysis."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Annotated, Any

import typer
from rich.table import Table

from advocado.context import UserError, console, database, friendly_errors, progress, settings

monitor_app = typer.Typer(help="AI visibility monitor: how AI assistants mention and cite your brand.", no_args_is_help=True)
engine_app = typer.Typer(help="AI assistants to ask (OpenAI, Anthropic, Gemini, Perplexity, local models).", no_args_is_help=True)
prompt_app = typer.Typer(help="Questions buyers ask, with tags; templates may use {brand}, {competitor}, {category}.",
                         no_args_is_help=True)
monitor_app.add_typer(engine_app, name="engine")
monitor_app.add_typer(prompt_app, name="prompt")

KEY_SETTINGS = ("monitor_openai_api_key", "monitor_anthropic_api_key", "monitor_gemini_api_key", "monitor_perplexity_api_key")


def _parse_params(pairs: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--param {key!r}: expected KEY=VALUE")
        params[key.strip()] = value.strip()
    return params


def _monitor_errors() -> tuple[type[Exception], ...]:
    from monitor import MonitorError
    from monitor.engines import UnknownKind

    return (MonitorError, UnknownKind, ValueError)


@engine_app.command("kinds")
@friendly_errors
def engine_kinds_command() -> None:
    """List engine kinds and their parameters (secret ones marked)."""
    from monitor import engine_kinds

    table = Table("kind", "what it asks", "parameters")
    registry = engine_kinds()
    for kind in registry.kinds():
        engine = registry.get(kind)
        secrets = engine.Params.secret_fields()
        names = [name + (" (secret)" if name in secrets else "") for name in engine.Params.model_fields
                 if name != "api_key_base_url"]
        table.add_row(kind, engine.description(), ", ".join(names))
    console.print(table)


@engine_app.command("add")
@friendly_errors
def engine_add(
    kind: str,
    name: Annotated[str | None, typer.Option("--name", help="A name for this engine (default: the kind).")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="KEY=VALUE parameter (repeatable), e.g. model=gpt-5-mini.")] = None,
) -> None:
    """Add an AI assistant to ask; an api_key given here is only ever sent to this engine's base_url."""
    from monitor import mask_params, validate_engine_params
    from storage.monitor import add_monitor_engine

    try:
        params = validate_engine_params(kind, _parse_params(param or []))
    except _monitor_errors() as error:
        raise UserError(str(error)) from None
    with database().write() as session:
        engine = add_monitor_engine(session, kind, name or kind, params)
        console.print(f"Added engine {engine.name} (id {engine.id}, {kind}): {json.dumps(mask_params(kind, params))}")


@engine_app.command("list")
@friendly_errors
def engine_list() -> None:
    """List engines with their parameters (secrets masked)."""
    from monitor import mask_params
    from storage.monitor import list_monitor_engines

    table = Table("id", "name", "kind", "parameters", "enabled")
    with database().read() as session:
        for engine in list_monitor_engines(session):
            table.add_row(str(engine.id), engine.name, engine.kind, json.dumps(mask_params(engine.kind, engine.params)),
                          "yes" if engine.enabled else "no")
    console.print(table)


@engine_app.command("remove")
@friendly_errors
def engine_remove(engine: str) -> None:
    """Remove an engine (by id or name) and every answer it gave."""
    from storage.monitor import remove_monitor_engine

    with database().write() as session:
        removed = remove_monitor_engine(session, engine)
        console.print(f"Removed engine {removed.name}.")


@prompt_app.command("add")
@friendly_errors
def prompt_add(
    text: str,
    tag: Annotated[list[str] | None, typer.Option(
        "--tag", help="A tag such as topic:crm, funnel:consideration, persona:cto (repeatable).")] = None,
) -> None:
    """Add a question to ask every engine; {brand}, {competitor} and {category} are filled in per run."""
    from monitor.prompts import template_fields
    from storage.monitor import add_monitor_prompt

    try:
        template_fields(text)
        with database().write() as session:
            prompt = add_monitor_prompt(session, text, tag or [])
            console.print(f"Added prompt {prompt.id}: {prompt.text}")
    except ValueError as error:
        raise UserError(str(error)) from None


@prompt_app.command("list")
@friendly_errors
def prompt_list(
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Only prompts with this tag (repeatable).")] = None,
) -> None:
    """List prompts and their tags."""
    from storage.monitor import list_monitor_prompts

    table = Table("id", "prompt", "tags")
    with database().read() as session:
        for prompt in list_monitor_prompts(session, tags=tag or []):
            table.add_row(str(prompt.id), prompt.text, ", ".join(prompt.tags))
    console.print(table)


@prompt_app.command("remove")
@friendly_errors
def prompt_remove(prompt_id: int) -> None:
    """Remove a prompt and every answer to it."""
    from storage.monitor import remove_monitor_prompt

    with database().write() as session:
        remove_monitor_prompt(session, prompt_id)
    console.print(f"Removed prompt {prompt_id}.")


def _scorer() -> Any:
    """The project's sentiment model for brand sentences, or None (with a note) when it cannot load."""
    from monitor import sentiment_scorer
    from sentiment import SentimentError

    config = settings()
    scorer = sentiment_scorer(config.sentiment_model, config.sentiment_labels or None, config.sentiment_threads)
    try:
        scorer(["probe"])
    except (SentimentError, OSError) as error:
        console.print(f"Note: brand-sentence sentiment skipped ({error}).")
        return None
    return scorer


def run_options() -> Any:
    from monitor import RunOptions

    config = settings()
    keys = {name: (value.get_secret_value() if (value := getattr(config, name)) else None) for name in KEY_SETTINGS}
    return RunOptions(allow_private_networks=config.allow_private_networks, keys=keys, user_agent=config.user_agent)


async def configured_monitor_run() -> None:
    """Run every brand whose monitor run is due (`ADVOCADO_MONITOR_SCHEDULE_HOURS`); called hourly by
    `advocado serve` and `advocado worker`. A brand is scheduled once it has had a first manual run."""
    from datetime import timedelta

    from monitor import run_due
    from storage import utcnow

    config = settings()
    await run_due(database(), now=utcnow, every=timedelta(hours=config.monitor_schedule_hours),
                  samples=config.monitor_samples, options=run_options(), scorer=_scorer(),
                  control_brand=config.monitor_control_brand)


@monitor_app.command("run")
@friendly_errors
def monitor_run(
    brand: Annotated[str, typer.Option("--brand", help="The brand to measure.")],
    samples: Annotated[int | None, typer.Option(
        "--samples", min=1, max=50,
        help="Times each prompt is asked of each engine (default: ADVOCADO_MONITOR_SAMPLES).")] = None,
    engine: Annotated[list[int] | None, typer.Option("--engine", help="Only this engine id (repeatable).")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Only prompts with this tag (repeatable).")] = None,
    category: Annotated[str | None, typer.Option("--category", help="Fills {category} in prompt templates.")] = None,
) -> None:
    """Ask every prompt of every engine, store the raw answers, and analyse them."""
    from monitor import analyse_run, collect
    from monitor.run import planned

    config = settings()
    db = database()
    samples = samples or config.monitor_samples
    total = planned(db, brand, samples=samples, engine_refs=engine or [], tags=tag or [], category=category)
    with progress("Asking", total) as advance:
        try:
            report = asyncio.run(collect(db, brand, samples=samples, engine_refs=engine or [],
                                         tags=tag or [], category=category, options=run_options(), advance=advance))
        except _monitor_errors() as error:
            raise UserError(str(error)) from None
    for left_out in report.skipped_templates:
        console.print(f"Left out (template needs a value this run lacks): {left_out}")
    table = Table("engine", "answers", "failed", "over budget", "tool errors", "requests", "retries", "est. cost")
    for outcome in report.engines:
        table.add_row(outcome.name, str(outcome.ok), str(outcome.failed), str(outcome.skipped), str(outcome.tool_errors),
                      str(outcome.requests), str(outcome.retries), f"${outcome.cost:.4f}")
    console.print(table)
    for outcome in report.engines:
        for message in outcome.errors[:3]:
            console.print(f"{outcome.name}: {message}")
    analysed = analyse_run(db, report.run_id, brand, scorer=_scorer(), control_brand=config.monitor_control_brand,
                           fuzzy=config.monitor_fuzzy_matching)
    console.print(f"Run {report.run_id}: {report.answers} answers stored, {analysed} analysed. "
                  f"See: advocado monitor report --brand {brand!r}")


def _pct(rate: dict[str, Any]) -> str:
    if rate["value"] is None:
        return "-"
    return f"{rate['value']:.0%} [{rate['low']:.0%}–{rate['high']:.0%}] n={rate['n']}"


@monitor_app.command("report")
@friendly_errors
def monitor_report(
    brand: Annotated[str, typer.Option("--brand", help="The brand to report on.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print every metric as JSON.")] = False,
    days: Annotated[int, typer.Option("--days", min=1, help="Answers asked in the last N days.")] = 30,
    run: Annotated[int | None, typer.Option("--run", help="Only this run's answers (instead of --days).")] = None,
) -> None:
    """Visibility per engine with 95% intervals: mentions, share of voice, position, citations, sentiment."""
    from monitor.report import brand_report
    from storage import utcnow

    now = utcnow()
    report = brand_report(database(), brand, since=None if run else now - timedelta(days=days), run_id=run).as_dict()
    if as_json:
        console.print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    console.print(f"{report['brand']}: AI visibility (metrics v{report['metrics_version']}, "
                  f"{'run ' + str(run) if run else f'last {days} days'})")
    table = Table("engine", "answers", "mention rate", "share of voice", "avg position", "prominence",
                  "citation rate", "retrieved rate", "sentiment (+/=/-)")
    for row in [*report["engines"], report["overall"]]:
        position = row["average_position"]
        sentiment = row["sentiment"]
        table.add_row(row["engine"], str(row["answers"].get("analysed", 0)), _pct(row["mention_rate"]),
                      _pct(row["share_of_voice"]),
                      f"{position['mean']:.2f} (n={position['n']})" if position["mean"] is not None else "-",
                      f"{row['prominence']:.3f}" if row["prominence"] is not None else "-",
                      _pct(row["citation_rate"]), _pct(row["retrieved_rate"]),
                      f"{sentiment['positive']}/{sentiment['neutral']}/{sentiment['negative']}")
    console.print(table)
    overall = report["overall"]
    if overall["competitors"]:
        competitors = Table("competitor", "mention rate", "share of voice", "avg position")
        for competitor in overall["competitors"]:
            position = competitor["average_position"]
            competitors.add_row(competitor["name"], _pct(competitor["mention_rate"]), _pct(competitor["share_of_voice"]),
                                f"{position['mean']:.2f} (n={position['n']})" if position["mean"] is not None else "-")
        console.print(competitors)
    if overall["cited_domains"]:
        domains = Table("cited domain", "answers", "citations", "owner")
        for domain in overall["cited_domains"]:
            domains.add_row(domain["domain"], str(domain["answers"]), str(domain["citations"]), domain["owner"])
        console.print(domains)
    if overall["control_detections"]:
        console.print(f"Warning: the control brand was detected {overall['control_detections']} time(s): "
                      "mention detection is producing false positives.")


@monitor_app.command("reanalyze")
@friendly_errors
def monitor_reanalyze(
    brand: Annotated[str | None, typer.Option("--brand", help="Only this brand (default: every brand).")] = None,
) -> None:
    """Analyse every stored answer again with the current definitions (after changing aliases, domains or competitors)."""
    from monitor import reanalyze
    from storage import get_brand, list_brands

    db = database()
    with db.read() as session:
        brands = [get_brand(session, brand)] if brand else list_brands(session)
    scorer = _scorer()
    for item in brands:
        count = reanalyze(db, item, scorer=scorer, control_brand=settings().monitor_control_brand,
                          fuzzy=settings().monitor_fuzzy_matching)
        console.print(f"{item.name}: {count} answers analysed again.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(monitor_app, name="monitor")
