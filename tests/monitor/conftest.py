"""Shared pieces for monitor tests: a stand-in provider and a fake sleep that records waits."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from monitor.standin import Knobs, StandIn


class Sleeps:
    """An injected `sleep` that records how long the code wanted to wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)  # yield to other tasks, as a real sleep would


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with StandIn(seed=11, knobs=Knobs()) as server:
        yield server
