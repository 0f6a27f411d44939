"""The agent's answer to "where is my delivery?": one order's status from the live picture.

The ETA, risk and truck position come from the live picture the operations service keeps
(never a copy of its own), the ETA is shown as the one window rule of
:func:`~fleetline.operations.eta_window.eta_window`, and orders done or not yet on a live
plan say so in words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from fleetline.domain.errors import NotFound
from fleetline.domain.live import (
    ExceptionKind,
    ExceptionStatus,
    OperationalException,
    Risk,
    StopEvent,
    StopEventType,
    StopForecast,
    VehicleStatus,
)
from fleetline.domain.messages import Inquiry, Notification
from fleetline.domain.model import Client, Location, Order, OrderState, TimeWindow
from fleetline.domain.snapshot import RemainingStop, VehicleRun
from fleetline.operations.company import company_zone
from fleetline.operations.eta_window import eta_window
from fleetline.operations.live_service import LivePicture
from fleetline.operations.order_history import HistoryEntry, order_history
from fleetline.operations.ports import UnitOfWork
from fleetline.operations.snapshot import REMAINING_STATES, promised_window

PictureOf = Callable[[date], LivePicture]
DONE_STATES = frozenset({OrderState.COMPLETED, OrderState.FAILED})


@dataclass(frozen=True, slots=True)
class TruckPosition:
    """Where the order's truck was last seen (the depot before its first report)."""

    location: Location
    recorded_at: datetime | None
    speed_mps: float | None


@dataclass(frozen=True, slots=True)
class OrderStatus:
    """Everything an agent needs to answer a client about one order, on one screen.

    ``summary`` says it in one sentence; ``eta_window`` is what the client is told.
    ``actual_at`` is when the order was delivered or failed (``failure_reason`` why),
    and ``on_live_plan`` is false for an order no dispatched plan serves yet.
    """

    order: Order
    client: Client | None
    on_live_plan: bool
    summary: str
    vehicle_id: str | None = None
    position: TruckPosition | None = None
    eta: datetime | None = None
    eta_window: tuple[datetime, datetime] | None = None
    promised_window: TimeWindow | None = None
    risk: Risk | None = None
    stops_before: int | None = None
    delay_reason: str | None = None
    no_eta: str | None = None
    updated_at: datetime | None = None
    driver_first_name: str | None = None
    actual_at: datetime | None = None
    failure_reason: str | None = None
    proof: str | None = None
    history: tuple[HistoryEntry, ...] = ()
    notifications: tuple[Notification, ...] = ()
    inquiries: tuple[Inquiry, ...] = ()
    open_exceptions: tuple[str, ...] = field(default=())


def _affects(exception: OperationalException, order_id: str, vehicle_id: str) -> bool:
    return exception.vehicle_id == vehicle_id or any(
        affected.order_id == order_id for affected in exception.affected
    )


def delay_reason(
    run: VehicleRun,
    stop: RemainingStop,
    forecast: StopForecast | None,
    open_exceptions: list[OperationalException],
) -> str | None:
    """Why the order is late or at risk, in words; ``None`` when it is on time.

    Parameters
    ----------
    run
        The order's truck.
    stop
        The order as a remaining stop (its planned arrival).
    forecast
        The stop's forecast, ``None`` when the truck cannot say (broken down...).
    open_exceptions
        The day's open exceptions; one touching the order or its truck waits for a
        dispatcher's decision.
    """
    mine = [e for e in open_exceptions if _affects(e, stop.order_id, run.vehicle_id)]
    on_time = forecast is not None and forecast.risk is Risk.ON_TIME
    if on_time and run.status is not VehicleStatus.BROKEN_DOWN and not mine:
        return None
    reasons = []
    if run.status is VehicleStatus.BROKEN_DOWN:
        reasons.append("the truck broke down")
    elif any(e.kind is ExceptionKind.ROAD_CLOSURE for e in mine):
        reasons.append("a road closure on the route")
    elif forecast is not None and stop.planned_eta is not None:
        behind_min = round((forecast.eta - stop.planned_eta).total_seconds() / 60)
        if behind_min > 0:
            reasons.append(f"the truck runs {behind_min} min behind")
    elif run.status is VehicleStatus.DELAYED:
        reasons.append("the truck is delayed")
    if mine:
        summaries = "; ".join(e.summary.rstrip(".") for e in mine)
        reasons.append(f"a dispatcher is deciding what to do about: {summaries}")
    if not reasons and not on_time:
        reasons.append("the route is tighter than planned")
    return "; ".join(reasons) if reasons else None


def _report(reports: list[StopEvent], kind: StopEventType) -> StopEvent | None:
    found = [report for report in reports if report.type is kind]
    return found[-1] if found else None


