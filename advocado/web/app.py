"""The ASGI app: dashboard pages, the admin API, health, static files, and the error shapes."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException

from advocado.web import api, insights, pages, public
from advocado.web.actions import Conflict, InvalidInput
from advocado.web.auth import Authenticator, NotAuthenticated
from advocado.web.schemas import Health
from advocado.web.security import CrossSiteProtection, SecurityHeaders
from storage import AlreadyExists, Database, DatabaseLocked, NotFound, StorageError

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, error: NotAuthenticated) -> Any:
        if _is_api(request) or request.method != "GET":
            return _error(401, "not_authenticated", str(error), {"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound) -> Any:
        if not _is_api(request) and request.method == "GET":
            return pages.TEMPLATES.TemplateResponse(request, "error.html", {
                "caller": None, "title": "Not found", "message": str(error)}, status_code=404)
        return _error(404, "not_found", str(error))

    @app.exception_handler(AlreadyExists)
    async def already_exists(_request: Request, error: AlreadyExists) -> Any:
        return _error(409, "already_exists", str(error))

    @app.exception_handler(Conflict)
    async def conflict(_request: Request, error: Conflict) -> Any:
        return _error(409, "conflict", str(error))

    @app.exception_handler(InvalidInput)
    async def invalid_input(_request: Request, error: InvalidInput) -> Any:
        return _error(422, "invalid_input", str(error))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> Any:
        problems = "; ".join(f"{'.'.join(str(part) for part in e['loc'])}: {e['msg']}" for e in error.errors()[:5])
        return _error(422, "invalid_input", problems or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> Any:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return _error(error.status_code, code, str(error.detail), getattr(error, "headers", None))

    @app.exception_handler(DatabaseLocked)
    async def locked(_request: Request, error: DatabaseLocked) -> Any:
        return _error(503, "database_busy", "the database is busy; try again", {"Retry-After": "1"})

    @app.exception_handler(StorageError)
    async def storage_error(_request: Request, error: StorageError) -> Any:
        log.error("storage error: %s", error)
        return _error(503, "database_error", "the database could not answer; see the server log")


def create_app(db: Database, *, jobs: Any = None, session_secret: str | None = None, session_hours: float = 12.0,
               failure_threshold: int = 3) -> FastAPI:
    """The whole web app over `db`; `jobs` (an `advocado.web.jobs.Jobs`) enables run-now and job status."""
    app = FastAPI(title="Advocado admin API", version="1", docs_url=None, redoc_url=None,
                  description="Brands, sources, mentions, moderation and jobs. Every `/api/v1` route needs "
                              "`Authorization: Bearer <token>` (create one with `advocado token create`).")
    app.state.db = db
    app.state.jobs = jobs
    app.state.failure_threshold = failure_threshold
    app.state.auth = Authenticator(db, session_secret or secrets.token_urlsafe(32), int(session_hours * 3600))
    _install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(insights.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz", summary="Liveness: the process answers and the database is reachable")
    def healthz() -> Health:
        with db.read() as session:
            session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        return Health(status="ok", database="ok", scheduler=bool(jobs and jobs.running))

    app.add_middleware(SecurityHeaders)
    app.add_middleware(CrossSiteProtection)
    public.install(app)
    return app
