"""Every setting in one declarative table: name, default, help.

Values come from, strongest first: environment variables (`ADVOCADO_<NAME>`), secret files in
`ADVOCADO_SECRETS_DIR` (default /run/secrets; one file per setting, named like its environment variable), `advocado.toml` (or the file
named by `ADVOCADO_CONFIG`), then the defaults below.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from sqlalchemy.engine import make_url

ENV_PREFIX = "ADVOCADO_"
MASK = "********"


def default_data_dir() -> Path:
    """`$XDG_DATA_HOME/advocado`, else `~/.local/share/advocado`."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "advocado"


def config_file() -> Path:
    return Path(os.environ.get(f"{ENV_PREFIX}CONFIG", "advocado.toml"))


class Settings(BaseSettings):
    """Advocado's settings. Each field's description is its user-facing help."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", validate_default=True)

    data_dir: Path = Field(default_factory=default_data_dir, description="Where Advocado keeps its SQLite database and other files.")
    database_url: SecretStr | None = Field(
        default=None,
        description="SQLAlchemy URL of the database, e.g. postgresql+psycopg://user:pass@host/db. "
        "Default: a SQLite file `advocado.db` in the data directory.",
    )
    log_level: str = Field(default="WARNING", description="Logging level: DEBUG, INFO, WARNING or ERROR.")
    sentiment_model: str = Field(
        default="advocado-minilm",
        description="Sentiment model: `advocado-minilm` (built in, offline), a Hugging Face model id, or a local path.",
    )
    sentiment_labels: dict[str, str] = Field(
        default_factory=dict,
        description="Map a model's own labels to negative/neutral/positive, e.g. {\"LABEL_0\": \"negative\"} or {\"1 star\": \"negative\"}.",
    )
    sentiment_quantize: bool = Field(default=False, description="Run the sentiment model with int8 dynamic quantization (faster, slightly less accurate).")
    sentiment_threads: int | None = Field(default=None, description="CPU threads for sentiment scoring; default: the number of cores.")
    allow_private_networks: bool = Field(
        default=False,
        description="Let collectors fetch loopback and private-network addresses (self-hosted sources, tests). Off by default to stop SSRF.",
    )
    user_agent: str = Field(
        default="Advocado/0.1 (+https://github.com/advocado/advocado; self-hosted review collector)",
        description="User-Agent sent by collectors.",
    )
    http_timeout: float = Field(default=20.0, description="Seconds before a collector's HTTP request times out.")
    failure_threshold: int = Field(default=3, description="Consecutive failed runs before a source is reported as failing.")
    collect_concurrency: int = Field(default=4, ge=1, description="Sources collected at the same time.")
    host_interval: float = Field(default=1.0, ge=0, description="Seconds between two requests to the same host (raised by a robots.txt Crawl-delay).")
    web_host: str = Field(default="127.0.0.1", description="Address `advocado serve` listens on; anything but loopback needs an API token to exist.")
    web_port: int = Field(default=8000, description="Port `advocado serve` listens on.")
    session_secret: SecretStr | None = Field(
        default=None,
        description="Key that signs dashboard login cookies; default: a random key per start (everyone logs in again after a restart).",
    )
    session_hours: float = Field(default=12.0, description="Hours a dashboard login lasts.")

    alert_max_attempts: int = Field(default=5, ge=1, description="Attempts per alert delivery before it is marked failed.")
    alert_retry_seconds: float = Field(
        default=60.0, gt=0,
        description="Wait before the first retry of a failed alert delivery; doubles with each attempt, up to an hour.",
    )

    monitor_openai_api_key: SecretStr | None = Field(
        default=None, description="OpenAI API key for the AI visibility monitor; only ever sent to https://api.openai.com/v1.")
    monitor_anthropic_api_key: SecretStr | None = Field(
        default=None, description="Anthropic API key for the monitor; only ever sent to https://api.anthropic.com/v1.")
    monitor_gemini_api_key: SecretStr | None = Field(
        default=None, description="Google Gemini API key for the monitor; only ever sent to https://generativelanguage.googleapis.com/v1beta.")
    monitor_perplexity_api_key: SecretStr | None = Field(
        default=None, description="Perplexity API key for the monitor; only ever sent to https://api.perplexity.ai.")
    monitor_samples: int = Field(default=5, ge=1, le=50, description="Times each prompt is asked of each engine per monitor run.")
    monitor_control_brand: str = Field(
        default="Quorvantix",
        description="A fictitious brand the monitor looks for in every answer; finding it means the detector made a false positive.")
    monitor_schedule_hours: float = Field(default=24.0, gt=0, description="Hours between scheduled monitor runs of a brand (daily by default).")
    monitor_fuzzy_matching: bool = Field(
        default=False,
        description="Also count names written with one typo (names and words of 6+ letters, same first letter) as mentions.")
    public_url: str | None = Field(
        default=None,
        description="Address visitors' browsers reach this server at (e.g. https://reviews.example.com), used in widget "
                    "embed codes and form links; default: http://web_host:web_port.")
    review_smtp_host: str | None = Field(default=None, description="SMTP server that sends review-request emails (`advocado campaign send`).")
    review_smtp_port: int = Field(default=587, description="Port of the review-request SMTP server.")
    review_smtp_security: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="starttls, tls, or none (only for a server on a trusted network).")
    review_smtp_username: str | None = Field(default=None, description="Login for the review-request SMTP server.")
    review_smtp_password: SecretStr | None = Field(default=None, description="Password for the review-request SMTP server.")
    review_sender: str | None = Field(default=None, description="From address of review-request emails, e.g. Acme <hello@acme.example>.")

    @property
    def resolved_database_url(self) -> str:
        """The database URL to connect to, with the SQLite default filled in."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{self.data_dir.expanduser() / 'advocado.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        secrets_dir = Path(os.environ.get(f"{ENV_PREFIX}SECRETS_DIR", "/run/secrets"))
        if secrets_dir.is_dir():
            sources.append(SecretsSettingsSource(settings_cls, secrets_dir=secrets_dir))
        toml = config_file()
        if toml.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml))
        return tuple(sources)


def describe(settings: Settings) -> list[tuple[str, str, str]]:
    """(environment variable, shown value, help) for every setting; secrets are masked."""
    rows = []
    for name, info in Settings.model_fields.items():
        rows.append((ENV_PREFIX + name.upper(), _shown(name, getattr(settings, name), info), info.description or ""))
    return rows


def _shown(name: str, value: Any, info: FieldInfo) -> str:
    if isinstance(value, SecretStr):
        secret = value.get_secret_value()
        if name == "database_url":
            return make_url(secret).render_as_string(hide_password=True).replace("***", MASK)
        return MASK if secret else ""
    if value is None:
        return ""
    return str(value)
