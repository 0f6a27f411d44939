"""The live day through the bus: dispatch, stop reports, truck status, traffic, policies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from fleetline.domain import commands, events
from fleetline.domain.errors import Conflict, InvalidField, NotFound
from fleetline.domain.live import (
    Area,
    FailureReason,
    IllegalTransition,
    IncidentKind,
    ReplanMode,
    ReplanTrigger,
    StopEventType,
    VehicleEventType,
    VehicleState,
    VehicleStatus,
)
from fleetline.domain.model import Order, OrderState, Plan
from fleetline.operations.replan_policy import DEFAULT_POLICIES, ReplanPolicy, policy_of
from fleetline.operations.traffic_incidents import incidents_of_day

from .memory_fleet import DAY, HERE, NOW, Fleet, draft


@dataclass
class Day:
    """A dispatched day: truck 1 (with its driver) serves o1, o2; truck 2 serves o3."""

    fleet: Fleet
    plan: Plan
    truck_1: str
    truck_2: str
    driver_1: str
    orders: list[Order]


@pytest.fixture
def day() -> Day:
    fleet = Fleet()
    depot = fleet.depot()
    truck_1, truck_2 = fleet.vehicle(depot.id, "Truck 01"), fleet.vehicle(depot.id, "Truck 02")
    driver = fleet.driver("Anna Muster", truck_1.id)
    client = fleet.client()
    orders = fleet.orders(draft(client.id, "A-1"), draft(client.id, "A-2"), draft(client.id))
    plan = fleet.dispatch({truck_1.id: [orders[0].id, orders[1].id], truck_2.id: [orders[2].id]})
    return Day(fleet, plan, truck_1.id, truck_2.id, driver.id, orders)


def _stop(
    order: Order, kind: StopEventType, minutes_ago: int = 10, **more: Any
) -> commands.ReportStopEvent:
    """A report of ``kind`` at ``order``'s stop, ``minutes_ago`` minutes before now."""
    at = NOW - timedelta(minutes=minutes_ago)
    return commands.ReportStopEvent(order_id=order.id, type=kind, at=at, **more)


def test_dispatch_sends_each_truck_its_route_and_marks_the_orders_dispatched(day: Day) -> None:
    """Each driver gets a route (named to them when they have one); the orders show as
    dispatched; dispatching the live plan again sends nothing twice."""
    fleet = day.fleet
    sent = fleet.store.events(events.RouteSent)
    assert sent == [
        events.RouteSent(
            occurred_at=NOW,
            plan_id=day.plan.id,
            vehicle_id=day.truck_1,
            driver_id=day.driver_1,
            stops=2,
        ),
        events.RouteSent(
            occurred_at=NOW, plan_id=day.plan.id, vehicle_id=day.truck_2, driver_id=None, stops=1
        ),
    ]
    with fleet.read() as uow:
        assert {o.state for o in uow.orders.list_by_date(DAY)} == {OrderState.DISPATCHED}
        assert uow.plans.live_for(DAY) == day.plan
    again, logged = fleet.run(commands.DispatchPlan(plan_id=day.plan.id))
    assert again.id == day.plan.id
    assert logged == []


def test_a_stop_report_sent_twice_is_stored_and_logged_once(day: Day) -> None:
    """A driver's app retrying over a bad connection completes the stop once: the repeat
    is answered as a duplicate and changes nothing."""
    fleet, order = day.fleet, day.orders[0]
    first, logged = fleet.run(_stop(order, StopEventType.COMPLETED))
    assert (first.applied, first.duplicate, first.order.state) == (
        True,
        False,
        OrderState.COMPLETED,
    )
    assert logged == [
        events.StopReported(
            occurred_at=NOW,
            order_id=order.id,
            vehicle_id=day.truck_1,
            type="completed",
            at=NOW - timedelta(minutes=10),
            reason=None,
        )
    ]
    repeat, logged = fleet.run(_stop(order, StopEventType.COMPLETED))
    assert (repeat.applied, repeat.duplicate) == (False, True)
    assert logged == []
    with fleet.read() as uow:
        assert len(uow.stop_events.for_order(order.id)) == 1


def test_an_arrival_reported_after_the_completion_is_kept_but_does_not_move_the_stop_back(
    day: Day,
) -> None:
    """The history shows both reports in the order they happened; the stop stays
    completed and no second state change is logged."""
    fleet, order = day.fleet, day.orders[0]
    fleet.run(_stop(order, StopEventType.COMPLETED, minutes_ago=5))
    late, logged = fleet.run(_stop(order, StopEventType.ARRIVED, minutes_ago=15))
    assert (late.applied, late.order.state) == (False, OrderState.COMPLETED)
    assert logged == []
    with fleet.read() as uow:
        assert [e.type for e in uow.stop_events.for_order(order.id)] == [
            StopEventType.ARRIVED,
            StopEventType.COMPLETED,
        ]
        assert uow.orders.get(order.id).state is OrderState.COMPLETED  # type: ignore[union-attr]


