"""Settings from environment variables (``FLEETLINE_*``), optionally from a ``.env`` file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything that configures one Fleetline installation."""

    model_config = SettingsConfigDict(env_prefix="FLEETLINE_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///fleetline.sqlite3",
        description="SQLAlchemy URL; a SQLite file in the working directory by default.",
    )
    database_pool_size: int = Field(
        default=10,
        ge=1,
        le=200,
        description=(
            "Connections each process keeps open to PostgreSQL; a request holds one only "
            "for its short transaction (SQLite ignores it)."
        ),
    )
    database_max_overflow: int = Field(
        default=10,
        ge=0,
        le=200,
        description="Connections opened beyond the pool at peaks, closed again after.",
    )
    database_pool_timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description=(
            "Seconds a request waits for a free connection before it answers 503 "
            "(retry later) instead of hanging."
        ),
    )
    order_days_back: int = Field(
        default=31,
        ge=0,
        le=3660,
        description="How many days before the company's today an order's day may be.",
    )
    order_days_ahead: int = Field(
        default=366,
        ge=0,
        le=3660,
        description="How many days after the company's today an order's day may be.",
    )
    region: Path | None = Field(
        default=None,
        description="A road network prepared by `fleetline region import`; none: crow-flies.",
    )
    smtp_url: str | None = Field(
        default=None,
        description="`smtp://user:pass@host:port` (`smtps://`, `?starttls=1`); none: recorded.",
    )
    sms_url: str | None = Field(
        default=None, description="Base URL of the SMS provider's HTTP API; none: recorded."
    )
    mail_from: str = Field(
        default="Fleetline <noreply@fleetline.localhost>",
        description="The From address of emails to clients.",
    )
    webhook_allow_networks: str = Field(
        default="",
        max_length=2000,
        description=(
            "Networks besides public addresses that webhooks may reach, comma-separated "
            "(an on-premise receiver: `10.20.0.0/24`); none by default."
        ),
    )
    webhook_secret: str | None = Field(
        default=None,
        description="HMAC-SHA256 key of webhook signatures; none: generated once and stored.",
    )
    outbox_poll_s: float = Field(
        default=2.0, gt=0, le=300, description="Seconds between looks at the outbox."
    )
    mqtt_url: str | None = Field(
        default=None,
        description="MQTT broker to take positions from (`mqtt://host:1883`); none: no feed.",
    )
    public_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    solver_time_limit_s: float = Field(default=10.0, gt=0, le=3600)
    solver_max_iterations: int | None = Field(
        default=None,
        ge=1,
        le=10_000_000,
        description=(
            "Iterations each day plan may search, besides its time limit (the first "
            "reached stops it); with it, a plan does not depend on machine speed. "
            "None: the time limit alone."
        ),
    )
    solver_processes: int = Field(default=1, ge=0, le=8)
    options_time_limit_s: float = Field(
        default=2.0, gt=0, le=60, description="Seconds each what-if option may search."
    )
    options_max_iterations: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description=(
            "Iterations each what-if option and neighbourhood re-plan may search, besides "
            "the time limit (the first reached stops it); with it, an answer does not "
            "depend on machine speed. None: the time limit alone."
        ),
    )
    tile_url: str | None = Field(
        default=None,
        description=(
            "The operator's map tile server (`https://host/{z}/{x}/{y}.png`); none: the "
            "region's streets, or OpenStreetMap's tiles without a region."
        ),
    )
    ui_secret: str | None = Field(
        default=None,
        description="Signs the consoles' session cookies; none: a new one per start.",
    )

    def base_url(self) -> str:
        """Return the base URL used in links sent to clients."""
        return self.public_url or f"http://localhost:{self.port}"
