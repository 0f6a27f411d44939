"""Learns each driver's pace from the legs they drove today.

A leg runs from one stop's completion (the truck leaves) to the next stop's arrival, so
service and waiting are left out; its predicted duration comes from the travel times the
ETAs use. The pace (see :func:`~fleetline.operations.eta_pace.learn_pace`) then stretches
the truck's remaining legs in the live picture.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime

from fleetline.domain.events import StopReported
from fleetline.domain.live import StopEvent, StopEventType
from fleetline.domain.model import Location
from fleetline.network.base import TravelTimes, leg_durations
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
        self._learn(event.vehicle_id, reports, {o.id: o.location for o in orders})

    def relearn(self, day: date) -> int:
        """Learn again every truck's pace of ``day`` from its stop reports (after a restart).

        Returns
        -------
        int
            How many trucks have a pace again.
        """
        with self._uow_factory() as uow:
            reports = uow.stop_events.for_day(day)
            orders = uow.orders.get_many({r.order_id for r in reports})
        locations = {o.id: o.location for o in orders}
        by_vehicle: dict[str, list[StopEvent]] = defaultdict(list)
        for report in reports:
            by_vehicle[report.vehicle_id].append(report)
        return sum(
            self._learn(vehicle_id, sorted(found, key=lambda r: r.at), locations)
            for vehicle_id, found in by_vehicle.items()
        )

    def _learn(
        self, vehicle_id: str, reports: Sequence[StopEvent], locations: dict[str, Location]
    ) -> bool:
        legs = driven_legs(reports, locations)
        if not legs:
            return False
        predicted = leg_durations(self._travel_times, [(a, b) for a, b, _ in legs])
        pairs = [
            (float(seconds_predicted), seconds)
            for seconds_predicted, (_, _, seconds) in zip(predicted, legs, strict=True)
        ]
        self._set_pace(vehicle_id, learn_pace(pairs))
        return True
