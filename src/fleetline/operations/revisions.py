"""Revising the live plan from where the day stands: a new version, dispatched at once.

A revision gives some vehicles a new sequence of remaining stops and may postpone orders
to the next day. Done stops (completed, failed) keep their place; the new remaining stops
are timed by the same ETA engine the live picture uses, from each truck's position now,
so that the plan and the picture agree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from fleetline.bus import Context
from fleetline.domain import events
from fleetline.domain.errors import Conflict, InvalidField
from fleetline.domain.live import StopForecast
from fleetline.domain.model import (
    Order,
    OrderState,
    Plan,
    PlannedStop,
    PlanSource,
    PlanStatus,
    ReasonCode,
    Route,
    Unassigned,
)
from fleetline.domain.snapshot import DaySnapshot, RemainingStop, VehicleRun
from fleetline.network.base import TravelTimes
from fleetline.operations.ports import UnitOfWork
from fleetline.operations.snapshot import (
    DEFAULT_PRIORITY,
    REMAINING_STATES,
    build_snapshot,
    remaining_stop,
)

Forecaster = Callable[[DaySnapshot, TravelTimes], Mapping[str, StopForecast]]


@dataclass(frozen=True, slots=True)
class Revision:
    """New remaining sequences for some vehicles, and orders postponed to the next day."""

    routes: Mapping[str, Sequence[str]]
    postponed: Sequence[str] = ()
    unserved: Sequence[str] = ()
    """Orders taken off every truck today without a new date (back to the open orders)."""
    trigger: str = "manual"

    @property
    def placed(self) -> set[str]:
        """The orders the revision's sequences place."""
        return {order_id for sequence in self.routes.values() for order_id in sequence}


def _check(snapshot: DaySnapshot, revision: Revision) -> None:
    """Every remaining stop of a changed vehicle goes somewhere; no order goes twice."""
    placed: dict[str, str] = {}
    for vehicle_id, sequence in revision.routes.items():
        if snapshot.run_of(vehicle_id) is None:
            raise InvalidField("routes", f"vehicle {vehicle_id} is not working today")
        for order_id in sequence:
            if order_id in placed or order_id in {*revision.postponed, *revision.unserved}:
                raise InvalidField("routes", f"order {order_id} is placed twice")
            placed[order_id] = vehicle_id
    for run in snapshot.vehicles:
        for stop in run.remaining:
            changed = run.vehicle_id in revision.routes
            kept = {*placed, *revision.postponed, *revision.unserved}
            if changed and stop.order_id not in kept:
                raise InvalidField("routes", f"order {stop.order_id} would be dropped")
            if not changed and stop.order_id in placed:
                raise InvalidField(
                    "routes", f"order {stop.order_id} stays on {run.vehicle_id} as well"
                )


def _revised_runs(
    snapshot: DaySnapshot, revision: Revision, extra: Sequence[RemainingStop] = ()
) -> DaySnapshot:
    """The snapshot as it would be with the revision's sequences.

    ``extra`` are stops to place that are neither remaining nor unplanned (a failed
    delivery tried again).
    """
    _check(snapshot, revision)
    stops = {stop.order_id: stop for run in snapshot.vehicles for stop in run.remaining}
    stops.update({stop.order_id: stop for stop in snapshot.unplanned})
    stops.update({stop.order_id: stop for stop in extra})
    runs: list[VehicleRun] = []
    for run in snapshot.vehicles:
        if run.vehicle_id not in revision.routes:
            runs.append(run)
            continue
        sequence = revision.routes[run.vehicle_id]
        missing = [order_id for order_id in sequence if order_id not in stops]
        if missing:
            raise InvalidField("routes", f"order {missing[0]} is not a remaining stop today")
        remaining = tuple(stops[order_id] for order_id in sequence)
        on_board: dict[str, int] = {}
        for stop in remaining:
            for dimension, amount in stop.demand.items():
                on_board[dimension] = on_board.get(dimension, 0) + amount
        runs.append(dataclasses.replace(run, remaining=remaining, on_board=on_board))
    return dataclasses.replace(snapshot, vehicles=tuple(runs))


def _route_for(
    run: VehicleRun,
    old: Route | None,
    forecasts: Mapping[str, StopForecast],
    orders: Mapping[str, Order],
    travel_times: TravelTimes,
) -> Route:
    ahead = {stop.order_id for stop in run.remaining}
    done = [  # a failed attempt tried again gives its place to the new attempt
        stop
        for stop in (old.stops if old else ())
        if stop.order_id in orders
        and orders[stop.order_id].state not in REMAINING_STATES
        and stop.order_id not in ahead
    ]
    stops: list[PlannedStop] = list(done)
    for stop in run.remaining:
        forecast = forecasts.get(stop.order_id)
        if forecast is None:
            continue
        stops.append(
            PlannedStop(
                stop_id=stop.order_id,
                order_id=stop.order_id,
                sequence=0,
                eta=forecast.eta,
                service_start=forecast.service_start,
                departure=forecast.departure,
                time_windows=stop.time_windows,
                load_after={},
            )
        )
    stops = [dataclasses.replace(stop, sequence=n) for n, stop in enumerate(stops, start=1)]
    points = [run.position, *(s.location for s in run.remaining), run.depot.location]
    matrix = travel_times.matrix(points)
    ahead_m = sum(int(matrix.distances[i, i + 1]) for i in range(len(points) - 1))
    ahead_s = sum(int(matrix.durations[i, i + 1]) for i in range(len(points) - 1))
    last = stops[-1].departure if len(stops) > len(done) else None
    end_at = last + timedelta(seconds=int(matrix.durations[-2, -1])) if last else run.shift_end
    done_m = _done_distance(old, len(done))
    start_at = old.start_at if old else run.shift_start
    return Route(
        vehicle_id=run.vehicle_id,
        stops=tuple(stops),
        start_at=start_at,
        end_at=end_at,
        distance_m=done_m + ahead_m,
        duration_s=max(0, int((end_at - start_at).total_seconds())) if last else ahead_s,
        load=dict(old.load) if old else {},
        overtime_s=max(0, int((end_at - run.shift_end).total_seconds())),
        cost=old.cost if old else 0.0,
    )


