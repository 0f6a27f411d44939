"""The simulated truck alone: legs, waits for windows, reports, following a changed plan."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from fleetline.domain.model import Location
from fleetline.network.base import RoadPath
from fleetline.network.crowflies import CrowFliesTravelTimes
from fleetline.sim.motion import Roads, SimIncident, metres, point_along
from fleetline.sim.truck import Phase, SimStop, SimTruck, service_start

T0 = datetime.fromisoformat("2026-11-26T07:00:00+01:00")
DEPOT = Location(47.17, 9.50)
ROADS = Roads(CrowFliesTravelTimes())


def _stop(order_id: str, lat: float, start: str = "07:00", end: str = "16:00") -> SimStop:
    window = (
        datetime.fromisoformat(f"2026-11-26T{start}:00+01:00"),
        datetime.fromisoformat(f"2026-11-26T{end}:00+01:00"),
    )
    return SimStop(order_id, order_id.upper(), Location(lat, 9.50), (window,), 600)


def _truck(pace: float = 1.0, failure_rate: float = 0.0) -> SimTruck:
    return SimTruck(
        "veh_1", "Truck 01", DEPOT, T0, pace, random.Random(1), failure_rate=failure_rate
    )


def test_a_point_along_a_path_moves_evenly_by_distance() -> None:
    """Halfway along an L-shaped path is at the corner when both arms are equally long."""
    path = [Location(47.0, 9.0), Location(47.01, 9.0), Location(47.01, 9.0147)]
    assert metres(path[0], path[1]) == pytest.approx(metres(path[1], path[2]), rel=0.01)
    middle = point_along(path, 0.5)
    assert abs(middle.lat - 47.01) < 1e-4 and abs(middle.lon - 9.0) < 2e-4
    assert point_along(path, -1) == path[0] and point_along(path, 2) == path[-1]


def test_a_slower_driver_and_a_slowdown_make_a_leg_longer() -> None:
    """Pace 1.2 takes 20 % longer; a slowdown on the way doubles it while it lasts."""
    a, b = DEPOT, Location(47.10, 9.50)
    base = ROADS.leg(a, b, T0)
    slow = ROADS.leg(a, b, T0, pace=1.2)
    assert (slow.arrive - T0) == timedelta(seconds=round((base.arrive - T0).total_seconds() * 1.2))
    jam = SimIncident(b, 500, 2.0, T0, T0 + timedelta(hours=1))
    jammed = ROADS.leg(a, b, T0, incidents=[jam])
    assert (jammed.arrive - T0) == 2 * (base.arrive - T0)
    later = ROADS.leg(a, b, T0 + timedelta(hours=2), incidents=[jam])
    assert later.arrive - later.depart < jammed.arrive - jammed.depart


def test_service_waits_for_the_window() -> None:
    """Early at a stop, the driver waits for the window; inside it, serves at once; after
    the last window, serves late rather than never."""
    stop = _stop("a", 47.1, "09:00", "10:00")
    windows = stop.windows
    assert service_start(T0, windows) == windows[0][0]
    inside = windows[0][0] + timedelta(minutes=5)
    assert service_start(inside, windows) == inside
    late = windows[0][1] + timedelta(minutes=5)
    assert service_start(late, windows) == late


def test_between_two_windows_the_driver_waits_only_when_that_is_the_shorter_delay() -> None:
    """Open 08:00-10:30 and 13:00-15:30: at 10:35 the driver delivers at once, five minutes
    late; at 12:50 he waits the ten minutes to 13:00 rather than deliver 140 minutes late."""
    day = T0.replace(hour=0, minute=0)
    windows = [
        (day.replace(hour=13), day.replace(hour=15, minute=30)),
        (day.replace(hour=8), day.replace(hour=10, minute=30)),
    ]
    just_past = day.replace(hour=10, minute=35)
    assert service_start(just_past, windows) == just_past
    assert service_start(day.replace(hour=12, minute=50), windows) == day.replace(hour=13)


def test_a_truck_drives_its_stops_in_order_and_goes_home() -> None:
    """Arrived then completed at each stop, in the plan's order, times going forward; then
    home, with positions that start at the shift and end at the depot."""
    stops = {"a": _stop("a", 47.15), "b": _stop("b", 47.12)}
    truck = _truck()
    truck.follow(["a", "b"], T0, ROADS, stops)
    reports = truck.advance(T0 + timedelta(hours=6), ROADS, stops)
    assert [(r.order_id, r.type) for r in reports] == [
        ("a", "arrived"),
        ("a", "completed"),
        ("b", "arrived"),
        ("b", "completed"),
    ]
    times = [r.at for r in reports]
    assert times == sorted(times) and times[0] > T0
    assert truck.phase is Phase.HOME and truck.finished
    fix = truck.fix(T0 + timedelta(hours=6))
    assert fix is not None and fix.location == DEPOT
    assert truck.fix(T0 + timedelta(hours=6, seconds=15)) is None


def test_overtime_is_the_time_worked_past_the_shift_end() -> None:
    """A shift that ends at 07:30 with a stop an hour's round trip away: home after the
    shift's end, the driver worked the difference as overtime; read while still out, the
    overtime runs until then; a driver home before the end, or broken down, worked none."""
    stops = {"a": _stop("a", 47.0)}
    truck = _truck()
    truck.shift_end = T0 + timedelta(minutes=30)
    truck.follow(["a"], T0, ROADS, stops)
    midway = T0 + timedelta(minutes=40)
    truck.advance(midway, ROADS, stops)
    assert truck.active
    assert truck.overtime_until(midway) == 10 * 60
    truck.advance(T0 + timedelta(hours=6), ROADS, stops)
    assert truck.home_at is not None and truck.phase is Phase.HOME
    worked = round((truck.home_at - truck.shift_end).total_seconds())
    assert worked > 0 and truck.overtime_until(T0 + timedelta(hours=6)) == worked
    truck.shift_end = T0 + timedelta(hours=5)
    assert truck.overtime_until(T0 + timedelta(hours=6)) == 0
    broken = _truck()
    broken.shift_end = T0
    broken.follow(["a"], T0, ROADS, stops)
    broken.advance(T0 + timedelta(minutes=5), ROADS, stops)
    broken.break_down(T0 + timedelta(minutes=5))
    assert broken.overtime_until(T0 + timedelta(hours=1)) == 0


def test_a_truck_turns_to_the_new_first_stop_of_a_changed_plan() -> None:
    """Driving to A when the plan changes to B first: the truck turns from where it is."""
    stops = {"a": _stop("a", 47.05), "b": _stop("b", 47.16)}
    truck = _truck()
    truck.follow(["a"], T0, ROADS, stops)
    truck.advance(T0 + timedelta(minutes=2), ROADS, stops)
    assert truck.phase is Phase.DRIVING and truck.leg is not None
    assert truck.leg.target_order == "a"
    now = T0 + timedelta(minutes=2)
    truck.follow(["b", "a"], now, ROADS, stops)
    assert truck.leg is not None and truck.leg.target_order == "b" and truck.leg.depart == now
    reports = truck.advance(now + timedelta(hours=5), ROADS, stops)
    assert [r.order_id for r in reports if r.type == "completed"] == ["b", "a"]


def test_a_broken_truck_stays_where_it_broke_down() -> None:
    """After a breakdown the truck reports nothing more and stands still."""
    stops = {"a": _stop("a", 47.05)}
    truck = _truck()
    truck.follow(["a"], T0, ROADS, stops)
    truck.advance(T0 + timedelta(minutes=3), ROADS, stops)
    truck.break_down(T0 + timedelta(minutes=3))
    where = truck.position
    assert truck.advance(T0 + timedelta(hours=3), ROADS, stops) == []
    fix = truck.fix(T0 + timedelta(hours=3))
    assert fix is not None and fix.location == where and truck.finished


def test_a_failed_delivery_carries_a_reason_and_fails_once() -> None:
    """With every delivery failing, the stop is reported failed with a reason; the same
    order tried again later is delivered."""
    stops = {"a": _stop("a", 47.15)}
    truck = _truck(failure_rate=1.0)
    truck.follow(["a"], T0, ROADS, stops)
    reports = truck.advance(T0 + timedelta(hours=1), ROADS, stops)
    assert reports[-1].type == "failed" and reports[-1].reason
    now = T0 + timedelta(hours=1)
    truck.follow(["a"], now, ROADS, stops)
    again = truck.advance(now + timedelta(hours=2), ROADS, stops)
    assert [r.type for r in again] == ["arrived", "completed"]


def test_on_a_road_network_a_truck_follows_the_road_geometry() -> None:
    """With a router, positions lie along the road's polyline, not the straight line, and
    the leg takes the road's duration."""
    corner = Location(47.10, 9.60)

    def router(a: Location, b: Location) -> RoadPath:
        return RoadPath((a, corner, b), (), 1200.0, 20_000.0)

    roads = Roads(router=router)
    start, end = Location(47.10, 9.50), Location(47.00, 9.60)
    leg = roads.leg(start, end, T0, pace=1.0)
    assert leg.arrive - leg.depart == timedelta(seconds=1200)
    halfway = leg.position_at(T0 + timedelta(seconds=600))
    assert abs(halfway.lon - corner.lon) < 1e-4 and halfway.lat < corner.lat