def test_a_report_for_a_stop_on_another_truck_is_refused_on_vehicle_id(day: Day) -> None:
    """Truck 2 cannot complete truck 1's stop; nothing is stored."""
    refused = day.fleet.refused(
        _stop(day.orders[0], StopEventType.COMPLETED, vehicle_id=day.truck_2), Conflict
    )
    assert refused.field == "vehicle_id"


def test_a_failure_needs_a_reason_and_only_a_failure_has_one(day: Day) -> None:
    """The dispatcher always learns why a delivery failed; the error names ``reason``."""
    fleet, order = day.fleet, day.orders[0]
    assert fleet.refused(_stop(order, StopEventType.FAILED), InvalidField).field == "reason"
    done_with_reason = _stop(order, StopEventType.COMPLETED, reason=FailureReason.REFUSED)
    assert fleet.refused(done_with_reason, InvalidField).field == "reason"
    failed, logged = fleet.run(_stop(order, StopEventType.FAILED, reason=FailureReason.REFUSED))
    assert failed.order.state is OrderState.FAILED
    assert [getattr(e, "reason", None) for e in logged] == ["refused"]


def test_a_report_from_the_future_is_refused_beyond_the_clock_drift(day: Day) -> None:
    """A device clock two minutes ahead is tolerated; three minutes is refused on ``at``."""
    fleet, order = day.fleet, day.orders[0]
    ahead = _stop(order, StopEventType.ARRIVED, minutes_ago=-3)
    assert fleet.refused(ahead, InvalidField).field == "at"
    arrived = fleet.bus.handle(_stop(order, StopEventType.ARRIVED, minutes_ago=-1))
    assert arrived.applied


def test_a_stop_outside_the_live_plan_or_unknown_is_refused(day: Day) -> None:
    """An order received after dispatch is on no truck yet: reports for it are refused."""
    fleet = day.fleet
    with fleet.read() as uow:
        (client,) = uow.clients.list()
    (new,) = fleet.orders(draft(client.id, "A-9"))
    refused = fleet.refused(_stop(new, StopEventType.ARRIVED), Conflict)
    assert "not in the live plan" in str(refused)
    ghost = commands.ReportStopEvent(order_id="ord_missing", type=StopEventType.ARRIVED, at=NOW)
    fleet.refused(ghost, NotFound)


def test_a_breakdown_sets_the_truck_s_status_and_is_logged_once(day: Day) -> None:
    """The dispatcher sees the truck broken down since the reported time, with the
    driver's note; a repeated report changes nothing; a broken-down truck cannot be
    reported delayed (``type``)."""
    fleet = day.fleet
    at = NOW - timedelta(minutes=3)
    report = commands.ReportVehicleEvent(
        vehicle_id=day.truck_1, type=VehicleEventType.BREAKDOWN, at=at, note="flat tyre"
    )
    state, logged = fleet.run(report)
    assert state == VehicleState(day.truck_1, VehicleStatus.BROKEN_DOWN, at, "flat tyre")
    assert logged == [
        events.VehicleStatusChanged(
            occurred_at=NOW,
            vehicle_id=day.truck_1,
            status="broken_down",
            previous="on_duty",
            note="flat tyre",
        )
    ]
    _, logged = fleet.run(report)
    assert logged == []
    delayed = commands.ReportVehicleEvent(
        vehicle_id=day.truck_1, type=VehicleEventType.DELAYED, at=NOW
    )
    assert fleet.refused(delayed, IllegalTransition).field == "type"
    with fleet.read() as uow:
        assert uow.vehicle_states.list() == [state]


def test_a_breakdown_sent_again_after_the_truck_resumed_leaves_it_on_the_road(day: Day) -> None:
    """Broken down at 07:30, back on the road at 07:50, then the 07:30 breakdown arrives
    again (an app back online resends it): the truck stays on duty, and nothing is logged
    that would open the breakdown's exception a second time."""
    fleet = day.fleet
    broke, resumed = NOW - timedelta(minutes=30), NOW - timedelta(minutes=10)
    breakdown = commands.ReportVehicleEvent(
        vehicle_id=day.truck_1, type=VehicleEventType.BREAKDOWN, at=broke
    )
    fleet.run(breakdown)
    back, _ = fleet.run(
        commands.ReportVehicleEvent(
            vehicle_id=day.truck_1, type=VehicleEventType.RESUMED, at=resumed
        )
    )
    state, logged = fleet.run(breakdown)
    assert state == back and state.status is VehicleStatus.ON_DUTY and state.since == resumed
    assert logged == []


