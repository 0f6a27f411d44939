"""Telemetry: positions from trucks, phones and telematics boxes into the live picture.

A batch is checked whole before anything is stored: an unknown truck or a time from the
future anywhere in it refuses all of it, naming the position by its index. A position
sent again (a retry, a tracker replaying its buffer) is counted as a duplicate, never an
error, so devices can resend freely.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from fleetline.bus import Context
from fleetline.domain import commands, events
from fleetline.domain.errors import InvalidField, NotFound
from fleetline.domain.live import DEVICE_CLOCK_DRIFT, Position
from fleetline.operations.ports import IngestResult, UnitOfWork

FEW_VEHICLES = 8
"""Up to this many unknown ids in a batch are looked up one by one; more, all at once."""


class KnownVehicles:
    """The trucks known to exist, so that a batch asks the store only about new ids.

    Vehicles are never deleted (positions and plans refer to them), so a truck once seen
    stays known; a truck added by another process is found on its first position.
    """

    def __init__(self) -> None:
        self._known: set[str] = set()
        self._lock = threading.Lock()

    def unknown(self, uow: UnitOfWork, vehicle_ids: set[str]) -> set[str]:
        """Return the ids among ``vehicle_ids`` of no stored vehicle."""
        with self._lock:
            asked = vehicle_ids - self._known
        # Text with NUL characters is never stored (and PostgreSQL cannot compare it).
        impossible = {v for v in asked if "\x00" in v}
        asked -= impossible
        if not asked:
            return impossible
        if len(asked) <= FEW_VEHICLES:
            found = {v for v in asked if uow.vehicles.get(v) is not None}
        else:
            found = {v.id for v in uow.vehicles.list()} & asked
        with self._lock:
            self._known |= found
        return (asked - found) | impossible


Handler = Callable[[commands.RecordPositions, UnitOfWork, Context], IngestResult]


def make_record_positions() -> Handler:
    """Return the handler of :class:`RecordPositions`, with its own :class:`KnownVehicles`."""
    known = KnownVehicles()

    def handler(
        command: commands.RecordPositions, uow: UnitOfWork, context: Context
    ) -> IngestResult:
        return record_positions(command, uow, context, known)

    return handler


def record_positions(
    command: commands.RecordPositions,
    uow: UnitOfWork,
    context: Context,
    known: KnownVehicles | None = None,
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
    known
        Trucks already known to exist; without it, every truck of the batch is looked up.

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
    latest_allowed = now + DEVICE_CLOCK_DRIFT
    reports = command.positions
    unknown = (known or KnownVehicles()).unknown(uow, {r.vehicle_id for r in reports})
    positions: list[Position] = []
    for index, report in enumerate(reports):
        prefix = f"positions[{index}]"
        if report.vehicle_id in unknown:
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
