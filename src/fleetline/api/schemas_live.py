"""Bodies of the live day's endpoints: stop and vehicle reports, traffic incidents."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from fleetline.api.schemas import ApiModel, LocationBody, Moment


class StopEventIn(ApiModel):
    """A report from a stop."""

    type: Literal["en_route", "arrived", "completed", "failed"]
    at: Moment
    vehicle_id: str | None = Field(default=None, max_length=64)
    reason: Literal["client_absent", "refused", "no_access", "damaged_goods", "other"] | None = None
    note: str = Field(default="", max_length=2000)
    proof: str | None = Field(
        default=None, max_length=500_000, description="A photo or signature (data URL)."
    )


class StopEventOut(ApiModel):
    """What a stop report did."""

    order_id: str
    vehicle_id: str
    state: str
    applied: bool
    duplicate: bool


class VehicleEventIn(ApiModel):
    """A report about a vehicle."""

    type: Literal["breakdown", "delayed", "resumed", "off_duty", "on_duty"]
    at: Moment
    note: str = Field(default="", max_length=2000)


class VehicleStateOut(ApiModel):
    """A vehicle's status."""

    vehicle_id: str
    status: str
    since: datetime
    note: str


class AreaBody(ApiModel):
    """A circle (``center`` and ``radius_m``) or a polygon of at least three corners."""

    center: LocationBody | None = None
    radius_m: float | None = Field(default=None, ge=1, le=100_000, allow_inf_nan=False)
    polygon: list[LocationBody] | None = Field(default=None, min_length=3, max_length=200)


class IncidentIn(ApiModel):
    """A traffic incident: a closure, or a slowdown by ``factor``."""

    kind: Literal["closure", "slowdown"]
    area: AreaBody
    factor: float | None = Field(default=None, gt=1, le=20, allow_inf_nan=False)
    starts_at: Moment
    ends_at: Moment | None = None
    note: str = Field(default="", max_length=2000)

    @field_validator("ends_at")
    @classmethod
    def _ends_after_start(cls, end: datetime | None, info: ValidationInfo) -> datetime | None:
        start = info.data.get("starts_at")
        if end is not None and start is not None and end <= start:
            raise ValueError("the incident ends before it starts")
        return end


class IncidentOut(ApiModel):
    """A stored traffic incident."""

    id: str
    kind: str
    area: AreaBody
    factor: float | None
    starts_at: datetime
    ends_at: datetime | None
    note: str
