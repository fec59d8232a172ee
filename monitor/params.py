"""Engine parameters as the CLI sees them: validated on the way in, secrets masked on the way out."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from monitor.engines import engine_kinds

MASK = "********"


def validate_engine_params(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """Check `params` against the kind's model; returns the JSON-ready values to store.

    A key given here is stored together with the base_url it is for, and is only ever sent there.
    """
    engine = engine_kinds().get(kind)
    validated = engine.validate(params)
    stored = validated.model_dump(mode="json", exclude_unset=True, exclude={"api_key_base_url"})
    for name in validated.secret_fields():
        value = getattr(validated, name)
        if isinstance(value, SecretStr):
            stored[name] = value.get_secret_value()
    if validated.api_key is not None:
        stored["base_url"] = validated.base_url
        stored["api_key_base_url"] = validated.base_url
    return stored


def mask_params(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """`params` with every secret replaced by a mask, safe to print; unknown kinds mask everything."""
    try:
        secrets = engine_kinds().get(kind).Params.secret_fields()
    except KeyError:
        return {name: MASK for name in params}
    return {name: (MASK if name in secrets and value else value) for name, value in params.items()}
