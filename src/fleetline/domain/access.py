"""Who may do what: roles and the bearer tokens that carry them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Role(enum.StrEnum):
    """A role a token grants."""

    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    AGENT = "agent"
    DRIVER = "driver"
    INTEGRATION = "integration"


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A bearer token as stored: only its SHA-256 hash, never the token itself."""

    id: str
    name: str
    role: Role
    token_hash: str
    created_at: datetime
    driver_id: str | None = None
    revoked: bool = False
    revoked_at: datetime | None = None
