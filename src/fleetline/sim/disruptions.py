"""What goes wrong in a simulated day, drawn once from the seed, and the simulated dispatcher.

The schedule is drawn before the day starts, from the seed and the rates alone, so the same
seed gives the same disruptions at the same moments; whether a breakdown finds its truck on
the road depends on the day as it is played.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fleetline.domain.model import Location
from fleetline.sim.company import Area
from fleetline.sim.config import SimConfig
from fleetline.sim.motion import CLOSURE_DETOUR, SimIncident


@dataclass(frozen=True, slots=True)
class Disruption:
    """One thing that will go wrong, and when.

    Attributes
    ----------
    at
        When it happens.
    kind
        ``breakdown``, ``window_change`` or ``incident``.
    truck
        The truck's index (trucks sorted by name) of a breakdown; ``None``: the first
        truck on the road at that moment.
    order
        The order's reference of a window change.
    shift_min
        Minutes the client moves its windows by.
    incident
        The traffic incident.
    closure
        Whether the incident is a closure (else a slowdown by its factor).
    """

    at: datetime
    kind: str
    truck: int | None = None
    order: str | None = None
    shift_min: int = 0
    incident: SimIncident | None = None
    closure: bool = False

    def describe(self) -> dict[str, Any]:
        """The disruption for the report."""
        out: dict[str, Any] = {"at": self.at.isoformat(), "kind": self.kind}
        if self.truck is not None:
            out["truck"] = self.truck
        if self.order is not None:
            out["order"] = self.order
            out["shift_min"] = self.shift_min
        if self.incident is not None:
            out["incident"] = {
                "closure": self.closure,
                "center": {"lat": self.incident.center.lat, "lon": self.incident.center.lon},
                "radius_m": self.incident.radius_m,
                "factor": None if self.closure else self.incident.factor,
                "ends_at": self.incident.ends_at.isoformat(),
            }
        return out


def schedule(
    config: SimConfig, trucks: int, references: Sequence[str], day_start: datetime, area: Area
) -> list[Disruption]:
    """Draw the day's disruptions from the seed, in the order they happen.

    Parameters
    ----------
    config
        Rates, seed and forced breakdowns.
    trucks
        How many trucks there are.
    references
        The orders' references, in a stable order.
    day_start
        The start of the working day (the earliest shift start).
    area
        Where incidents may happen.
    """
    rng = random.Random(config.seed * 7919 + 17)
    rates = config.rates
    hours = timedelta(hours=1)
    drawn: list[Disruption] = []
    for truck in range(trucks):
        if rng.random() < rates.breakdowns:
            drawn.append(Disruption(day_start + rng.uniform(1, 6) * hours, "breakdown", truck))
    for reference in references:
        if rng.random() < rates.window_changes:
            at = day_start + rng.uniform(0, 3) * hours
            drawn.append(
                Disruption(at, "window_change", order=reference, shift_min=rng.choice((30, 60, 90)))
            )
    for _ in range(trucks):
        if rng.random() < rates.incidents:
            at = day_start + rng.uniform(0.5, 7) * hours
            closure = rng.random() < 0.25
            incident = SimIncident(
                center=Location(
                    round(rng.uniform(area.south, area.north), 5),
                    round(rng.uniform(area.west, area.east), 5),
                ),
                radius_m=float(rng.choice((400, 700, 1000, 1500))),
                factor=CLOSURE_DETOUR if closure else rng.choice((1.5, 2.0, 3.0)),
                starts_at=at.replace(microsecond=0),
                ends_at=at.replace(microsecond=0)
                + timedelta(minutes=rng.choice((30, 60, 90, 120))),
            )
            drawn.append(Disruption(at, "incident", incident=incident, closure=closure))
    zone = ZoneInfo(area.timezone)
    for truck, clock_time in config.forced_breakdowns:
        moment = datetime.combine(config.day, time.fromisoformat(clock_time), tzinfo=zone)
        drawn.append(Disruption(moment, "breakdown", truck % trucks if truck >= 0 else None))
    drawn = [dataclasses.replace(d, at=d.at.replace(microsecond=0)) for d in drawn]
    return sorted(drawn, key=lambda d: (d.at, d.kind, d.truck or 0, d.order or ""))


def incident_body(disruption: Disruption) -> dict[str, Any]:
    """The ``POST /api/v1/traffic/incidents`` body of an incident."""
    incident = disruption.incident
    assert incident is not None
    body: dict[str, Any] = {
        "kind": "closure" if disruption.closure else "slowdown",
        "area": {
            "center": {"lat": incident.center.lat, "lon": incident.center.lon},
            "radius_m": incident.radius_m,
        },
        "starts_at": incident.starts_at.isoformat(),
        "ends_at": incident.ends_at.isoformat(),
        "note": "simulated",
    }
    if not disruption.closure:
        body["factor"] = incident.factor
    return body


def windows_body(windows: Sequence[tuple[datetime, datetime]]) -> dict[str, Any]:
    """The ``PATCH /api/v1/orders/{id}`` body of new windows."""
    return {"time_windows": [{"start": s.isoformat(), "end": e.isoformat()} for s, e in windows]}


def moved_windows(
    windows: Sequence[tuple[datetime, datetime]], minutes: int
) -> tuple[tuple[datetime, datetime], ...]:
    """A client's new windows: every window moved later by ``minutes``."""
    delta = timedelta(minutes=minutes)
    return tuple((start + delta, end + delta) for start, end in windows)


