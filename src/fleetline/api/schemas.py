"""Request and response bodies of API v1 (see API.md): validation at the edge.

Every rule a field must satisfy is checked here or in the domain, and a failure names the
field (``time_windows.0.end``, ``[12].demand.pallets``), so bad input never reaches a
handler.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from fleetline.domain.errors import InvalidField
from fleetline.domain.model import LOAD_DIMENSIONS, validate_load, validate_timezone
from fleetline.domain.values import PHONE_MAX_LENGTH, PHONE_RULE, validate_phone

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
ShiftTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]

FIRST_YEAR, LAST_YEAR = 2000, 2099
"""The years a day or a moment sent to the API may fall in; anything else is a mistake
(a device's clock at 1970, a year typed 9999), never a day Fleetline plans."""
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _written_as_a_day(value: object) -> object:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


def _day_within_years(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"a day must fall in the years {FIRST_YEAR} to {LAST_YEAR}")
    return value


def _moment_within_years(value: datetime) -> datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"a moment must fall in the years {FIRST_YEAR} to {LAST_YEAR}")
    return value


Day = Annotated[
    date,
    BeforeValidator(_written_as_a_day),
    AfterValidator(_day_within_years),
    Field(examples=["2026-11-26"], description=f"YYYY-MM-DD, {FIRST_YEAR} to {LAST_YEAR}"),
]
"""A calendar day, written ``YYYY-MM-DD`` (``0`` is not read as 1970-01-01)."""

Moment = Annotated[
    AwareDatetime,
    AfterValidator(_moment_within_years),
    Field(description=f"ISO 8601 with a UTC offset, {FIRST_YEAR} to {LAST_YEAR}"),
]
"""A moment with its UTC offset, within the years Fleetline works in."""


class ApiModel(BaseModel):
    """Base of every body: unknown fields are refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class LocationBody(ApiModel):
    """A point in WGS84 degrees."""

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, strict=True, examples=[47.14])
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, strict=True, examples=[9.52])


class TimeWindowBody(ApiModel):
    """An interval with UTC offsets; ``end`` after ``start``."""

    start: Moment
    end: Moment

    @field_validator("end")
    @classmethod
    def _ends_after_start(cls, end: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise ValueError("time window ends before it starts")
        return end


def _checked_load(value: dict[str, int], field_name: str) -> dict[str, int]:
    try:
        return validate_load(value, field_name)
    except InvalidField as error:
        raise ValueError(f"{error.field}: {error.message}") from error


def _checked_phone(value: str) -> str:
    try:
        return validate_phone(value)
    except InvalidField as error:
        raise ValueError(error.message) from error


Phone = Annotated[
    str,
    Field(max_length=PHONE_MAX_LENGTH, examples=["+423 791 22 33"], description=PHONE_RULE),
    AfterValidator(_checked_phone),
]
"""A driver's phone number, E.164-like; stored without surrounding spaces."""


Load = Annotated[
    dict[str, int],
    Field(
        examples=[{"weight_kg": 120, "pallets": 1}], description=f"dimensions: {LOAD_DIMENSIONS}"
    ),
]


class DepotIn(ApiModel):
    """A depot to create."""

    name: Name
    location: LocationBody
    timezone: str = Field(examples=["Europe/Vaduz"], max_length=64)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            validate_timezone(value)
        except InvalidField as error:
            raise ValueError(error.message) from error
        return value


class DepotOut(ApiModel):
    """A depot."""

    id: str
    name: str
    location: LocationBody
    timezone: str


class CostsBody(ApiModel):
    """What a vehicle costs to run."""

    per_km: float = Field(default=0.6, ge=0, le=1000, allow_inf_nan=False)
    per_hour: float = Field(default=32.0, ge=0, le=10000, allow_inf_nan=False)
    overtime_per_hour: float = Field(default=48.0, ge=0, le=10000, allow_inf_nan=False)
    fixed: float = Field(default=0.0, ge=0, le=1_000_000, allow_inf_nan=False)


class VehicleIn(ApiModel):
    """A vehicle to create; shift times are local to its depot."""

    name: Name
    depot_id: str = Field(min_length=1, max_length=64)
    capacity: Load
    shift_start: ShiftTime = Field(examples=["07:00"])
    shift_end: ShiftTime = Field(examples=["16:00"])
    skills: list[Skill] = Field(default_factory=list, max_length=20)
    costs: CostsBody = Field(default_factory=CostsBody)
    max_overtime_s: int = Field(default=7200, ge=0, le=12 * 3600)

    @field_validator("capacity")
    @classmethod
    def _capacity(cls, value: dict[str, int]) -> dict[str, int]:
        if not value:
            raise ValueError("a vehicle needs at least one capacity dimension")
        return _checked_load(value, "capacity")

    @field_validator("shift_end")
    @classmethod
    def _shift_order(cls, end: str, info: ValidationInfo) -> str:
        start = info.data.get("shift_start")
        if start is not None and time.fromisoformat(end) <= time.fromisoformat(start):
            raise ValueError("shift ends before it starts")
        return end


