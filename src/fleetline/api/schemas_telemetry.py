"""Bodies of the telemetry endpoints: positions in, what became of them out."""

from __future__ import annotations

from pydantic import Field

from fleetline.api.schemas import ApiModel, Moment

MAX_POSITIONS = 10_000
"""Positions one request may carry."""


class PositionIn(ApiModel):
    """Where a truck was at ``recorded_at`` (the device's time, with its UTC offset)."""

    vehicle_id: str = Field(min_length=1, max_length=64, examples=["veh_3f9c1a2b7d4e5f60"])
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, strict=True, examples=[47.14])
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, strict=True, examples=[9.52])
    recorded_at: Moment = Field(examples=["2026-11-26T09:41:07+01:00"])
    speed_mps: float | None = Field(
        default=None, ge=0, le=100, allow_inf_nan=False, description="Speed in m/s."
    )
    heading: float | None = Field(
        default=None, ge=0, le=360, allow_inf_nan=False, description="Degrees from north."
    )


class PositionsIn(ApiModel):
    """A batch of positions of one or many trucks, in any order."""

    positions: list[PositionIn] = Field(
        min_length=1,
        max_length=MAX_POSITIONS,
        description=f"Up to {MAX_POSITIONS:,} positions, checked all or none.",
    )


class IngestOut(ApiModel):
    """What became of a batch: new positions, and repeats of positions already stored."""

    accepted: int = Field(description="Positions stored by this request.")
    duplicates: int = Field(
        description="Positions already stored (same truck and recorded_at): not stored again."
    )
