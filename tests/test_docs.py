"""The README documents every command and every setting, and its quick start is exactly two commands."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main

from advocado.cli import app
from advocado.settings import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()

def _commands(group: Any, prefix: str = "advocado") -> list[str]:
    names = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            names.extend(_commands(command, f"{prefix} {name}"))
        else:
            names.append(f"{prefix} {name}")
    return names

def test_every_command_appears_in_the_readme() -> None:
    commands = _commands(typer.main.get_command(app))  # type: ignore[arg-type]
    assert "advocado import" in commands and "advocado brand add" in commands
    missing = [command for command in commands if command not in README]
    assert missing == []

def test_every_setting_appears_in_the_readme() -> None:
    missing = [ENV_PREFIX + name.upper() for name in Settings.model_fields if ENV_PREFIX + name.upper() not in README]
    assert missing == []

def test_quick_start_is_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.split("#")[0].strip()]
    assert commands == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()
