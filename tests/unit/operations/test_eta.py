"""The ETA engine: arrivals, waits, pace, risk, stalled trucks, pace learning, accuracy."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, time as clock_time, timedelta

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from fleetline.domain.live import Risk, VehicleStatus
from fleetline.domain.model import Depot, Location, OrderState, TimeWindow, Vehicle
from fleetline.domain.snapshot import DaySnapshot, RemainingStop, VehicleRun
from fleetline.network.base import UNREACHABLE, Snap, TravelMatrix
from fleetline.network.crowflies import CrowFliesTravelTimes
from fleetline.network.factory import travel_times_for
from fleetline.operations.eta import NoEta, classify, forecast, forecast_fleet
from fleetline.operations.eta_accuracy import eta_accuracy, should_record
from fleetline.operations.eta_pace import MAX_PACE, MIN_PACE, learn_pace

DAY = date(2025, 6, 3)
NOW = datetime(2025, 6, 3, 10, 0, tzinfo=UTC)
DEPOT = Depot(id="d1", name="Depot", location=Location(47.0, 9.0), timezone="UTC")
NOWHERE = Location(0.0, 0.0)


def km(minutes: float) -> Location:
    """A point on a line, ``minutes`` of driving from the depot (see LineTravelTimes)."""
    return Location(47.0, 9.0 + minutes / 100)


class LineTravelTimes:
    """Points on a line driven at a constant speed: 0.01 degree of longitude per minute."""

    name = "line"

    def __init__(self) -> None:
        self.departures: list[datetime | None] = []

    def matrix(
        self, locations: Sequence[Location], departure: datetime | None = None
    ) -> TravelMatrix:
        self.departures.append(departure)
        lons = np.array([p.lon for p in locations], dtype=float)
        seconds = np.rint(np.abs(lons[:, None] - lons[None, :]) * 6000).astype(np.int64)
        off = np.array([p == NOWHERE for p in locations])
        seconds[off[:, None] ^ off[None, :]] = UNREACHABLE
        return TravelMatrix(durations=seconds, distances=seconds * 10)

    def snap(self, locations: Sequence[Location]) -> list[Snap]:
        return [Snap(p, p, 0.0, True) for p in locations]


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


def stop(
    oid: str,
    where: float | Location,
    window: tuple[float, float] = (-60, 600),
    *,
    service_s: int = 300,
    state: OrderState = OrderState.DISPATCHED,
    promised: tuple[float, float] | None = None,
    windows: Sequence[tuple[float, float]] | None = None,
) -> RemainingStop:
    spans = windows if windows is not None else [window]
    return RemainingStop(
        order_id=oid,
        client_id=f"c-{oid}",
        location=where if isinstance(where, Location) else km(where),
        time_windows=tuple(TimeWindow(at(a), at(b)) for a, b in spans),
        service_s=service_s,
        demand={"pallets": 1},
        required_skills=frozenset(),
        priority=1,
        state=state,
        promised_window=TimeWindow(at(promised[0]), at(promised[1])) if promised else None,
    )


def run(
    stops: Sequence[RemainingStop],
    *,
    vid: str = "v1",
    position: float | Location = 0,
    position_at: datetime | None = NOW,
    pace: float = 1.0,
    status: VehicleStatus = VehicleStatus.ON_DUTY,
    shift: tuple[float, float] = (-180, 480),
) -> VehicleRun:
    vehicle = Vehicle(
        id=vid,
        name=vid,
        depot_id=DEPOT.id,
        capacity={"pallets": 30},
        shift_start=clock_time(7),
        shift_end=clock_time(18),
    )
    return VehicleRun(
        vehicle=vehicle,
        depot=DEPOT,
        status=status,
        position=position if isinstance(position, Location) else km(position),
        position_at=position_at,
        shift_start=at(shift[0]),
        shift_end=at(shift[1]),
        remaining=tuple(stops),
        pace=pace,
    )


def day(*runs: VehicleRun, now: datetime = NOW) -> DaySnapshot:
    return DaySnapshot(date=DAY, now=now, plan_id="p1", plan_version=1, vehicles=runs)


def test_early_truck_waits_for_the_window_to_open() -> None:
    """A truck 10 minutes away from a stop opening in 30 arrives at 10:10, serves at 10:30."""
    result = forecast(day(run([stop("a", 10, (30, 90), service_s=600)])), LineTravelTimes())
    a = result["a"]
    assert (a.eta, a.service_start, a.departure) == (at(10), at(30), at(40))
    assert (a.window_start, a.window_end, a.sequence) == (at(30), at(90), 0)


def test_pace_stretches_every_leg_but_not_the_service() -> None:
    """A driver at pace 1.2 takes 12 minutes for a 10-minute leg, every leg of the route."""
    stops = [stop("a", 10, service_s=300), stop("b", 30, service_s=300)]
    result = forecast(day(run(stops, pace=1.2)), LineTravelTimes())
    assert result["a"].eta == at(12)
    assert result["b"].eta == at(12 + 5 + 24)


@pytest.mark.parametrize(
    ("window_end", "risk", "slack_s"),
    [(5, Risk.LATE, -300), (10, Risk.AT_RISK, 0), (20, Risk.AT_RISK, 600), (25, Risk.ON_TIME, 900)],
)
def test_risk_is_judged_against_the_promised_window(
    window_end: float, risk: Risk, slack_s: int
) -> None:
    """A stop reached after its promised window is late; within 15 minutes of its end, at risk."""
    late_window = stop("a", 10, windows=[(-60, window_end), (120, 180)], promised=(-60, window_end))
    result = forecast(day(run([late_window])), LineTravelTimes())
    assert (result["a"].risk, result["a"].slack_s) == (risk, slack_s)
    assert result["a"].window_end == at(window_end)


def test_without_a_promise_the_envelope_of_the_windows_counts() -> None:
    """A stop with two windows and no promise is judged against the end of the last one."""
    two = stop("a", 10, windows=[(-60, 5), (120, 180)])
    a = forecast(day(run([two])), LineTravelTimes())["a"]
    assert (a.window_start, a.window_end, a.service_start) == (at(-60), at(180), at(120))
    assert a.risk is Risk.ON_TIME


def test_a_truck_past_the_promise_delivers_late_instead_of_waiting_for_the_next_window() -> None:
    """Promised 'until 10:05' of a stop also open 12:00-13:00: the truck reaching it at 10:10
    serves it there, 5 minutes late, and the stops after it are not pushed back two hours."""
    missed = stop("a", 10, windows=[(-60, 5), (120, 180)], promised=(-60, 5), service_s=300)
    result = forecast(day(run([missed, stop("b", 20)])), LineTravelTimes())
    a, b = result["a"], result["b"]
    assert (a.eta, a.service_start, a.risk, a.slack_s) == (at(10), at(10), Risk.LATE, -300)
    assert b.eta == at(10 + 5 + 10)
    assert b.risk is not Risk.LATE


def test_past_the_promise_the_truck_waits_for_a_window_opening_sooner_than_it_is_late() -> None:
    """Five minutes past the promise, with the client's next window two minutes away, the
    driver waits for it: the stop is still late against its promise."""
    missed = stop("a", 10, windows=[(-60, 5), (12, 180)], promised=(-60, 5))
    a = forecast(day(run([missed])), LineTravelTimes())["a"]
    assert (a.eta, a.service_start, a.risk) == (at(10), at(12), Risk.LATE)


def test_remaining_stops_form_a_consistent_chain() -> None:
    """Each stop is reached after the truck left the previous one, in route order."""
    stops = [stop(f"s{i}", 7 * i + 3, service_s=120 + 60 * i) for i in range(6)]
    result = forecast(day(run(stops, pace=1.1)), LineTravelTimes())
    chain = [result[s.order_id] for s in stops]
    assert [f.sequence for f in chain] == list(range(6))
    for previous, current in itertools.pairwise(chain):
        assert previous.departure <= current.eta
    for f, s in zip(chain, stops, strict=True):
        assert f.eta <= f.service_start
        assert f.departure == f.service_start + timedelta(seconds=s.service_s)


@pytest.mark.parametrize(
    ("status", "reason"),
    [(VehicleStatus.BROKEN_DOWN, NoEta.BROKEN_DOWN), (VehicleStatus.OFF_DUTY, NoEta.OFF_DUTY)],
)
def test_stops_of_a_truck_that_does_not_move_get_no_eta(
    status: VehicleStatus, reason: NoEta
) -> None:
    """A broken-down truck's stops show no invented ETA: they are listed with the reason."""
    stalled = run([stop("a", 10), stop("b", 20)], vid="v1", status=status)
    moving = run([stop("c", 10)], vid="v2", status=VehicleStatus.DELAYED, pace=1.5)
    fleet = forecast_fleet(day(stalled, moving), LineTravelTimes())
    assert set(fleet.stops) == {"c"}
    assert fleet.no_eta == {"a": reason, "b": reason}
    assert fleet.stops["c"].eta == at(15)


