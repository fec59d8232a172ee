"""CLI commands for opinion reports and alerts (filled in by the analytics work)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
