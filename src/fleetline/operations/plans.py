"""Handlers for plan versions: ask for one, import one made elsewhere, dispatch one."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime

from fleetline.bus import Context
from fleetline.domain import commands, events
from fleetline.domain.errors import Conflict, InvalidField, NotFound
from fleetline.domain.model import (
    FINAL_ORDER_STATES,
    OrderState,
    Plan,
    PlanSource,
    PlanStatus,
    PlanWarning,
    Route,
    Unassigned,
)
from fleetline.operations.ports import UnitOfWork

RouteTimer = Callable[
    [UnitOfWork, date, dict[str, list[str]]], tuple[tuple[Route, ...], tuple[Unassigned, ...]]
]
"""Computes the times of given sequences: (uow, day, vehicle id -> order ids)."""


def request_plan(command: commands.RequestPlan, uow: UnitOfWork, context: Context) -> Plan:
    """Open a new plan version in status ``solving``; the solve starts once it is stored."""
    plan = Plan(
        id=context.ids("pln"),
        date=command.date,
        version=uow.plans.next_version(command.date),
        status=PlanStatus.SOLVING,
        source=PlanSource.OPTIMIZED,
        created_at=context.clock.now(),
        time_limit_s=command.time_limit_s,
        parent_id=_live_id(uow, command.date),
    )
    uow.plans.add(plan)
    uow.record(
        events.PlanRequested(
            occurred_at=plan.created_at, plan_id=plan.id, date=plan.date, version=plan.version
        )
    )
    return plan


def make_import_plan(
    timer: RouteTimer,
) -> Callable[[commands.ImportPlan, UnitOfWork, Context], Plan]:
    """Return the handler that takes a plan made elsewhere as it is.

    Parameters
    ----------
    timer
        Computes arrivals, loads and distances of the given sequences on the road network.
    """

    def import_plan(command: commands.ImportPlan, uow: UnitOfWork, context: Context) -> Plan:
        sequences = _checked_sequences(command, uow)
        routes, unassigned = timer(uow, command.date, sequences)
        now = context.clock.now()
        plan = Plan(
            id=context.ids("pln"),
            date=command.date,
            version=uow.plans.next_version(command.date),
            status=PlanStatus.READY,
            source=PlanSource.IMPORTED,
            created_at=now,
            routes=routes,
            unassigned=unassigned,
            parent_id=_live_id(uow, command.date),
        )
        uow.plans.add(plan)
        uow.record(_ready_event(plan, now))
        return plan

    return import_plan


def _checked_sequences(command: commands.ImportPlan, uow: UnitOfWork) -> dict[str, list[str]]:
    sequences: dict[str, list[str]] = {}
    placed: dict[str, str] = {}
    for r, route in enumerate(command.routes):
        if uow.vehicles.get(route.vehicle_id) is None:
            raise NotFound("vehicle", route.vehicle_id, field=f"routes[{r}].vehicle_id")
        if route.vehicle_id in sequences:
            raise InvalidField(f"routes[{r}].vehicle_id", "vehicle has two routes in this plan")
        orders = {o.id: o for o in uow.orders.get_many(route.order_ids)}
        for s, order_id in enumerate(route.order_ids):
            where = f"routes[{r}].stops[{s}].order_id"
            order = orders.get(order_id)
            if order is None:
                raise NotFound("order", order_id, field=where)
            if order.date != command.date:
                raise InvalidField(where, f"order is for {order.date}, not {command.date}")
            if order_id in placed:
                raise InvalidField(where, f"order is already on vehicle {placed[order_id]}")
            placed[order_id] = route.vehicle_id
        sequences[route.vehicle_id] = list(route.order_ids)
    return sequences


def complete_plan(
    uow: UnitOfWork,
    context: Context,
    plan_id: str,
    routes: tuple[Route, ...],
    unassigned: tuple[Unassigned, ...],
    warnings: tuple[PlanWarning, ...] = (),
) -> Plan | None:
    """Store a finished solve on its plan version (called by the planning worker).

    Returns ``None`` when the plan is no longer waiting for a solve.
    """
    plan = uow.plans.get(plan_id)
    if plan is None or plan.status is not PlanStatus.SOLVING:
        return None
    ready = dataclasses.replace(
        plan, status=PlanStatus.READY, routes=routes, unassigned=unassigned, warnings=warnings
    )
    uow.plans.update(ready)
    uow.record(_ready_event(ready, context.clock.now()))
    return ready


def fail_plan(uow: UnitOfWork, context: Context, plan_id: str, error: str) -> Plan | None:
    """Mark a solve as failed; the day's live plan stays in force."""
    plan = uow.plans.get(plan_id)
    if plan is None or plan.status is not PlanStatus.SOLVING:
        return None
    failed = dataclasses.replace(plan, status=PlanStatus.FAILED, error=error)
    uow.plans.update(failed)
    uow.record(
        events.PlanFailed(
            occurred_at=context.clock.now(), plan_id=plan.id, date=plan.date, error=error
        )
    )
    return failed


def dispatch_plan(command: commands.DispatchPlan, uow: UnitOfWork, context: Context) -> Plan:
    """Make a ready plan the live plan of its day and send each driver their route."""
    plan = uow.plans.get(command.plan_id)
    if plan is None:
        raise NotFound("plan", command.plan_id)
    if plan.status is not PlanStatus.READY:
        raise Conflict(
            f"plan {plan.id} is {plan.status.value}; only a ready plan can be dispatched"
        )
    previous = uow.plans.live_for(plan.date)
    if previous is not None and previous.id == plan.id:
        return plan
    now = context.clock.now()
    dispatched = dataclasses.replace(plan, dispatched_at=now)
    uow.plans.update(dispatched)
    uow.plans.set_live(plan.date, plan.id)
    _mark_orders_dispatched(uow, plan)
    uow.record(
        events.PlanDispatched(
            occurred_at=now,
            plan_id=plan.id,
            date=plan.date,
            version=plan.version,
            previous_plan_id=previous.id if previous else None,
        )
    )
    for route in plan.routes:
        driver = uow.drivers.by_vehicle(route.vehicle_id)
        uow.record(
            events.RouteSent(
                occurred_at=now,
                plan_id=plan.id,
                vehicle_id=route.vehicle_id,
                driver_id=driver.id if driver else None,
                stops=len(route.stops),
            )
        )
    return dispatched


def _mark_orders_dispatched(uow: UnitOfWork, plan: Plan) -> None:
    for order in uow.orders.get_many(list(plan.order_ids())):
        if order.state not in FINAL_ORDER_STATES and order.state is not OrderState.DISPATCHED:
            uow.orders.update(dataclasses.replace(order, state=OrderState.DISPATCHED))


def _live_id(uow: UnitOfWork, day: date) -> str | None:
    live = uow.plans.live_for(day)
    return live.id if live else None


def _ready_event(plan: Plan, now: datetime) -> events.PlanReady:
    return events.PlanReady(
        occurred_at=now,
        plan_id=plan.id,
        date=plan.date,
        version=plan.version,
        routes=len(plan.routes),
        unassigned=len(plan.unassigned),
        distance_m=plan.distance_m,
    )
