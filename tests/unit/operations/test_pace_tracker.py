from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fleetline.domain.live import StopEvent, StopEventType
from fleetline.domain.model import Location
from fleetline.operations.pace_tracker import driven_legs

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
A, B, C = Location(47.10, 9.50), Location(47.12, 9.51), Location(47.15, 9.52)


def report(order_id: str, kind: StopEventType, minutes: int) -> StopEvent:
    at = T0 + timedelta(minutes=minutes)
    return StopEvent(f"e-{order_id}-{kind}", order_id, "veh", kind, at, at)


def test_a_leg_runs_from_leaving_one_stop_to_reaching_the_next() -> None:
    """Service and waiting are not driving: a leg starts when a stop is completed and ends
    when the next is reached (its arrival, or its completion when no arrival was sent)."""
    reports = [
        report("a", StopEventType.ARRIVED, 0),
        report("a", StopEventType.COMPLETED, 10),
        report("b", StopEventType.ARRIVED, 25),
        report("b", StopEventType.COMPLETED, 40),
        report("c", StopEventType.COMPLETED, 55),
    ]
    legs = driven_legs(reports, {"a": A, "b": B, "c": C})
    assert legs == [(A, B, 15 * 60.0), (B, C, 15 * 60.0)]


def test_a_stop_with_no_next_stop_makes_no_leg() -> None:
    """The last stop reported so far opens no leg yet, and reports out of order are sorted."""
    reports = [report("b", StopEventType.ARRIVED, 30), report("a", StopEventType.COMPLETED, 10)]
    assert driven_legs(reports, {"a": A, "b": B}) == [(A, B, 20 * 60.0)]
    assert driven_legs([report("a", StopEventType.COMPLETED, 10)], {"a": A}) == []
