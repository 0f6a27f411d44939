"""Which other windows a client is offered: only those the truck's route can still keep."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import numpy as np

from fleetline.clock import FixedClock
from fleetline.domain.model import Location, OrderState, TimeWindow
from fleetline.domain.snapshot import DaySnapshot
from fleetline.network.base import Snap, TravelMatrix
from fleetline.network.factory import travel_times_for
from fleetline.operations.eta import forecast_fleet
from fleetline.operations.live_service import LivePicture
from fleetline.operations.window_offers import candidate_slots, offered_windows

from ..planning.live_factories import NOW, ZONE, at, run, snapshot, stop


class NorthSouth:
    """Points on a north-south line: 0.01 degree (1 km) takes 100 s, at any hour."""

    name = "north-south"

    def matrix(
        self, locations: Sequence[Location], departure: datetime | None = None
    ) -> TravelMatrix:
        lats = np.array([p.lat for p in locations], dtype=float)
        seconds = np.rint(np.abs(lats[:, None] - lats[None, :]) * 10_000).astype(np.int64)
        return TravelMatrix(durations=seconds, distances=seconds * 10)

    def snap(self, locations: Sequence[Location]) -> list[Snap]:
        return [Snap(p, p, 0.0, True) for p in locations]


def _picture(day: DaySnapshot, travel: object) -> LivePicture:
    fleet = forecast_fleet(day, travel)  # type: ignore[arg-type]
    return LivePicture(day, fleet.stops, day.now, 1)


def _tight_day(order_km: float) -> DaySnapshot:
    """At 10:00 a truck (shift to 13:00) has a stop due 10:40-10:50 at km 20, the client's
    order at ``order_km``, then a stop due 12:00-12:10 at km 20.1."""
    early = stop("early", 20, (10 + 40 / 60, 10 + 50 / 60))
    order = stop("order", order_km, (10, 11))
    late = stop("late", 20.1, (12, 12 + 10 / 60))
    return snapshot(run("t1", 0, [early, order, late], shift_end=13))


def test_slots_are_whole_hours_from_an_hour_ahead_to_the_shift_end() -> None:
    """At 10:20 the first slot is 12:00-13:00 (11:20 rounded up), the last ends at 16:00."""
    slots = candidate_slots(at(10 + 20 / 60), at(16))
    assert slots[0] == TimeWindow(at(12), at(13))
    assert slots[-1] == TimeWindow(at(15), at(16))
    assert len(slots) == 4


def test_a_nearby_order_is_offered_every_slot_its_truck_can_keep() -> None:
    """An order beside the truck's other stops may move to 11-12 (between them) or 12-13
    (after the last): both are offered, the current window is not."""
    day = _tight_day(21)
    offers = offered_windows(_picture(day, NorthSouth()), "order", NorthSouth(), NOW)
    assert offers == [TimeWindow(at(11), at(12)), TimeWindow(at(12), at(13))]


def test_an_order_that_would_make_another_stop_late_is_offered_nothing() -> None:
    """An order 40 km off the route: serving it in any slot before the shift ends would
    make the 12:00 stop late or miss the slot, so nothing is offered."""
    day = _tight_day(60)
    assert offered_windows(_picture(day, NorthSouth()), "order", NorthSouth(), NOW) == []


def test_an_order_already_on_its_way_is_not_offered_another_window() -> None:
    """Once the truck is driving to the order, its window no longer changes from the page."""
    day = _tight_day(21)
    truck = day.vehicles[0]
    moving = tuple(
        replace(s, state=OrderState.EN_ROUTE) if s.order_id == "order" else s
        for s in truck.remaining
    )
    day = replace(day, vehicles=(replace(truck, remaining=moving),))
    assert offered_windows(_picture(day, NorthSouth()), "order", NorthSouth(), NOW) == []


def test_a_twenty_stop_route_is_offered_windows_within_the_shift() -> None:
    """Twenty stops with all-day windows on crow-flies travel times: every offer is found
    within the shift, and there are some."""
    stops = [stop(f"s{i}", 2 + 1.5 * i, (8, 18), service_s=600) for i in range(20)]
    day = snapshot(run("t1", 0, stops, shift_end=18))
    travel = travel_times_for(None, clock=FixedClock(NOW))
    picture = _picture(day, travel)
    offers = offered_windows(picture, "s10", travel, NOW)
    assert offers and all(w.start.tzinfo is not None for w in offers)
    assert offers[0].start >= at(11) and offers[-1].end <= at(18)
    assert all(w.start.astimezone(ZONE).minute == 0 for w in offers)
