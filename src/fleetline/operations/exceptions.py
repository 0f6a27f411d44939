"""Exceptions: a disruption opens one; a dispatcher's choice applies one of its options.

Options are computed off the request path, and the chosen one is applied as a new version
of the live plan. An exception opened while the services shut down is stored without
options; the next start computes them (:meth:`ExceptionService.recover`).

The time from the event to options ready, and to the decision, is recorded on the
exception and in the event log: it is the figure our users are measured by.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import date
from functools import partial

from fleetline.bus import Context
from fleetline.domain import commands, events
from fleetline.domain.errors import Conflict, InvalidField, NotFound
from fleetline.domain.live import (
    AffectedOrder,
    ExceptionKind,
    ExceptionOption,
    ExceptionStatus,
    OperationalException,
    Risk,
)
from fleetline.domain.snapshot import DaySnapshot, RemainingStop
from fleetline.network.base import TravelTimes
from fleetline.operations.live_service import LiveService
from fleetline.operations.ports import UnitOfWork
from fleetline.operations.revisions import Forecaster, Revision, revise
from fleetline.operations.snapshot import stop_of

log = logging.getLogger(__name__)

OptionsFinder = Callable[[DaySnapshot, OperationalException], list[ExceptionOption]]
"""Computes ranked options for an exception from the snapshot of its day."""


class ExceptionService:
    """Opens exceptions on disruptions and computes their options in the background.

    Parameters
    ----------
    uow_factory, context
        Storage and clock.
    live
        The live picture (for affected orders' ETAs and risk, and the snapshot).
    finders
        The options finder of each kind of exception.
    publish
        Hands events stored outside a command (opened, options ready) to subscribers.
    workers
        Runs the option computations; one thread of its own when not given (a simulated
        day passes one that it runs at its own moments).
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        context: Context,
        live: LiveService,
        finders: Mapping[ExceptionKind, OptionsFinder],
        publish: Callable[[list[events.Event]], None] = lambda _events: None,
        workers: Executor | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._context = context
        self._live = live
        self._finders = dict(finders)
        self.publish = publish
        self.ask_engine: Callable[[str], None] | None = None
        """Set in the faces of a split installation: computes nothing, asks the engine."""
        self._workers = workers or ThreadPoolExecutor(max_workers=1, thread_name_prefix="options")
        # Opening an exception never waits behind the option solves of others.
        self._openers = workers or ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="exceptions"
        )
        self._pending: list[Future[None]] = []
        self._queued: set[str] = set()
        self._queued_lock = threading.Lock()
        self._stopped = False

    # --- what opens an exception ---------------------------------------------------------

    def on_vehicle_status(self, event: events.VehicleStatusChanged) -> None:
        """A breakdown opens an exception for the truck's remaining stops (off the request)."""
        if event.status == "broken_down":
            self._off_the_request(partial(self._open_breakdown, event))

    def on_stop_reported(self, event: events.StopReported) -> None:
        """A failed delivery opens an exception for that order (off the request)."""
        if event.type == "failed":
            self._off_the_request(partial(self._open_failed_delivery, event))

    def _off_the_request(self, work: Callable[[], None]) -> None:
        """Run ``work`` on the opening thread, so that the report behind it is answered at once.

        The work reads the live picture as it is once the report is stored; ``wait``
        waits for it as for option computations. While the service stops, the work is
        done here (an exception is still stored, its options wait for the next start).
        """
        with self._queued_lock:
            if not self._stopped:
                try:
                    self._pending.append(self._openers.submit(work))
                    return
                except RuntimeError:  # the interpreter exits: its thread pools take no work
                    self._stopped = True
        work()

    def _open_breakdown(self, event: events.VehicleStatusChanged) -> None:
        picture = self._live.refresh()
        run = picture.snapshot.run_of(event.vehicle_id)
        if run is None or not run.remaining:
            return
        name = run.vehicle.name
        self.open(
            ExceptionKind.BREAKDOWN,
            picture.snapshot.date,
            f"{name} broke down with {len(run.remaining)} stops to go"
            + (f": {event.note}" if event.note else ""),
            run.remaining,
            vehicle_id=event.vehicle_id,
        )

    def _open_failed_delivery(self, event: events.StopReported) -> None:
        with self._uow_factory() as uow:
            order = uow.orders.get(event.order_id)
            stop = stop_of(uow, event.order_id)
        if order is None or stop is None:
            return
        picture = self._live.refresh(order.date)
        reason = (event.reason or "other").replace("_", " ")
        self.open(
            ExceptionKind.FAILED_DELIVERY,
            picture.snapshot.date,
            f"Delivery {order.reference or order.id} failed: {reason}",
            (stop,),
            vehicle_id=event.vehicle_id,
            order_id=order.id,
        )

    def on_plan_changed(self, event: events.PlanRevised | events.PlanDispatched) -> None:
        """Compute again the options of the day's open exceptions from the new live plan.

        After a revision, only the exceptions it touches (see :func:`touched_by`): options
        that re-sequence other trucks apply to the new plan as they are.
        """
        with self._uow_factory() as uow:
            waiting = uow.exceptions.list(day=event.date, status=ExceptionStatus.OPEN)
        for exception in waiting:
            if not isinstance(event, events.PlanRevised) or touched_by(exception, event):
                self.recompute(exception.id)

    # --- opening and options -------------------------------------------------------------

    def open(
        self,
        kind: ExceptionKind,
        day: date,
        summary: str,
        stops: tuple[RemainingStop, ...],
        *,
        vehicle_id: str | None = None,
        order_id: str | None = None,
    ) -> OperationalException:
        """Store a new open exception and start computing its options."""
        forecasts = self._live.picture(day).forecasts
        with self._uow_factory() as uow:
            clients = {c.id: c for c in uow.clients.get_many({s.client_id for s in stops})}
            affected = tuple(
                AffectedOrder(
                    order_id=stop.order_id,
                    client_id=stop.client_id,
                    client_name=clients[stop.client_id].name if stop.client_id in clients else "",
                    priority=stop.priority,
                    eta=forecasts[stop.order_id].eta if stop.order_id in forecasts else None,
                    window_end=(stop.promised_window or stop.time_windows[-1]).end,
                    risk=forecasts[stop.order_id].risk if stop.order_id in forecasts else Risk.LATE,
                )
                for stop in sorted(stops, key=lambda s: (s.priority, s.order_id))
            )
            exception = OperationalException(
                id=self._context.ids("exc"),
                kind=kind,
                status=ExceptionStatus.OPEN,
                opened_at=self._context.clock.now(),
                date=day,
                summary=summary,
                vehicle_id=vehicle_id,
                order_id=order_id,
                affected=affected,
            )
            uow.exceptions.add(exception)
            uow.record(
                events.ExceptionOpened(
                    occurred_at=exception.opened_at,
                    exception_id=exception.id,
                    kind=kind.value,
                    vehicle_id=vehicle_id,
                    affected_orders=tuple(a.order_id for a in affected),
                )
            )
            uow.commit()
            self.publish(uow.collect_new_events())
        if not self._queue(exception.id):
            log.info(
                "%s exception %s opened while shutting down: its options are computed "
                "at the next start",
                kind.value,
                exception.id,
            )
        return exception

    def _queue(self, exception_id: str) -> bool:
        """Compute an exception's options on the worker, unless that is already queued.

        A computation waiting to start reads the live plan when it starts, so a second
        one queued behind it (several plan changes in a row) would only repeat it.
        Returns ``False`` when no options will be computed: the service is stopping (or
        the interpreter exits).
        """
        with self._queued_lock:
            if self._stopped:
                return False
            if exception_id in self._queued:
                return True
            try:
                future = self._workers.submit(self.compute_options, exception_id)
            except RuntimeError:  # the interpreter exits: its thread pools take no work
                self._stopped = True
                return False
            self._queued.add(exception_id)
            self._pending.append(future)
        return True

    def compute_options(self, exception_id: str) -> None:
        """Compute, rank and store the options of an exception."""
        with self._queued_lock:
            self._queued.discard(exception_id)
        with self._uow_factory() as uow:
            exception = uow.exceptions.get(exception_id)
        if exception is None or exception.status is not ExceptionStatus.OPEN:
            return
        finder = self._finders.get(exception.kind)
        options: list[ExceptionOption] = []
        if finder is not None:
            try:
                options = finder(self._live.refresh(exception.date).snapshot, exception)
            except Exception:
                log.exception("options for exception %s failed", exception_id)
        # Each computation gets new option ids: an id chosen from an older list is refused.
        options = [dataclasses.replace(o, id=self._context.ids("opt")) for o in options]
        now = self._context.clock.now()
        with self._uow_factory() as uow:
            current = uow.exceptions.get(exception_id)
            if current is None or current.status is not ExceptionStatus.OPEN:
                return
            uow.exceptions.update(
                dataclasses.replace(current, options=tuple(options), options_ready_at=now)
            )
            uow.record(
                events.ExceptionOptionsReady(
                    occurred_at=now,
                    exception_id=exception_id,
                    options=len(options),
                    seconds_after_event=(now - current.opened_at).total_seconds(),
                )
            )
            uow.commit()
            self.publish(uow.collect_new_events())

    def recompute(self, exception_id: str) -> None:
        """Compute an exception's options again (they went out of date).

        In a face of a split installation (:attr:`ask_engine` set) the engine is asked to.
        """
        if self.ask_engine is not None:
            self.ask_engine(exception_id)
            return
        if not self._queue(exception_id):
            log.debug("shutting down: the options of exception %s stay as they are", exception_id)

    def recover(self) -> list[str]:
        """Compute the options of today's open exceptions that have none yet.

        They were opened while the services shut down, or their computation was still
        waiting then.

        Returns
        -------
        list[str]
            The ids of the exceptions whose options are being computed.
        """
        with self._uow_factory() as uow:
            waiting = uow.exceptions.list(day=self._live.today(), status=ExceptionStatus.OPEN)
        missing = [e.id for e in waiting if e.options_ready_at is None]
        return [exception_id for exception_id in missing if self._queue(exception_id)]

    @property
    def stopped(self) -> bool:
        """Whether new exceptions are stored without computing their options (shutting down)."""
        return self._stopped

    def wait(self) -> None:
        """Wait until every option computation started so far has finished."""
        while self._pending:
            self._pending.pop(0).result()

    def stop_computing(self) -> None:
        """Store exceptions from now on without their options; the next start computes them.

        The computation under way finishes; :meth:`close` waits for it.
        """
        with self._queued_lock:
            self._stopped = True

    def close(self) -> None:
        """Stop computing options: the one under way finishes, those waiting are dropped."""
        self.stop_computing()
        if self._openers is not self._workers:
            self._openers.shutdown(wait=True)  # the exceptions being opened are stored
        self._workers.shutdown(wait=True, cancel_futures=True)


