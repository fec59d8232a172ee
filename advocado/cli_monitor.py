"""CLI commands for the AI-visibility monitor (filled in by the monitor work)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