def _done_distance(old: Route | None, done: int) -> int:
    """The share of the old route's distance already driven (by stops done)."""
    if old is None or not old.stops:
        return 0
    return round(old.distance_m * done / (len(old.stops) + 1))


def _retried(uow: UnitOfWork, snapshot: DaySnapshot, revision: Revision) -> list[RemainingStop]:
    """Stops the revision places that the snapshot does not list (a failed delivery)."""
    known = {stop.order_id for run in snapshot.vehicles for stop in run.remaining}
    known |= {stop.order_id for stop in snapshot.unplanned}
    wanted = revision.placed - known
    stops = []
    for order in uow.orders.get_many(wanted):
        if order.state is not OrderState.FAILED or order.date != snapshot.date:
            continue
        client = uow.clients.get(order.client_id)
        stop = remaining_stop(order, client.priority if client else DEFAULT_PRIORITY)
        stops.append(dataclasses.replace(stop, state=OrderState.DISPATCHED))
    return stops


def revise(
    uow: UnitOfWork,
    context: Context,
    day: date,
    revision: Revision,
    travel_times: TravelTimes,
    forecaster: Forecaster,
) -> Plan:
    """Make and dispatch a new version of the day's live plan with ``revision`` applied.

    Raises
    ------
    Conflict
        When the day has no live plan.
    InvalidField
        When a sequence names an order that is not a remaining stop of the day.
    """
    live = uow.plans.live_for(day)
    if live is None:
        raise Conflict(f"{day} has no live plan to revise")
    now = context.clock.now()
    current = build_snapshot(uow, day, now)
    snapshot = _revised_runs(current, revision, _retried(uow, current, revision))
    forecasts = forecaster(snapshot, travel_times)
    old_routes = {route.vehicle_id: route for route in live.routes}
    involved = {s.order_id for r in live.routes for s in r.stops}
    involved |= set(revision.postponed) | set(revision.unserved)
    involved |= revision.placed
    orders = {order.id: order for order in uow.orders.get_many(involved)}
    routes: list[Route] = []
    for run in snapshot.vehicles:
        old = old_routes.get(run.vehicle_id)
        if run.vehicle_id in revision.routes:
            routes.append(_route_for(run, old, forecasts, orders, travel_times))
        elif old is not None:
            routes.append(old)
    postponed = set(revision.postponed)
    taken_off = postponed | set(revision.unserved)
    placed = revision.placed
    routes = [  # a failed attempt another truck tries again leaves its truck's route
        r
        if r.vehicle_id in revision.routes
        else dataclasses.replace(r, stops=tuple(s for s in r.stops if s.order_id not in placed))
        for r in routes
    ]
    movable = REMAINING_STATES | {OrderState.OPEN, OrderState.FAILED}
    for order_id in sorted(taken_off):
        order = orders.get(order_id)
        if order is None or order.state not in movable:
            raise InvalidField("postponed", f"order {order_id} cannot be taken off the plan")
        later = day + timedelta(days=1) if order_id in postponed else order.date
        uow.orders.update(dataclasses.replace(order, state=OrderState.OPEN, date=later))
    routes = [
        dataclasses.replace(r, stops=tuple(s for s in r.stops if s.order_id not in taken_off))
        for r in routes
    ]
    unassigned = tuple(u for u in live.unassigned if u.order_id not in involved) + tuple(
        Unassigned(
            order_id, ReasonCode.FLEET_FULL, "left out of the revised plan; needs a decision"
        )
        for order_id in sorted(set(revision.unserved))
    )
    for order_id in placed:
        order = orders[order_id]
        if order.state in (OrderState.OPEN, OrderState.PLANNED, OrderState.FAILED):
            uow.orders.update(dataclasses.replace(order, state=OrderState.DISPATCHED))
    plan = Plan(
        id=context.ids("pln"),
        date=day,
        version=uow.plans.next_version(day),
        status=PlanStatus.READY,
        source=PlanSource.REVISED,
        created_at=now,
        routes=tuple(r for r in routes if r.stops),
        unassigned=unassigned,
        parent_id=live.id,
        dispatched_at=now,
    )
    uow.plans.add(plan)
    uow.plans.set_live(day, plan.id)
    moved = tuple(
        sorted(
            order_id
            for vehicle_id, sequence in revision.routes.items()
            for order_id in sequence
            if (old := old_routes.get(vehicle_id)) is None
            or order_id not in {s.order_id for s in old.stops}
        )
    )
    uow.record(
        events.PlanRevised(
            occurred_at=now,
            plan_id=plan.id,
            date=day,
            version=plan.version,
            previous_plan_id=live.id,
            trigger=revision.trigger,
            changed_vehicles=tuple(sorted(revision.routes)),
            moved_orders=moved,
        )
    )
    for vehicle_id in sorted(revision.routes):
        driver = uow.drivers.by_vehicle(vehicle_id)
        stops = next((len(r.stops) for r in plan.routes if r.vehicle_id == vehicle_id), 0)
        uow.record(
            events.RouteSent(
                occurred_at=now,
                plan_id=plan.id,
                vehicle_id=vehicle_id,
                driver_id=driver.id if driver else None,
                stops=stops,
            )
        )
    return plan