def order_status(
    uow: UnitOfWork, picture_of: PictureOf, order_id: str, now: datetime
) -> OrderStatus:
    """Return where an order stands, for an agent.

    Parameters
    ----------
    uow
        An open unit of work.
    picture_of
        The live service's picture of a day (``services.live.picture``).
    order_id
        The order.
    now
        The current time, from the clock.

    Raises
    ------
    NotFound
        When the order does not exist.
    """
    order = uow.orders.get(order_id)
    if order is None:
        raise NotFound("order", order_id)
    client = uow.clients.get(order.client_id)
    zone = company_zone(uow)

    def local(moment: datetime) -> datetime:
        return moment.astimezone(zone)

    messages = tuple(uow.notifications.for_order(order.id))
    inquiries = tuple(uow.inquiries.for_order(order.id))
    if order.state in REMAINING_STATES:
        status = _remaining(uow, picture_of(order.date), order, client, now, local)
        if status is not None:
            history = order_history(uow, order, in_live_plan=True)
            return _with(status, history, messages, inquiries)
    if order.state in DONE_STATES | {OrderState.CANCELLED}:
        status = _done(uow, order, client, local)
        history = order_history(uow, order, in_live_plan=status.on_live_plan)
        return _with(status, history, messages, inquiries)
    words = {
        OrderState.OPEN: "not dispatched yet",
        OrderState.PLANNED: "in a plan that is not dispatched yet",
    }.get(order.state, "not on the live plan")
    status = OrderStatus(
        order=order,
        client=client,
        on_live_plan=False,
        summary=f"Not on a live plan: {words} (delivery day {order.date.isoformat()}).",
    )
    return _with(status, order_history(uow, order, in_live_plan=False), messages, inquiries)


def _with(
    status: OrderStatus,
    history: list[HistoryEntry],
    notifications: tuple[Notification, ...],
    inquiries: tuple[Inquiry, ...],
) -> OrderStatus:
    return replace(status, history=tuple(history), notifications=notifications, inquiries=inquiries)


def _remaining(
    uow: UnitOfWork,
    picture: LivePicture,
    order: Order,
    client: Client | None,
    now: datetime,
    local: Callable[[datetime], datetime],
) -> OrderStatus | None:
    for run in picture.snapshot.vehicles:
        for index, stop in enumerate(run.remaining):
            if stop.order_id == order.id:
                return _on_truck(uow, picture, order, client, run, index, stop, now, local)
    return None


def _on_truck(
    uow: UnitOfWork,
    picture: LivePicture,
    order: Order,
    client: Client | None,
    run: VehicleRun,
    index: int,
    stop: RemainingStop,
    now: datetime,
    local: Callable[[datetime], datetime],
) -> OrderStatus:
    forecast = picture.forecasts.get(order.id)
    last = uow.positions.last(run.vehicle_id)
    speed = (
        last.speed_mps
        if last is not None and run.position_at is not None and last.recorded_at == run.position_at
        else None
    )
    open_exceptions = uow.exceptions.list(day=order.date, status=ExceptionStatus.OPEN)
    reason = delay_reason(run, stop, forecast, open_exceptions)
    promised = (
        TimeWindow(forecast.window_start, forecast.window_end)
        if forecast is not None
        else stop.promised_window
    )
    window = eta_window(forecast.eta, now) if forecast is not None else None
    driver = run.driver_name.split()[0] if run.driver_name else None
    if order.state is OrderState.ARRIVED:
        summary = f"The truck is there now (truck {run.vehicle.name})."
    elif window is not None:
        summary = (
            f"{'On its way' if order.state is OrderState.EN_ROUTE else 'On the truck'} "
            f"({run.vehicle.name}): expected between {local(window[0]):%H:%M} and "
            f"{local(window[1]):%H:%M}, {index} stop(s) before"
            + (f"; delayed: {reason}." if reason else "; on time.")
        )
    else:
        summary = f"On truck {run.vehicle.name}; no ETA for now: {reason or 'unknown'}."
    return OrderStatus(
        order=order,
        client=client,
        on_live_plan=True,
        summary=summary,
        vehicle_id=run.vehicle_id,
        position=TruckPosition(run.position, run.position_at, speed),
        eta=forecast.eta if forecast else None,
        eta_window=window,
        promised_window=promised,
        risk=forecast.risk if forecast else None,
        stops_before=index,
        delay_reason=reason,
        no_eta=None if forecast else picture.no_eta.get(order.id, "unknown"),
        updated_at=picture.computed_at,
        driver_first_name=driver,
        open_exceptions=tuple(
            e.id for e in open_exceptions if _affects(e, order.id, run.vehicle_id)
        ),
    )


def _done(
    uow: UnitOfWork, order: Order, client: Client | None, local: Callable[[datetime], datetime]
) -> OrderStatus:
    reports = uow.stop_events.for_order(order.id)
    live = uow.plans.live_for(order.date)
    planned = None
    vehicle_id = None
    for route in live.routes if live else ():
        for stop in route.stops:
            if stop.order_id == order.id:
                planned, vehicle_id = stop, route.vehicle_id
    promised = promised_window(planned) if planned else None
    final = _report(
        reports,
        StopEventType.COMPLETED if order.state is OrderState.COMPLETED else StopEventType.FAILED,
    )
    if final is not None:
        vehicle_id = final.vehicle_id
    driver = uow.drivers.by_vehicle(vehicle_id) if vehicle_id else None
    failure = None
    if order.state is OrderState.COMPLETED:
        summary = "Delivered" + (f" at {local(final.at):%H:%M}." if final else ".")
    elif order.state is OrderState.FAILED:
        failure = final.reason.value if final and final.reason else None
        words = failure.replace("_", " ") if failure else "no reason given"
        summary = f"Delivery failed ({words})" + (f" at {local(final.at):%H:%M}." if final else ".")
    else:
        summary = "Cancelled."
    return OrderStatus(
        order=order,
        client=client,
        on_live_plan=planned is not None,
        summary=summary,
        vehicle_id=vehicle_id,
        promised_window=promised,
        driver_first_name=driver.first_name if driver else None,
        actual_at=final.at if final else None,
        failure_reason=failure,
        proof=final.proof if final else None,
    )
