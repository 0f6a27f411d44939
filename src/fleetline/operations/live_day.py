"""Handlers for what happens on the road: stop reports, vehicle status, traffic.

Replays and reports that arrive out of order are absorbed: a report already stored is
answered as it was, and an earlier-in-life report (``arrived``) that comes after a later
one (``completed``) is kept in the stop's history without moving its state back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from fleetline.bus import Context
from fleetline.domain import commands, events
from fleetline.domain.errors import Conflict, InvalidField, NotFound
from fleetline.domain.live import (
    DEVICE_CLOCK_DRIFT,
    STOP_EVENT_STATE,
    VEHICLE_EVENT_STATUS,
    StopEvent,
    StopEventType,
    TrafficIncident,
    VehicleState,
    VehicleStatus,
    check_transition,
    check_vehicle_transition,
)
from fleetline.domain.model import Order, OrderState
from fleetline.operations.ports import UnitOfWork

_LIFECYCLE = {
    OrderState.DISPATCHED: 0,
    OrderState.EN_ROUTE: 1,
    OrderState.ARRIVED: 2,
    OrderState.COMPLETED: 3,
    OrderState.FAILED: 3,
}


@dataclass(frozen=True, slots=True)
class StopReportOutcome:
    """What a stop report did: ``applied`` is false for a replay or an out-of-order report."""

    order: Order
    vehicle_id: str
    applied: bool
    duplicate: bool


def _not_in_future(at: datetime, context: Context, field: str = "at") -> None:
    if at.tzinfo is None:
        raise InvalidField(field, "time must carry a UTC offset")
    if at > context.clock.now() + DEVICE_CLOCK_DRIFT:
        raise InvalidField(field, "time is in the future")


def stop_vehicle(uow: UnitOfWork, order: Order) -> str | None:
    """Return the vehicle that serves ``order`` in its day's live plan."""
    return uow.plans.live_vehicle_of(order.date, order.id)


def report_stop_event(
    command: commands.ReportStopEvent, uow: UnitOfWork, context: Context
) -> StopReportOutcome:
    """Record a stop report and move the stop's state, or absorb a replay."""
    _not_in_future(command.at, context)
    order = uow.orders.get(command.order_id)
    if order is None:
        raise NotFound("stop", command.order_id)
    vehicle_id = stop_vehicle(uow, order)
    if vehicle_id is None:
        raise Conflict(f"stop {order.id} is not in the live plan of {order.date}")
    if command.vehicle_id is not None and command.vehicle_id != vehicle_id:
        raise Conflict(f"stop {order.id} is on another truck", field="vehicle_id")
    if command.type is StopEventType.FAILED and command.reason is None:
        raise InvalidField("reason", "a failed delivery needs a reason")
    if command.type is not StopEventType.FAILED and command.reason is not None:
        raise InvalidField("reason", "only a failed delivery has a reason")
    report = StopEvent(
        id=context.ids("sev"),
        order_id=order.id,
        vehicle_id=vehicle_id,
        type=command.type,
        at=command.at,
        recorded_at=context.clock.now(),
        reason=command.reason,
        note=command.note,
        proof=command.proof,
    )
    target = STOP_EVENT_STATE[command.type]
    if order.state is target:
        stored = uow.stop_events.add(report)
        return StopReportOutcome(order, vehicle_id, applied=False, duplicate=not stored)
    if _is_late_echo(order.state, target):
        uow.stop_events.add(report)
        return StopReportOutcome(order, vehicle_id, applied=False, duplicate=False)
    check_transition(order.state, target, f"stop {order.id}")
    uow.stop_events.add(report)
    changed = dataclasses.replace(order, state=target)
    uow.orders.update(changed)
    uow.record(
        events.StopReported(
            occurred_at=context.clock.now(),
            order_id=order.id,
            vehicle_id=vehicle_id,
            type=command.type.value,
            at=command.at,
            reason=command.reason.value if command.reason else None,
        )
    )
    return StopReportOutcome(changed, vehicle_id, applied=True, duplicate=False)


def _is_late_echo(current: OrderState, target: OrderState) -> bool:
    """An earlier step of the stop's life reported after a later one (kept, not applied)."""
    if current not in _LIFECYCLE or target not in _LIFECYCLE:
        return False
    return _LIFECYCLE[target] < _LIFECYCLE[current] and target is not OrderState.DISPATCHED


def report_vehicle_event(
    command: commands.ReportVehicleEvent, uow: UnitOfWork, context: Context
) -> VehicleState:
    """Change a vehicle's status.

    A replay of the current status changes nothing; so does a report from before the
    current status by more than devices' clocks may differ (a breakdown of 07:30 sent
    again, without its idempotency key, after the dispatcher reported the truck back on
    the road at 07:50): the truck keeps its newer status and no exception opens again.
    Within that margin the later report wins, so that a driver's tap is never lost to a
    phone's clock running a little behind the server's.
    """
    _not_in_future(command.at, context)
    if uow.vehicles.get(command.vehicle_id) is None:
        raise NotFound("vehicle", command.vehicle_id)
    stored = uow.vehicle_states.get(command.vehicle_id)
    if stored is not None and command.at < stored.since - DEVICE_CLOCK_DRIFT:
        return stored
    current = stored or VehicleState(command.vehicle_id, VehicleStatus.ON_DUTY, command.at)
    target = VEHICLE_EVENT_STATUS[command.type]
    if current.status is target:
        return current
    check_vehicle_transition(current.status, target, command.vehicle_id)
    state = VehicleState(command.vehicle_id, target, command.at, command.note)
    uow.vehicle_states.put(state)
    uow.record(
        events.VehicleStatusChanged(
            occurred_at=context.clock.now(),
            vehicle_id=command.vehicle_id,
            status=target.value,
            previous=current.status.value,
            note=command.note,
        )
    )
    return state


def report_traffic_incident(
    command: commands.ReportTrafficIncident, uow: UnitOfWork, context: Context
) -> TrafficIncident:
    """Store a closure or slowdown; travel times and ETAs follow once it is stored."""
    incident = TrafficIncident(
        id=context.ids("inc"),
        kind=command.kind,
        area=command.area,
        starts_at=command.starts_at,
        ends_at=command.ends_at,
        factor=command.factor,
        source=command.source,
        note=command.note,
    )
    uow.traffic.add(incident)
    uow.record(
        events.TrafficIncidentReported(
            occurred_at=context.clock.now(),
            incident_id=incident.id,
            kind=incident.kind.value,
            starts_at=incident.starts_at,
            ends_at=incident.ends_at,
        )
    )
    return incident
