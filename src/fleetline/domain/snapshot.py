"""Where the day stands, as one immutable snapshot.

The ETA engine, the re-planner and the what-if options all read the same
:class:`DaySnapshot`, built from the store by the operations service: no face or engine
keeps its own copy of positions, remaining stops or loads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from fleetline.domain.live import TrafficIncident, VehicleStatus
from fleetline.domain.model import Depot, Location, OrderState, TimeWindow, Vehicle


@dataclass(frozen=True, slots=True)
class RemainingStop:
    """An order still to serve, as the live plan has it.

    ``promised_window`` is the window the client was told (the window the dispatched plan
    serves it in); ``planned_eta`` is the plan's arrival. ``state`` is ``dispatched``,
    ``en_route`` or ``arrived`` (being served now).
    """

    order_id: str
    client_id: str
    location: Location
    time_windows: tuple[TimeWindow, ...]
    service_s: int
    demand: Mapping[str, int]
    required_skills: frozenset[str]
    priority: int
    state: OrderState
    planned_eta: datetime | None = None
    promised_window: TimeWindow | None = None


@dataclass(frozen=True, slots=True)
class VehicleRun:
    """A vehicle's day so far and what is left of it.

    ``position`` is the last known position (the depot before the first ping) and
    ``position_at`` its device time. ``on_board`` is the load still on the truck (the
    demand of its remaining stops); ``pace`` is how much longer than predicted its driver
    takes for a leg today (1.0: as predicted; learned from completed legs).
    """

    vehicle: Vehicle
    depot: Depot
    status: VehicleStatus
    position: Location
    position_at: datetime | None
    shift_start: datetime
    shift_end: datetime
    remaining: tuple[RemainingStop, ...]
    completed: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    on_board: Mapping[str, int] = field(default_factory=dict)
    pace: float = 1.0
    driver_id: str | None = None
    driver_name: str | None = None

    @property
    def vehicle_id(self) -> str:
        """The vehicle's id."""
        return self.vehicle.id


@dataclass(frozen=True, slots=True)
class DaySnapshot:
    """The live day at ``now``: every vehicle's run, orders not in the plan, traffic."""

    date: date
    now: datetime
    plan_id: str | None
    plan_version: int | None
    vehicles: tuple[VehicleRun, ...]
    unplanned: tuple[RemainingStop, ...] = ()
    incidents: tuple[TrafficIncident, ...] = ()

    def run_of(self, vehicle_id: str) -> VehicleRun | None:
        """Return the run of ``vehicle_id``, or ``None``."""
        for run in self.vehicles:
            if run.vehicle_id == vehicle_id:
                return run
        return None
