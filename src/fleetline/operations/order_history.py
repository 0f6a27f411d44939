"""An order's history in the words an agent reads it: planned, dispatched, re-planned...

Built from the repositories (stop reports, messages, inquiries) and from the few event
types of the log that concern one order, read by type and time with an index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fleetline.domain import events
from fleetline.domain.model import Order, OrderState
from fleetline.operations.ports import UnitOfWork

PLAN_EVENTS = (
    events.PlanReady,
    events.PlanDispatched,
    events.PlanRevised,
    events.OrderChanged,
    events.ExceptionOpened,
    events.ExceptionResolved,
)
BEYOND_PLANNED = frozenset(OrderState) - {OrderState.OPEN}
WINDOW_FIELDS = frozenset({"time_windows"})


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One thing that happened to an order: when, what kind, and in words."""

    at: datetime
    kind: str
    detail: str


def _stop_entries(uow: UnitOfWork, order: Order) -> list[HistoryEntry]:
    entries = []
    for report in uow.stop_events.for_order(order.id):
        words = [f"reported by truck {report.vehicle_id}"]
        if report.reason is not None:
            words.append(f"reason: {report.reason.value.replace('_', ' ')}")
        if report.note:
            words.append(report.note)
        if report.proof:
            words.append("proof of delivery kept")
        entries.append(HistoryEntry(report.at, report.type.value, "; ".join(words)))
    return entries


def _message_entries(uow: UnitOfWork, order: Order) -> list[HistoryEntry]:
    entries = [
        HistoryEntry(
            n.created_at,
            "notified",
            f"{n.kind.value.replace('_', ' ')} message by {n.channel.value} to "
            f"{n.recipient}: {n.status.value}",
        )
        for n in uow.notifications.for_order(order.id)
    ]
    for inquiry in uow.inquiries.for_order(order.id):
        detail = f"the client asked by {inquiry.channel.value.replace('_', ' ')}"
        if inquiry.note:
            detail += f": {inquiry.note}"
        entries.append(HistoryEntry(inquiry.at, "inquiry", detail))
    return entries


def _plan_entries(
    uow: UnitOfWork, order: Order, since: datetime, in_live_plan: bool
) -> list[HistoryEntry]:
    entries: list[HistoryEntry] = []
    planned = dispatched = False
    opened: set[str] = set()
    for logged in uow.search.events_of([kind.__name__ for kind in PLAN_EVENTS], since):
        event = logged.event
        at = event.occurred_at
        if isinstance(event, events.PlanReady) and event.date == order.date:
            if not planned and (in_live_plan or order.state in BEYOND_PLANNED):
                planned = True
                entries.append(HistoryEntry(at, "planned", f"in plan version {event.version}"))
        elif isinstance(event, events.PlanDispatched) and event.date == order.date:
            if not dispatched and in_live_plan:
                dispatched = True
                entries.append(
                    HistoryEntry(
                        at, "dispatched", f"plan version {event.version} sent to the drivers"
                    )
                )
        elif isinstance(event, events.PlanRevised) and order.id in event.moved_orders:
            trigger = event.trigger.replace("_", " ")
            entries.append(
                HistoryEntry(at, "replanned", f"plan version {event.version} after {trigger}")
            )
        elif isinstance(event, events.OrderChanged) and event.order_id == order.id:
            changed = sorted(event.changes)
            kind = "window_changed" if WINDOW_FIELDS & set(changed) else "changed"
            entries.append(HistoryEntry(at, kind, "changed: " + ", ".join(changed)))
        elif isinstance(event, events.ExceptionOpened) and order.id in event.affected_orders:
            opened.add(event.exception_id)
            what = event.kind.replace("_", " ")
            entries.append(
                HistoryEntry(at, "exception", f"{what} (exception {event.exception_id})")
            )
        elif isinstance(event, events.ExceptionResolved) and event.exception_id in opened:
            outcome = "resolved" if event.option_id else "dismissed"
            entries.append(
                HistoryEntry(
                    at,
                    "exception_resolved",
                    f"exception {event.exception_id} {outcome} by {event.by}",
                )
            )
    return entries


def order_history(uow: UnitOfWork, order: Order, in_live_plan: bool) -> list[HistoryEntry]:
    """Everything that happened to ``order``, oldest first.

    Parameters
    ----------
    uow
        An open unit of work.
    order
        The order.
    in_live_plan
        Whether the live plan of the order's day serves it.
    """
    created = uow.search.order_created_at(order.id)
    entries = []
    if created is not None:
        entries.append(HistoryEntry(created, "created", "order received"))
        entries.extend(_plan_entries(uow, order, created, in_live_plan))
    entries.extend(_stop_entries(uow, order))
    entries.extend(_message_entries(uow, order))
    return sorted(entries, key=lambda entry: entry.at)
