"""The study's parameters: which days are played, how each mode is run, what things cost.

Every assumption of the study is a field here, written into the report and into each
simulated day's own configuration file, so that the report states it and a day replays.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from fleetline.sim.config import DisruptionRates, SimConfig
from fleetline.sim.inquiries import InquiryModel
from fleetline.sim.modes import MODES, SILOED, OperatorModel


@dataclass(frozen=True, slots=True)
class UnitCosts:
    """What an hour, a kilometre, an inquiry and a missed delivery cost (EUR).

    Attributes
    ----------
    driver_hour
        A driver's hour inside the shift (drivers are taken as paid by the hour worked).
    overtime_hour
        A driver's hour after the shift's end.
    km
        Running cost of a kilometre driven (fuel, tyres, wear).
    inquiry_min
        Minutes customer service spends on one inquiry (taking the call, finding out,
        calling back).
    agent_hour
        An agent's hour.
    redelivery
        Delivering an order on another day that was due today (a second run, an
        emergency courier): the "emergency" part of overtime and emergency cost.
    working_days
        Delivery days a year.
    """

    driver_hour: float = 34.0
    overtime_hour: float = 52.0
    km: float = 0.7
    inquiry_min: float = 6.0
    agent_hour: float = 38.0
    redelivery: float = 25.0
    working_days: int = 250


@dataclass(frozen=True, slots=True)
class Fleet:
    """A company size studied: trucks, orders per truck, and how many seeds."""

    trucks: int
    seeds: int

    def __post_init__(self) -> None:
        if self.trucks < 1 or self.seeds < 1:
            raise ValueError("a fleet needs at least one truck and one seed")


@dataclass(frozen=True, slots=True)
class StudyConfig:
    """The whole study.

    Attributes
    ----------
    fleets
        Company sizes and how many seeds each (seeds ``first_seed``, ``first_seed + 1``...).
    first_seed
        The first seed.
    orders_per_truck
        Orders of the day per truck (a real delivery day has some 12 to 20 stops a truck).
    until
        Local time the simulated day stops (``None``: the whole day, until every truck is
        home).
    rates
        Disruption rates of the base case.
    sensitivity_scales
        Factors on every disruption rate for the sensitivity runs (``1`` is the base).
    sensitivity_trucks, sensitivity_seeds
        The fleet the sensitivity runs are played with, and how many seeds each.
    unified, siloed
        How each mode is run (:class:`~fleetline.sim.modes.OperatorModel`).
    inquiries
        When clients call (:class:`~fleetline.sim.inquiries.InquiryModel`), the same
        in both modes.
    costs
        Unit costs.
    value_trucks
        The company size whose annual value is worked out.
    time_limit_s
        Seconds the morning plan searches; also the cap of each what-if solve.
    option_iterations
        Iterations each what-if solve (an exception's options, a neighbourhood re-plan)
        searches, unless ``time_limit_s`` comes first: a replayed day then takes the same
        decisions on any machine that is fast enough.
    tick_s, batch_s, poll_s, look_s
        The simulated day's clock (see :class:`~fleetline.sim.config.SimConfig`).
    processes
        Days played side by side.
    """

    fleets: tuple[Fleet, ...] = (Fleet(30, 3), Fleet(100, 1))
    first_seed: int = 1
    orders_per_truck: int = 12
    until: time | None = None
    rates: DisruptionRates = field(
        default_factory=lambda: DisruptionRates(
            breakdowns=0.1, failures=0.05, window_changes=0.08, incidents=0.2
        )
    )
    sensitivity_scales: tuple[float, ...] = (0.5, 2.0)
    sensitivity_trucks: int = 30
    sensitivity_seeds: int = 1
    unified: OperatorModel = field(default_factory=OperatorModel.unified)
    siloed: OperatorModel = field(default_factory=OperatorModel.siloed)
    inquiries: InquiryModel = field(default_factory=InquiryModel)
    costs: UnitCosts = field(default_factory=UnitCosts)
    value_trucks: int = 30
    time_limit_s: float = 10.0
    option_iterations: int | None = 100
    tick_s: int = 60
    batch_s: int = 120
    poll_s: int = 240
    look_s: int = 60
    processes: int = 2

    def __post_init__(self) -> None:
        if not self.fleets:
            raise ValueError("a study needs at least one fleet")
        if self.orders_per_truck < 1:
            raise ValueError("orders_per_truck must be at least 1")
        if any(scale <= 0 for scale in self.sensitivity_scales):
            raise ValueError("sensitivity scales must be positive")
        if self.processes < 1:
            raise ValueError("processes must be at least 1")

    def operator(self, mode: str) -> OperatorModel:
        """The operator model of ``mode``."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        return self.siloed if mode == SILOED else self.unified

    def day(self, trucks: int, seed: int, mode: str, scale: float = 1.0) -> SimConfig:
        """The simulated day of one company size, seed, mode and disruption scale."""
        rates = self.rates
        if scale != 1.0:
            rates = DisruptionRates(
                **{k: min(1.0, v * scale) for k, v in dataclasses.asdict(rates).items()}
            )
        return SimConfig(
            trucks=trucks,
            orders=trucks * self.orders_per_truck,
            seed=seed,
            rates=rates,
            until=self.until,
            time_limit_s=self.time_limit_s,
            option_iterations=self.option_iterations,
            tick_s=self.tick_s,
            batch_s=self.batch_s,
            poll_s=self.poll_s,
            look_s=self.look_s,
            operator=self.operator(mode),
            inquiries=self.inquiries,
        )

    def as_dict(self) -> dict[str, Any]:
        """Every parameter, JSON-ready (written into the report)."""
        out: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, OperatorModel | InquiryModel):
                value = value.as_dict()
            elif dataclasses.is_dataclass(value) and not isinstance(value, type):
                value = dataclasses.asdict(value)
            elif isinstance(value, time):
                value = value.isoformat("minutes")
            elif item.name == "fleets":
                value = [dataclasses.asdict(f) for f in value]
            elif isinstance(value, tuple):
                value = list(value)
            out[item.name] = value
        return out


QUICK = StudyConfig(
    fleets=(Fleet(3, 2),),
    orders_per_truck=8,
    until=time(9, 45),
    rates=DisruptionRates(breakdowns=0.34, failures=0.08, window_changes=0.05, incidents=0.3),
    sensitivity_scales=(),
    sensitivity_trucks=3,
    value_trucks=3,
    time_limit_s=1.0,
    processes=2,
)
"""A study small enough for a test: two seeds of a three-truck company, until 09:45."""
