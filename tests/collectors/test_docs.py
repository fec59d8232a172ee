"""The README's Sources section documents every collector kind with an example that really works."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from collectors import registry, validate_params

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
SECTION = README.split("\n## Sources\n", 1)[1].split("\n## ", 1)[0]
EXAMPLES = re.findall(r"`(advocado source add [^`]+)`", SECTION)


@pytest.mark.parametrize("kind", registry().kinds())
def test_every_kind_has_an_example(kind: str) -> None:
    assert any(shlex.split(example)[3] == kind for example in EXAMPLES), f"no `advocado source add {kind} ...` example"


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_has_valid_parameters(example: str) -> None:
    words = shlex.split(example)
    kind = words[3]
    params = dict(words[i + 1].split("=", 1) for i, word in enumerate(words) if word == "--param")
    assert validate_params(kind, params)
    assert "--brand" in words


def test_every_secret_parameter_is_named_in_the_secrets_paragraph() -> None:
    secrets = {name for collector in registry() for name in collector.Params.secret_fields()}
    paragraph = SECTION.split("**Secrets**", 1)[1].split("\n- ", 1)[0]
    assert all(f"`{name}`" in paragraph for name in secrets)