def test_a_truck_serving_a_stop_leaves_when_the_service_ends() -> None:
    """A truck that arrived at 9:55 for a 10-minute service reaches the next stop at 10:05 + leg."""
    serving = stop("a", 10, service_s=600, state=OrderState.ARRIVED)
    result = forecast(
        day(run([serving, stop("b", 25)], position=10, position_at=at(-5))), LineTravelTimes()
    )
    assert (result["a"].eta, result["a"].departure) == (at(-5), at(5))
    assert result["b"].eta == at(20)


def test_a_service_that_should_have_ended_still_holds_the_truck_until_now() -> None:
    """A stop not yet reported completed keeps the truck there: it leaves now, not in the past."""
    serving = stop("a", 10, service_s=300, state=OrderState.ARRIVED)
    result = forecast(
        day(run([serving, stop("b", 20)], position=10, position_at=at(-30))), LineTravelTimes()
    )
    assert result["a"].departure == NOW
    assert result["b"].eta == at(10)


def test_a_truck_before_its_shift_leaves_when_the_shift_starts() -> None:
    """Before the shift a truck does not leave the depot: the first ETA counts from shift start."""
    result = forecast(day(run([stop("a", 10)], shift=(60, 600))), LineTravelTimes())
    assert result["a"].eta == at(70)


