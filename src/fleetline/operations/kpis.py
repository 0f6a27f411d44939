"""The day's figures, computed from what was stored: stop reports, plans, exceptions.

On time means the truck arrived (the ``arrived`` report; the ``completed`` report when the
driver sent no arrival) no later than the end of the window the client was promised: the
window the first dispatched plan of the day served the order in.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from fleetline.domain.live import ExceptionStatus, StopEvent, StopEventType
from fleetline.domain.model import OrderState, Plan, TimeWindow
from fleetline.operations.eta_accuracy import eta_accuracy
from fleetline.operations.planning_service import orders_of_day
from fleetline.operations.ports import UnitOfWork
from fleetline.operations.snapshot import promised_window

ETA_HORIZONS_MIN = (60, 30, 15)


@dataclass(frozen=True, slots=True)
class DayKpis:
    """What a day achieved, comparable across days."""

    date: date
    orders: int
    orders_completed: int
    orders_failed: int
    on_time_rate: float | None
    late_orders: int
    exception_response_s_median: float | None
    exception_response_s_p90: float | None
    exceptions: int
    inquiries: int
    notifications_sent: int
    distance_m: int
    overtime_s: int
    plan_versions: int
    eta_mae_s: Mapping[int, float | None]
    eta_samples: Mapping[int, int]


def first_dispatched(plans: list[Plan]) -> Plan | None:
    """The first plan version of the day that was dispatched (what clients were told)."""
    dispatched = [p for p in plans if p.dispatched_at is not None]
    return min(dispatched, key=lambda p: p.dispatched_at or p.created_at) if dispatched else None


def actual_arrivals(reports: list[StopEvent]) -> dict[str, datetime]:
    """Each order's arrival: its ``arrived`` report, else its ``completed`` report."""
    arrived: dict[str, datetime] = {}
    completed: dict[str, datetime] = {}
    for report in reports:
        if report.type is StopEventType.ARRIVED:
            arrived[report.order_id] = min(report.at, arrived.get(report.order_id, report.at))
        elif report.type is StopEventType.COMPLETED:
            completed[report.order_id] = min(report.at, completed.get(report.order_id, report.at))
    return {**completed, **arrived}


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def day_kpis(uow: UnitOfWork, day: date) -> DayKpis:
    """Compute the figures of ``day`` from the store."""
    orders = orders_of_day(uow, day)
    states = [order.state for order in orders]
    plans = uow.plans.list_by_date(day)
    promised: dict[str, TimeWindow] = {}
    first = first_dispatched(plans)
    for route in first.routes if first else ():
        for stop in route.stops:
            promised[stop.order_id] = promised_window(stop)
    reports = uow.stop_events.for_day(day)
    arrivals = actual_arrivals(reports)
    completed_ids = {o.id for o in orders if o.state is OrderState.COMPLETED}
    judged = [
        arrivals[order_id] <= promised[order_id].end
        for order_id in completed_ids
        if order_id in arrivals and order_id in promised
    ]
    exceptions = uow.exceptions.list(day=day)
    responses = [
        (e.resolved_at - e.opened_at).total_seconds()
        for e in exceptions
        if e.status is ExceptionStatus.RESOLVED and e.resolved_at is not None
    ]
    live = uow.plans.live_for(day)
    accuracy = eta_accuracy(
        uow.eta_predictions.for_orders([o.id for o in orders]), arrivals, ETA_HORIZONS_MIN
    )
    return DayKpis(
        date=day,
        orders=len(orders),
        orders_completed=states.count(OrderState.COMPLETED),
        orders_failed=states.count(OrderState.FAILED),
        on_time_rate=round(sum(judged) / len(judged), 4) if judged else None,
        late_orders=judged.count(False),
        exception_response_s_median=statistics.median(responses) if responses else None,
        exception_response_s_p90=_percentile(responses, 0.9),
        exceptions=len(exceptions),
        inquiries=0,
        notifications_sent=0,
        distance_m=live.distance_m if live else 0,
        overtime_s=sum(route.overtime_s for route in live.routes) if live else 0,
        plan_versions=len(plans),
        eta_mae_s={h: figure.mae_s for h, figure in accuracy.items()},
        eta_samples={h: figure.count for h, figure in accuracy.items()},
    )
