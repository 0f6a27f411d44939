"""The live picture: positions, remaining stops, ETAs and risk, kept warm in memory.

The store is the truth; this is a cache that a restart rebuilds. Events mark a day as
changed; a refresher thread recomputes changed days at most once per interval (and every
day it knows at least every ``max_age_s``, because ETAs move with time alone), records
sampled predictions for the accuracy figures, and publishes what changed, in one batch per
refresh, to its subscribers (the live feed, the consoles).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from fleetline.clock import Clock
from fleetline.domain.events import Event, PositionsReceived
from fleetline.domain.live import StopForecast
from fleetline.domain.snapshot import DaySnapshot
from fleetline.network.base import TravelTimes
from fleetline.operations.day_reads import DayReads
from fleetline.operations.eta import FleetForecast
from fleetline.operations.live_listeners import PictureListeners
from fleetline.operations.live_view import changes
from fleetline.operations.ports import UnitOfWork
from fleetline.operations.snapshot import build_snapshot

log = logging.getLogger(__name__)

Forecaster = Callable[[DaySnapshot, TravelTimes], FleetForecast]

FIRST_PICTURE_WAIT_S = 10.0
"""How long a read waits for the refresher's first picture of a day before computing it."""
PREDICTION_EVERY = timedelta(minutes=5)
"""How often a stop's predicted arrival is written down for the accuracy figures."""
MATERIAL_ETA_CHANGE = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class LivePicture:
    """A day as it stands: the snapshot and every remaining stop's forecast."""

    snapshot: DaySnapshot
    forecasts: Mapping[str, StopForecast]
    computed_at: datetime
    version: int
    no_eta: Mapping[str, str] = field(default_factory=dict)
    """Stops without a forecast, and why (``broken_down``, ``off_duty``, ``unreachable``)."""


@dataclass(frozen=True, slots=True)
class Published:
    """A picture as the engine hands it on: with what changed since the one before."""

    picture: LivePicture
    message: dict[str, Any] | None
    """The feed message of the changes (``None``: nothing a console shows changed)."""
    after_version: int | None
    """The version of the picture the changes are counted from."""


@dataclass(slots=True)
class Subscription:
    """A subscriber's queue of batches; a slow subscriber loses old batches, never blocks."""

    messages: queue.Queue[dict[str, Any]] = field(default_factory=lambda: queue.Queue(256))

    def offer(self, message: dict[str, Any]) -> None:
        """Queue ``message``, dropping the oldest when full."""
        while True:
            try:
                self.messages.put_nowait(message)
                return
            except queue.Full:
                with contextlib.suppress(queue.Empty):
                    self.messages.get_nowait()