def test_back_on_the_road_from_a_phone_a_little_behind_the_server_still_counts(
    day: Day,
) -> None:
    """The dispatcher reports the breakdown at the server's time; the driver taps 'Back
    on the road' a moment later on a phone whose clock runs 30 s behind: the tap wins."""
    fleet = day.fleet
    fleet.run(
        commands.ReportVehicleEvent(vehicle_id=day.truck_1, type=VehicleEventType.BREAKDOWN, at=NOW)
    )
    behind = NOW - timedelta(seconds=30)
    state, logged = fleet.run(
        commands.ReportVehicleEvent(
            vehicle_id=day.truck_1, type=VehicleEventType.RESUMED, at=behind
        )
    )
    assert state.status is VehicleStatus.ON_DUTY and state.since == behind
    assert [e.status for e in logged if isinstance(e, events.VehicleStatusChanged)] == ["on_duty"]


def test_a_status_for_an_unknown_truck_is_not_found(day: Day) -> None:
    """No state is stored for a truck that does not exist."""
    ghost = commands.ReportVehicleEvent(
        vehicle_id="veh_missing", type=VehicleEventType.DELAYED, at=NOW
    )
    day.fleet.refused(ghost, NotFound)


def test_a_closure_reported_and_ended_early_stops_counting_from_then(day: Day) -> None:
    """The closure is in force from its start; ended early, it no longer slows the day's
    ETAs; ending it twice is refused on ``ends_at``."""
    fleet = day.fleet
    incident, logged = fleet.run(
        commands.ReportTrafficIncident(
            kind=IncidentKind.CLOSURE,
            area=Area(center=HERE, radius_m=300),
            starts_at=NOW - timedelta(hours=1),
            ends_at=NOW + timedelta(hours=3),
        )
    )
    assert [type(e) for e in logged] == [events.TrafficIncidentReported]
    with fleet.read() as uow:
        assert incidents_of_day(uow, DAY, NOW, active=True) == [incident]
    fleet.clock.advance(timedelta(minutes=30))
    ended, logged = fleet.run(commands.EndTrafficIncident(incident_id=incident.id, by="Eva"))
    later = fleet.clock.now()
    assert ended.ends_at == later
    assert logged == [
        events.TrafficIncidentEnded(
            occurred_at=later, incident_id=incident.id, ended_at=later, by="Eva"
        )
    ]
    with fleet.read() as uow:
        assert incidents_of_day(uow, DAY, later, active=True) == []
        assert incidents_of_day(uow, DAY, later, active=False) == [ended]
    twice = fleet.refused(commands.EndTrafficIncident(incident_id=incident.id), Conflict)
    assert twice.field == "ends_at"


def test_an_incident_that_has_not_started_cannot_end(day: Day) -> None:
    """It would end before it starts: refused on ``starts_at``."""
    fleet = day.fleet
    planned = fleet.bus.handle(
        commands.ReportTrafficIncident(
            kind=IncidentKind.SLOWDOWN,
            area=Area(center=HERE, radius_m=300),
            starts_at=NOW + timedelta(hours=2),
            factor=1.5,
        )
    )
    refused = fleet.refused(commands.EndTrafficIncident(incident_id=planned.id), Conflict)
    assert refused.field == "starts_at"
    fleet.refused(commands.EndTrafficIncident(incident_id="inc_missing"), NotFound)


def test_a_replan_policy_is_kept_and_late_trucks_keep_their_threshold() -> None:
    """A dispatcher's choice holds until changed; switching ``vehicle_late`` to auto keeps
    the threshold set before; a threshold on another trigger is refused and the policy
    stays the default."""
    fleet = Fleet()
    with fleet.read() as uow:
        assert (
            policy_of(uow, ReplanTrigger.VEHICLE_LATE)
            == DEFAULT_POLICIES[ReplanTrigger.VEHICLE_LATE]
        )
    _, logged = fleet.run(
        commands.SetReplanPolicy(
            trigger=ReplanTrigger.VEHICLE_LATE, mode=ReplanMode.APPROVE, threshold_s=600
        )
    )
    assert logged == [
        events.ReplanPolicyChanged(
            occurred_at=NOW, trigger="vehicle_late", mode="approve", threshold_s=600
        )
    ]
    fleet.run(commands.SetReplanPolicy(trigger=ReplanTrigger.VEHICLE_LATE, mode=ReplanMode.AUTO))
    with fleet.read() as uow:
        assert policy_of(uow, ReplanTrigger.VEHICLE_LATE) == ReplanPolicy(
            ReplanTrigger.VEHICLE_LATE, ReplanMode.AUTO, 600
        )
    refused = fleet.refused(
        commands.SetReplanPolicy(
            trigger=ReplanTrigger.BREAKDOWN, mode=ReplanMode.AUTO, threshold_s=600
        ),
        InvalidField,
    )
    assert refused.field == "threshold_s"
    with fleet.read() as uow:
        assert policy_of(uow, ReplanTrigger.BREAKDOWN).default
