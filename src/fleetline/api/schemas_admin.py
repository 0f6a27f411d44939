"""Bodies of the administration API: the company, depots' and drivers' changes, tokens, files."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field, field_validator

from fleetline.api.schemas import ApiModel, LocationBody, Name, Phone
from fleetline.domain.errors import InvalidField
from fleetline.domain.model import validate_timezone

RoleName = Literal["admin", "dispatcher", "agent", "driver", "integration"]


def known_zone(value: str | None) -> str | None:
    """``value`` when it is an IANA time zone name or ``None``; ``ValueError`` otherwise."""
    if value is None:
        return None
    try:
        validate_timezone(value)
    except InvalidField as error:
        raise ValueError(error.message) from error
    return value


class DepotPatch(ApiModel):
    """A change to a depot; only the fields given change.

    A new ``timezone`` changes how the local shift times of the depot's vehicles are read.
    """

    name: Name | None = None
    location: LocationBody | None = None
    timezone: str | None = Field(default=None, max_length=64, examples=["Europe/Vaduz"])

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return known_zone(value)


class DriverPatch(ApiModel):
    """A change to a driver; only the fields given change.

    ``"vehicle_id": null`` takes the driver off their truck; ``"phone": null`` removes
    the phone number.
    """

    name: Name | None = None
    phone: Phone | None = None
    vehicle_id: str | None = Field(default=None, min_length=1, max_length=64)


class TokenIn(ApiModel):
    """A token to create: its role, a name saying who or what holds it."""

    role: RoleName
    name: Name = Field(examples=["morning desk"])
    driver_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Required for a driver token (it acts only for this driver's truck); "
        "refused for the other roles.",
    )


class TokenOut(ApiModel):
    """A token as listed: never its secret nor its hash."""

    id: str
    name: str
    role: RoleName
    driver_id: str | None
    created_at: datetime
    revoked: bool
    revoked_at: datetime | None


class IssuedTokenOut(TokenOut):
    """A new token with its secret, shown this once.

    A retry with the same ``Idempotency-Key`` answers the same token with ``token: null``:
    the secret is never stored, so it cannot be shown again.
    """

    token: str | None = Field(description="The bearer token; keep it, it is not shown again.")


class ImportProblemOut(ApiModel):
    """One problem of the file: its spreadsheet row (1 is the header) and column."""

    row: int
    field: str
    message: str


class ImportReportOut(ApiModel):
    """What the file holds and what is wrong with it, row by row."""

    rows: int = Field(description="Rows below the header that are not blank.")
    valid: bool = Field(description="Every row is a valid order: the file may be imported.")
    orders: int = Field(description="Rows that are valid orders.")
    problems: list[ImportProblemOut]
    stored: int = Field(description="Orders stored (0 on a dry run or when refused).")
    dates: list[date] = Field(description="Delivery days of the file's valid orders.")
    order_ids: list[str] = Field(description="Ids of the stored orders, in row order.")
    dry_run: bool


ZoneSourceName = Literal["no_depot", "first_depot", "earlier_rule", "admin"]


class CompanyOut(ApiModel):
    """The company's settings: the time zone its day is counted in."""

    timezone: str = Field(
        examples=["Europe/Vaduz"],
        description="IANA time zone of the company: what today is, the local times the "
        "consoles show and read, and those of imported orders. A depot's own zone "
        "governs only its vehicles' shift times.",
    )
    timezone_source: ZoneSourceName = Field(
        description="Where the zone came from: `first_depot` (taken from the first depot "
        "created, when it was created), `admin` (set here), `earlier_rule` (kept at the "
        "upgrade from the zone in force before: the depot whose name sorted first) or "
        "`no_depot` (UTC, until the first depot is created)."
    )
    timezone_depot_id: str | None = Field(
        description="The depot the zone was taken from (`first_depot`, `earlier_rule`)."
    )
    timezone_changed_at: datetime | None = Field(
        description="When the zone was stored; null when never stored (`no_depot`)."
    )
    timezone_changed_by: str | None = Field(
        description="The name of the admin token that set the zone (`admin`)."
    )
    today: date = Field(description="The company's date now, in its time zone.")


class CompanyPatch(ApiModel):
    """A change to the company's settings; only the fields given change.

    Renaming or adding a depot never changes the company's time zone: only this does.
    """

    timezone: str | None = Field(
        default=None,
        max_length=64,
        examples=["Europe/Vaduz"],
        description="The company's new IANA time zone. Refused (409) while trucks are "
        "dispatched for today or a later day: their shifts and the windows promised to "
        "clients were read in the zone in force.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return known_zone(value)