class LiveService:
    """Keeps each day's live picture and tells subscribers what changed.

    Parameters
    ----------
    uow_factory
        Opens a unit of work.
    clock
        The clock (simulations pass their own).
    travel_times
        Travel times (traffic-aware when configured).
    forecaster
        Computes every remaining stop's ETA and risk from a snapshot.
    today
        Returns the current delivery day.
    before_refresh
        Called before each refresh (e.g. to bring traffic incidents into travel times).
    ask
        Set in the faces of a split installation, which compute no pictures: they adopt
        the engine's (:meth:`adopt`), and a day they have none of is asked of the engine
        with ``ask(day)``.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        travel_times: TravelTimes,
        forecaster: Forecaster,
        today: Callable[[], date],
        *,
        interval_s: float = 1.0,
        max_age_s: float = 30.0,
        before_refresh: Callable[[], object] | None = None,
        ask: Callable[[date], None] | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._travel_times = travel_times
        self._forecaster = forecaster
        self.today = today
        self._interval_s = interval_s
        self._max_age = timedelta(seconds=max_age_s)
        self._pictures: dict[date, LivePicture] = {}
        self._dirty: set[date] = set()
        self._recorded: dict[str, tuple[datetime, datetime]] = {}
        self._pace: dict[str, float] = {}
        self._subscriptions: list[Subscription] = []
        self._lock = threading.RLock()
        self._published = threading.Condition(self._lock)
        """Notified (under ``_lock``) each time a picture is published."""
        self._asked = 0
        """Counts requests and starts of computations, to tell which came first."""
        self._in_flight: set[date] = set()
        """Days being computed: a change before the computation started is not in their
        published picture yet."""
        self._started: dict[date, int] = {}
        """When (in ``_asked`` counts) the computation of each published picture started."""
        self._reads = DayReads()
        self._computing: dict[date, threading.Lock] = {}
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._version = 0
        self._moves = 0
        self._moved: dict[str, int] = {}
        self.after_refresh: list[Callable[[LivePicture], None]] = []
        """Called with each new picture (the client messages, the re-planner's lateness
        watch): in the caller's thread after :meth:`refresh`, on their own thread after the
        refresher's (see :mod:`~fleetline.operations.live_listeners`)."""
        self._listeners = PictureListeners(lambda: self.after_refresh)
        self._before_refresh = before_refresh
        self._ask = ask
        self.on_publish: list[Callable[[Published], None]] = []
        """Called with each picture computed here, as soon as it is (the engine of a split
        installation hands it to the faces); an error is logged, never raised."""
        self._documents: dict[date, tuple[LivePicture, bytes]] = {}

    # --- reading -----------------------------------------------------------------------

    def picture(self, day: date | None = None) -> LivePicture:
        """Return the day's picture for a read.

        With the refresher running, a read never computes: it gets the last published
        picture (the refresher publishes a new one within ``interval_s`` of a change),
        and a day not computed yet is asked of the refresher and waited for. Without it
        (tests and simulated days, which refresh when they choose), a changed day is
        computed first, once for every reader waiting on it.
        """
        day = day or self.today()
        with self._lock:
            known = self._pictures.get(day)
            fresh = known is not None and day not in self._dirty and day not in self._in_flight
            refresher = self._thread is not None or self._ask is not None
        if known is not None and (fresh or refresher):
            return known
        if refresher:
            return self._from_refresher(day)
        return self.refresh(day)

    def published(self, day: date) -> LivePicture | None:
        """Return the day's picture if :meth:`picture` would answer it without waiting.

        ``None`` when the day has no picture yet or (with no refresher running) it
        changed since its last one: :meth:`picture` would wait for or compute it.
        """
        with self._lock:
            known = self._pictures.get(day)
            if known is None:
                return None
            if self._thread is not None or self._ask is not None:
                return known
            return None if day in self._dirty or day in self._in_flight else known

    def _from_refresher(self, day: date) -> LivePicture:
        """Ask the refresher (or the engine) for a day it has no picture of, and wait for it.

        Without an answer in time, the picture is computed here (in a face, without
        recording predictions: that is the engine's).
        """
        if self._ask is not None:
            try:
                self._ask(day)
            except Exception:
                log.exception("asking the engine for the picture of %s failed", day)
        with self._published:
            self._dirty.add(day)
            self._wake.set()
            self._published.wait_for(lambda: day in self._pictures, timeout=FIRST_PICTURE_WAIT_S)
            known = self._pictures.get(day)
        return known if known is not None else self._compute(day)

    # --- changes -----------------------------------------------------------------------

    def on_event(self, event: Event) -> None:
        """Mark the day an event concerns (today, and the event's own date) as changed."""
        days = {self.today()}
        event_day = getattr(event, "date", None)
        if isinstance(event_day, date):
            days.add(event_day)
        with self._lock:
            self._dirty.update(days)
            if isinstance(event, PositionsReceived):
                self._moves += 1
                self._moved.update(dict.fromkeys(event.vehicle_ids, self._moves))
        self._wake.set()

    def want(self, day: date) -> None:
        """Compute the day's picture at the next refresh, and keep it fresh from then on."""
        with self._lock:
            self._dirty.add(day)
        self._wake.set()

    def moved_since(self, mark: int) -> tuple[int, frozenset[str]]:
        """Trucks that sent a position after ``mark``, with the mark to ask from next.

        Lets a map move a truck as soon as its position is stored, before the next
        picture (whose ETAs take longer) is computed. Start from mark 0.
        """
        with self._lock:
            moved = frozenset(vid for vid, at in self._moved.items() if at > mark)
            return self._moves, moved

    def set_pace(self, vehicle_id: str, pace: float) -> None:
        """Use ``pace`` for a vehicle's remaining legs from the next refresh on."""
        with self._lock:
            self._pace[vehicle_id] = pace
            self._dirty.update(self._pictures)

    def latest(self, day: date | None = None) -> LivePicture:
        """Return the day's last published picture, without waiting for a newer one.

        For readers told of each new picture (the consoles): they are sent the next one as
        soon as the refresher has it. A day not computed yet is read as :meth:`picture`
        reads it.
        """
        day = day or self.today()
        with self._lock:
            known = self._pictures.get(day)
        return known if known is not None else self.picture(day)

    def refresh(self, day: date | None = None) -> LivePicture:
        """Recompute the day's picture now, record predictions, and publish the changes.

        A picture computed at this very instant, with nothing changed since, is the one a
        recomputation would give, and is used as it is (a simulated clock stands still
        while many readers refresh). The listeners of the picture run before this returns.
        """
        day = day or self.today()
        now = self._clock.now()
        with self._lock:
            known = self._pictures.get(day)
            same = (
                known is not None
                and known.computed_at == now
                and day not in self._dirty
                and day not in self._in_flight
            )
        picture = known if same and known is not None else self._compute(day)
        self._listeners.run_now(picture)
        return picture

    def _compute(self, day: date) -> LivePicture:
        """Compute and publish the day's picture, one computation of a day at a time.

        Two at once could end in the wrong order: a computation that read the store before
        a stop report would publish its older picture after the newer one, and the day,
        no longer marked changed, would keep it.

        Callers that ask while a computation runs wait for it, then get the picture of
        a computation that started after they asked (it read every change before their
        question) rather than computing the same picture once each.
        """
        with self._lock:
            self._asked += 1
            asked = self._asked
            computing = self._computing.setdefault(day, threading.Lock())
        with computing:
            now = self._clock.now()
            with self._lock:
                known = self._pictures.get(day)
                if known is not None and (
                    self._started.get(day, 0) > asked
                    or (known.computed_at == now and day not in self._dirty)
                ):
                    return known  # computed while this one waited for its turn
                self._asked += 1
                started = self._asked
            return self._compute_now(day, started)

    def _compute_now(self, day: date, started: int) -> LivePicture:
        if self._before_refresh is not None:
            self._before_refresh()
        now = self._clock.now()
        with self._lock:
            self._dirty.discard(day)
            self._in_flight.add(day)
            pace = dict(self._pace)
        try:
            with self._uow_factory() as uow:
                snapshot = build_snapshot(uow, day, now, pace, self._reads)
                fleet = self._forecaster(snapshot, self._travel_times)
                forecasts = fleet.stops
                samples = self._samples(forecasts, now)
                if samples:
                    uow.eta_predictions.add_many(samples)
                    uow.commit()
        except BaseException:
            with self._lock:
                self._in_flight.discard(day)
                self._dirty.add(day)  # computed again at the next refresh
            raise
        with self._lock:
            self._in_flight.discard(day)
            previous = self._pictures.get(day)
            self._version += 1
            no_eta = {order_id: reason.value for order_id, reason in fleet.no_eta.items()}
            picture = LivePicture(snapshot, forecasts, now, self._version, no_eta)
            self._pictures[day] = picture
            self._started[day] = started
            self._published.notify_all()
            subscribers = list(self._subscriptions)
        message = changes(previous, picture) if subscribers or self.on_publish else None
        self._tell(message, subscribers)
        published = Published(picture, message, previous.version if previous else None)
        for hook in self.on_publish:
            try:
                hook(published)
            except Exception:
                log.exception("publishing the picture of %s failed", day)
        return picture

    def continue_versions_after(self, version: int) -> None:
        """Number the next pictures after ``version``.

        An engine taking over goes on from the last picture published: versions only grow.
        """
        with self._lock:
            self._version = max(self._version, version)

    def adopt(
        self,
        picture: LivePicture,
        *,
        document: bytes | None = None,
        message: dict[str, Any] | None = None,
        after_version: int | None = None,
    ) -> None:
        """Take in a picture computed elsewhere (by the engine), as if computed here.

        It becomes the day's picture unless this process holds a later one, wakes the
        reads waiting for the day and tells the subscribers what changed: ``message``, the
        engine's account of it, when this process's picture was the one it followed
        (``after_version``), or an account made here. ``document`` is the picture's live
        document as rendered by the engine (:meth:`rendered`).
        """
        day = picture.snapshot.date
        with self._lock:
            previous = self._pictures.get(day)
            if previous is not None and previous.computed_at > picture.computed_at:
                return
            self._version = max(self._version, picture.version)
            self._pictures[day] = picture
            if document is not None:
                self._documents[day] = (picture, document)
            self._dirty.discard(day)
            self._published.notify_all()
            subscribers = list(self._subscriptions)
        if not subscribers:
            return
        followed = previous is not None and previous.version == after_version
        self._tell(message if followed else changes(previous, picture), subscribers)

    def rendered(self, picture: LivePicture) -> bytes | None:
        """The live document of ``picture`` as the engine rendered it, if it did."""
        with self._lock:
            kept = self._documents.get(picture.snapshot.date)
        return kept[1] if kept is not None and kept[0] is picture else None

    @staticmethod
    def _tell(message: dict[str, Any] | None, subscribers: list[Subscription]) -> None:
        if message is not None:
            for subscription in subscribers:
                subscription.offer(message)

    def _samples(
        self, forecasts: Mapping[str, StopForecast], now: datetime
    ) -> list[tuple[str, str, datetime, datetime]]:
        samples: list[tuple[str, str, datetime, datetime]] = []
        if self._ask is not None:
            return samples  # the engine records predictions
        with self._lock:
            for order_id, forecast in forecasts.items():
                last = self._recorded.get(order_id)
                if (
                    last is None
                    or now - last[0] >= PREDICTION_EVERY
                    or abs(forecast.eta - last[1]) >= MATERIAL_ETA_CHANGE
                ):
                    self._recorded[order_id] = (now, forecast.eta)
                    samples.append((order_id, forecast.vehicle_id, now, forecast.eta))
        return samples

    # --- subscribers -------------------------------------------------------------------

    def subscribe(self) -> Subscription:
        """Start receiving one message per refresh that changed something."""
        subscription = Subscription()
        with self._lock:
            self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop sending to ``subscription``."""
        with self._lock:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)

    # --- the refresher -----------------------------------------------------------------

    def start(self) -> None:
        """Start the refresher thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="live-refresh", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Stop the refresher thread."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._listeners.close()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(timeout=self._interval_s)
            self._wake.clear()
            if self._stopping.is_set():
                return
            now = self._clock.now()
            with self._lock:
                due = set(self._dirty) | {
                    day
                    for day, picture in self._pictures.items()
                    if now - picture.computed_at >= self._max_age
                }
            for day in sorted(due):
                try:
                    self._listeners.hand_over(self._compute(day))
                except Exception:
                    log.exception("refreshing the live picture of %s failed", day)
            self._stopping.wait(timeout=self._interval_s)
