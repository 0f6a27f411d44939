"""The day's figures, computed from what was stored: stop reports, plans, exceptions.

On time means the truck arrived (the ``arrived`` report; the ``completed`` report when the
driver sent no arrival) no later than the end of the window the client was promised: the
window the first dispatched plan of the day served the order in.

Exception response times are in :mod:`fleetline.operations.exception_figures`, plan
adherence (served against the morning plan) in :mod:`fleetline.operations.plan_adherence`.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime

from fleetline.domain.live import StopEvent, StopEventType
from fleetline.domain.messages import NoticeKind, NoticeStatus, Notification
from fleetline.domain.model import Order, OrderState, Plan, TimeWindow
from fleetline.operations.eta_accuracy import eta_accuracy
from fleetline.operations.exception_figures import exception_figures, first_options_ready
from fleetline.operations.overtime_actual import actual_overtime_s, day_ends
from fleetline.operations.plan_adherence import PlanAdherence, plan_adherence
from fleetline.operations.planning_service import orders_of_day
from fleetline.operations.ports import UnitOfWork
from fleetline.operations.snapshot import promised_window

ETA_HORIZONS_MIN = (60, 30, 15)


@dataclass(frozen=True, slots=True)
class DayKpis:
    """What a day achieved, comparable across days.

    ``options_ready_s_*`` run from the event to the first ranked options,
    ``exception_response_s_*`` from the event to the decision; ``eta_bias_s`` is the
    mean signed ETA error per horizon (negative: trucks came later than the ETA said);
    ``adherence`` compares the served day with its morning plan.

    ``overtime_planned_s`` is the live plan's overtime; ``overtime_actual_s`` what the
    trucks worked past their shifts' end by their reports and positions
    (:mod:`fleetline.operations.overtime_actual`), ``None`` before any truck reported a
    stop; ``overtime_s`` is the actual figure once there is one, the planned one before.
    """

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
    inquiries_per_100_orders: float | None
    messages_by_kind: Mapping[str, int]
    messages_by_channel: Mapping[str, int]
    late_orders_warned_share: float | None
    message_latency_s_median: float | None
    distance_m: int
    overtime_s: int
    plan_versions: int
    eta_mae_s: Mapping[int, float | None]
    eta_samples: Mapping[int, int]
    options_ready_s_median: float | None = None
    options_ready_s_p90: float | None = None
    exceptions_resolved: int = 0
    exceptions_dismissed: int = 0
    eta_bias_s: Mapping[int, float | None] | None = None
    adherence: PlanAdherence | None = None
    overtime_planned_s: int = 0
    overtime_actual_s: int | None = None


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


@dataclass(frozen=True, slots=True)
class CommunicationFigures:
    """How well clients were told: inquiries, messages sent, warnings before lateness."""

    inquiries: int
    notifications_sent: int
    inquiries_per_100_orders: float | None
    messages_by_kind: Mapping[str, int]
    messages_by_channel: Mapping[str, int]
    late_orders_warned_share: float | None
    message_latency_s_median: float | None


LEFT = frozenset({NoticeStatus.SENT, NoticeStatus.RECORDED})
"""Messages that left the outbox (``recorded``: kept where no channel is configured)."""


def _warned_in_time(messages: list[Notification], window_end: datetime) -> bool:
    return any(
        n.kind is NoticeKind.DELAY
        and n.status is not NoticeStatus.CANCELLED
        and n.created_at < window_end
        for n in messages
    )


def communication_figures(
    uow: UnitOfWork,
    orders: list[Order],
    promised: Mapping[str, TimeWindow],
    arrivals: Mapping[str, datetime],
) -> CommunicationFigures:
    """The day's client communication, from the stored messages and inquiries.

    Parameters
    ----------
    uow
        An open unit of work.
    orders
        The day's orders.
    promised
        Each order's promised window (the first dispatched plan's).
    arrivals
        Each served order's arrival.

    Returns
    -------
    CommunicationFigures
        ``late_orders_warned_share`` is, of the orders completed after their promised
        window ended, the share whose client had a delay message queued before that
        window ended; ``message_latency_s_median`` runs from each message's cause to its
        leaving the outbox.
    """
    order_ids = [order.id for order in orders]
    messages = uow.notifications.for_orders(order_ids)
    left = [n for n in messages if n.status in LEFT]
    by_order: dict[str, list[Notification]] = {}
    for message in messages:
        by_order.setdefault(message.order_id, []).append(message)
    inquiries = sum(uow.search.inquiries_per_order(order_ids).values())
    late = [
        order.id
        for order in orders
        if order.state is OrderState.COMPLETED
        and order.id in arrivals
        and order.id in promised
        and arrivals[order.id] > promised[order.id].end
    ]
    warned = [_warned_in_time(by_order.get(o, []), promised[o].end) for o in late]
    latencies = [(n.sent_at - n.cause_at).total_seconds() for n in left if n.sent_at]
    return CommunicationFigures(
        inquiries=inquiries,
        notifications_sent=len(left),
        inquiries_per_100_orders=round(100 * inquiries / len(orders), 2) if orders else None,
        messages_by_kind=dict(Counter(n.kind.value for n in left)),
        messages_by_channel=dict(Counter(n.channel.value for n in left)),
        late_orders_warned_share=round(sum(warned) / len(warned), 4) if warned else None,
        message_latency_s_median=statistics.median(latencies) if latencies else None,
    )


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
    answered = exception_figures(exceptions, first_options_ready(uow, exceptions))
    live = uow.plans.live_for(day)
    planned_overtime = sum(route.overtime_s for route in live.routes) if live else 0
    actual_overtime = actual_overtime_s(day_ends(uow, day, reports))
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
        exception_response_s_median=answered.response_s_median,
        exception_response_s_p90=answered.response_s_p90,
        exceptions=answered.exceptions,
        **asdict(communication_figures(uow, orders, promised, arrivals)),
        distance_m=live.distance_m if live else 0,
        overtime_s=planned_overtime if actual_overtime is None else actual_overtime,
        plan_versions=len(plans),
        eta_mae_s={h: figure.mae_s for h, figure in accuracy.items()},
        eta_samples={h: figure.count for h, figure in accuracy.items()},
        options_ready_s_median=answered.options_ready_s_median,
        options_ready_s_p90=answered.options_ready_s_p90,
        exceptions_resolved=answered.resolved,
        exceptions_dismissed=answered.dismissed,
        eta_bias_s={h: figure.bias_s for h, figure in accuracy.items()},
        adherence=plan_adherence(first, reports, arrivals),
        overtime_planned_s=planned_overtime,
        overtime_actual_s=actual_overtime,
    )
