"""A day of domain orders becomes routes with local ETAs, loads and costs."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from fleetline.domain.model import (
    Client,
    Depot,
    Location,
    Order,
    ReasonCode,
    TimeWindow,
    Vehicle,
    VehicleCosts,
)
from fleetline.planning.day_planner import build_problem, plan_day

from .planning_factories import EuclideanTravelTimes

DAY = date(2025, 3, 4)
VADUZ = ZoneInfo("Europe/Vaduz")
NEW_YORK = ZoneInfo("America/New_York")


def _depot(did: str = "d1", zone: str = "Europe/Vaduz", lat: float = 47.14) -> Depot:
    return Depot(did, f"Depot {did}", Location(lat, 9.52), zone)


def _truck(vid: str, depot: str = "d1", **kw: object) -> Vehicle:
    values: dict[str, object] = {
        "id": vid,
        "name": f"Truck {vid}",
        "depot_id": depot,
        "capacity": {"pallets": 18, "weight_kg": 8000},
        "shift_start": time(8, 0),
        "shift_end": time(16, 0),
    }
    values.update(kw)
    return Vehicle(**values)  # type: ignore[arg-type]


def _order(oid: str, lat: float, start: str, end: str, **kw: object) -> Order:
    window = TimeWindow(
        datetime.fromisoformat(f"2025-03-04T{start}").replace(tzinfo=VADUZ),
        datetime.fromisoformat(f"2025-03-04T{end}").replace(tzinfo=VADUZ),
    )
    values: dict[str, object] = {
        "id": oid,
        "client_id": "c1",
        "date": DAY,
        "location": Location(lat, 9.52),
        "time_windows": (window,),
        "demand": {"pallets": 2},
        "service_s": 300,
    }
    values.update(kw)
    return Order(**values)  # type: ignore[arg-type]


CLIENTS = [Client("c1", "Bakery", 2)]


def test_shifts_read_in_each_depots_zone() -> None:
    """A 08:00 shift in New York starts six hours after a 08:00 shift in Vaduz."""
    depots = [_depot("d1"), _depot("d2", "America/New_York", 47.2)]
    trucks = [_truck("a", "d1"), _truck("b", "d2")]
    problem, context = build_problem(DAY, depots, trucks, [], CLIENTS, EuclideanTravelTimes())
    a, b = problem.vehicles
    assert b.shift_start_s - a.shift_start_s == 6 * 3600
    assert context.at(a.shift_start_s, VADUZ).hour == 8
    assert context.at(b.shift_start_s, NEW_YORK).hour == 8


def test_costs_become_integer_units_and_locations_are_shared() -> None:
    """Per-km and per-hour rates become per-metre and per-second integers; one place, one index."""
    costs = VehicleCosts(per_km=0.6, per_hour=36.0, overtime_per_hour=54.0, fixed=10.0)
    orders = [_order("o1", 47.15, "09:00", "10:00"), _order("o2", 47.15, "11:00", "12:00")]
    problem, _ = build_problem(
        DAY, [_depot()], [_truck("a", costs=costs)], orders, CLIENTS, EuclideanTravelTimes()
    )
    (v,) = problem.vehicles
    assert (v.cost_per_distance, v.cost_per_second, v.overtime_cost_per_second) == (60, 1000, 1500)
    assert v.fixed_cost == 1_000_000
    assert problem.durations.shape == (2, 2)
    assert problem.jobs[0].location == problem.jobs[1].location
    assert problem.jobs[0].priority == 2
    assert problem.dimensions == ("weight_kg", "pallets")


def test_plan_day_gives_local_etas_inside_windows() -> None:
    """Planned stops carry tz-aware ETAs in the depot's zone that respect the windows."""
    orders = [
        _order("o1", 47.16, "09:00", "10:00"),
        _order("o2", 47.20, "08:00", "08:30"),
        _order("o3", 47.10, "13:00", "14:00", demand={"pallets": 30}),
    ]
    plan = plan_day(
        DAY, [_depot()], [_truck("a")], orders, CLIENTS, EuclideanTravelTimes(), max_iterations=100
    )
    (route,) = plan.routes
    assert [s.order_id for s in route.stops] == ["o2", "o1"]
    assert [s.stop_id for s in route.stops] == ["o2", "o1"]
    for stop in route.stops:
        assert stop.eta.tzinfo is not None
        assert stop.eta.utcoffset() == VADUZ.utcoffset(stop.eta.replace(tzinfo=None))
        assert any(w.contains(stop.service_start) for w in stop.time_windows)
        assert stop.eta <= stop.service_start < stop.departure
    assert route.start_at == datetime(2025, 3, 4, 8, 0, tzinfo=VADUZ)
    assert route.load == {"weight_kg": 0, "pallets": 4}
    assert route.cost > 0
    (left,) = plan.unassigned
    assert left.reason_code == ReasonCode.DEMAND_EXCEEDS_CAPACITY
    assert left.reason == "needs 30 pallets; the largest vehicle takes 18 pallets"
