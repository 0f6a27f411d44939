"""A day's orders and live plan kept between snapshots, re-read only where they changed.

The live picture is rebuilt every second or so; on a 200-truck day its snapshot holds
4,000 orders and a live plan of 4,000 stops, and parsing them again each time costs most
of a refresh. The store counts each row's changes (its revision), so a reader asks for the
day's revisions, a read of two small columns, and fetches only the rows that moved.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from fleetline.domain.model import Order, Plan, PlannedStop
from fleetline.domain.snapshot import RemainingStop
from fleetline.operations.ports import UnitOfWork

StopMaker = Callable[[Order, int, PlannedStop | None], RemainingStop]
"""Makes an order into a stop to serve, given its client's priority and its planned stop."""

DAYS_KEPT = 4
"""Days whose reads are kept (today, tomorrow, and a day or two a console looks back at)."""


@dataclass
class _Day:
    orders: dict[str, tuple[Order, int]] = field(default_factory=dict)
    plan: tuple[Plan, int] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    stops: dict[str, tuple[Order, int, PlannedStop | None, RemainingStop]] = field(
        default_factory=dict
    )


class DayReads:
    """The orders and live plan of recent days, as last read, checked against the store.

    Every read is as fresh as reading everything again within the same unit of work: an
    order or plan stored since is re-read, one gone is dropped. Safe to share between
    threads. Read from a unit of work that has stored no order or plan itself (as the
    live picture's does): what it stored may still roll back, and must not be kept.

    Parameters
    ----------
    days_kept
        How many days' reads are kept; the day read longest ago is dropped first.
    """

    def __init__(self, days_kept: int = DAYS_KEPT) -> None:
        self._days_kept = days_kept
        self._days: OrderedDict[date, _Day] = OrderedDict()
        self._lock = threading.Lock()

    def _day(self, day: date) -> _Day:
        with self._lock:
            kept = self._days.get(day)
            if kept is None:
                kept = self._days[day] = _Day()
            self._days.move_to_end(day)
            while len(self._days) > self._days_kept:
                self._days.popitem(last=False)
            return kept

    def orders(self, uow: UnitOfWork, day: date) -> dict[str, Order]:
        """Every order of ``day`` as stored now, by id in id order.

        Parameters
        ----------
        uow
            An open unit of work: the revisions and the changed rows are read in it.
        day
            The delivery day.
        """
        kept = self._day(day)
        with kept.lock:
            revisions = uow.orders.revisions_by_date(day)
            stale = [
                order_id
                for order_id, revision in revisions.items()
                if (known := kept.orders.get(order_id)) is None or known[1] != revision
            ]
            fresh = uow.orders.get_many_revised(stale) if stale else {}
            orders: dict[str, tuple[Order, int]] = {}
            for order_id in sorted(revisions):
                found = fresh.get(order_id) or kept.orders.get(order_id)
                if found is not None and found[0].date == day:
                    orders[order_id] = found
            kept.orders = orders
            kept.stops = {k: v for k, v in kept.stops.items() if k in orders}
            return {order_id: order for order_id, (order, _) in orders.items()}

    def live_plan(self, uow: UnitOfWork, day: date) -> Plan | None:
        """The live plan of ``day`` as stored now, or ``None`` before the first dispatch.

        Parameters
        ----------
        uow
            An open unit of work.
        day
            The delivery day.
        """
        kept = self._day(day)
        with kept.lock:
            stamp = uow.plans.live_revision(day)
            if stamp is None:
                kept.plan = None
                return None
            plan_id, revision = stamp
            if kept.plan is None or (kept.plan[0].id, kept.plan[1]) != (plan_id, revision):
                kept.plan = uow.plans.get_revised(plan_id)
            return None if kept.plan is None else kept.plan[0]

    def stops(self, day: date, make: StopMaker) -> StopMaker:
        """``make``, answering again for an order, priority and planned stop it was given.

        The orders and plan that :meth:`orders` and :meth:`live_plan` return are the same
        objects while they are unchanged, so a stop made from them is made once.
        """
        kept = self._day(day)

        def made(order: Order, priority: int, stop: PlannedStop | None) -> RemainingStop:
            known = kept.stops.get(order.id)
            if known is not None and known[0] is order and known[1:3] == (priority, stop):
                return known[3]
            remaining = make(order, priority, stop)
            kept.stops[order.id] = (order, priority, stop, remaining)
            return remaining

        return made
