"""Overtime actually worked: when each truck's day really ended, against its shift's end.

The live plan knows the overtime it plans; what drivers worked is read from what they
reported. A truck's working day ends when it is back at its depot after its last stop
report of the day: its first position within :data:`AT_DEPOT_M` of the depot from that
report on. A truck not back yet (or without positions at the depot) has worked until its
latest report or position, whichever is later; a truck broken down that day ended it at
the breakdown. Its overtime is the time from its shift's end (local to its depot) to that
moment, none when it ended earlier. Trucks that reported no stop that day worked no
measured time and count none.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fleetline.domain.live import StopEvent, VehicleStatus
from fleetline.domain.model import Location
from fleetline.operations.ports import UnitOfWork

AT_DEPOT_M = 300.0
"""A position this close to the depot (metres) counts as back at the depot."""
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True, slots=True)
class TruckDayEnd:
    """When one truck's working day ended and the overtime it worked.

    ``home`` is true when it was seen back at its depot after its last stop report.
    """

    vehicle_id: str
    shift_end: datetime
    ended_at: datetime
    home: bool

    @property
    def overtime_s(self) -> int:
        """Seconds worked after the shift's end (none when the day ended before)."""
        return max(0, round((self.ended_at - self.shift_end).total_seconds()))


def metres_between(a: Location, b: Location) -> float:
    """Great-circle distance between two points, in metres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def day_ends(uow: UnitOfWork, day: date, reports: Iterable[StopEvent]) -> list[TruckDayEnd]:
    """When each truck that reported a stop on ``day`` ended its working day.

    Parameters
    ----------
    uow
        An open unit of work.
    day
        The day.
    reports
        The day's stop reports.

    Returns
    -------
    list of TruckDayEnd
        One per truck with a stop report, by vehicle id.
    """
    last: dict[str, datetime] = {}
    for report in reports:
        last[report.vehicle_id] = max(report.at, last.get(report.vehicle_id, report.at))
    depots = {depot.id: depot for depot in uow.depots.list()}
    vehicles = {vehicle.id: vehicle for vehicle in uow.vehicles.list()}
    ends = []
    for vehicle_id in sorted(last):
        vehicle = vehicles.get(vehicle_id)
        depot = depots.get(vehicle.depot_id) if vehicle is not None else None
        if vehicle is None or depot is None:
            continue
        zone = ZoneInfo(depot.timezone)
        shift_end = vehicle.shift_on(day, zone).end
        state = uow.vehicle_states.get(vehicle_id)
        if (
            state is not None
            and state.status is VehicleStatus.BROKEN_DOWN
            and state.since.astimezone(zone).date() == day
        ):
            ends.append(TruckDayEnd(vehicle_id, shift_end, state.since, home=False))
            continue
        midnight = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
        track = uow.positions.track(vehicle_id, last[vehicle_id], midnight)
        back = next(
            (p for p in track if metres_between(p.location, depot.location) <= AT_DEPOT_M), None
        )
        if back is not None:
            ends.append(TruckDayEnd(vehicle_id, shift_end, back.recorded_at, home=True))
        else:
            latest = max([last[vehicle_id], *(p.recorded_at for p in track[-1:])])
            ends.append(TruckDayEnd(vehicle_id, shift_end, latest, home=False))
    return ends


def actual_overtime_s(ends: Iterable[TruckDayEnd]) -> int | None:
    """The overtime the trucks worked, summed; ``None`` when no truck reported a stop."""
    found = list(ends)
    return sum(end.overtime_s for end in found) if found else None
