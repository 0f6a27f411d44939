"""Traffic incidents on straight-line travel times: slower legs, detours, expiry, coalescing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from fleetline.domain.live import Area, IncidentKind, TrafficIncident
from fleetline.domain.model import Location
from fleetline.network.base import UNREACHABLE, Snap, TravelMatrix
from fleetline.network.crowflies import CrowFliesTravelTimes, great_circle_m
from fleetline.network.factory import travel_times_for
from fleetline.network.traffic import TrafficAwareTravelTimes
from fleetline.network.traffic_geometry import circle_crossings, project

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CENTRE = Location(lat=47.1410, lon=9.5209)
WEST = Location(lat=47.1410, lon=9.4909)  # about 2.3 km west of the centre
EAST = Location(lat=47.1410, lon=9.5509)  # about 2.3 km east
NORTH_WEST = Location(lat=47.1610, lon=9.4909)  # 2.2 km north of WEST
NORTH_EAST = Location(lat=47.1610, lon=9.5509)
NEAR = Location(lat=47.1415, lon=9.5215)  # about 70 m from the centre
STOPS = [WEST, EAST, NORTH_WEST, NORTH_EAST, CENTRE, NEAR]


def slowdown(
    factor: float = 3.0,
    radius_m: float = 500.0,
    *,
    id: str = "inc-1",
    ends_at: datetime | None = None,
    note: str = "",
) -> TrafficIncident:
    return TrafficIncident(
        id=id,
        kind=IncidentKind.SLOWDOWN,
        area=Area(center=CENTRE, radius_m=radius_m),
        starts_at=NOW - timedelta(minutes=10),
        ends_at=ends_at,
        factor=factor,
        note=note,
    )


def closure(radius_m: float = 500.0, ends_at: datetime | None = None) -> TrafficIncident:
    return TrafficIncident(
        id="closed-1",
        kind=IncidentKind.CLOSURE,
        area=Area(center=CENTRE, radius_m=radius_m),
        starts_at=NOW - timedelta(minutes=10),
        ends_at=ends_at,
    )


class CountingProvider:
    """Crow-flies that counts its matrix calls."""

    def __init__(self) -> None:
        self.inner = CrowFliesTravelTimes()
        self.name = self.inner.name
        self.calls = 0

    def matrix(self, locations: list[Location], departure: datetime | None = None) -> TravelMatrix:
        self.calls += 1
        return self.inner.matrix(locations, departure)

    def snap(self, locations: list[Location]) -> list[Snap]:
        return self.inner.snap(locations)


def test_a_leg_across_a_slowdown_takes_longer_in_proportion_to_its_part_inside() -> None:
    """Driving through a slowed 1 km-wide zone costs factor × the time spent inside it."""
    base = CrowFliesTravelTimes()
    traffic = TrafficAwareTravelTimes(base)
    before = base.matrix(STOPS)
    assert traffic.update([slowdown(factor=3.0)], NOW)
    after = traffic.matrix(STOPS)
    west_east = before.durations[0, 1]
    share_inside = 1_000 / great_circle_m([WEST.lat, EAST.lat], [WEST.lon, EAST.lon])[0, 1]
    assert after.durations[0, 1] == pytest.approx(west_east * (1 + 2 * share_inside), rel=0.01)
    assert after.distances[0, 1] == before.distances[0, 1]  # slower, not longer


def test_a_leg_inside_a_slowdown_takes_factor_times_longer() -> None:
    """Both ends inside the zone: the whole trip is slowed by the factor."""
    base = CrowFliesTravelTimes()
    traffic = TrafficAwareTravelTimes(base)
    traffic.update([slowdown(factor=4.0)], NOW)
    before, after = base.matrix(STOPS), traffic.matrix(STOPS)
    assert after.durations[4, 5] == pytest.approx(4 * before.durations[4, 5], abs=1)


def test_a_leg_beside_a_slowdown_is_unchanged() -> None:
    """A trip that passes 2 km north of the zone is not affected."""
    base = CrowFliesTravelTimes()
    traffic = TrafficAwareTravelTimes(base)
    traffic.update([slowdown()], NOW)
    before, after = base.matrix(STOPS), traffic.matrix(STOPS)
    assert after.durations[2, 3] == before.durations[2, 3]
    assert after.durations[0, 2] == before.durations[0, 2]


def test_a_closure_makes_crossing_legs_much_longer_but_leaves_stops_inside_reachable() -> None:
    """Crow-flies cannot reroute: a closure is a detour; a client inside is served slowly."""
    base = CrowFliesTravelTimes()
    traffic = TrafficAwareTravelTimes(base, closure_factor=5.0)
    traffic.update([closure()], NOW)
    before, after = base.matrix(STOPS), traffic.matrix(STOPS)
    assert after.durations[0, 1] > before.durations[0, 1] * 1.8
    assert after.distances[0, 1] > before.distances[0, 1] * 1.8
    assert before.durations[0, 4] < after.durations[0, 4] < UNREACHABLE
    assert after.durations[4, 5] == pytest.approx(5 * before.durations[4, 5], abs=1)


def test_an_expired_incident_restores_travel_times() -> None:
    """Once the incident ends, trips take their usual time again."""
    base = CrowFliesTravelTimes()
    traffic = TrafficAwareTravelTimes(base)
    ends = NOW + timedelta(minutes=30)
    assert traffic.update([slowdown(ends_at=ends)], NOW)
    assert not np.array_equal(traffic.matrix(STOPS).durations, base.matrix(STOPS).durations)
    assert traffic.update([slowdown(ends_at=ends)], ends)
    assert np.array_equal(traffic.matrix(STOPS).durations, base.matrix(STOPS).durations)
    assert traffic.version == 2


def test_an_incident_ending_between_updates_stops_counting_on_the_clock() -> None:
    """With a clock, the end of an incident is noticed without a new update."""

    class Clock:
        moment = NOW

        def now(self) -> datetime:
            return self.moment

    clock = Clock()
    base = CrowFliesTravelTimes()
    traffic = TrafficAwareTravelTimes(base, clock=clock)
    traffic.update([slowdown(ends_at=NOW + timedelta(minutes=5))], NOW)
    assert traffic.matrix(STOPS).durations[0, 1] > base.matrix(STOPS).durations[0, 1]
    clock.moment = NOW + timedelta(minutes=6)
    assert traffic.matrix(STOPS).durations[0, 1] == base.matrix(STOPS).durations[0, 1]


def test_a_hundred_identical_updates_recompute_once() -> None:
    """A chatty provider feed does not make every reader recompute its ETAs."""
    traffic = TrafficAwareTravelTimes(CrowFliesTravelTimes())
    seen: list[int] = []
    traffic.subscribe(seen.append)
    changed = [
        traffic.update([slowdown(note=f"report {k}")], NOW + timedelta(seconds=k))
        for k in range(100)
    ]
    assert changed.count(True) == 1
    assert traffic.version == 1
    assert seen == [1]
    assert traffic.update([slowdown(factor=5.0)], NOW)  # a real change still counts
    assert traffic.version == 2


def test_incidents_not_yet_started_change_nothing() -> None:
    """A closure announced for tomorrow does not slow today's trips."""
    future = TrafficIncident(
        id="tomorrow",
        kind=IncidentKind.CLOSURE,
        area=Area(center=CENTRE, radius_m=500),
        starts_at=NOW + timedelta(days=1),
    )
    traffic = TrafficAwareTravelTimes(CrowFliesTravelTimes())
    assert not traffic.update([future], NOW)
    assert traffic.version == 0
    assert traffic.update([future], NOW + timedelta(days=1))


