"""CLI commands for the web app: `serve`, `worker`, and the `token` group."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from advocado.context import UserError, console, database, friendly_errors, settings
from storage import ApiToken, create_token, list_tokens, revoke_token, utcnow
from storage.types import as_utc

if TYPE_CHECKING:
    from advocado.web.jobs import Jobs

token_app = typer.Typer(help="Admin tokens for the API and the dashboard login.", no_args_is_help=True)

_DURATION = re.compile(r"^\s*(\d+)\s*([hdw])\s*$")
_UNITS = {"h": 3600, "d": 86400, "w": 604800}


def parse_expiry(text: str) -> timedelta:
    """`12h`, `30d` or `2w` as a duration."""
    found = _DURATION.match(text.lower())
    if not found or int(found.group(1)) < 1:
        raise UserError(f"--expires {text!r}: use a number and h, d or w, e.g. 12h, 30d, 2w")
    return timedelta(seconds=int(found.group(1)) * _UNITS[found.group(2)])


def configured_jobs(*, schedule: bool = True) -> Jobs:
    """The jobs (collection on schedule, scoring after it) configured from the settings."""
    from advocado.cli_sources import http_options
    from advocado.web.jobs import Jobs

    values = settings()

    def load_model() -> object:
        import sentiment

        return sentiment.load_model(values.sentiment_model, labels=values.sentiment_labels,
                                    quantize_int8=values.sentiment_quantize, threads=values.sentiment_threads)

    from advocado.cli_alerts import configured_check
    from advocado.cli_monitor import configured_monitor_run
    from advocado.web.jobs import PeriodicJob

    periodic = [
        PeriodicJob("alerts", "check alert rules and deliver", 3600, configured_check),
        PeriodicJob("monitor", "AI-visibility monitor runs that are due", 3600, configured_monitor_run),
    ]
    return Jobs(database(), http_options(), model_name=values.sentiment_model, load_model=load_model,
                failure_threshold=values.failure_threshold, schedule=schedule, periodic=periodic)


@friendly_errors
def serve(
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on (default: ADVOCADO_WEB_HOST, 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port to listen on (default: ADVOCADO_WEB_PORT, 8000).")] = None,
    scheduler: Annotated[bool, typer.Option("--scheduler/--no-scheduler",
                                            help="Run collection and scoring on schedule in this process "
                                                 "(turn off when `advocado worker` runs them).")] = True,
) -> None:
    """Serve the dashboard and the admin API, and run the scheduled jobs."""
    from advocado.web.server import BindRefused, serve_blocking

    values = settings()
    secret = values.session_secret.get_secret_value() if values.session_secret else None
    try:
        serve_blocking(
            database(), host=host or values.web_host, port=port or values.web_port,
            jobs=configured_jobs(schedule=scheduler), session_secret=secret,
            session_hours=values.session_hours, failure_threshold=values.failure_threshold,
            log_level="info" if values.log_level.upper() in ("DEBUG", "INFO") else "warning",
            on_ready=lambda url: console.print(f"Advocado is serving {url} (log in with a token from "
                                               "`advocado token create`). Ctrl-C stops."),
        )
    except BindRefused as error:
        raise UserError(str(error)) from None


DEMO_TOKEN = "demo"


def serve_demo(*, host: str | None = None, port: int | None = None) -> None:
    """What `advocado demo` ends with: a fresh `demo` token printed with the URL, then `serve`.

    The token is re-issued on every demo run (a secret cannot be shown twice), so the printed one
    always works; other tokens are left alone.
    """
    with database().write() as session:
        for token in list_tokens(session):
            if token.name == DEMO_TOKEN:
                session.delete(token)
                session.flush()
        _, secret = create_token(session, DEMO_TOKEN)
    values = settings()
    url = f"http://{host or values.web_host}:{port or values.web_port}/"
    console.print(f"Dashboard: {url}  (log in with the demo token below; `advocado token revoke demo` disables it)")
    console.print(secret)
    serve(host=host, port=port, scheduler=True)


@friendly_errors
def worker() -> None:
    """Run only the scheduled jobs (collection, then scoring), for when `serve --no-scheduler` only serves."""
    from advocado.web.server import work_blocking

    work_blocking(configured_jobs(), on_ready=lambda: console.print(
        "Advocado worker: collecting on schedule and scoring new mentions. Ctrl-C stops."))


@token_app.command("create")
@friendly_errors
def token_create(
    name: Annotated[str, typer.Option("--name", help="A name to recognise the token by (unique).")],
    expires: Annotated[str | None, typer.Option("--expires", help="Lifetime, e.g. 12h, 30d, 2w (default: never).")] = None,
) -> None:
    """Create an admin token and print it once; only its hash is stored."""
    if not name.strip():
        raise UserError("--name: a token needs a name")
    lifetime = parse_expiry(expires) if expires else None
    with database().write() as session:
        token, secret = create_token(session, name.strip(), expires_in=lifetime)
        expiry = token.expires_at.strftime("%Y-%m-%d %H:%M UTC") if token.expires_at else "never"
    console.print(secret)
    console.print(f"Token {name.strip()!r} (expires: {expiry}). It is shown only now; keep it somewhere safe.",
                  style="dim")


@token_app.command("list")
@friendly_errors
def token_list() -> None:
    """List tokens: name, prefix, created, expires, last used, revoked (never the secret)."""
    table = Table("name", "prefix", "created", "expires", "last used", "state")

    def when(value: object) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else "-"  # type: ignore[attr-defined]

    with database().read() as session:
        for token in list_tokens(session):
            table.add_row(token.name, token.prefix + "…", when(token.created_at), when(token.expires_at),
                          when(token.last_used_at), _state(token))
    console.print(table)


def _state(token: ApiToken) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and as_utc(token.expires_at) <= utcnow():
        return "expired"
    return "live"


@token_app.command("revoke")
@friendly_errors
def token_revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke a token; its API calls and dashboard sessions stop working at once."""
    with database().write() as session:
        revoke_token(session, name)
    console.print(f"Revoked token {name!r}.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("serve")(serve)
    app.command("worker")(worker)
    app.add_typer(token_app, name="token")
