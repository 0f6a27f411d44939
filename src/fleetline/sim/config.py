"""The parameters of a simulated day: everything needed to play the same day again."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

from fleetline.sim.inquiries import InquiryModel
from fleetline.sim.modes import OperatorModel


@dataclass(frozen=True, slots=True)
class DisruptionRates:
    """How often things go wrong, as expected counts per truck and day (orders for failures).

    Attributes
    ----------
    breakdowns
        Breakdowns per truck and day (0.05: one truck in twenty breaks down).
    failures
        Share of deliveries that fail (client absent, refused, no access).
    window_changes
        Share of orders whose client asks for a new window during the day.
    incidents
        Traffic incidents (slowdowns and closures) per truck and day.
    """

    breakdowns: float = 0.0
    failures: float = 0.0
    window_changes: float = 0.0
    incidents: float = 0.0

    def __post_init__(self) -> None:
        for name in ("breakdowns", "failures", "window_changes", "incidents"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")


@dataclass(frozen=True, slots=True)
class SimConfig:
    """One simulated day.

    Attributes
    ----------
    trucks, orders, day, seed
        The synthetic company (see :class:`~fleetline.sim.company.CompanySpec`) and the
        seed of everything random in the day (paces, service times, disruptions).
    speed
        Simulated seconds per real second (60: a minute a second); 0 as fast as possible.
    region
        A prepared road network to drive on; none: straight lines at crow-flies speeds.
    rates
        Disruption rates.
    until
        Local time at which the day stops (default: when every truck is home).
    start
        Local time the day's clock starts (default: the earliest shift start).
    time_limit_s
        Seconds the morning plan is searched for (and at most each what-if solve).
    plan_iterations
        Iterations the morning plan may search, besides the time limit: with it, the
        day's plan does not depend on machine speed. ``None``: the time limit alone.
    option_iterations
        Iterations each what-if solve (an exception's options, a neighbourhood re-plan)
        may search, besides the time limit: with it, options do not depend on machine
        speed. ``None``: the time limit alone.
    tick_s
        Simulated seconds between two GPS fixes of a truck.
    batch_s
        Simulated seconds between two batches of positions sent.
    poll_s
        Simulated seconds between two readings of the live plan (and at once after a
        decision changed it).
    look_s
        Simulated seconds between two looks at the open exceptions (``None``: ``poll_s``).
    decision_delay_s
        Simulated seconds the dispatcher takes to choose an option once it is offered.
    pace_range
        Drivers' pace factors are drawn from this range (1.1: 10 % slower than planned).
    service_noise
        Relative spread of service times (0.2: about ±20 %).
    prepare
        Seed the company, plan and dispatch the day first (off when it already is).
    forced_breakdowns
        ``(truck_index, "HH:MM")`` pairs: breakdowns that happen whatever the rates
        (trucks sorted by name, from 0; -1: the first truck on the road then).
    plan_from
        A report of an earlier run whose morning plan is imported as it is instead of
        solved (solves depend on machine speed; the same routes give the same day).
    operator
        How the company is run (:mod:`fleetline.sim.modes`): unified or siloed, the
        dispatcher's delays and remedies. ``None``: the product's policies, and every
        exception's first-ranked option after ``decision_delay_s``.
    inquiries
        When clients call customer service (:mod:`fleetline.sim.inquiries`); ``None``:
        they never do.
    """

    trucks: int = 30
    orders: int = 450
    day: date = field(default_factory=lambda: date(2026, 11, 26))
    seed: int = 7
    speed: float = 0.0
    region: Path | None = None
    rates: DisruptionRates = field(default_factory=DisruptionRates)
    until: time | None = None
    start: time | None = None
    time_limit_s: float = 5.0
    plan_iterations: int | None = None
    option_iterations: int | None = None
    tick_s: int = 15
    batch_s: int = 60
    poll_s: int = 60
    look_s: int | None = None
    decision_delay_s: int = 180
    pace_range: tuple[float, float] = (0.85, 1.25)
    service_noise: float = 0.2
    prepare: bool = True
    forced_breakdowns: tuple[tuple[int, str], ...] = ()
    plan_from: Path | None = None
    operator: OperatorModel | None = None
    inquiries: InquiryModel | None = None

    def __post_init__(self) -> None:
        if self.trucks < 1 or self.orders < 1:
            raise ValueError("a day needs at least one truck and one order")
        if self.speed < 0:
            raise ValueError("speed must not be negative")
        if self.tick_s < 1 or self.batch_s < self.tick_s or self.poll_s < self.tick_s:
            raise ValueError("tick_s must be at least 1 s, and batch_s and poll_s at least tick_s")
        low, high = self.pace_range
        if not 0.1 <= low <= high <= 5:
            raise ValueError("pace_range must be two factors, low then high")

    def as_dict(self) -> dict[str, Any]:
        """Every parameter, as JSON-ready values (for the report and a replay)."""
        out: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, DisruptionRates):
                value = dataclasses.asdict(value)
            elif isinstance(value, OperatorModel | InquiryModel):
                value = value.as_dict()
            elif isinstance(value, date | time | Path):
                value = value.isoformat() if not isinstance(value, Path) else str(value)
            elif isinstance(value, tuple):
                value = [list(v) if isinstance(v, tuple) else v for v in value]
            out[item.name] = value
        return out

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> SimConfig:
        """The configuration :meth:`as_dict` wrote."""
        known = {item.name for item in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {k: v for k, v in values.items() if k in known}
        if "day" in kwargs:
            kwargs["day"] = date.fromisoformat(kwargs["day"])
        for name in ("until", "start"):
            if kwargs.get(name):
                kwargs[name] = time.fromisoformat(kwargs[name])
        for name in ("region", "plan_from"):
            if kwargs.get(name):
                kwargs[name] = Path(kwargs[name])
        if "rates" in kwargs:
            kwargs["rates"] = DisruptionRates(**kwargs["rates"])
        if kwargs.get("operator") is not None:
            kwargs["operator"] = OperatorModel.from_dict(kwargs["operator"])
        if kwargs.get("inquiries") is not None:
            kwargs["inquiries"] = InquiryModel.from_dict(kwargs["inquiries"])
        if "pace_range" in kwargs:
            kwargs["pace_range"] = tuple(kwargs["pace_range"])
        if "forced_breakdowns" in kwargs:
            kwargs["forced_breakdowns"] = tuple(
                (int(index), str(at)) for index, at in kwargs["forced_breakdowns"]
            )
        return cls(**kwargs)
