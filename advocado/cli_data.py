"""CLI commands that move mentions in and out: import, export, erase."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