def test_a_polygon_slowdown_slows_the_legs_through_it() -> None:
    """A square zone around the centre slows the west-east trip, not the northern one."""
    square = Area(
        polygon=(
            Location(lat=47.1370, lon=9.5150),
            Location(lat=47.1450, lon=9.5150),
            Location(lat=47.1450, lon=9.5270),
            Location(lat=47.1370, lon=9.5270),
        )
    )
    incident = TrafficIncident(
        id="square", kind=IncidentKind.SLOWDOWN, area=square, starts_at=NOW, factor=2.0
    )
    base = CrowFliesTravelTimes()
    traffic = TrafficAwareTravelTimes(base)
    traffic.update([incident], NOW)
    before, after = base.matrix(STOPS), traffic.matrix(STOPS)
    share_inside = 0.012 / 0.06  # 0.012° of longitude out of the leg's 0.06°
    assert after.durations[0, 1] == pytest.approx(
        before.durations[0, 1] * (1 + share_inside), rel=0.01
    )
    assert after.durations[2, 3] == before.durations[2, 3]


def test_the_factory_cache_never_serves_a_matrix_from_before_an_update() -> None:
    """After an incident arrives, the same question gets the new answer, then is cached."""
    assert isinstance(travel_times_for(None), TrafficAwareTravelTimes)
    counting = CountingProvider()
    provider = TrafficAwareTravelTimes(counting, cache_cells=1_000_000)
    first = provider.matrix(STOPS)
    assert provider.matrix(STOPS) is first
    provider.update([slowdown()], NOW)
    slowed = provider.matrix(STOPS)
    assert slowed.durations[0, 1] > first.durations[0, 1]
    assert provider.matrix(STOPS) is slowed
    assert counting.calls == 2