def test_stops_past_an_undrivable_leg_are_listed_as_unreachable() -> None:
    """A stop the road network cannot reach, and those after it, show no ETA, not year 2057."""
    stops = [stop("a", 10), stop("b", NOWHERE), stop("c", 20)]
    fleet = forecast_fleet(day(run(stops)), LineTravelTimes())
    assert set(fleet.stops) == {"a"}
    assert fleet.no_eta == {"b": NoEta.UNREACHABLE, "c": NoEta.UNREACHABLE}


def test_a_whole_fleet_is_forecast_with_few_travel_time_calls() -> None:
    """A refresh asks for a handful of matrices, not one per leg (it stays fast at 200 trucks)."""
    runs = [run([stop(f"{v}-{i}", 5 * i + v) for i in range(20)], vid=f"v{v}") for v in range(30)]
    provider = LineTravelTimes()
    assert len(forecast(day(*runs), provider)) == 600
    assert len(provider.departures) <= 30 + 1 + 10


def test_crow_flies_legs_follow_the_speed_of_their_hour() -> None:
    """A leg leaving in the 16:00 rush takes as long as crow-flies says for that hour."""
    crow = CrowFliesTravelTimes()
    now = datetime(2025, 6, 3, 15, 40, tzinfo=UTC)
    a, b = Location(47.10, 9.50), Location(47.20, 9.55)
    stops = [stop("a", a, service_s=1800), stop("b", b, service_s=0)]
    snapshot = day(run(stops, position=Location(47.05, 9.48)), now=now)
    for provider in (crow, travel_times_for(None)):
        result = forecast(snapshot, provider)
        first = crow.matrix([Location(47.05, 9.48), a], now).durations[0, 1]
        leave_a = now + timedelta(seconds=int(first) + 1800)
        assert leave_a.hour == 16
        second = crow.matrix([a, b], leave_a).durations[0, 1]
        assert result["a"].eta == now + timedelta(seconds=int(first))
        expected = leave_a + timedelta(seconds=int(second))
        assert abs((result["b"].eta - expected).total_seconds()) <= 2


@st.composite
def routes(draw: st.DrawFn) -> DaySnapshot:
    n = draw(st.integers(1, 8))
    serving = draw(st.booleans())
    places = draw(st.lists(st.integers(0, 120), min_size=n, max_size=n))
    stops = []
    for i, place in enumerate(places):
        start = draw(st.integers(-120, 400))
        length = draw(st.integers(1, 240))
        stops.append(
            stop(
                f"s{i}",
                place,
                (start, start + length),
                service_s=draw(st.integers(0, 1800)),
                state=OrderState.ARRIVED if serving and i == 0 else OrderState.DISPATCHED,
            )
        )
    position = places[0] if serving else draw(st.integers(0, 120))
    ping = at(-draw(st.integers(0, 60)))
    pace = draw(st.floats(0.7, 1.8))
    return day(run(stops, position=position, position_at=ping, pace=pace))


@settings(max_examples=150, deadline=None)
@given(routes(), st.integers(0, 3600))
def test_etas_are_never_in_the_past_and_never_go_backwards(
    snapshot: DaySnapshot, margin: int
) -> None:
    """No customer is told a truck will come before now, or before the previous stop's."""
    result = forecast(snapshot, LineTravelTimes(), at_risk_margin_s=margin)
    chain = [result[s.order_id] for s in snapshot.vehicles[0].remaining]
    for f, s in zip(chain, snapshot.vehicles[0].remaining, strict=True):
        if s.state is not OrderState.ARRIVED:
            assert f.eta >= snapshot.now
        assert f.eta <= f.service_start <= f.departure
        assert f.slack_s == math.floor((f.window_end - f.eta).total_seconds())
        assert f.risk is classify(f.slack_s, margin)
        assert (f.risk is Risk.LATE) == (f.eta > f.window_end)
    for previous, current in itertools.pairwise(chain):
        assert previous.eta <= current.eta
        assert previous.departure <= current.eta


