"""Messages that follow events: a plan dispatched or revised, a stop done, a window changed.

:func:`make_event_rules` returns a transaction rule: it runs inside the transaction of the
command (or automatic re-plan) that caused the news and writes the outbox rows with it,
so a message exists exactly when its cause was stored.

- A plan dispatched or revised: each order on it whose client has not been told its
  window hears it (``promised_window``), and one told another window, or told that its
  delivery failed or was taken off the plan, hears the new one (``rescheduled``). An
  order taken off the plan (postponed to another day, or left for a decision) hears that
  too. What the client was told is read from the outbox, so the rule compares against
  the client's knowledge, not against a plan version the client never saw.
- A stop completed: ``delivered`` (mentioning the proof when one was taken); failed:
  ``failed`` with the reason and the tracking link to choose a new time. Either way the
  still-queued delay, narrowed-window and out-for-delivery messages of the order are
  cancelled: stale news never leaves.
- A new time window accepted for an order: ``rescheduled`` confirms it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from fleetline.bus import Context, TransactionRule
from fleetline.comms.compose import CommsConfig, Notice, Window, cancel_queued, queue_notices
from fleetline.domain import events
from fleetline.domain.live import StopEventType
from fleetline.domain.messages import NoticeKind, NoticeStatus, Notification
from fleetline.domain.model import FINAL_ORDER_STATES, Order, Plan
from fleetline.operations.ports import UnitOfWork
from fleetline.operations.snapshot import promised_window

TOLD_WINDOW_KINDS = frozenset(
    {NoticeKind.PROMISED_WINDOW, NoticeKind.RESCHEDULED, NoticeKind.FAILED}
)
"""Messages that set what a client believes about the order's window."""
STALE_WHEN_DONE = frozenset(
    {NoticeKind.DELAY, NoticeKind.NARROWED_WINDOW, NoticeKind.OUT_FOR_DELIVERY}
)
"""Messages that no longer hold once the stop is completed or failed."""


def make_event_rules(config: CommsConfig) -> TransactionRule:
    """Return the transaction rule that queues the messages following a command's events."""

    def client_messages(uow: UnitOfWork, context: Context) -> None:
        notices: list[Notice] = []
        for event in uow.pending_events():
            if isinstance(event, events.PlanDispatched):
                notices += plan_notices(uow, event.plan_id, event.previous_plan_id, None)
            elif isinstance(event, events.PlanRevised):
                changed = set(event.changed_vehicles)
                notices += plan_notices(uow, event.plan_id, event.previous_plan_id, changed)
            elif isinstance(event, events.StopReported):
                notices += stop_notices(uow, event)
            elif isinstance(event, events.OrderChanged) and "time_windows" in event.changes:
                notices += window_change_notices(uow, event)
        queue_notices(uow, context, config, notices)

    return client_messages


def told_window(history: Iterable[Notification]) -> tuple[NoticeKind, Window | None] | None:
    """What the client last heard about the order's window: the kind and the window.

    ``None`` when the client heard nothing yet. Cancelled messages never reached them.
    """
    last = None
    for notification in history:
        if (
            notification.kind in TOLD_WINDOW_KINDS
            and notification.status is not NoticeStatus.CANCELLED
        ):
            last = notification
    if last is None:
        return None
    if last.window_start is None or last.window_end is None:
        return last.kind, None
    return last.kind, (last.window_start, last.window_end)


def _by_order(notifications: Iterable[Notification]) -> dict[str, list[Notification]]:
    grouped: dict[str, list[Notification]] = {}
    for notification in notifications:
        grouped.setdefault(notification.order_id, []).append(notification)
    return grouped


def plan_notices(
    uow: UnitOfWork, plan_id: str, previous_id: str | None, vehicles: set[str] | None
) -> list[Notice]:
    """The news of a plan made live: windows to tell, windows changed, orders taken off.

    Parameters
    ----------
    uow
        The open unit of work.
    plan_id, previous_id
        The plan made live and the one it replaced.
    vehicles
        Only the routes of these vehicles changed (a revision); ``None``: all (a dispatch).
    """
    plan = uow.plans.get(plan_id)
    if plan is None or plan.dispatched_at is None:
        return []
    previous = uow.plans.get(previous_id) if previous_id else None
    windows = _promised_windows(plan, vehicles)
    before = _promised_windows(previous, vehicles) if previous else {}
    gone = set(before) - set(_promised_windows(plan, None))
    orders = {o.id: o for o in uow.orders.get_many(set(windows) | gone)}
    history = _by_order(uow.notifications.for_orders(orders))
    at = plan.dispatched_at
    notices: list[Notice] = []
    for order_id, window in windows.items():
        order = orders.get(order_id)
        if order is None or order.state in FINAL_ORDER_STATES:
            continue
        told = told_window(history.get(order_id, ()))
        if told is None:
            notices.append(Notice(order_id, NoticeKind.PROMISED_WINDOW, at, window=window))
        elif told[0] is NoticeKind.FAILED or told[1] != window:
            notices.append(Notice(order_id, NoticeKind.RESCHEDULED, at, window=window))
    for order_id in sorted(gone):
        order = orders.get(order_id)
        if order is not None and order.state not in FINAL_ORDER_STATES:
            notices.append(_taken_off(order, plan, at))
    return notices


def _promised_windows(plan: Plan, vehicles: set[str] | None) -> dict[str, Window]:
    return {
        stop.order_id: (window.start, window.end)
        for route in plan.routes
        if vehicles is None or route.vehicle_id in vehicles
        for stop in route.stops
        for window in (promised_window(stop),)
    }


def _taken_off(order: Order, plan: Plan, at: datetime) -> Notice:
    if order.date != plan.date:
        return Notice(
            order.id,
            NoticeKind.RESCHEDULED,
            at,
            detail=f"day:{order.date.isoformat()}",
            new_day=order.date,
        )
    return Notice(order.id, NoticeKind.RESCHEDULED, at, detail=f"off:{plan.id}")


def stop_notices(uow: UnitOfWork, event: events.StopReported) -> list[Notice]:
    """``delivered`` or ``failed`` for a stop done; its stale queued messages cancelled."""
    if event.type not in (StopEventType.COMPLETED.value, StopEventType.FAILED.value):
        return []
    done = event.type == StopEventType.COMPLETED.value
    cancel_queued(
        uow,
        uow.notifications.for_order(event.order_id),
        STALE_WHEN_DONE,
        "the delivery was made" if done else "the delivery failed",
    )
    at_key = f"{event.at.astimezone(UTC):%Y%m%dT%H%M%S}"
    if done:
        proof = any(
            report.type is StopEventType.COMPLETED and report.proof
            for report in uow.stop_events.for_order(event.order_id)
        )
        return [
            Notice(
                event.order_id,
                NoticeKind.DELIVERED,
                event.occurred_at,
                detail="done",
                at=event.at,
                proof=proof,
            )
        ]
    return [
        Notice(
            event.order_id,
            NoticeKind.FAILED,
            event.occurred_at,
            detail=f"at:{at_key}",
            at=event.at,
            reason=event.reason,
        )
    ]


def window_change_notices(uow: UnitOfWork, event: events.OrderChanged) -> list[Notice]:
    """``rescheduled`` confirming an order's new time window."""
    order = uow.orders.get(event.order_id)
    if order is None or order.state in FINAL_ORDER_STATES:
        return []
    window = order.promised_window
    return [
        Notice(
            order.id,
            NoticeKind.RESCHEDULED,
            event.occurred_at,
            window=(window.start, window.end),
        )
    ]
