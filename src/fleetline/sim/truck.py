"""A simulated truck and its driver: drive the remaining stops in order, serve, report.

Pure: a truck is told its remaining stops (from the live plan) and is advanced to a moment;
it answers with the stop reports that happened on the way and where it is. The day
(:mod:`fleetline.sim.day`) sends them to the system.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from fleetline.domain.model import Location
from fleetline.sim.motion import Leg, Roads, SimIncident

FAILURE_REASONS = ("client_absent", "client_absent", "no_access", "refused")
FAILED_AFTER = timedelta(minutes=4)
"""How long a driver tries before reporting a delivery failed."""


class Phase(StrEnum):
    """What a truck is doing."""

    READY = "ready"
    """At the depot, before its shift."""
    DRIVING = "driving"
    SERVING = "serving"
    HOME = "home"
    """Back at the depot with nothing left to do (a new stop sends it out again)."""
    BROKEN = "broken"


@dataclass(frozen=True, slots=True)
class SimStop:
    """What a driver knows of a stop: where, its windows, how long the service takes."""

    order_id: str
    reference: str
    location: Location
    windows: tuple[tuple[datetime, datetime], ...]
    service_s: int


@dataclass(frozen=True, slots=True)
class StopReport:
    """A report a driver sends from a stop."""

    vehicle_id: str
    order_id: str
    type: str
    at: datetime
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Fix:
    """A GPS fix."""

    vehicle_id: str
    location: Location
    at: datetime
    speed_mps: float


def service_start(arrival: datetime, windows: Sequence[tuple[datetime, datetime]]) -> datetime:
    """When service begins: at once inside a window, at the first window's start when early.

    Between two windows the driver delivers late at once, unless the next window opens
    sooner than he is late for the one that has closed.
    """
    closed_at: datetime | None = None
    for start, end in sorted(windows):
        if arrival <= end:
            if closed_at is None or arrival >= start:
                return max(arrival, start)
            return start if start - arrival < arrival - closed_at else arrival
        closed_at = end
    return arrival


@dataclass(slots=True)
class SimTruck:
    """One truck of the simulated day.

    Parameters
    ----------
    vehicle_id, name
        The vehicle.
    depot
        Where it starts and ends.
    shift_start
        When it may leave.
    pace
        Its driver's factor on travel times (above 1: slower than the free-flow time).
    rng
        Its own random stream (service times, failures), so trucks do not disturb each other.
    service_noise
        Relative spread of service times.
    failure_rate
        Chance that a delivery fails (once per order at most).
    draws
        The random stream of one stop, by order id (its service time, whether and why it
        fails): a stop then comes out the same whatever route led to it, so two days that
        differ in their plans see the same failures. Without it, ``rng`` draws in the
        order the stops are served.
    shift_end
        When its shift ends (work after it is overtime).
    """

    vehicle_id: str
    name: str
    depot: Location
    shift_start: datetime
    pace: float
    rng: random.Random
    service_noise: float = 0.0
    failure_rate: float = 0.0
    draws: Callable[[str], random.Random] | None = None
    shift_end: datetime | None = None
    phase: Phase = Phase.READY
    position: Location = field(init=False)
    clock: datetime = field(init=False)
    route: list[str] = field(default_factory=list)
    leg: Leg | None = None
    serving: str | None = None
    service_ends: datetime | None = None
    outcome: str = "completed"
    distance_m: float = 0.0
    attempted: set[str] = field(default_factory=set)
    home_reported: bool = False
    home_at: datetime | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        self.position = self.depot
        self.clock = self.shift_start

    # --- the plan ------------------------------------------------------------------------

    def follow(
        self,
        remaining: Sequence[str],
        now: datetime,
        roads: Roads,
        stops: Mapping[str, SimStop],
        incidents: Sequence[SimIncident] = (),
    ) -> None:
        """Take the live plan's remaining stops; turn towards a new first stop when driving."""
        self.route = [order_id for order_id in remaining if order_id != self.serving]
        if self.phase in (Phase.BROKEN, Phase.SERVING, Phase.READY):
            return
        first = self.route[0] if self.route else None
        if self.phase is Phase.DRIVING and self.leg is not None and self.leg.target_order == first:
            return
        if self.phase is Phase.HOME and first is None:
            return
        if self.phase is Phase.DRIVING and self.leg is not None:
            self.position = self.leg.position_at(now)
        self._set_off(max(now, self.clock), roads, stops, incidents)

    def break_down(self, at: datetime) -> None:
        """Stop where it is, for the rest of the day."""
        if self.phase is Phase.DRIVING and self.leg is not None:
            self.position = self.leg.position_at(at)
        self.phase = Phase.BROKEN
        self.leg = None
        self.serving = None
        self.clock = at

    @property
    def active(self) -> bool:
        """On the road or at a stop (a breakdown can only strike then)."""
        return self.phase in (Phase.DRIVING, Phase.SERVING)

    def overtime_until(self, moment: datetime) -> int:
        """Seconds worked after the shift's end by ``moment``.

        A truck home since worked until it came home; one still out (the day stopped
        first) works until ``moment``; a broken-down one worked none.
        """
        if self.shift_end is None or self.phase is Phase.BROKEN:
            return 0
        out = self.phase in (Phase.DRIVING, Phase.SERVING)
        ended = moment if out else self.home_at
        if ended is None:
            return 0
        return max(0, round((ended - self.shift_end).total_seconds()))

    @property
    def finished(self) -> bool:
        """Home with nothing left, or broken down."""
        return self.phase is Phase.BROKEN or (self.phase is Phase.HOME and not self.route)

    # --- time passing --------------------------------------------------------------------

    def advance(
        self,
        until: datetime,
        roads: Roads,
        stops: Mapping[str, SimStop],
        incidents: Sequence[SimIncident] = (),
    ) -> list[StopReport]:
        """Play the truck's day up to ``until``; return the reports made on the way."""
        reports: list[StopReport] = []
        while True:
            if self.phase is Phase.READY:
                if self.shift_start > until:
                    break
                self._set_off(max(self.shift_start, self.clock), roads, stops, incidents)
            elif self.phase is Phase.DRIVING and self.leg is not None:
                if self.leg.arrive > until:
                    break
                self._arrive(self.leg, reports, stops)
                if self.phase is Phase.DRIVING:
                    self._set_off(self.clock, roads, stops, incidents)
            elif self.phase is Phase.SERVING and self.service_ends is not None:
                if self.service_ends > until:
                    break
                assert self.serving is not None
                reports.append(
                    StopReport(
                        self.vehicle_id,
                        self.serving,
                        self.outcome,
                        self.service_ends,
                        self.reason if self.outcome == "failed" else None,
                    )
                )
                self.clock = self.service_ends
                if self.serving in self.route:
                    self.route.remove(self.serving)
                self.serving = None
                self.service_ends = None
                self._set_off(self.clock, roads, stops, incidents)
            else:
                break
        return reports

    def fix(self, moment: datetime) -> Fix | None:
        """The GPS fix at ``moment``, once advanced to it.

        None before the shift, and none once home after the first fix there.
        """
        if self.phase is Phase.READY or moment < self.shift_start:
            return None
        if self.phase is Phase.HOME:
            if self.home_reported:
                return None
            self.home_reported = True
        if self.phase is Phase.DRIVING and self.leg is not None:
            span = (self.leg.arrive - self.leg.depart).total_seconds()
            speed = self.leg.distance_m / span if span > 0 else 0.0
            return Fix(self.vehicle_id, self.leg.position_at(moment), moment, round(speed, 1))
        return Fix(self.vehicle_id, self.position, moment, 0.0)

    # --- inside --------------------------------------------------------------------------

    def _set_off(
        self,
        now: datetime,
        roads: Roads,
        stops: Mapping[str, SimStop],
        incidents: Sequence[SimIncident],
    ) -> None:
        self.clock = now
        self.route = [order_id for order_id in self.route if order_id in stops]
        if self.route:
            target = stops[self.route[0]]
            self._drive(
                roads.leg(
                    self.position,
                    target.location,
                    now,
                    pace=self.pace,
                    incidents=incidents,
                    target_order=target.order_id,
                )
            )
        elif self.position != self.depot:
            self._drive(
                roads.leg(self.position, self.depot, now, pace=self.pace, incidents=incidents)
            )
        else:
            self.phase = Phase.HOME
            self.leg = None
            self.home_reported = False

    def _drive(self, leg: Leg) -> None:
        self.phase = Phase.DRIVING
        self.leg = leg
        self.home_reported = False

    def _arrive(self, leg: Leg, reports: list[StopReport], stops: Mapping[str, SimStop]) -> None:
        self.clock = leg.arrive
        self.position = leg.target
        self.distance_m += leg.distance_m
        self.leg = None
        order_id = leg.target_order
        if order_id is None:
            self.phase = Phase.HOME
            self.home_reported = False
            self.home_at = leg.arrive
            return
        if order_id not in stops:
            self.phase = Phase.DRIVING  # a stop taken away meanwhile: go on to the next
            return
        stop = stops[order_id]
        reports.append(StopReport(self.vehicle_id, order_id, "arrived", leg.arrive))
        rng = self.draws(order_id) if self.draws is not None else self.rng
        noise = rng.uniform(1 - self.service_noise, 1 + self.service_noise)
        fails = order_id not in self.attempted and rng.random() < self.failure_rate
        self.reason = rng.choice(FAILURE_REASONS) if fails else None
        self.attempted.add(order_id)
        begins = service_start(leg.arrive, stop.windows)
        self.phase = Phase.SERVING
        self.serving = order_id
        self.outcome = "failed" if fails else "completed"
        self.service_ends = (
            begins + FAILED_AFTER
            if fails
            else begins + timedelta(seconds=round(stop.service_s * noise))
        )