@dataclass(slots=True)
class Decision:
    """What the simulated dispatcher did about one exception."""

    exception_id: str
    kind: str
    opened_at: str
    summary: str
    seen_at: datetime
    decided_at: datetime | None = None
    option: str | None = None
    response_s: float | None = None
    dismissed: bool = False
    number: int = 0
    due_at: datetime | None = None
    offered: list[str] = field(default_factory=list)
    attempts: int = 0


@dataclass(slots=True)
class Dispatcher:
    """Resolves each open exception with its first-ranked option after a decision delay.

    Parameters
    ----------
    delay
        How long after an exception opened the dispatcher decides (once options exist).
    delay_of
        The delay of one exception, given it and its number among the day's exceptions
        (from 0, in the order they were seen); ``delay`` for every one when not given.
    """

    delay: timedelta
    decisions: dict[str, Decision] = field(default_factory=dict)
    delay_of: Callable[[dict[str, Any], int], timedelta] | None = None

    def due(self, open_exceptions: Sequence[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
        """The exceptions to decide now; remembers the ones seen for the first time."""
        ready = []
        for exception in sorted(open_exceptions, key=lambda e: (e["opened_at"], e["summary"])):
            if exception["id"] not in self.decisions:
                self.decisions[exception["id"]] = Decision(
                    exception["id"],
                    exception["kind"],
                    exception["opened_at"],
                    exception["summary"],
                    now,
                    number=len(self.decisions),
                )
            decision = self.decisions[exception["id"]]
            opened = datetime.fromisoformat(exception["opened_at"])
            offered = bool(exception["options"]) or exception.get("options_ready_at") is not None
            if offered and decision.due_at is None:
                delay = self.delay
                if self.delay_of is not None:
                    delay = self.delay_of(exception, decision.number)
                decision.due_at = opened + delay
                decision.offered = [
                    str(o.get("kind"))
                    for o in sorted(exception["options"], key=lambda o: o["rank"])
                ]
            if decision.due_at is not None and now >= decision.due_at:
                ready.append(exception)
        return ready

    def decided(self, exception: dict[str, Any], now: datetime, option: str | None) -> None:
        """Note the decision made."""
        decision = self.decisions[exception["id"]]
        decision.decided_at = now
        decision.option = option
        decision.dismissed = option is None
        decision.response_s = (now - datetime.fromisoformat(exception["opened_at"])).total_seconds()

    @property
    def pending(self) -> int:
        """Exceptions seen and not yet decided."""
        return sum(1 for d in self.decisions.values() if d.decided_at is None)
