"""The agent's search reading of phone numbers, and the reason for a delay in words."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from fleetline.domain.live import (
    AffectedOrder,
    ExceptionKind,
    ExceptionStatus,
    OperationalException,
    Risk,
    StopForecast,
    VehicleStatus,
)
from fleetline.domain.model import Depot, Location, OrderState, TimeWindow, Vehicle
from fleetline.domain.snapshot import RemainingStop, VehicleRun
from fleetline.operations.order_status import delay_reason
from fleetline.operations.search import phone_digits

NOON = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("query", "digits"),
    [
        ("+423 123 45 67", "4231234567"),
        ("(423) 777-88-99", "4237778899"),
        ("MEI-1001", None),
        ("orders@meier.li", None),
        ("12", None),
    ],
)
def test_a_query_reads_as_a_phone_only_when_it_is_one(query: str, digits: str | None) -> None:
    """Punctuation is dropped from a phone; references, emails and short numbers are not
    phones."""
    assert phone_digits(query) == digits


def _run(status: VehicleStatus = VehicleStatus.ON_DUTY) -> VehicleRun:
    depot = Depot("dep_1", "Schaan", Location(47.17, 9.5), "Europe/Vaduz")
    vehicle = Vehicle("veh_1", "Truck 1", "dep_1", {"pallets": 18}, time(7), time(16))
    return VehicleRun(
        vehicle=vehicle,
        depot=depot,
        status=status,
        position=depot.location,
        position_at=None,
        shift_start=NOON - timedelta(hours=5),
        shift_end=NOON + timedelta(hours=4),
        remaining=(),
    )


STOP = RemainingStop(
    order_id="ord_1",
    client_id="cli_1",
    location=Location(47.1, 9.5),
    time_windows=(TimeWindow(NOON, NOON + timedelta(hours=1)),),
    service_s=300,
    demand={"pallets": 1},
    required_skills=frozenset(),
    priority=3,
    state=OrderState.DISPATCHED,
    planned_eta=NOON,
)


def _forecast(eta: datetime, risk: Risk) -> StopForecast:
    return StopForecast(
        order_id="ord_1",
        vehicle_id="veh_1",
        sequence=1,
        eta=eta,
        service_start=eta,
        departure=eta + timedelta(minutes=5),
        window_start=NOON,
        window_end=NOON + timedelta(hours=1),
        risk=risk,
        slack_s=int((NOON + timedelta(hours=1) - eta).total_seconds()),
    )


def _exception(kind: ExceptionKind) -> OperationalException:
    return OperationalException(
        id="exc_1",
        kind=kind,
        status=ExceptionStatus.OPEN,
        opened_at=NOON,
        date=date(2026, 11, 26),
        summary="Road closed at Schaan",
        affected=(AffectedOrder("ord_1", "cli_1", "Client", 3, None, None, None),),
    )


def test_an_order_on_time_has_no_delay_reason() -> None:
    """On time, truck on duty, nothing open: no reason to give."""
    assert delay_reason(_run(), STOP, _forecast(NOON, Risk.ON_TIME), []) is None


def test_a_late_truck_runs_minutes_behind_its_plan() -> None:
    """The reason counts the minutes between the plan's arrival and the live ETA."""
    late = _forecast(NOON + timedelta(minutes=75), Risk.LATE)
    assert delay_reason(_run(), STOP, late, []) == "the truck runs 75 min behind"


def test_a_breakdown_comes_first_even_without_an_eta() -> None:
    """A broken-down truck has no ETA; the reason says it broke down."""
    assert delay_reason(_run(VehicleStatus.BROKEN_DOWN), STOP, None, []) == ("the truck broke down")


def test_a_road_closure_waiting_for_a_decision_says_both() -> None:
    """An open road-closure exception on the order: the closure, and the decision awaited."""
    late = _forecast(NOON + timedelta(minutes=75), Risk.LATE)
    reason = delay_reason(_run(), STOP, late, [_exception(ExceptionKind.ROAD_CLOSURE)])
    assert reason == (
        "a road closure on the route; a dispatcher is deciding what to do about: "
        "Road closed at Schaan"
    )
