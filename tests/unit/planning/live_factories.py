"""Hand-made live days for re-planning tests: trucks on a north-south line, at 10:00."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fleetline.domain.live import VehicleStatus
from fleetline.domain.model import Depot, Location, OrderState, TimeWindow, Vehicle
from fleetline.domain.snapshot import DaySnapshot, RemainingStop, VehicleRun

DAY = date(2025, 3, 4)
ZONE = ZoneInfo("Europe/Vaduz")
NOW = datetime(2025, 3, 4, 10, 0, tzinfo=ZONE)
DEPOT = Depot("d1", "Depot", Location(47.0, 9.5), "Europe/Vaduz")


def at(hours: float) -> datetime:
    """Local time on the test day, e.g. ``at(10.5)`` is 10:30."""
    return datetime.combine(DAY, time(0), tzinfo=ZONE) + timedelta(hours=hours)


def place(km: float) -> Location:
    """A point ``km`` north of the depot (1 km is 100 s with the Euclidean fake)."""
    return Location(47.0 + km / 100, 9.5)


def stop(
    oid: str,
    km: float,
    window: tuple[float, float] = (8, 18),
    *,
    priority: int = 3,
    eta: float | None = None,
    state: OrderState = OrderState.DISPATCHED,
    pallets: int = 1,
    skills: frozenset[str] = frozenset(),
    promised: tuple[float, float] | None = None,
    service_s: int = 300,
) -> RemainingStop:
    """A remaining stop ``km`` north of the depot."""
    return RemainingStop(
        order_id=oid,
        client_id=f"c-{oid}",
        location=place(km),
        time_windows=(TimeWindow(at(window[0]), at(window[1])),),
        service_s=service_s,
        demand={"pallets": pallets},
        required_skills=skills,
        priority=priority,
        state=state,
        planned_eta=None if eta is None else at(eta),
        promised_window=None if promised is None else TimeWindow(at(promised[0]), at(promised[1])),
    )


def run(
    vid: str,
    km: float,
    stops: Sequence[RemainingStop] = (),
    *,
    status: VehicleStatus = VehicleStatus.ON_DUTY,
    capacity: int = 10,
    shift_end: float = 17,
    skills: frozenset[str] = frozenset(),
    completed: tuple[str, ...] = (),
) -> VehicleRun:
    """A truck ``km`` north of the depot with its remaining stops in order."""
    vehicle = Vehicle(
        id=vid,
        name=f"Truck {vid}",
        depot_id=DEPOT.id,
        capacity={"pallets": capacity},
        shift_start=time(7, 0),
        shift_end=time(int(shift_end), int(shift_end % 1 * 60)),
        skills=skills,
    )
    return VehicleRun(
        vehicle=vehicle,
        depot=DEPOT,
        status=status,
        position=place(km),
        position_at=NOW,
        shift_start=at(7),
        shift_end=at(shift_end),
        remaining=tuple(stops),
        completed=completed,
        on_board={"pallets": sum(s.demand["pallets"] for s in stops)},
    )


def snapshot(*runs: VehicleRun, unplanned: Sequence[RemainingStop] = ()) -> DaySnapshot:
    """The day at 10:00."""
    return DaySnapshot(DAY, NOW, "plan-1", 1, tuple(runs), tuple(unplanned))