def touched_by(exception: OperationalException, revision: events.PlanRevised) -> bool:
    """Whether a plan revision may change an open exception's options.

    It does when the exception has no options yet, when the revision changed the route of
    its truck or of a truck one of its options re-sequences, or moved one of its orders
    or of those options' orders.
    """
    if not exception.options:
        return True
    changed = set(revision.changed_vehicles) | set(revision.moved_orders)
    mine = {exception.vehicle_id, exception.order_id, *(a.order_id for a in exception.affected)}
    if changed & mine:
        return True
    for option in exception.options:
        routes = option.changes.get("routes")
        if isinstance(routes, dict) and any(
            vehicle in changed or not changed.isdisjoint(sequence)
            for vehicle, sequence in routes.items()
        ):
            return True
    return False


def make_resolve_exception(
    travel_times: TravelTimes, forecaster: Forecaster
) -> Callable[[commands.ResolveException, UnitOfWork, Context], OperationalException]:
    """Return the handler that applies a chosen option (or dismisses the exception)."""

    def resolve_exception(
        command: commands.ResolveException, uow: UnitOfWork, context: Context
    ) -> OperationalException:
        exception = uow.exceptions.get(command.exception_id)
        if exception is None:
            raise NotFound("exception", command.exception_id)
        if exception.status is not ExceptionStatus.OPEN:
            raise Conflict(f"exception {exception.id} is already {exception.status.value}")
        now = context.clock.now()
        plan_id = None
        if command.option_id is None:
            status = ExceptionStatus.DISMISSED
        else:
            option = next((o for o in exception.options if o.id == command.option_id), None)
            if option is None:
                raise NotFound("option", command.option_id, field="option_id")
            revision = revision_of(option, exception)
            try:
                plan = revise(uow, context, exception.date, revision, travel_times, forecaster)
            except InvalidField as error:
                raise Conflict(
                    "the day changed since this option was computed "
                    f"({error.message}); its options are being computed again",
                    field="option_id",
                ) from error
            plan_id = plan.id
            status = ExceptionStatus.RESOLVED
        resolved = dataclasses.replace(
            exception,
            status=status,
            resolved_at=now,
            chosen_option_id=command.option_id,
            resolved_by=command.by,
            plan_id=plan_id,
        )
        uow.exceptions.update(resolved)
        uow.record(
            events.ExceptionResolved(
                occurred_at=now,
                exception_id=exception.id,
                option_id=command.option_id,
                plan_id=plan_id,
                seconds_after_event=(now - exception.opened_at).total_seconds(),
                by=command.by,
            )
        )
        return resolved

    return resolve_exception


def revision_of(option: ExceptionOption, exception: OperationalException) -> Revision:
    """The revision an option stands for: new sequences per vehicle, orders postponed."""
    raw_routes = option.changes.get("routes", {})
    routes = (
        {str(v): [str(o) for o in seq] for v, seq in raw_routes.items()}
        if isinstance(raw_routes, dict)
        else {}
    )
    if exception.kind is ExceptionKind.BREAKDOWN and exception.vehicle_id is not None:
        routes.setdefault(exception.vehicle_id, [])
    raw_postponed = option.changes.get("postponed", [])
    postponed = [str(o) for o in raw_postponed] if isinstance(raw_postponed, list) else []
    raw_unassigned = option.changes.get("unassigned", [])
    unserved = [
        str(item["order_id"])
        for item in (raw_unassigned if isinstance(raw_unassigned, list) else [])
        if isinstance(item, dict) and "order_id" in item
    ]
    return Revision(
        routes=routes,
        postponed=postponed,
        unserved=[o for o in unserved if o not in postponed],
        trigger=f"exception:{exception.kind}",
    )
