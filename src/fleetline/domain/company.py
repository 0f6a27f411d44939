"""The company's own settings: the time zone its day is counted in.

"Today", the local times shown and read in the consoles and the local times of imported
orders all follow the company's time zone; a depot's zone governs only its vehicles'
shift times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from fleetline.domain.values import validate_timezone


class ZoneSource(StrEnum):
    """Where the company's time zone came from."""

    NO_DEPOT = "no_depot"
    """Never set and no depot yet: UTC, until the first depot is created."""
    FIRST_DEPOT = "first_depot"
    """Taken from the first depot created, when it was created."""
    EARLIER_RULE = "earlier_rule"
    """Kept at the upgrade from the zone in force before the setting existed."""
    ADMIN = "admin"
    """Set by an administrator."""


@dataclass(frozen=True, slots=True)
class CompanyZone:
    """The company's time zone and where it came from.

    Attributes
    ----------
    timezone
        An IANA time zone name (``Europe/Vaduz``).
    source
        Where it came from.
    depot_id
        The depot it was taken from (``FIRST_DEPOT``, ``EARLIER_RULE``), else ``None``.
    changed_at
        When it was stored; ``None`` when never stored.
    changed_by
        Who set it (the administrator's token name), for ``ADMIN``.
    """

    timezone: str
    source: ZoneSource
    depot_id: str | None = None
    changed_at: datetime | None = None
    changed_by: str | None = None

    def __post_init__(self) -> None:
        validate_timezone(self.timezone)

    @property
    def zone(self) -> ZoneInfo:
        """The company's time zone."""
        return ZoneInfo(self.timezone)
