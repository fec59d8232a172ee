"""The web app: dashboard pages, the admin API and the jobs that `advocado serve` runs.

Public: `create_app(db, ...)` for the ASGI app, `Jobs` for the scheduler, and `serve_blocking(...)`
to run it all with uvicorn (what `advocado serve` and `advocado demo` call).
"""

from advocado.web.app import create_app
from advocado.web.jobs import Jobs
from advocado.web.server import serve_blocking

__all__ = ["Jobs", "create_app", "serve_blocking"]
