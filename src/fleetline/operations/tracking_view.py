"""What a client's tracking page shows about one order, read from the live picture.

The page is public (its token is the only key), so this view carries only what the
client may see: their order's state in words, the ETA as a window (the one rule of
:func:`~fleetline.operations.eta_window.eta_window`), the promised window, where their
truck is while it is on its way, the driver's first name, their own instructions and,
once delivered, the proof. Never the driver's full name or phone, the truck's other
stops or other clients.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fleetline.domain.live import (
    FailureReason,
    Risk,
    StopEvent,
    StopEventType,
    StopForecast,
    VehicleStatus,
)
from fleetline.domain.model import Location, Order, OrderState, TimeWindow
from fleetline.domain.snapshot import VehicleRun
from fleetline.operations.company import company_zone
from fleetline.operations.eta_window import eta_window
from fleetline.operations.live_service import LivePicture
from fleetline.operations.ports import UnitOfWork

IMAGE_DATA_URL = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")
"""A proof of delivery shown as a picture; anything else is shown as text."""

FAILURE_WORDS = {
    FailureReason.CLIENT_ABSENT: "nobody was there to receive it",
    FailureReason.REFUSED: "the delivery was refused",
    FailureReason.NO_ACCESS: "the driver could not get access",
    FailureReason.DAMAGED_GOODS: "the goods were damaged",
    FailureReason.OTHER: "the driver could not complete it",
}

LIVE_STATES = frozenset({OrderState.DISPATCHED, OrderState.EN_ROUTE, OrderState.ARRIVED})


@dataclass(frozen=True, slots=True)
class TruckOnMap:
    """Where the client's truck was last seen."""

    location: Location
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class TrackingView:
    """One order as its client's tracking page shows it.

    Attributes
    ----------
    state
        The order's state code (``dispatched``, ``completed``, ...).
    headline, detail
        The state in words, and what it means for the client (stops before, a delay).
    eta_window
        When the truck is expected, as a window; ``None`` when there is no honest ETA.
    delayed
        Whether the promised window is at risk or lost.
    """

    reference: str
    state: str
    headline: str
    detail: str
    promised_window: TimeWindow
    destination: Location
    zone: ZoneInfo
    updated_at: datetime
    eta_window: tuple[datetime, datetime] | None = None
    stops_before: int | None = None
    delayed: bool = False
    truck: TruckOnMap | None = None
    driver_first_name: str | None = None
    instructions: str = ""
    delivered_at: datetime | None = None
    proof_image: str | None = None
    proof_text: str | None = None
    failure_reason: str | None = None
    may_change: bool = False
    """Whether the client may still leave instructions or ask for another window."""


def first_name(full_name: str | None) -> str | None:
    """The only part of a driver's name a client sees."""
    if not full_name or not full_name.strip():
        return None
    return full_name.split()[0]


def _last(events: list[StopEvent], kind: StopEventType) -> StopEvent | None:
    found = [e for e in events if e.type is kind]
    return max(found, key=lambda e: e.at) if found else None


