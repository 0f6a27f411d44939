"""Build the snapshot of where a day stands from the store, in one unit of work."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime

from fleetline.domain.live import Position, VehicleStatus
from fleetline.domain.model import Order, OrderState, PlannedStop, TimeWindow
from fleetline.domain.snapshot import DaySnapshot, RemainingStop, VehicleRun
from fleetline.operations.company import company_zone
from fleetline.operations.day_reads import DayReads
from fleetline.operations.planning_service import orders_of_day
from fleetline.operations.ports import UnitOfWork

REMAINING_STATES = frozenset({OrderState.DISPATCHED, OrderState.EN_ROUTE, OrderState.ARRIVED})
UNPLANNED_STATES = frozenset({OrderState.OPEN, OrderState.PLANNED})
DEFAULT_PRIORITY = 3


def promised_window(stop: PlannedStop, windows: tuple[TimeWindow, ...] | None = None) -> TimeWindow:
    """The window the plan serves a stop in: the one holding its planned service start.

    ``windows`` are the order's windows now: after a client's change that the plan kept
    as it was, the promise is among the new windows, not the ones the plan was made with.
    """
    candidates = windows or stop.time_windows
    for window in candidates:
        if window.start <= stop.service_start <= window.end:
            return window
    return TimeWindow(candidates[0].start, candidates[-1].end)


def remaining_stop(order: Order, priority: int, stop: PlannedStop | None = None) -> RemainingStop:
    """An order as a stop to serve (``stop``: where the live plan has it, if it does)."""
    return RemainingStop(
        order_id=order.id,
        client_id=order.client_id,
        location=order.location,
        time_windows=order.time_windows,
        service_s=order.service_s,
        demand=order.demand,
        required_skills=order.required_skills,
        priority=priority,
        state=order.state,
        planned_eta=stop.eta if stop else None,
        promised_window=promised_window(stop, order.time_windows) if stop else None,
    )


def stop_of(uow: UnitOfWork, order_id: str) -> RemainingStop | None:
    """An order as a stop to place (e.g. a failed delivery to try again), or ``None``."""
    order = uow.orders.get(order_id)
    if order is None:
        return None
    client = uow.clients.get(order.client_id)
    return remaining_stop(order, client.priority if client else DEFAULT_PRIORITY)


def _today(position: Position | None, day: date) -> Position | None:
    if position is None:
        return None
    return position if position.recorded_at.date() >= day else None


def build_snapshot(
    uow: UnitOfWork,
    day: date,
    now: datetime,
    pace: Mapping[str, float] | None = None,
    reads: DayReads | None = None,
) -> DaySnapshot:
    """Read the day's live plan, stops, vehicles, positions and traffic into a snapshot.

    Parameters
    ----------
    uow
        An open unit of work.
    day
        The delivery day.
    now
        The current time (from the clock).
    pace
        Each driver's learned pace by vehicle id (1.0 when unknown).
    reads
        The day's orders and live plan as last read, to re-read only what changed (a
        reader that builds snapshots again and again keeps one); ``None`` reads them all.
    """
    if reads is None:
        plan = uow.plans.live_for(day)
        orders = {order.id: order for order in orders_of_day(uow, day)}
    else:
        plan = reads.live_plan(uow, day)
        orders = reads.orders(uow, day)
    priorities = uow.clients.priorities({o.client_id for o in orders.values()})
    make = remaining_stop if reads is None else reads.stops(day, remaining_stop)
    depots = {depot.id: depot for depot in uow.depots.list()}
    now = now.astimezone(company_zone(uow))  # travel times read the company's hour of day
    states = {state.vehicle_id: state for state in uow.vehicle_states.list()}
    positions = {position.vehicle_id: position for position in uow.positions.last_all()}
    drivers = {d.vehicle_id: d for d in uow.drivers.list() if d.vehicle_id}
    routes = {route.vehicle_id: route for route in plan.routes} if plan else {}
    planned: dict[str, PlannedStop] = {}
    for route in routes.values():
        for stop in route.stops:
            planned[stop.order_id] = stop
    runs = []
    for vehicle in uow.vehicles.list(active_only=True):
        depot = depots[vehicle.depot_id]
        shift = vehicle.shift_on(day, depot.zone)
        by_state: dict[str, list[str]] = defaultdict(list)
        remaining = []
        own_route = routes.get(vehicle.id)
        for stop in own_route.latest_stops() if own_route else ():
            order = orders.get(stop.order_id)
            if order is None:
                continue
            by_state[order.state.value].append(order.id)
            if order.state in REMAINING_STATES:
                priority = priorities.get(order.client_id, DEFAULT_PRIORITY)
                remaining.append(make(order, priority, stop))
        on_board: dict[str, int] = defaultdict(int)
        for stop_left in remaining:
            for dimension, amount in stop_left.demand.items():
                on_board[dimension] += amount
        position = _today(positions.get(vehicle.id), day)
        state = states.get(vehicle.id)
        driver = drivers.get(vehicle.id)
        runs.append(
            VehicleRun(
                vehicle=vehicle,
                depot=depot,
                status=state.status if state else VehicleStatus.ON_DUTY,
                position=position.location if position else depot.location,
                position_at=position.recorded_at if position else None,
                shift_start=shift.start,
                shift_end=shift.end,
                remaining=tuple(remaining),
                completed=tuple(by_state[OrderState.COMPLETED.value]),
                failed=tuple(by_state[OrderState.FAILED.value]),
                on_board=dict(on_board),
                pace=(pace or {}).get(vehicle.id, 1.0),
                driver_id=driver.id if driver else None,
                driver_name=driver.name if driver else None,
            )
        )
    unplanned = tuple(  # by reference: the same order in every list and every solve
        make(order, priorities.get(order.client_id, DEFAULT_PRIORITY), None)
        for order in sorted(orders.values(), key=lambda o: (o.reference or "", o.id))
        if order.state in UNPLANNED_STATES and order.id not in planned
    )
    return DaySnapshot(
        date=day,
        now=now,
        plan_id=plan.id if plan else None,
        plan_version=plan.version if plan else None,
        vehicles=tuple(runs),
        unplanned=unplanned,
        incidents=tuple(uow.traffic.active(now)),
    )
