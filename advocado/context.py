"""What every CLI command shares: settings, the database, the console, and one-line errors."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from advocado.settings import Settings
from storage import Database, StorageError

# Mention text and names are untrusted: never interpret them as Rich markup.
console = Console(markup=False, highlight=False, soft_wrap=True)
errors = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


class UserError(Exception):
    """A problem the user can fix (bad input, unknown name); shown as one line, exit status 1."""


@functools.cache
def settings() -> Settings:
    try:
        loaded = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        raise UserError(f"invalid setting {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    logging.basicConfig(level=loaded.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    return loaded


@functools.cache
def database() -> Database:
    """The configured database, upgraded to the newest schema on first use."""
    return Database(settings().resolved_database_url)


def fail(message: str, code: int = 1) -> NoReturn:
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def friendly_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn user-fixable errors into one line on stderr and a non-zero exit, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (UserError, StorageError) as error:
            fail(str(error))

    return wrapper


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (hidden when stderr is not a terminal); yields `advance(n)`."""
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=errors, transient=True, disable=not errors.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
