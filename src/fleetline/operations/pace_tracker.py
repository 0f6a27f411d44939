"""Learns each driver's pace from the legs they drove today.

A leg runs from one stop's completion (the truck leaves) to the next stop's arrival, so
service and waiting are left out; its predicted duration comes from the travel times the
ETAs use. The pace (see :func:`~fleetline.operations.eta_pace.learn_pace`) then stretches
the truck's remaining legs in the live picture.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from fleetline.domain.events import StopReported
from fleetline.domain.live import StopEvent, StopEventType
from fleetline.domain.model import Location
from fleetline.network.base import TravelTimes
from fleetline.operations.eta_pace import learn_pace
from fleetline.operations.ports import UnitOfWork


def driven_legs(
    reports: Sequence[StopEvent], locations: dict[str, Location]
) -> list[tuple[Location, Location, float]]:
    """Each leg a truck drove: from where, to where, and how many seconds it took."""
    departures: list[tuple[datetime, str]] = []
    arrivals: list[tuple[datetime, str]] = []
    for report in reports:
        if report.type is StopEventType.COMPLETED or report.type is StopEventType.FAILED:
            departures.append((report.at, report.order_id))
        if report.type is StopEventType.ARRIVED:
            arrivals.append((report.at, report.order_id))
    arrived = {order_id for _, order_id in arrivals}
    for report in reports:
        if report.type is StopEventType.COMPLETED and report.order_id not in arrived:
            arrivals.append((report.at, report.order_id))
    legs = []
    for left_at, origin in sorted(departures):
        later = [(at, order_id) for at, order_id in arrivals if at > left_at and order_id != origin]
        if not later:
            continue
        arrived_at, destination = min(later)
        if origin in locations and destination in locations:
            seconds = (arrived_at - left_at).total_seconds()
            legs.append((locations[origin], locations[destination], seconds))
    return legs


class PaceTracker:
    """Recomputes a truck's pace whenever one of its stops is reported."""

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        travel_times: TravelTimes,
        set_pace: Callable[[str, float], None],
    ) -> None:
        self._uow_factory = uow_factory
        self._travel_times = travel_times
        self._set_pace = set_pace

    def on_stop_reported(self, event: StopReported) -> None:
        """Learn the pace of the truck that reported."""
        if event.type not in ("arrived", "completed"):
            return
        with self._uow_factory() as uow:
            order = uow.orders.get(event.order_id)
            if order is None:
                return
            reports = uow.stop_events.for_vehicle(event.vehicle_id, order.date)
            orders = uow.orders.get_many({r.order_id for r in reports})
        legs = driven_legs(reports, {o.id: o.location for o in orders})
        if not legs:
            return
        points = [p for origin, destination, _ in legs for p in (origin, destination)]
        matrix = self._travel_times.matrix(points)
        pairs = [
            (float(matrix.durations[2 * i, 2 * i + 1]), seconds)
            for i, (_, _, seconds) in enumerate(legs)
        ]
        self._set_pace(event.vehicle_id, learn_pace(pairs))
