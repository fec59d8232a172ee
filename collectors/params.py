"""Source parameters as the CLI sees them: validated on the way in, secrets masked on the way out."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr, ValidationError

from collectors.errors import InvalidParams
from collectors.registry import Registry, registry

MASK = "********"


def validate_params(kind: str, params: dict[str, Any], collectors: Registry | None = None) -> dict[str, Any]:
    """Check `params` against the kind's model; returns the JSON-ready values to store (defaults left out)."""
    model = (collectors or registry()).get(kind).Params
    try:
        validated = model.model_validate(params)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'params'}: {e['msg']}" for e in error.errors())
        raise InvalidParams(f"invalid parameters for {kind}: {problems}") from None
    stored = validated.model_dump(mode="json", exclude_unset=True)
    for name in model.secret_fields():
        value = getattr(validated, name)
        if isinstance(value, SecretStr):
            stored[name] = value.get_secret_value()
    return stored


def masked_params(kind: str, params: dict[str, Any], collectors: Registry | None = None) -> dict[str, Any]:
    """`params` with every secret replaced by a mask, safe to print; unknown kinds mask everything."""
    try:
        secrets = (collectors or registry()).get(kind).Params.secret_fields()
    except KeyError:
        return {name: MASK for name in params}
    return {name: (MASK if name in secrets and value else value) for name, value in params.items()}
