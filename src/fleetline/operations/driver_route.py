"""A driver's day: their own truck's stops in order, and what changed since they looked.

Only the stops of the driver's own vehicle in the day's live plan are read, and of each
stop's client only the name and the contact phone: what a driver needs at the door and
nothing about other trucks, other clients or other drivers. ETAs come from the live
picture the operations service keeps, shown as the one window rule of
:func:`~fleetline.operations.eta_window.eta_window`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from fleetline.domain.errors import NotFound
from fleetline.domain.live import Risk, StopEvent, VehicleStatus
from fleetline.domain.model import Location, OrderState, TimeWindow
from fleetline.operations.eta_window import eta_window
from fleetline.operations.live_service import LivePicture
from fleetline.operations.ports import UnitOfWork

DONE_STATES = frozenset({OrderState.COMPLETED, OrderState.FAILED})


@dataclass(frozen=True, slots=True)
class DriverStop:
    """One stop of the driver's route, with what they need at the door.

    ``window`` is the promised window (the order's first window when none was promised),
    ``eta_window`` what the client is told; both ``None`` once the stop is done.
    """

    order_id: str
    sequence: int
    state: OrderState
    location: Location
    address: str
    instructions: str
    client_name: str
    client_phone: str | None
    window: TimeWindow | None
    eta: datetime | None
    eta_window: tuple[datetime, datetime] | None
    risk: Risk | None
    reference: str | None
    reports: tuple[StopEvent, ...]

    @property
    def done(self) -> bool:
        """Whether the stop is completed or failed."""
        return self.state in DONE_STATES

    @property
    def label(self) -> str:
        """How the driver names the stop: the client, and the address when known."""
        return f"{self.client_name}, {self.address}" if self.address else self.client_name


@dataclass(frozen=True, slots=True)
class DriverRoute:
    """The driver's route of ``date``: their truck and its stops in the plan's order.

    ``vehicle_id`` is ``None`` when the driver has no truck; ``stops`` is empty when no
    dispatched plan gives their truck a route.
    """

    driver_id: str
    driver_name: str
    date: date
    timezone: str
    vehicle_id: str | None
    vehicle_name: str | None
    vehicle_status: VehicleStatus | None
    vehicle_note: str
    plan_id: str | None
    plan_version: int | None
    stops: tuple[DriverStop, ...]

    @property
    def open_stops(self) -> tuple[DriverStop, ...]:
        """The stops still to serve, in order."""
        return tuple(stop for stop in self.stops if not stop.done)

    @property
    def done_stops(self) -> tuple[DriverStop, ...]:
        """The stops completed or failed, in order."""
        return tuple(stop for stop in self.stops if stop.done)

    def stop(self, order_id: str) -> DriverStop | None:
        """Return the stop of ``order_id`` if it is on this route."""
        return next((stop for stop in self.stops if stop.order_id == order_id), None)


def driver_route(
    uow: UnitOfWork, driver_id: str, picture: LivePicture, now: datetime
) -> DriverRoute:
    """Read the route of the driver ``driver_id`` on the day of ``picture``.

    Parameters
    ----------
    uow
        An open unit of work.
    driver_id
        The driver signed in (from their token).
    picture
        The live picture of the day (ETAs and risk of the remaining stops).
    now
        The clock's time, from which ETA windows widen.

    Returns
    -------
    DriverRoute
        The driver's own truck and its stops; nothing of any other truck.

    Raises
    ------
    NotFound
        When the driver does not exist (field ``driver``).
    """
    driver = uow.drivers.get(driver_id)
    if driver is None:
        raise NotFound("driver", driver_id)
    day = picture.snapshot.date
    vehicle = uow.vehicles.get(driver.vehicle_id) if driver.vehicle_id else None
    depot = uow.depots.get(vehicle.depot_id) if vehicle else None
    state = uow.vehicle_states.get(vehicle.id) if vehicle else None
    plan = uow.plans.live_for(day)
    route = None
    if plan is not None and vehicle is not None:
        route = next((r for r in plan.routes if r.vehicle_id == vehicle.id), None)
    stops: list[DriverStop] = []
    if route is not None:
        planned = route.latest_stops()
        orders = {order.id: order for order in uow.orders.get_many(s.order_id for s in planned)}
        clients = {
            client.id: client
            for client in uow.clients.get_many({order.client_id for order in orders.values()})
        }
        for position, planned_stop in enumerate(planned, start=1):
            order = orders.get(planned_stop.order_id)
            if order is None:
                continue
            client = clients.get(order.client_id)
            forecast = picture.forecasts.get(order.id)
            done = order.state in DONE_STATES
            window: TimeWindow | None = order.time_windows[0] if order.time_windows else None
            if forecast is not None:
                window = TimeWindow(forecast.window_start, forecast.window_end)
            stops.append(
                DriverStop(
                    order_id=order.id,
                    sequence=position,
                    state=order.state,
                    location=order.location,
                    address=order.address,
                    instructions=order.instructions,
                    client_name=client.name if client else "",
                    client_phone=client.contact.phone if client else None,
                    window=None if done else window,
                    eta=None if done or forecast is None else forecast.eta,
                    eta_window=(
                        None if done or forecast is None else eta_window(forecast.eta, now)
                    ),
                    risk=None if done or forecast is None else forecast.risk,
                    reference=order.reference,
                    reports=tuple(uow.stop_events.for_order(order.id)),
                )
            )
    return DriverRoute(
        driver_id=driver.id,
        driver_name=driver.name,
        date=day,
        timezone=depot.timezone if depot else "UTC",
        vehicle_id=vehicle.id if vehicle else None,
        vehicle_name=vehicle.name if vehicle else None,
        vehicle_status=state.status if state else (VehicleStatus.ON_DUTY if vehicle else None),
        vehicle_note=state.note if state else "",
        plan_id=plan.id if plan else None,
        plan_version=plan.version if plan else None,
        stops=tuple(stops),
    )


@dataclass(frozen=True, slots=True)
class RouteChange:
    """What changed in a route since the driver last acknowledged it (labels, in order)."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    reordered: bool

    @property
    def any(self) -> bool:
        """Whether anything changed."""
        return bool(self.added or self.removed or self.reordered)

    def summary(self) -> str:
        """Say the change in one line, e.g. ``2 stops added: A, B · order changed``."""
        parts = []
        if self.added:
            noun = "stop" if len(self.added) == 1 else "stops"
            parts.append(f"{len(self.added)} {noun} added: {', '.join(self.added)}")
        if self.removed:
            noun = "stop" if len(self.removed) == 1 else "stops"
            parts.append(f"{len(self.removed)} {noun} removed: {', '.join(self.removed)}")
        if self.reordered:
            parts.append("order changed")
        return " · ".join(parts)


def route_change(
    before: Sequence[tuple[str, str]],
    after: Sequence[tuple[str, str]],
    done: Collection[str] = (),
) -> RouteChange:
    """Compare two routes given as ``(order_id, label)`` in the order of the stops.

    Parameters
    ----------
    before
        The open stops the driver acknowledged.
    after
        The open stops now.
    done
        Stops of the route done since (served, so not removed).

    Returns
    -------
    RouteChange
        Stops added and removed (by label), and whether the stops kept changed order.
    """
    before_ids = [order_id for order_id, _ in before]
    after_ids = [order_id for order_id, _ in after]
    added = tuple(label for order_id, label in after if order_id not in before_ids)
    removed = tuple(
        label for order_id, label in before if order_id not in after_ids and order_id not in done
    )
    kept_before = [order_id for order_id in before_ids if order_id in after_ids]
    kept_after = [order_id for order_id in after_ids if order_id in before_ids]
    return RouteChange(added, removed, kept_before != kept_after)