def test_one_slow_leg_moves_the_pace_only_part_of_the_way() -> None:
    """After one leg twice as long as predicted, the driver's ETAs stretch a little, not 2x."""
    pace = learn_pace([(600.0, 1200.0)])
    assert 1.1 < pace < 1.3


def test_consistent_legs_are_followed() -> None:
    """A driver steadily 30% slower over a morning gets ETAs within 3% of that."""
    legs = [(300.0 + 40 * i, (300.0 + 40 * i) * 1.3) for i in range(30)]
    assert learn_pace(legs[:3]) < learn_pace(legs[:10]) < learn_pace(legs)
    assert learn_pace(legs) == pytest.approx(1.3, rel=0.03)
    assert learn_pace(legs, prior=1.3) == pytest.approx(1.3, abs=1e-9)


def test_one_odd_leg_among_many_barely_moves_the_pace() -> None:
    """A lunch break hidden in one leg does not make the afternoon's ETAs absurd."""
    legs = [(600.0, 660.0)] * 10 + [(600.0, 3000.0)]
    assert learn_pace(legs) == pytest.approx(1.1, abs=0.03)


def test_pace_ignores_short_and_broken_legs_and_stays_in_range() -> None:
    """Hops around the block and bad readings do not count; a pace never leaves 0.7-1.8."""
    assert learn_pace([]) == 1.0
    assert learn_pace([(30.0, 300.0), (600.0, 0.0), (float("nan"), 5.0)], prior=1.2) == 1.2
    assert learn_pace([(600.0, 6000.0)] * 50) == MAX_PACE
    assert learn_pace([(600.0, 60.0)] * 50) == MIN_PACE
    with pytest.raises(ValueError, match="prior"):
        learn_pace([], prior=0.0)


@given(st.lists(st.tuples(st.floats(0, 1e5), st.floats(-10, 1e6)), max_size=40))
def test_pace_is_always_a_usable_factor(legs: list[tuple[float, float]]) -> None:
    """Whatever the legs reported, the pace is a finite factor between 0.7 and 1.8."""
    pace = learn_pace(legs)
    assert MIN_PACE <= pace <= MAX_PACE


def test_accuracy_uses_the_prediction_closest_to_each_horizon() -> None:
    """An hour out the ETA was 10 minutes off, a quarter of an hour out 1 minute: both show."""
    arrival = at(120)
    predictions = [
        ("a", arrival - timedelta(minutes=62), arrival + timedelta(minutes=10)),
        ("a", arrival - timedelta(minutes=55), arrival + timedelta(minutes=99)),
        ("a", arrival - timedelta(minutes=31), arrival - timedelta(minutes=4)),
        ("a", arrival - timedelta(minutes=14), arrival + timedelta(minutes=1)),
        ("a", arrival - timedelta(minutes=16), arrival + timedelta(minutes=50)),
        ("a", arrival + timedelta(minutes=1), arrival),
        ("b", arrival - timedelta(minutes=15), arrival + timedelta(minutes=3)),
        ("c", arrival - timedelta(minutes=60), arrival),
    ]
    figures = eta_accuracy(predictions, {"a": arrival, "b": arrival}, tolerance_min=5)
    assert figures[60].count == 1 and figures[60].mae_s == 600
    assert figures[30].count == 1 and figures[30].mae_s == 240 and figures[30].bias_s == -240
    assert figures[15].count == 2 and figures[15].mae_s == pytest.approx((60 + 180) / 2)


def test_accuracy_without_predictions_says_so() -> None:
    """With nothing recorded near a horizon the figure shows no error rather than zero."""
    figures = eta_accuracy([("a", at(0), at(60))], {"a": at(60)}, horizons_min=(60, 15))
    assert figures[60].count == 1 and figures[60].mae_s == 0
    assert figures[15].count == 0 and figures[15].mae_s is None


def test_predictions_are_recorded_every_five_minutes_per_stop() -> None:
    """The ETA history of a stop keeps one sample per five minutes, not one per GPS ping."""
    assert should_record(None, NOW)
    assert not should_record(at(-4), NOW)
    assert should_record(at(-5), NOW)
    assert not should_record(at(1), NOW, every_s=60)
