"""From the days' reports to the study's figures: per mode, per pair, against the promises.

Pure: it takes the days' measures and the study's parameters and returns numbers; the
report (:mod:`fleetline.study.report`) writes them, the charts draw them.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from fleetline.sim.modes import SILOED, UNIFIED
from fleetline.study.config import StudyConfig
from fleetline.study.measures import BY_KEY, Measure, day_cost
from fleetline.study.stats import Interval, number, paired, relative_change, t_interval

Measures = Mapping[str, float | None]


@dataclass(frozen=True, slots=True)
class Promise:
    """A figure distributors are promised: an improvement from siloed to unified.

    ``kind`` is ``points`` (unified minus siloed, in the measure's unit), ``reduction``
    (siloed minus unified, in % of siloed) or ``level`` (unified's own value, with the
    siloed range it comes down from).
    """

    key: str
    label: str
    kind: str
    low: float
    high: float
    words: str
    siloed_range: tuple[float, float] | None = None


PROMISES = (
    Promise("on_time_pct", "On-time rate", "points", 8, 15, "+8 to +15 points"),
    Promise("inquiries_per_100", "Client inquiries", "reduction", 35, 55, "-35 to -55 %"),
    Promise(
        "overtime_emergency_eur", "Overtime and emergency cost", "reduction", 20, 30, "-20 to -30 %"
    ),
    Promise(
        "response_min",
        "Exception response (median)",
        "level",
        2,
        5,
        "15-45 min down to 2-5 min",
        (15, 45),
    ),
)


@dataclass(frozen=True, slots=True)
class Group:
    """The pairs of one company size and disruption scale: measures per seed and mode."""

    trucks: int
    scale: float
    seeds: tuple[int, ...]
    siloed: tuple[Measures, ...]
    unified: tuple[Measures, ...]


def groups_of(
    days: Sequence[tuple[int, int, float, str, Measures]],
) -> list[Group]:
    """Group days ``(trucks, seed, scale, mode, measures)`` into pairs by size and scale.

    A seed enters a group only when both its days are there.
    """
    found: dict[tuple[int, float], dict[int, dict[str, Measures]]] = {}
    for trucks, seed, scale, mode, measures in days:
        found.setdefault((trucks, scale), {}).setdefault(seed, {})[mode] = measures
    groups = []
    for (trucks, scale), by_seed in sorted(found.items()):
        seeds = tuple(s for s in sorted(by_seed) if {SILOED, UNIFIED} <= set(by_seed[s]))
        groups.append(
            Group(
                trucks,
                scale,
                seeds,
                tuple(by_seed[s][SILOED] for s in seeds),
                tuple(by_seed[s][UNIFIED] for s in seeds),
            )
        )
    return groups


def _values(side: Sequence[Measures], key: str) -> list[float]:
    return [float(v) for m in side if (v := m.get(key)) is not None]


def _pairs(group: Group, key: str) -> tuple[list[float], list[float]]:
    both = [
        (float(s[key]), float(u[key]))  # type: ignore[arg-type]
        for s, u in zip(group.siloed, group.unified, strict=True)
        if s.get(key) is not None and u.get(key) is not None
    ]
    return [s for s, _ in both], [u for _, u in both]


@dataclass(frozen=True, slots=True)
class Row:
    """One measure of a group: each mode's mean and interval, and the paired difference.

    Intervals are kept within what the measure can be (:class:`~fleetline.study.
    measures.Measure`'s ``low`` and ``high``; a relative change not below -100 %).
    ``relative`` is ``None`` when ``baseline_zero``: the siloed days had about none of it
    (below the measure's ``least_base``), so a change in % of it means nothing.
    """

    key: str
    siloed: Interval | None
    unified: Interval | None
    difference: Interval | None
    relative: Interval | None
    baseline_zero: bool = False


def _clip(interval: Interval | None, low: float | None, high: float | None) -> Interval | None:
    return None if interval is None else interval.clip(low, high)


def row(group: Group, key: str) -> Row:
    """The measure ``key`` of ``group`` (intervals over seeds; differences paired)."""
    measure = BY_KEY.get(key, Measure(key, key, ""))
    siloed, unified = _values(group.siloed, key), _values(group.unified, key)
    before, after = _pairs(group, key)
    low, high = measure.low, measure.high
    span = None if low is None or high is None else high - low
    base = _values(group.siloed, measure.base_key or key)
    baseline_zero = bool(before) and (
        not base or statistics.fmean(base) < measure.least_base or statistics.fmean(before) == 0
    )
    change = None if baseline_zero or not before else relative_change(before, after)
    difference = paired(before, after) if before else None
    if span is not None:
        difference = _clip(difference, -span, span)
    return Row(
        key,
        _clip(t_interval(siloed), low, high) if siloed else None,
        _clip(t_interval(unified), low, high) if unified else None,
        difference,
        _clip(change, -100.0 if low is not None and low >= 0 else None, None),
        baseline_zero,
    )


EXCEEDED, MET, NOT_MET, NOT_SETTLED, UNDEFINED = (
    "exceeded",
    "met",
    "not met",
    "not settled",
    "undefined",
)
"""How a measured figure stands against a promise (see :func:`standing`)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """A promise set against what was measured, in words.

    ``state`` is one of :data:`EXCEEDED`, :data:`MET`, :data:`NOT_MET`,
    :data:`NOT_SETTLED` and :data:`UNDEFINED` (``None``: no figure at all).
    """

    promise: Promise
    measured: Interval | None
    state: str | None
    words: str

    @property
    def met(self) -> bool | None:
        """Whether the interval shows the promise kept (``None``: it does not say)."""
        if self.state in (EXCEEDED, MET):
            return True
        return False if self.state == NOT_MET else None


def standing(measured: Interval, low: float, high: float) -> str:
    """Where a gain (larger is better) stands against a promised ``low`` to ``high``.

    Only the whole 95 % interval decides: above ``high`` exceeds, at or above ``low``
    meets, below ``low`` does not meet; an interval across ``low`` (or a single seed,
    without an interval) is not settled.
    """
    if measured.low is None or measured.high is None:
        return NOT_SETTLED
    if measured.low > high:
        return EXCEEDED
    if measured.low >= low:
        return MET
    if measured.high < low:
        return NOT_MET
    return NOT_SETTLED


def _interval_words(measured: Interval, unit: str) -> str:
    if measured.low is None or measured.high is None:
        return f"{number(measured.mean)}{unit} (one seed: no interval)"
    return (
        f"{number(measured.mean)}{unit} (95 % interval {number(measured.low)} to "
        f"{number(measured.high)})"
    )


def verdict(promise: Promise, group: Group) -> Verdict:
    """Whether ``group`` shows the promised improvement, and how it reads.

    "exceeded" and "met" need the whole 95 % interval there, "not met" the whole
    interval short of the promise; otherwise the verdict is "not settled", with the
    measured value. A reduction from a siloed baseline of about zero is "undefined".
    """
    figures = row(group, promise.key)
    if promise.kind == "reduction" and figures.baseline_zero and figures.siloed is not None:
        unit = BY_KEY[promise.key].unit
        difference = "" if figures.difference is None else figures.difference.text(1)
        words = (
            f"{UNDEFINED}: the siloed days had about none ({figures.siloed.text(1)} {unit}), "
            f"so a change in % of it means nothing; unified - siloed {difference} {unit}; "
            f"promised {promise.words}"
        )
        return Verdict(promise, None, UNDEFINED, words)
    if promise.kind == "points":
        measured, unit = figures.difference, " points"
    elif promise.kind == "reduction":
        change = figures.relative
        measured = (
            None
            if change is None
            else Interval(
                -change.mean,
                None if change.high is None else -change.high,
                None if change.low is None else -change.low,
                change.n,
            )
        )
        unit = " %"
    else:
        measured, unit = figures.unified, " min"
    if measured is None:
        return Verdict(promise, None, None, "no figure: no day of this size had one")
    value = _interval_words(measured, unit)
    if promise.kind == "level":  # lower is better: the gain is the promise's bound minus it
        gain = Interval(
            -measured.mean,
            None if measured.high is None else -measured.high,
            None if measured.low is None else -measured.low,
            measured.n,
        )
        state = standing(gain, -promise.high, -promise.low)
        siloed = figures.siloed.mean if figures.siloed else float("nan")
        words = (
            f"{state}: median response {value} unified against {siloed:.1f} min siloed; "
            f"promised {promise.words}"
        )
        return Verdict(promise, measured, state, _settle_hint(state, words))
    state = standing(measured, promise.low, promise.high)
    sign = "improvement" if promise.kind == "points" else "reduction"
    words = f"{state}: {sign} of {value}; promised {promise.words}"
    return Verdict(promise, measured, state, _settle_hint(state, words))


def _settle_hint(state: str, words: str) -> str:
    return words + "; more seeds would settle it" if state == NOT_SETTLED else words


@dataclass(frozen=True, slots=True)
class AnnualValue:
    """What the measured differences are worth a year, per cost line (EUR)."""

    trucks: int
    basis_trucks: int
    per_day: dict[str, Interval]
    per_year: dict[str, Interval]
    lines: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Per line, the mean daily cost siloed and unified at the basis size."""


PARTIAL_DAY_LINES = ("driver hours", "kilometres")
"""Lines left out of the total when the days stop early: by then they measure work done."""


def annual_value(config: StudyConfig, group: Group) -> AnnualValue:
    """The yearly saving (siloed minus unified) for ``config.value_trucks`` trucks.

    Measured on ``group``'s company size; scaled by trucks when the sizes differ. When
    the days stop early (``config.until``), driver hours and kilometres count the work
    done by then (a mode that delivers more by then shows more) and stay out of the total.
    """
    left_out = PARTIAL_DAY_LINES if config.until is not None else ()
    factor = config.value_trucks / group.trucks
    days = config.costs.working_days
    siloed = [day_cost(m, config.costs) for m in group.siloed]
    unified = [day_cost(m, config.costs) for m in group.unified]
    per_day: dict[str, Interval] = {}
    per_year: dict[str, Interval] = {}
    lines: dict[str, tuple[float, float]] = {}
    names = list(siloed[0]) if siloed else []
    for name in [*names, "total"]:
        if name == "total":
            before = [sum(v for k, v in c.items() if k not in left_out) for c in siloed]
            after = [sum(v for k, v in c.items() if k not in left_out) for c in unified]
        else:
            before = [c[name] for c in siloed]
            after = [c[name] for c in unified]
        saving = paired(after, before)  # siloed minus unified
        per_day[name] = _scaled(saving, factor)
        per_year[name] = _scaled(saving, factor * days)
        lines[name] = (statistics.fmean(before) * factor, statistics.fmean(after) * factor)
    return AnnualValue(config.value_trucks, group.trucks, per_day, per_year, lines)


def _scaled(interval: Interval, factor: float) -> Interval:
    return Interval(
        interval.mean * factor,
        None if interval.low is None else interval.low * factor,
        None if interval.high is None else interval.high * factor,
        interval.n,
    )


def gains(group: Group) -> dict[str, float | None]:
    """The headline gains of a group (means): on-time points, inquiry and cost reduction %."""
    on_time = row(group, "on_time_pct").difference
    inquiries = row(group, "inquiries_per_100").relative
    cost = row(group, "overtime_emergency_eur").relative
    return {
        "on_time_points": None if on_time is None else on_time.mean,
        "inquiry_reduction_pct": None if inquiries is None else -inquiries.mean,
        "cost_reduction_pct": None if cost is None else -cost.mean,
    }