class VehiclePatch(ApiModel):
    """A change to a vehicle; only the fields given change.

    ``active: false`` takes it out of service (it is no longer planned).
    """

    name: Name | None = None
    capacity: Load | None = None
    shift_start: ShiftTime | None = None
    shift_end: ShiftTime | None = None
    skills: list[Skill] | None = Field(default=None, max_length=20)
    costs: CostsBody | None = None
    max_overtime_s: int | None = Field(default=None, ge=0, le=12 * 3600)
    active: bool | None = None

    @field_validator("capacity")
    @classmethod
    def _capacity(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("a vehicle needs at least one capacity dimension")
        return _checked_load(value, "capacity")


class VehicleOut(ApiModel):
    """A vehicle."""

    id: str
    name: str
    depot_id: str
    capacity: dict[str, int]
    shift_start: str
    shift_end: str
    skills: list[str]
    costs: CostsBody
    max_overtime_s: int
    active: bool


class DriverIn(ApiModel):
    """A driver to create."""

    name: Name
    phone: Phone | None = None
    vehicle_id: str | None = Field(default=None, max_length=64)


class DriverOut(ApiModel):
    """A driver."""

    id: str
    name: str
    phone: str | None
    vehicle_id: str | None


class ContactBody(ApiModel):
    """How to reach a client."""

    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    webhook_url: str | None = Field(default=None, max_length=500)


class PreferencesBody(ApiModel):
    """Which messages a client wants and where."""

    channels: list[str] = Field(default_factory=lambda: ["email"], max_length=3)
    locale: str = Field(default="en", min_length=2, max_length=10)
    quiet_start: ShiftTime | None = None
    quiet_end: ShiftTime | None = None
    enabled: bool = True

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - {"email", "sms", "webhook"})
        if unknown:
            raise ValueError(f"unknown channel {unknown[0]!r}; known: email, sms, webhook")
        return value


class ClientIn(ApiModel):
    """A client account to create; priority 1 is the most important."""

    name: Name
    priority: int = Field(ge=1, le=5)
    contact: ContactBody = Field(default_factory=ContactBody)
    preferences: PreferencesBody = Field(default_factory=PreferencesBody)
    notes: str = Field(default="", max_length=5000)


class ClientPatch(ApiModel):
    """A change to a client account; only the fields given change."""

    name: Name | None = None
    priority: int | None = Field(default=None, ge=1, le=5)
    contact: ContactBody | None = None
    preferences: PreferencesBody | None = None
    notes: str | None = Field(default=None, max_length=5000)


class ClientOut(ApiModel):
    """A client account."""

    id: str
    name: str
    priority: int
    contact: ContactBody
    preferences: PreferencesBody
    notes: str


class OrderIn(ApiModel):
    """An order to create."""

    client_id: str = Field(min_length=1, max_length=64)
    date: Day
    location: LocationBody
    time_windows: list[TimeWindowBody] = Field(min_length=1, max_length=10)
    demand: Load
    service_s: int = Field(ge=0, le=8 * 3600)
    required_skills: list[Skill] = Field(default_factory=list, max_length=20)
    reference: str | None = Field(default=None, min_length=1, max_length=100)
    address: str = Field(default="", max_length=500)
    instructions: str = Field(default="", max_length=2000)

    @field_validator("demand")
    @classmethod
    def _demand(cls, value: dict[str, int]) -> dict[str, int]:
        return _checked_load(value, "demand")


class OrderPatch(ApiModel):
    """A change to an order; only the fields given change."""

    time_windows: list[TimeWindowBody] | None = Field(default=None, min_length=1, max_length=10)
    demand: Load | None = None
    service_s: int | None = Field(default=None, ge=0, le=8 * 3600)
    instructions: str | None = Field(default=None, max_length=2000)
    address: str | None = Field(default=None, max_length=500)

    @field_validator("demand")
    @classmethod
    def _demand(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        return None if value is None else _checked_load(value, "demand")


class OrderOut(ApiModel):
    """An order."""

    id: str
    client_id: str
    date: date
    location: LocationBody
    time_windows: list[TimeWindowBody]
    demand: dict[str, int]
    service_s: int
    required_skills: list[str]
    reference: str | None
    address: str
    instructions: str
    state: str


class OrderPage(ApiModel):
    """A page of a day's orders."""

    orders: list[OrderOut]
    total: int
    limit: int
    offset: int
    next_offset: int | None


class ErrorDetail(ApiModel):
    """One problem with the request."""

    field: str | None
    message: str


class ErrorBody(ApiModel):
    """What went wrong."""

    code: str
    message: str
    details: list[ErrorDetail]


class ErrorResponse(ApiModel):
    """Every 4xx answer has this shape."""

    error: ErrorBody


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404, 409, 422)
}
