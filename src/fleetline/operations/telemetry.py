"""Telemetry: positions from trucks, phones and telematics boxes into the live picture.

A batch is checked whole before anything is stored: an unknown truck or a time from the
future anywhere in it refuses all of it, naming the position by its index. A position
sent again (a retry, a tracker replaying its buffer) is counted as a duplicate, never an
error, so devices can resend freely.
"""

from __future__ import annotations

from datetime import timedelta

from fleetline.bus import Context
from fleetline.domain import commands, events
from fleetline.domain.errors import InvalidField, NotFound
from fleetline.domain.live import Position
from fleetline.operations.ports import IngestResult, UnitOfWork

MAX_CLOCK_AHEAD = timedelta(minutes=2)
"""How far ahead of the server's clock a device's time may be (clock drift)."""
FEW_VEHICLES = 8
"""Up to this many distinct trucks in a batch are looked up one by one; more, all at once."""


def _known_vehicles(uow: UnitOfWork, vehicle_ids: set[str]) -> set[str]:
    if len(vehicle_ids) <= FEW_VEHICLES:
        return {v for v in vehicle_ids if uow.vehicles.get(v) is not None}
    return {v.id for v in uow.vehicles.list()} & vehicle_ids


def record_positions(
    command: commands.RecordPositions, uow: UnitOfWork, context: Context
) -> IngestResult:
    """Store a batch of positions, all of it or none, and tell the live picture.

    Parameters
    ----------
    command
        The positions, in any order, of one or many trucks.
    uow
        The open unit of work.
    context
        Its clock stamps ``received_at`` and bounds how far in the future a device's time
        may be.

    Returns
    -------
    IngestResult
        How many positions were new and how many were repeats.

    Raises
    ------
    NotFound
        On ``positions[i].vehicle_id`` when the truck is unknown.
    InvalidField
        On ``positions[i].recorded_at`` when the time is more than two minutes ahead of
        the clock, or on another field of ``positions[i]`` that the domain refuses.
    """
    now = context.clock.now()
    latest_allowed = now + MAX_CLOCK_AHEAD
    reports = command.positions
    known = _known_vehicles(uow, {r.vehicle_id for r in reports})
    positions: list[Position] = []
    for index, report in enumerate(reports):
        prefix = f"positions[{index}]"
        if report.vehicle_id not in known:
            raise NotFound("vehicle", report.vehicle_id, field=f"{prefix}.vehicle_id")
        try:
            position = Position(
                vehicle_id=report.vehicle_id,
                location=report.location,
                recorded_at=report.recorded_at,
                received_at=now,
                speed_mps=report.speed_mps,
                heading=report.heading,
                source=command.source,
            )
        except InvalidField as error:
            raise error.within(prefix) from error
        if report.recorded_at > latest_allowed:
            raise InvalidField(
                f"{prefix}.recorded_at",
                f"{report.recorded_at.isoformat()} is more than 2 minutes ahead of the "
                f"server's time {now.isoformat()}",
            )
        positions.append(position)
    result = uow.positions.ingest(positions)
    if result.accepted:
        uow.record(
            events.PositionsReceived(
                occurred_at=now,
                vehicle_ids=tuple(sorted({p.vehicle_id for p in positions})),
                accepted=result.accepted,
            )
        )
    return result
