"""Small constructed days for the figures' tests: plans, stop reports, exceptions.

Times are UTC on ``DAY``; a planned stop ``i`` (from 1) of a route arrives at
``08:00 + 30 min * i`` and is promised ``eta - 30 min`` to ``eta + 30 min``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from fleetline.domain.live import (
    ExceptionKind,
    ExceptionStatus,
    OperationalException,
    StopEvent,
    StopEventType,
)
from fleetline.domain.model import (
    Plan,
    PlannedStop,
    PlanSource,
    PlanStatus,
    Route,
    TimeWindow,
)

DAY = date(2026, 11, 26)


def at(clock: str, day: date = DAY) -> datetime:
    """``"08:40"`` (or ``"08:40:30"``) on ``day``, in UTC."""
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=UTC)


def planned_eta(position: int, day: date = DAY) -> datetime:
    """The planned arrival of a route's ``position``-th stop (from 1)."""
    return at("08:00", day) + timedelta(minutes=30 * position)


def plan(
    routes: dict[str, list[str]],
    *,
    plan_id: str = "pln_1",
    version: int = 1,
    dispatched_at: datetime | None = None,
    day: date = DAY,
    source: PlanSource = PlanSource.OPTIMIZED,
) -> Plan:
    """A ready plan serving ``routes`` (vehicle id to order ids in planned order)."""
    built = []
    for vehicle_id, order_ids in routes.items():
        stops = []
        for position, order_id in enumerate(order_ids, start=1):
            eta = planned_eta(position, day)
            stops.append(
                PlannedStop(
                    stop_id=f"stp_{order_id}",
                    order_id=order_id,
                    sequence=position,
                    eta=eta,
                    service_start=eta,
                    departure=eta + timedelta(minutes=5),
                    time_windows=(
                        TimeWindow(eta - timedelta(minutes=30), eta + timedelta(minutes=30)),
                    ),
                )
            )
        built.append(
            Route(
                vehicle_id=vehicle_id,
                stops=tuple(stops),
                start_at=at("07:30", day),
                end_at=at("17:00", day),
                distance_m=10_000 * len(stops),
                duration_s=3600,
                load={},
                overtime_s=0,
            )
        )
    return Plan(
        id=plan_id,
        date=day,
        version=version,
        status=PlanStatus.READY,
        source=source,
        created_at=at("06:00", day),
        routes=tuple(built),
        dispatched_at=dispatched_at,
    )


def report(order_id: str, vehicle_id: str, kind: str, clock: str, day: date = DAY) -> StopEvent:
    """A stop report (``arrived``, ``completed``, ``failed``) at ``clock``."""
    moment = at(clock, day)
    return StopEvent(
        id=f"se_{order_id}_{kind}_{clock}",
        order_id=order_id,
        vehicle_id=vehicle_id,
        type=StopEventType(kind),
        at=moment,
        recorded_at=moment,
    )


def exception(
    exception_id: str,
    opened: str,
    *,
    ready: str | None = None,
    resolved: str | None = None,
    dismissed: bool = False,
    day: date = DAY,
) -> OperationalException:
    """An exception opened at ``opened``, with options at ``ready``, decided at ``resolved``."""
    status = ExceptionStatus.OPEN
    if resolved is not None:
        status = ExceptionStatus.DISMISSED if dismissed else ExceptionStatus.RESOLVED
    return OperationalException(
        id=exception_id,
        kind=ExceptionKind.BREAKDOWN,
        status=status,
        opened_at=at(opened, day),
        date=day,
        summary="Truck broke down",
        vehicle_id="v1",
        options_ready_at=at(ready, day) if ready else None,
        resolved_at=at(resolved, day) if resolved else None,
    )
