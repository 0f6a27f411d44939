"""Messages that follow the ETAs: out for delivery, a narrowed window, a delay.

After each live refresh, :class:`ForecastRules` reads the new picture in memory and sends
one :class:`~fleetline.domain.commands.SendForecastNotices` command with the messages it
finds due; the command's handler re-checks each against the outbox, in the transaction
that queues them, so a restart (which empties the memory) never tells anything twice.

The rules, per remaining stop with a forecast (a stop being served is left alone):

- ``out_for_delivery`` once, when the stop's truck has started its day and the stop is on
  time. A truck has started when it has a stop reported today (done, en route or
  arrived), or when its last position, recorded after its shift start, is more than
  :data:`LEFT_DEPOT_M` from its depot. Not told when a narrowed window or a delay is told
  first: it would say less.
- ``narrowed_window`` once, when the stop is on time and its ETA is within
  :data:`NARROW_WITHIN`; the window is :func:`~fleetline.operations.eta_window.eta_window`.
- ``delay`` as soon as the stop is late against its promised window, or at risk once
  its truck has started (before that, a thin margin in the plan is not news), with the
  ETA window. Another one only when the new window leaves the last one told by
  :data:`DELAY_MOVE` or more (it ends that much later, or starts that much earlier: a
  window that narrows inside the one told is not news), or when the client heard an
  on-time narrowed window since; never within :data:`DELAY_SPACING` of the last delay.
  While an open exception covers the order (a breakdown being decided), the delay waits
  for the decision, unless the promised window ends within :data:`DECIDE_BEFORE_END`:
  the client hears one delay with the window after the decision, not one before and one
  after. A new delay cancels an older one still queued.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from fleetline.bus import Context, MessageBus
from fleetline.comms.compose import CommsConfig, Notice, cancel_queued, queue_notices
from fleetline.domain.commands import ForecastNotice, SendForecastNotices
from fleetline.domain.live import ExceptionStatus, Risk
from fleetline.domain.messages import NoticeKind, NoticeStatus, Notification
from fleetline.domain.model import Location, OrderState
from fleetline.domain.snapshot import VehicleRun
from fleetline.operations.eta_window import eta_window
from fleetline.operations.live_service import LivePicture
from fleetline.operations.ports import UnitOfWork
from fleetline.operations.snapshot import REMAINING_STATES

log = logging.getLogger(__name__)

ORDERS_PER_COMMIT = 50
"""Orders whose messages are queued in one transaction: a morning's thousands of messages
go in short commits, so positions and reports are stored between them, not after."""
LEFT_DEPOT_M = 500.0
NARROW_WITHIN = timedelta(minutes=45)
DELAY_MOVE = timedelta(minutes=20)
DELAY_SPACING = timedelta(minutes=15)
DECIDE_BEFORE_END = timedelta(minutes=30)
STALE_AFTER_DELAY = frozenset({NoticeKind.DELAY, NoticeKind.NARROWED_WINDOW})
SAYS_MORE_THAN_OUT = frozenset({NoticeKind.NARROWED_WINDOW, NoticeKind.DELAY})


def _distance_m(a: Location, b: Location) -> float:
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(h)))


def has_started(run: VehicleRun) -> bool:
    """Whether a truck has started its day (see the module's rules)."""
    if run.completed or run.failed:
        return True
    if any(stop.state is not OrderState.DISPATCHED for stop in run.remaining):
        return True
    return (
        run.position_at is not None
        and run.position_at >= run.shift_start
        and _distance_m(run.position, run.depot.location) > LEFT_DEPOT_M
    )


def due_notices(picture: LivePicture) -> list[ForecastNotice]:
    """Every ETA-driven message the picture makes due, before de-duplication."""
    now = picture.computed_at
    due: list[ForecastNotice] = []
    for run in picture.snapshot.vehicles:
        started = has_started(run)
        for stop in run.remaining:
            forecast = picture.forecasts.get(stop.order_id)
            if forecast is None or stop.state is OrderState.ARRIVED:
                continue
            start, end = eta_window(forecast.eta, now)
            promised = stop.promised_window

            base = ForecastNotice(
                order_id=stop.order_id,
                kind=NoticeKind.DELAY.value,
                window_start=start,
                window_end=end,
                promised_start=promised.start if promised else None,
                promised_end=promised.end if promised else forecast.window_end,
                driver_name=run.driver_name,
            )
            if forecast.risk is Risk.LATE or (forecast.risk is Risk.AT_RISK and started):
                due.append(base)
                continue
            if forecast.risk is Risk.AT_RISK:
                continue  # a thin margin before the truck has left is not news yet
            if forecast.eta - now <= NARROW_WITHIN:
                due.append(replace(base, kind=NoticeKind.NARROWED_WINDOW.value))
            if started:
                due.append(replace(base, kind=NoticeKind.OUT_FOR_DELIVERY.value))
    return due


@dataclass(slots=True)
class ForecastOutcome:
    """What the handler decided: messages queued, and what the listener may remember.

    Attributes
    ----------
    settled
        ``(order, kind)`` of once-only messages that need no more checking.
    delays
        Per order, the last delay window told and when it was told (when a delay was
        the last ETA the client heard).
    held
        Orders whose delay waits for an open exception's decision.
    """

    queued: list[Notification] = field(default_factory=list)
    settled: set[tuple[str, str]] = field(default_factory=set)
    delays: dict[str, tuple[tuple[datetime, datetime], datetime]] = field(default_factory=dict)
    held: set[str] = field(default_factory=set)


def _last_of(history: Iterable[Notification], kinds: frozenset[NoticeKind]) -> Notification | None:
    last = None
    for notification in history:
        if notification.status is NoticeStatus.CANCELLED:
            continue
        if notification.kind is NoticeKind.RESCHEDULED:
            last = None
        elif notification.kind in kinds:
            last = notification
    return last


def last_delay(history: Iterable[Notification]) -> Notification | None:
    """The last delay told since the order was last rescheduled, or ``None``."""
    return _last_of(history, frozenset({NoticeKind.DELAY}))


def window_left(told: tuple[datetime, datetime], new: tuple[datetime, datetime]) -> bool:
    """Whether ``new`` leaves the window ``told`` by :data:`DELAY_MOVE` or more.

    Parameters
    ----------
    told
        The ETA window the client last heard (start, end).
    new
        The ETA window now.

    Returns
    -------
    bool
        True when the new window ends at least :data:`DELAY_MOVE` after the told one or
        starts at least that much before it: the client would wait in vain or miss the
        truck. A window narrowing inside the told one is not news.
    """
    return new[1] - told[1] >= DELAY_MOVE or told[0] - new[0] >= DELAY_MOVE


def delay_is_news(
    history: list[Notification], window: tuple[datetime, datetime], at: datetime
) -> bool:
    """Whether a delay with ``window`` at ``at`` tells the client something new.

    Parameters
    ----------
    history
        The order's messages, oldest first.
    window
        The ETA window the delay would tell.
    at
        When it would be told.

    Returns
    -------
    bool
        True for the first delay since the last reschedule, and for a later one at least
        :data:`DELAY_SPACING` after the last delay whose window :func:`window_left` the
        last one told, or which follows an on-time narrowed window told since.
    """
    last = last_delay(history)
    if last is None:
        return True
    if at - last.created_at < DELAY_SPACING:
        return False
    heard = _last_of(history, STALE_AFTER_DELAY)
    if heard is not last or last.window_start is None or last.window_end is None:
        return True
    return window_left((last.window_start, last.window_end), window)


def _held_orders(uow: UnitOfWork, day: date) -> set[str]:
    return {
        affected.order_id
        for exception in uow.exceptions.list(day=day, status=ExceptionStatus.OPEN)
        for affected in exception.affected
    }


def orders_in_batches(
    notices: Iterable[ForecastNotice], orders_per_batch: int
) -> list[tuple[ForecastNotice, ...]]:
    """``notices`` in batches of at most ``orders_per_batch`` orders, in their order.

    Every notice of an order is in the same batch: the handler weighs an order's notices
    together (no "out for delivery" beside a delay told at the same time).
    """
    by_order: dict[str, list[ForecastNotice]] = {}
    for notice in notices:
        by_order.setdefault(notice.order_id, []).append(notice)
    groups = list(by_order.values())
    return [
        tuple(n for group in groups[i : i + orders_per_batch] for n in group)
        for i in range(0, len(groups), orders_per_batch)
    ]


def make_send_forecast_notices(
    config: CommsConfig,
) -> Callable[[SendForecastNotices, UnitOfWork, Context], ForecastOutcome]:
    """Return the handler that queues the ETA-driven messages still due."""

    def send_forecast_notices(
        command: SendForecastNotices, uow: UnitOfWork, context: Context
    ) -> ForecastOutcome:
        outcome = ForecastOutcome()
        ids = {n.order_id for n in command.notices}
        orders = {o.id: o for o in uow.orders.get_many(ids)}
        history: dict[str, list[Notification]] = {}
        for notification in uow.notifications.for_orders(ids):
            history.setdefault(notification.order_id, []).append(notification)
        wants_delay = any(n.kind == NoticeKind.DELAY.value for n in command.notices)
        held = _held_orders(uow, command.date) if wants_delay else set()
        batch = {(n.order_id, n.kind) for n in command.notices}
        notices: list[Notice] = []
        for due in command.notices:
            kind = NoticeKind(due.kind)
            order = orders.get(due.order_id)
            past = history.get(due.order_id, [])
            told = {n.kind for n in past if n.status is not NoticeStatus.CANCELLED}
            if order is None or order.state not in REMAINING_STATES or order.date != command.date:
                outcome.settled.add((due.order_id, due.kind))
                continue
            window = (due.window_start, due.window_end)
            promised = (
                (due.promised_start, due.promised_end)
                if due.promised_start and due.promised_end
                else None
            )
            if kind is NoticeKind.DELAY:
                if due.order_id in held and (
                    due.promised_end is None or due.promised_end - command.at > DECIDE_BEFORE_END
                ):
                    outcome.held.add(due.order_id)
                    continue
                if not delay_is_news(past, window, command.at):
                    last = _last_of(past, STALE_AFTER_DELAY)
                    if (
                        last is not None
                        and last.kind is NoticeKind.DELAY
                        and last.window_start
                        and last.window_end
                    ):
                        heard = (last.window_start, last.window_end)
                        outcome.delays[due.order_id] = (heard, last.created_at)
                    continue
                cancel_queued(uow, past, STALE_AFTER_DELAY, "a newer delay was told")
                notices.append(
                    Notice(due.order_id, kind, command.at, window=window, promised=promised)
                )
                outcome.delays[due.order_id] = (window, command.at)
                continue
            outcome.settled.add((due.order_id, due.kind))
            if kind in told:
                continue
            if kind is NoticeKind.OUT_FOR_DELIVERY and (
                told & SAYS_MORE_THAN_OUT
                or any((due.order_id, k.value) in batch for k in SAYS_MORE_THAN_OUT)
            ):
                continue
            notices.append(
                Notice(
                    due.order_id,
                    kind,
                    command.at,
                    window=window,
                    detail=f"day:{order.date.isoformat()}",
                    driver_name=due.driver_name,
                )
            )
        outcome.queued = queue_notices(uow, context, config, notices)
        return outcome

    return send_forecast_notices


class ForecastRules:
    """Listens to live refreshes and sends the ETA-driven messages they make due.

    What was already decided is remembered in memory, so a refresh with nothing new
    costs no query; the memory is only a shortcut: the handler decides from the store.

    Parameters
    ----------
    bus
        Carries the command (one transaction per refresh that finds something).
    today
        The current delivery day: other days' pictures are not read.
    """

    def __init__(self, bus: MessageBus, today: Callable[[], date]) -> None:
        self._bus = bus
        self._today = today
        self._lock = threading.Lock()
        self._settled: set[tuple[str, str]] = set()
        self._delays: dict[str, tuple[datetime | None, tuple[datetime, datetime], datetime]] = {}
        self._held: dict[str, str | None] = {}

    def on_live_refresh(self, picture: LivePicture) -> None:
        """Send the messages the new picture makes due, if any."""
        snapshot = picture.snapshot
        if snapshot.date != self._today():
            return
        with self._lock:
            at = picture.computed_at
            due = [n for n in due_notices(picture) if self._worth_checking(n, snapshot.plan_id, at)]
            promised_ends = {n.order_id: n.promised_end for n in due}
            for notices in orders_in_batches(due, ORDERS_PER_COMMIT):
                command = SendForecastNotices(
                    date=snapshot.date, at=at, plan_id=snapshot.plan_id, notices=notices
                )
                outcome: ForecastOutcome = self._bus.handle(command)
                self._settled |= outcome.settled
                for order_id, (window, told_at) in outcome.delays.items():
                    self._delays[order_id] = (promised_ends.get(order_id), window, told_at)
                    self._held.pop(order_id, None)
                for notification in outcome.queued:
                    if notification.kind is NoticeKind.NARROWED_WINDOW:
                        self._delays.pop(notification.order_id, None)
                for order_id in outcome.held:
                    self._held[order_id] = snapshot.plan_id

    def _worth_checking(self, notice: ForecastNotice, plan_id: str | None, at: datetime) -> bool:
        if notice.kind != NoticeKind.DELAY.value:
            return (notice.order_id, notice.kind) not in self._settled
        ends_soon = (
            notice.promised_end is not None and notice.promised_end - at <= DECIDE_BEFORE_END
        )
        if self._held.get(notice.order_id, "") == plan_id and not ends_soon:
            return False
        last = self._delays.get(notice.order_id)
        if last is None or last[0] != notice.promised_end:
            return True
        _, told, told_at = last
        window = (notice.window_start, notice.window_end)
        return window_left(told, window) and at - told_at >= DELAY_SPACING
