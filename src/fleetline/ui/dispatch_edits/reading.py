"""What the decision pages read (in a worker thread), and how they write times and sizes.

Exceptions of a day with the names a dispatcher knows (trucks, order references), and
each truck's remaining stops from the live picture, so the pages never hold ids alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from nicegui import run as worker

from fleetline.bootstrap import Services
from fleetline.domain.live import ExceptionStatus, OperationalException, Risk
from fleetline.domain.model import OrderState

RISK_COLOURS = {Risk.ON_TIME: "positive", Risk.AT_RISK: "warning", Risk.LATE: "negative"}
"""Quasar colour of each risk."""


async def in_worker[T](function: Callable[..., T], *args: Any) -> T:
    """Run ``function(*args)`` in a worker thread, off the page's event loop.

    Raises
    ------
    RuntimeError
        When the server is shutting down (no result).
    """
    result = await worker.io_bound(function, *args)
    if result is None:
        raise RuntimeError("the server is shutting down")
    return result


def clock(moment: datetime | None, zone: tzinfo | None) -> str:
    """A moment as the dispatcher reads it: ``14:05`` in the company's zone (``—``: none)."""
    if moment is None:
        return "—"
    return (moment.astimezone(zone) if zone else moment).strftime("%H:%M")


def duration(seconds: float) -> str:
    """Seconds as ``42 s``, ``7 min`` or ``1 h 05 min``."""
    seconds = abs(seconds)
    if seconds < 60:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def kilometres(metres: float, signed: bool = False) -> str:
    """Metres as kilometres with one decimal (``+3.2 km`` when ``signed``)."""
    text = f"{metres / 1000:.1f} km"
    return f"+{text}" if signed and metres > 0 else text


@dataclass(frozen=True, slots=True)
class InboxLook:
    """A day's exceptions with the names to show them by."""

    open: tuple[OperationalException, ...]
    closed: tuple[OperationalException, ...]
    vehicle_names: dict[str, str]
    references: dict[str, str]
    plan_versions: dict[str, int]
    zone: tzinfo | None
    signature: tuple[object, ...]
    """Changes whenever an exception opens, gets options or is resolved."""


def read_inbox(services: Services, day: date) -> InboxLook:
    """Read ``day``'s exceptions, open ones newest first, closed ones by resolution."""
    picture = services.live.picture(day)
    with services.uow_factory() as uow:
        found = uow.exceptions.list(day=day)
        orders = {a.order_id for e in found for a in e.affected}
        references = {o.id: o.reference or o.id for o in uow.orders.get_many(orders)}
        versions = {}
        for exception in found:
            if exception.plan_id and (plan := uow.plans.get(exception.plan_id)) is not None:
                versions[plan.id] = plan.version
    open_ = sorted(
        (e for e in found if e.status is ExceptionStatus.OPEN),
        key=lambda e: e.opened_at,
        reverse=True,
    )
    closed = sorted(
        (e for e in found if e.status is not ExceptionStatus.OPEN),
        key=lambda e: e.resolved_at or e.opened_at,
        reverse=True,
    )
    signature = tuple(
        (e.id, e.status.value, e.options_ready_at, tuple(o.id for o in e.options)) for e in found
    )
    return InboxLook(
        open=tuple(open_),
        closed=tuple(closed),
        vehicle_names={run.vehicle_id: run.vehicle.name for run in picture.snapshot.vehicles},
        references=references,
        plan_versions=versions,
        zone=picture.snapshot.now.tzinfo,
        signature=signature,
    )


@dataclass(frozen=True, slots=True)
class StopLine:
    """One remaining stop of a truck, as the plan page lists it."""

    order_id: str
    reference: str
    client_name: str
    window: str
    eta: datetime | None
    risk: Risk | None
    state: OrderState

    @property
    def movable(self) -> bool:
        """Whether a dispatcher may move it (not yet being driven to or served)."""
        return self.state is OrderState.DISPATCHED


@dataclass(frozen=True, slots=True)
class TruckLine:
    """A working truck and its remaining stops in order."""

    vehicle_id: str
    name: str
    status: str
    stops: tuple[StopLine, ...]


@dataclass(frozen=True, slots=True)
class PlanLook:
    """The live plan of a day as the plan page shows it."""

    plan_id: str | None
    version: int | None
    trucks: tuple[TruckLine, ...]
    zone: tzinfo | None


def read_plan(services: Services, day: date) -> PlanLook:
    """Read ``day``'s live plan: every working truck's remaining stops with ETA and risk."""
    picture = services.live.picture(day)
    snapshot = picture.snapshot
    zone = snapshot.now.tzinfo
    stops = [s for run in snapshot.vehicles for s in run.remaining]
    with services.uow_factory() as uow:
        references = {
            o.id: o.reference or o.id for o in uow.orders.get_many(s.order_id for s in stops)
        }
        clients = {c.id: c.name for c in uow.clients.get_many({s.client_id for s in stops})}
    trucks = []
    for run in snapshot.vehicles:
        lines = []
        for stop in run.remaining:
            window = stop.promised_window or stop.time_windows[0]
            forecast = picture.forecasts.get(stop.order_id)
            lines.append(
                StopLine(
                    order_id=stop.order_id,
                    reference=references.get(stop.order_id, stop.order_id),
                    client_name=clients.get(stop.client_id, ""),
                    window=f"{clock(window.start, zone)}–{clock(window.end, zone)}",
                    eta=forecast.eta if forecast else None,
                    risk=forecast.risk if forecast else None,
                    state=stop.state,
                )
            )
        trucks.append(
            TruckLine(
                run.vehicle_id, run.vehicle.name, run.status.value.replace("_", " "), tuple(lines)
            )
        )
    return PlanLook(snapshot.plan_id, snapshot.plan_version, tuple(trucks), zone)
