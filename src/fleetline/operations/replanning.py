"""The re-optimization policy: what a trigger does to the live plan, and the service doing it.

Per trigger, a policy says ``auto`` (a re-plan that does not make things worse applies
itself as a new live plan version) or ``approve`` (the re-plan waits in an exception as
its option, for a dispatcher to apply through the resolve endpoint). The
:class:`Replanner` listens to the day's events, re-plans the neighbourhood of each
disruption on its own worker (never in a request), and records each decision as a
:class:`~fleetline.domain.events.ReplanDecided` event next to the plan version or the
exception it led to.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

from fleetline.bus import Context, MessageBus
from fleetline.domain import commands, events
from fleetline.domain.errors import InvalidField
from fleetline.domain.live import (
    ExceptionKind,
    ExceptionStatus,
    IncidentKind,
    ReplanMode,
    ReplanTrigger,
)
from fleetline.domain.snapshot import DaySnapshot, RemainingStop
from fleetline.network.base import TravelTimes
from fleetline.operations.exceptions import ExceptionService
from fleetline.operations.live_service import LivePicture, LiveService
from fleetline.operations.ports import UnitOfWork
from fleetline.operations.replan_headline import headline, newly_late
from fleetline.operations.replan_options import (
    Assessment,
    PreparedOptions,
    assess_neighbourhood,
    inside,
    neighbourhood,
    replan_option,
    revision_routes,
)
from fleetline.operations.replan_policy import EXCEPTION_OF, TRIGGER_OF_KIND, policy_of
from fleetline.operations.revisions import Forecaster, Revision, revise

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Job:
    """One trigger to act on: what set it off and when."""

    trigger: ReplanTrigger
    day: date
    cause: str
    happened_at: datetime
    orders: tuple[str, ...] = ()
    vehicle_id: str | None = None


class Replanner:
    """Applies the re-optimization policy to the day's triggers, on a worker thread.

    Parameters
    ----------
    uow_factory, context
        Storage, clock and ids.
    live
        The live picture (snapshots, forecasts, the current day).
    exceptions
        Opens the exceptions that wait for a dispatcher.
    bus
        Publishes the events of applied re-plans; resolves exceptions an ``auto`` policy
        decides.
    travel_times, forecaster
        As the live plan's revisions use them.
    prepared
        Where options computed before their exception is opened wait for its finder.
    time_limit_s, max_iterations
        Seconds and iterations each neighbourhood re-plan may search (the first reached
        stops it; no iteration limit when ``None``).
    workers
        Runs the re-plans; one thread of its own when not given (a simulated day passes
        one that it runs at its own moments).
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        context: Context,
        live: LiveService,
        exceptions: ExceptionService,
        bus: MessageBus,
        travel_times: TravelTimes,
        forecaster: Forecaster,
        prepared: PreparedOptions,
        *,
        time_limit_s: float = 2.0,
        max_iterations: int | None = None,
        workers: Executor | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._context = context
        self._live = live
        self._exceptions = exceptions
        self._bus = bus
        self._travel_times = travel_times
        self._forecaster = forecaster
        self._prepared = prepared
        self._time_limit_s = time_limit_s
        self._max_iterations = max_iterations
        self._workers = workers or ThreadPoolExecutor(max_workers=1, thread_name_prefix="replan")
        self._pending: list[Future[None]] = []
        self._lock = threading.Lock()
        self._closed = False
        self._late: set[tuple[date, str]] = set()

    # --- triggers (quick: they only queue work) ----------------------------------------

    def on_order_changed(self, event: events.OrderChanged) -> None:
        """A new time window for an order: re-plan around it."""
        if "time_windows" in event.changes:
            day, order_id = self._live.today(), event.order_id
            job = _Job(ReplanTrigger.WINDOW_CHANGE, day, order_id, event.occurred_at, (order_id,))
            self._submit(job)

    def on_orders_created(self, event: events.OrdersCreated) -> None:
        """Orders for today once the day is under way: place them."""
        if event.date == self._live.today():
            cause = ",".join(event.order_ids[:3]) + ("..." if len(event.order_ids) > 3 else "")
            trigger = ReplanTrigger.URGENT_ORDER
            self._submit(_Job(trigger, event.date, cause, event.occurred_at, event.order_ids))

    def on_traffic_incident(self, event: events.TrafficIncidentReported) -> None:
        """A road closure: re-plan the stops it affects."""
        if event.kind == IncidentKind.CLOSURE.value:
            day, trigger = self._live.today(), ReplanTrigger.ROAD_CLOSURE
            self._submit(_Job(trigger, day, event.incident_id, event.occurred_at))

    def on_options_ready(self, event: events.ExceptionOptionsReady) -> None:
        """Options of a breakdown or failed delivery: an ``auto`` policy applies the best."""
        self._submit_call(self._auto_resolve, event.exception_id)

    def on_live_refresh(self, picture: LivePicture) -> None:
        """After a refresh of today: a vehicle newly late beyond the threshold is a trigger.

        A vehicle sets the trigger off once, and again only after its lateness has gone
        back under the threshold.
        """
        day = picture.snapshot.date
        if day != self._live.today():
            return
        lateness: dict[str, int] = defaultdict(int)
        for forecast in picture.forecasts.values():
            lateness[forecast.vehicle_id] = max(lateness[forecast.vehicle_id], forecast.lateness_s)
        with self._lock:
            flagged = any(d == day for d, _ in self._late)
        if not flagged and not any(lateness.values()):
            return
        with self._uow_factory() as uow:
            threshold = policy_of(uow, ReplanTrigger.VEHICLE_LATE).threshold_s or 1200
        newly = []
        with self._lock:
            for run in picture.snapshot.vehicles:
                key = (day, run.vehicle_id)
                if lateness.get(run.vehicle_id, 0) < threshold:
                    self._late.discard(key)
                elif key not in self._late:
                    self._late.add(key)
                    newly.append(run.vehicle_id)
        for vehicle_id in newly:
            at = picture.computed_at
            self._submit(_Job(ReplanTrigger.VEHICLE_LATE, day, vehicle_id, at, (), vehicle_id))

    # --- the worker ----------------------------------------------------------------------

    def _submit(self, job: _Job) -> None:
        self._submit_call(self._act, job)

    def _submit_call(self, call: Callable[..., None], *args: object) -> None:
        def run() -> None:
            if self._closed or self._exceptions.stopped:
                log.info("shutting down: re-planning after %s is dropped", args)
                return
            try:
                call(*args)
            except Exception:
                log.exception("re-planning after %s failed", args)

        with self._lock:
            if self._closed:
                return  # shutting down: a restart re-reads the open exceptions
            self._pending.append(self._workers.submit(run))

    def wait(self) -> None:
        """Wait until every trigger queued so far is acted on and its options are ready."""
        while True:
            with self._lock:
                future = self._pending.pop(0) if self._pending else None
            if future is not None:
                future.result()
                continue
            self._exceptions.wait()
            with self._lock:
                if not self._pending:
                    return

    def close(self) -> None:
        """Stop acting on triggers: the one under way finishes, those waiting are dropped."""
        with self._lock:
            self._closed = True
        self._workers.shutdown(wait=True, cancel_futures=True)

    # --- deciding ------------------------------------------------------------------------

    def _act(self, job: _Job) -> None:
        """Re-plan the neighbourhood of a trigger and apply, ask, or keep the plan."""
        with self._uow_factory() as uow:
            policy = policy_of(uow, job.trigger)
            open_late = job.vehicle_id is not None and any(
                e.kind is ExceptionKind.VEHICLE_LATE and e.vehicle_id == job.vehicle_id
                for e in uow.exceptions.list(day=job.day, status=ExceptionStatus.OPEN)
            )
        picture = self._live.refresh(job.day)
        snapshot = picture.snapshot
        if snapshot.plan_id is None or open_late:
            return
        focus = self._focus(job, picture)
        if not focus:
            return
        vehicles = [job.vehicle_id] if job.vehicle_id else []
        scope = neighbourhood(snapshot, [s.order_id for s in focus], vehicles)
        if not scope:
            return
        found = assess_neighbourhood(
            snapshot,
            self._travel_times,
            scope,
            time_limit_s=self._time_limit_s,
            max_iterations=self._max_iterations,
        )
        unmet = job.trigger in (ReplanTrigger.WINDOW_CHANGE, ReplanTrigger.URGENT_ORDER) and any(
            found.unmet(s.order_id) for s in focus
        )
        trouble = {
            ReplanTrigger.VEHICLE_LATE: True,
            ReplanTrigger.ROAD_CLOSURE: found.late_before > 0,
        }.get(job.trigger, unmet)
        if not found.changes_something and not trouble:
            self._record(job, policy.mode, "kept", found)
            return
        auto = policy.mode is ReplanMode.AUTO and not unmet and found.not_worse
        if auto and found.changes_something and self._apply(job, snapshot, found):
            return
        self._ask(job, policy.mode, picture, focus, found, unmet)

    def _focus(self, job: _Job, picture: LivePicture) -> list[RemainingStop]:
        """The stops a trigger is about (empty: nothing to do)."""
        snapshot = picture.snapshot
        if job.trigger is ReplanTrigger.WINDOW_CHANGE:
            stops = {s.order_id: s for run in snapshot.vehicles for s in run.remaining}
            return [stops[o] for o in job.orders if o in stops]
        if job.trigger is ReplanTrigger.URGENT_ORDER:
            return [s for s in snapshot.unplanned if s.order_id in set(job.orders)]
        if job.trigger is ReplanTrigger.VEHICLE_LATE:
            run = snapshot.run_of(job.vehicle_id or "")
            forecasts = picture.forecasts
            late = [s for s in (run.remaining if run else ()) if s.order_id in forecasts]
            return [s for s in late if forecasts[s.order_id].lateness_s > 0] or late
        with self._uow_factory() as uow:
            incident = uow.traffic.get(job.cause)
        if incident is None or not incident.active_at(snapshot.now):
            return []
        ahead = [s for run in snapshot.vehicles for s in run.remaining]
        within = inside(incident.area, [s.location for s in ahead])
        return [
            stop
            for stop, hit in zip(ahead, within, strict=True)
            if hit or newly_late(stop, picture.forecasts)
        ]

    def _apply(self, job: _Job, snapshot: DaySnapshot, found: Assessment) -> bool:
        """Apply a re-plan as a new live plan version; ``False`` when the day moved on."""
        with self._uow_factory() as uow:
            live = uow.plans.live_for(job.day)
            if live is None or live.id != snapshot.plan_id:
                return False
            revision = Revision(
                routes=revision_routes(found, snapshot),
                unserved=found.dropped,
                trigger=job.trigger.value,
            )
            try:
                plan = revise(
                    uow, self._context, job.day, revision, self._travel_times, self._forecaster
                )
            except InvalidField:
                log.info("the %s re-plan no longer fits the day", job.trigger, exc_info=True)
                return False
            self._decided(uow, job, ReplanMode.AUTO, "applied", found, plan_id=plan.id)
            self._bus.apply_rules(uow)
            uow.commit()
            new_events = uow.collect_new_events()
        self._bus.publish(new_events)
        return True

    def _ask(
        self,
        job: _Job,
        mode: ReplanMode,
        picture: LivePicture,
        focus: list[RemainingStop],
        found: Assessment,
        unmet: bool,
    ) -> None:
        """Open an exception whose one option is the re-plan."""
        snapshot = picture.snapshot
        kind = EXCEPTION_OF[job.trigger]
        order_id = focus[0].order_id if kind is ExceptionKind.WINDOW_UNMET else None
        options = [replan_option(found, snapshot)] if found.changes_something else []
        references: dict[str, str] = {}
        if order_id is not None:  # only a new window's headline names an order
            with self._uow_factory() as uow:
                named = uow.orders.get(order_id)
            if named is not None and named.reference:
                references[order_id] = named.reference
        self._prepared.put((kind, job.day, job.vehicle_id, order_id), snapshot.plan_id, options)
        exception = self._exceptions.open(
            kind,
            job.day,
            headline(
                job.trigger, job.vehicle_id, focus, snapshot, picture.forecasts, unmet, references
            ),
            tuple(focus),
            vehicle_id=job.vehicle_id,
            order_id=order_id,
        )
        outcome = "window_unmet" if unmet else "approval"
        with self._uow_factory() as uow:
            self._decided(uow, job, mode, outcome, found, exception_id=exception.id)
            uow.commit()
            new_events = uow.collect_new_events()
        self._bus.publish(new_events)

    def _record(self, job: _Job, mode: ReplanMode, outcome: str, found: Assessment) -> None:
        with self._uow_factory() as uow:
            self._decided(uow, job, mode, outcome, found)
            uow.commit()

    def _decided(
        self,
        uow: UnitOfWork,
        job: _Job,
        mode: ReplanMode,
        outcome: str,
        found: Assessment,
        *,
        plan_id: str | None = None,
        exception_id: str | None = None,
    ) -> None:
        now = self._context.clock.now()
        uow.record(
            events.ReplanDecided(
                occurred_at=now,
                date=job.day,
                trigger=job.trigger.value,
                cause=job.cause,
                mode=mode.value,
                outcome=outcome,
                plan_id=plan_id,
                exception_id=exception_id,
                late_before=found.late_before,
                late_after=found.replan.impact.late_orders,
                seconds_after_event=(now - job.happened_at).total_seconds(),
            )
        )

    def _auto_resolve(self, exception_id: str) -> None:
        """Apply the best option of a breakdown or failed delivery under an ``auto`` policy."""
        with self._uow_factory() as uow:
            exception = uow.exceptions.get(exception_id)
            trigger = TRIGGER_OF_KIND.get(exception.kind) if exception else None
            policy = policy_of(uow, trigger) if trigger else None
        if exception is None or policy is None or policy.mode is not ReplanMode.AUTO:
            return
        if exception.status is not ExceptionStatus.OPEN or not exception.options:
            return
        best = min(exception.options, key=lambda o: o.rank)
        self._bus.handle(
            commands.ResolveException(exception_id=exception_id, option_id=best.id, by="policy")
        )
