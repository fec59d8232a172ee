"""Advocado: the application shell (settings, CLI, web app, scheduler)."""