def test_a_4000_stop_matrix_with_incidents_keeps_its_shape_and_sentinel() -> None:
    """Large matrices stay square and integer, and unreachable pairs stay unreachable."""
    rng = np.random.default_rng(7)
    stops = [
        Location(lat=float(47.05 + 0.2 * a), lon=float(9.47 + 0.15 * b))
        for a, b in rng.random((4_000, 2))
    ]
    traffic = TrafficAwareTravelTimes(CrowFliesTravelTimes())
    traffic.update([slowdown(radius_m=800), closure(radius_m=300)], NOW)
    matrix = traffic.matrix(stops)
    assert matrix.durations.shape == (4_000, 4_000)
    assert matrix.durations.dtype == np.int64
    assert (np.diag(matrix.durations) == 0).all()


coordinate = st.floats(min_value=-3_000, max_value=3_000, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(
    points=st.lists(st.tuples(coordinate, coordinate), min_size=2, max_size=8),
    radius=st.floats(min_value=10, max_value=2_000),
)
def test_segment_circle_shares_match_brute_force_sampling(
    points: list[tuple[float, float]], radius: float
) -> None:
    """The share of each leg inside a circle agrees with sampling 4,001 points along it."""
    xy = np.array(points, dtype=np.float64)
    found = circle_crossings(xy, radius)
    shares = np.zeros((len(xy), len(xy)))
    shares[found.rows, found.cols] = found.fractions
    t = np.linspace(0.0, 1.0, 4_001)[:, None]
    for i in range(len(xy)):
        for j in range(len(xy)):
            if i == j or np.hypot(*(xy[j] - xy[i])) < 1e-3:
                continue  # no leg to speak of: it takes no time, slowed or not
            samples = xy[i] + t * (xy[j] - xy[i])
            expected = float(((samples**2).sum(axis=1) <= radius * radius).mean())
            assert shares[i, j] == pytest.approx(expected, abs=1e-3)


def test_projection_keeps_kilometres_to_within_a_metre_in_a_town() -> None:
    """The local metric frame is faithful at city scale."""
    xy = project([CENTRE.lat, EAST.lat], [CENTRE.lon, EAST.lon], CENTRE.lat, CENTRE.lon)
    crow = great_circle_m([CENTRE.lat, EAST.lat], [CENTRE.lon, EAST.lon])[0, 1]
    assert float(np.hypot(*(xy[1] - xy[0]))) == pytest.approx(crow, abs=1.0)


def test_a_trip_kept_from_before_an_incident_shows_the_incident_once_reported() -> None:
    """A truck's trip to its next stop, asked before a slowdown on its way, is longer right
    after the slowdown is reported (kept trips are forgotten), and asking again costs
    nothing more until the next change."""
    traffic = TrafficAwareTravelTimes(CrowFliesTravelTimes(), cache_cells=10_000)
    trip = [(WEST, EAST)]
    before = int(traffic.leg_durations(trip, NOW)[0])
    assert int(traffic.leg_durations(trip, NOW)[0]) == before
    assert traffic.update([slowdown(factor=3.0)], NOW)
    during = int(traffic.leg_durations(trip, NOW)[0])
    assert during > before
    hits = traffic.stats.trip_hits
    assert int(traffic.leg_durations(trip, NOW)[0]) == during
    assert traffic.stats.trip_hits == hits + 1
    assert traffic.update([], NOW)
    assert int(traffic.leg_durations(trip, NOW)[0]) == before
