"""Running the web app with uvicorn, with the jobs started and stopped alongside it."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI

from advocado.web.app import create_app
from advocado.web.jobs import Jobs
from storage import Database, any_live_token

log = logging.getLogger(__name__)


class BindRefused(Exception):
    """Listening beyond loopback while no token exists would expose an app nobody can log in to safely."""


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(db: Database, host: str) -> None:
    """Refuse a non-loopback `host` unless at least one live admin token exists."""
    if is_loopback(host):
        return
    with db.read() as session:
        if not any_live_token(session):
            raise BindRefused(
                f"refusing to listen on {host}: no admin token exists yet, so nobody could log in and the API "
                "would be open to the network for no one; create one with `advocado token create --name NAME`, "
                "or listen on 127.0.0.1")


def check_port(host: str, port: int) -> None:
    """Fail early with a clear message when host:port cannot be bound (in use, or no such address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as error:
            raise BindRefused(f"cannot listen on {host}:{port} ({error.strerror}); is another server running? "
                              "Choose another port with --port") from None


def url_for(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("localhost" if host == "::" else host)
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def serve_blocking(
    db: Database, *, host: str = "127.0.0.1", port: int = 8000, jobs: Jobs | None = None,
    session_secret: str | None = None, session_hours: float = 12.0, failure_threshold: int = 3,
    log_level: str = "warning", on_ready: Callable[[str], Any] | None = None,
) -> None:
    """Serve the dashboard and API on host:port until interrupted, running `jobs` in the same loop.

    Raises `BindRefused` for a non-loopback host when no live token exists. `on_ready(url)` is called
    once the server listens (the CLI prints the URL there).
    """
    check_bind(db, host)
    check_port(host, port)
    app = create_app(db, jobs=jobs, session_secret=session_secret, session_hours=session_hours,
                     failure_threshold=failure_threshold)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if jobs is not None:
            await jobs.start()
        if on_ready is not None:
            on_ready(url_for(host, port))
        try:
            yield
        finally:
            if jobs is not None:
                await jobs.stop()

    app.router.lifespan_context = lifespan
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level.lower(), proxy_headers=True,
                            forwarded_allow_ips="127.0.0.1", server_header=False, lifespan="on")
    uvicorn.Server(config).run()


def work_blocking(jobs: Jobs, on_ready: Callable[[], Any] | None = None) -> None:
    """Run only the jobs (no web server) until interrupted: what `advocado worker` does."""

    async def forever() -> None:
        await jobs.start()
        if on_ready is not None:
            on_ready()
        try:
            await asyncio.Event().wait()
        finally:
            await jobs.stop()

    try:
        asyncio.run(forever())
    except KeyboardInterrupt:
        pass
