"""Which other delivery windows the live plan can still honour for an order.

A client on the tracking page may ask for another window, but is only ever offered one
the fleet can keep. The candidates are whole-hour slots from an hour from now to the end
of the truck's shift. A slot is offered when the order, given that slot as its only
window, fits somewhere into the remaining route of its truck so that, by the ETA engine
itself (same travel times, same waiting and risk rules as the live picture):

- the order is served on time in the slot, with the at-risk margin to spare, and
- no other stop of the truck becomes late, and none already late gets later.

This is an insertion check, not a solve: the route without the order is timed once, then
a few ETA passes over it per slot, trying first the places whose times are nearest to the
slot and never a place the truck leaves after the slot ends, so a 20-stop route is
answered in well under a second. An accepted slot then goes through the
``ChangeOrder`` command like any client change, and the re-planning policy for window
changes decides the truck's new sequence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from fleetline.domain.live import Risk, StopForecast
from fleetline.domain.model import OrderState, TimeWindow
from fleetline.domain.snapshot import DaySnapshot, RemainingStop, VehicleRun
from fleetline.network.base import TravelTimes
from fleetline.operations.eta import forecast_fleet
from fleetline.operations.live_service import LivePicture

SLOT = timedelta(hours=1)
"""The length of an offered window."""
LEAD = timedelta(hours=1)
"""No window offered starts sooner than this from now."""
MOVABLE = frozenset({OrderState.DISPATCHED})
"""Orders whose window may still change from the tracking page: not yet on the way."""


def candidate_slots(now: datetime, shift_end: datetime, slot: timedelta = SLOT) -> list[TimeWindow]:
    """Whole-hour slots from ``now`` plus :data:`LEAD` to ``shift_end``, in ``now``'s zone.

    Parameters
    ----------
    now
        The current time, in the company's zone (its hours are the slots' edges).
    shift_end
        No slot ends after this (the truck's shift end, within the delivery day).
    slot
        The length of each slot.
    """
    earliest = now + LEAD
    start = earliest.replace(minute=0, second=0, microsecond=0)
    if start < earliest:
        start += timedelta(hours=1)
    slots = []
    while start + slot <= shift_end:
        slots.append(TimeWindow(start, start + slot))
        start += slot
    return slots


def _run_of(snapshot: DaySnapshot, order_id: str) -> tuple[VehicleRun, RemainingStop] | None:
    for run in snapshot.vehicles:
        for stop in run.remaining:
            if stop.order_id == order_id:
                return run, stop
    return None


def _route_forecasts(
    snapshot: DaySnapshot, run: VehicleRun, stops: Sequence[RemainingStop], travel: TravelTimes
) -> dict[str, StopForecast]:
    """The ETA engine's forecasts of one truck driving ``stops`` from where it is now."""
    alone = replace(snapshot, vehicles=(replace(run, remaining=tuple(stops)),), unplanned=())
    return forecast_fleet(alone, travel).stops


def _keeps_others(
    trial: dict[str, StopForecast], baseline: dict[str, StopForecast], others: Sequence[str]
) -> bool:
    for order_id in others:
        after = trial.get(order_id)
        before = baseline.get(order_id)
        if after is None:
            return False
        if before is None:
            continue
        if after.lateness_s > before.lateness_s:
            return False
        if after.risk is Risk.LATE and before.risk is not Risk.LATE:
            return False
    return True


def _places_nearest_first(
    window: TimeWindow,
    others: Sequence[RemainingStop],
    baseline: dict[str, StopForecast],
    first_free: int,
    now: datetime,
) -> list[int]:
    """Insertion places that can still reach the window, those nearest its time first.

    The route before an insertion place is driven exactly as without the order, so the
    order cannot arrive before the previous stop's departure: a place whose previous
    stop leaves after the window ends is never tried.
    """

    def departure_before(place: int) -> datetime:
        before = baseline.get(others[place - 1].order_id) if place > 0 else None
        return before.departure if before is not None else now

    def distance(place: int) -> float:
        moment = departure_before(place)
        if moment < window.start:
            return (window.start - moment).total_seconds()
        return max(0.0, (moment - window.end).total_seconds())

    places = [p for p in range(first_free, len(others) + 1) if departure_before(p) <= window.end]
    return sorted(places, key=lambda place: (distance(place), place))


class _RouteCheck:
    """The order's truck without the order, timed once, against which slots are tried."""

    def __init__(self, snapshot: DaySnapshot, order_id: str, travel_times: TravelTimes) -> None:
        found = _run_of(snapshot, order_id)
        self.found = found is not None
        if found is None:
            return
        self.snapshot, self.order_id, self.travel_times = snapshot, order_id, travel_times
        self.run, self.stop = found
        self.others = [s for s in self.run.remaining if s.order_id != order_id]
        self.baseline = _route_forecasts(snapshot, self.run, self.others, travel_times)
        first_free = 0
        while (
            first_free < len(self.others)
            and self.others[first_free].state is not OrderState.DISPATCHED
        ):
            first_free += 1
        self.first_free = first_free

    def honours(self, window: TimeWindow) -> bool:
        """Whether some place in the route serves the order in ``window``, others no later."""
        if not self.found:
            return False
        moved = replace(self.stop, time_windows=(window,), promised_window=window)
        other_ids = [s.order_id for s in self.others]
        places = _places_nearest_first(
            window, self.others, self.baseline, self.first_free, self.snapshot.now
        )
        for place in places:
            route = [*self.others[:place], moved, *self.others[place:]]
            trial = _route_forecasts(self.snapshot, self.run, route, self.travel_times)
            served = trial.get(self.order_id)
            if (
                served is not None
                and served.risk is Risk.ON_TIME
                and window.start <= served.service_start <= window.end
                and _keeps_others(trial, self.baseline, other_ids)
            ):
                return True
        return False


def honours(
    snapshot: DaySnapshot,
    order_id: str,
    window: TimeWindow,
    travel_times: TravelTimes,
) -> bool:
    """Whether the order's truck can serve it in ``window`` with its other stops no later.

    Parameters
    ----------
    snapshot
        The live day, at the time the question is asked.
    order_id
        An order on a truck of the live plan.
    window
        The window asked for.
    travel_times
        The live picture's travel times.
    """
    return _RouteCheck(snapshot, order_id, travel_times).honours(window)


def offered_windows(
    picture: LivePicture,
    order_id: str,
    travel_times: TravelTimes,
    now: datetime,
    *,
    slot: timedelta = SLOT,
) -> list[TimeWindow]:
    """The windows an order's client may switch to: those the live plan can honour.

    Parameters
    ----------
    picture
        The live picture of the order's day.
    order_id
        The order.
    travel_times
        The live picture's travel times.
    now
        The current time, from the clock.
    slot
        The length of each offered window.

    Returns
    -------
    list of TimeWindow
        In time order; empty when the order is not on a working truck of the live
        plan, is already on its way, or no slot fits.
    """
    found = _run_of(picture.snapshot, order_id)
    if found is None:
        return []
    run, stop = found
    if stop.state not in MOVABLE or order_id not in picture.forecasts:
        return []
    local_now = now.astimezone(run.depot.zone)
    snapshot = replace(picture.snapshot, now=local_now)
    day_end = datetime.combine(
        snapshot.date + timedelta(days=1), datetime.min.time(), tzinfo=run.depot.zone
    )
    current = set(stop.time_windows)
    slots = [
        window
        for window in candidate_slots(local_now, min(run.shift_end, day_end), slot)
        if window not in current
    ]
    if not slots:
        return []
    check = _RouteCheck(snapshot, order_id, travel_times)
    return [window for window in slots if check.honours(window)]