def tracking_view(
    uow: UnitOfWork,
    order_id: str,
    picture_of: Callable[[date], LivePicture],
    now: datetime,
) -> TrackingView | None:
    """Read what the tracking page shows about an order at ``now``.

    Parameters
    ----------
    uow
        An open unit of work.
    order_id
        The order the page's token opens.
    picture_of
        Returns the live picture of a day (asked only for an order still to deliver).
    now
        The current time, from the clock.

    Returns
    -------
    TrackingView or None
        ``None`` when the order does not exist (the page then answers "not found").
    """
    order = uow.orders.get(order_id)
    if order is None:
        return None
    zone = company_zone(uow)
    base = TrackingView(
        reference=order.reference or order.id,
        state=order.state.value,
        headline="",
        detail="",
        promised_window=order.promised_window,
        destination=order.location,
        zone=zone,
        updated_at=now,
        instructions=order.instructions,
        may_change=order.state in {OrderState.OPEN, OrderState.PLANNED, *LIVE_STATES},
    )
    if order.state is OrderState.COMPLETED:
        return _delivered(uow, order, base)
    if order.state is OrderState.FAILED:
        failed = _last(uow.stop_events.for_order(order.id), StopEventType.FAILED)
        reason = FAILURE_WORDS.get(failed.reason or FailureReason.OTHER) if failed else None
        words = reason or FAILURE_WORDS[FailureReason.OTHER]
        return replace(
            base,
            headline="We could not deliver your order",
            detail=f"Sorry: {words}. You can ask for another delivery below or contact us.",
            failure_reason=words,
        )
    if order.state is OrderState.CANCELLED:
        return replace(base, headline="Cancelled", detail="This delivery was cancelled.")
    if order.state not in LIVE_STATES:
        return replace(
            base,
            headline="Order received",
            detail="Your delivery is being planned; you will be told your window.",
        )
    picture = picture_of(order.date)
    return _on_its_way(order, picture, now, base)


def _delivered(uow: UnitOfWork, order: Order, base: TrackingView) -> TrackingView:
    completed = _last(uow.stop_events.for_order(order.id), StopEventType.COMPLETED)
    proof = completed.proof if completed else None
    image = proof if proof and IMAGE_DATA_URL.match(proof) else None
    text = proof.strip() if proof and image is None and proof.strip() else None
    at = completed.at if completed else None
    return replace(
        base,
        headline="Delivered",
        detail="Your order was delivered.",
        delivered_at=at,
        proof_image=image,
        proof_text=text[:2000] if text else None,
    )


def _run_of(picture: LivePicture, order_id: str) -> VehicleRun | None:
    for run in picture.snapshot.vehicles:
        if any(stop.order_id == order_id for stop in run.remaining):
            return run
    return None


def _on_its_way(
    order: Order, picture: LivePicture, now: datetime, base: TrackingView
) -> TrackingView:
    run = _run_of(picture, order.id)
    forecast = picture.forecasts.get(order.id)
    driver = first_name(run.driver_name) if run else None
    truck = None
    if run is not None and run.position_at is not None:
        truck = TruckOnMap(run.position, run.position_at)
    fields = replace(base, updated_at=picture.computed_at, driver_first_name=driver)
    if run is not None and run.status is VehicleStatus.BROKEN_DOWN:
        return replace(
            fields,
            headline="Delayed",
            detail="Your truck has a breakdown. We are arranging your delivery and will "
            "tell you the new time.",
            delayed=True,
            truck=truck,
        )
    if forecast is None:
        return replace(
            fields,
            headline="Planned for today",
            detail="Your delivery is planned; the expected time will appear here shortly.",
            truck=truck,
        )
    return _with_forecast(order, forecast, now, fields, truck)


def _with_forecast(
    order: Order,
    forecast: StopForecast,
    now: datetime,
    fields: TrackingView,
    truck: TruckOnMap | None,
) -> TrackingView:
    window = eta_window(forecast.eta, now)
    ahead = forecast.sequence
    delayed = forecast.risk is not Risk.ON_TIME
    if order.state is OrderState.ARRIVED:
        headline, detail = "The driver is at your door", "Your delivery is being handed over."
    elif ahead == 0:
        headline, detail = "On its way", "Your delivery is the truck's next stop."
    else:
        stops = "stop" if ahead == 1 else "stops"
        headline, detail = "On its way", f"{ahead} {stops} before yours."
    if forecast.risk is Risk.LATE:
        detail += " The truck is running late: it is now expected after your window. Sorry."
    elif forecast.risk is Risk.AT_RISK:
        detail += " The truck is running a little behind; we are watching your window."
    return replace(
        fields,
        headline=headline,
        detail=detail,
        promised_window=TimeWindow(forecast.window_start, forecast.window_end),
        eta_window=window,
        stops_before=ahead,
        delayed=delayed,
        truck=truck if order.state is not OrderState.ARRIVED else None,
    )
