"""Drive times for one ETA refresh, with few calls to the travel-time provider.

A refresh needs about one leg per remaining stop, each at its own departure time.
Asking the provider once per leg, or once per vehicle and hour, costs thousands of calls
for a 200-truck fleet. Instead:

- every question is asked at the *reference* hour, the hour of ``now``: the trips from
  the trucks' positions to their next stops (single trips, which a road network answers
  one by one far faster than a matrix), and one matrix per vehicle over its remaining
  stops.
  The stop matrices do not change while the trucks move, so a caching provider answers
  them from memory on every refresh in the same hour (and a completed stop leaves a
  sub-matrix of the cached one);
- a leg leaving in another hour is scaled by that hour's *factor*: the provider's total
  duration over a probe (the remaining stops of one vehicle) at that hour, divided by
  its total at the reference hour. For crow-flies (one speed per hour) this reproduces
  the hourly speed exactly up to rounding; for a provider without time of day (OSRM)
  it is 1. A provider whose time dependence differs from place to place would be
  approximated by the probe's average.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from fleetline.domain.model import Location, OrderState
from fleetline.domain.snapshot import VehicleRun
from fleetline.network.base import UNREACHABLE, IntMatrix, TravelTimes, leg_durations


class Clock:
    """Offsets in seconds from ``now``, and the departure group (hour) of an offset."""

    __slots__ = ("now", "now_ts", "step")

    def __init__(self, now: datetime, step: int) -> None:
        self.now = now
        self.now_ts = now.timestamp()
        self.step = step

    def offset(self, moment: datetime) -> float:
        """Seconds from ``now`` to ``moment``."""
        return moment.timestamp() - self.now_ts

    def group(self, offset: float) -> int:
        """The departure group of a moment given as an offset from ``now``."""
        return math.floor((self.now_ts + offset) / self.step)

    def departure(self, group: int) -> datetime:
        """The start of a departure group, in the zone of ``now`` (the company's time)."""
        return datetime.fromtimestamp(group * self.step, tz=self.now.tzinfo or UTC)

    def at(self, offset: float) -> datetime:
        """The moment ``offset`` seconds after ``now``, to the whole second."""
        return self.now + timedelta(seconds=round(offset))


def start_offset(run: VehicleRun, clock: Clock) -> float:
    """When a truck that is not at a stop leaves its position: now, or its shift start."""
    return max(0.0, clock.offset(run.shift_start))


class RefreshLegs:
    """Drive seconds between locations of one refresh, before the driver's pace.

    Parameters
    ----------
    travel_times
        The provider.
    clock
        The refresh's clock; its ``now`` sets the reference hour.
    runs
        The moving vehicles, each with at least one remaining stop.
    """

    def __init__(self, travel_times: TravelTimes, clock: Clock, runs: Sequence[VehicleRun]):
        self.travel_times = travel_times
        self.clock = clock
        self.reference = clock.group(0.0)
        self._factors: dict[int, float] = {self.reference: 1.0}
        self._probe = _probe_locations(runs)
        self._probe_reference: IntMatrix | None = None
        self.first = self._first_legs(runs)

    def _ask(self, locations: Sequence[Location], group: int) -> IntMatrix:
        return self.travel_times.matrix(locations, self.clock.departure(group)).durations

    def _first_legs(self, runs: Sequence[VehicleRun]) -> dict[str, float]:
        """Seconds from each driving truck's position to its next stop (reference hour).

        Asked as single trips: a road network answers N of them far faster than the
        matrix over every position and next stop.
        """
        driving = [run for run in runs if run.remaining[0].state is not OrderState.ARRIVED]
        if not driving:
            return {}
        pairs = [(run.position, run.remaining[0].location) for run in driving]
        seconds = leg_durations(self.travel_times, pairs, self.clock.departure(self.reference))
        return {run.vehicle_id: float(s) for run, s in zip(driving, seconds, strict=True)}

    def stops(self, run: VehicleRun) -> IntMatrix:
        """The reference-hour matrix over ``run``'s remaining stops, in route order."""
        return self._ask([stop.location for stop in run.remaining], self.reference)

    def factor(self, offset: float) -> float:
        """How much longer a trip leaving at ``offset`` takes than in the reference hour."""
        group = self.clock.group(offset)
        found = self._factors.get(group)
        if found is None:
            found = self._factors[group] = self._learn_factor(group)
        return found

    def _learn_factor(self, group: int) -> float:
        if len(self._probe) < 2:
            return 1.0
        if self._probe_reference is None:
            self._probe_reference = self._ask(self._probe, self.reference)
        reference = self._probe_reference
        other = self._ask(self._probe, group)
        usable = (reference < UNREACHABLE) & (other < UNREACHABLE)
        total = float(np.sum(reference, where=usable))
        return float(np.sum(other, where=usable)) / total if total > 0 else 1.0


def _probe_locations(runs: Sequence[VehicleRun]) -> list[Location]:
    """The remaining stops of the first vehicle (by id) with two distinct stop locations.

    The same list as that vehicle's own stop matrix, so a cache answers both at once.
    """
    for run in sorted(runs, key=lambda r: r.vehicle_id):
        locations = [stop.location for stop in run.remaining]
        if len(set(locations)) >= 2:
            return locations
    return []
