"""A driver's pace today: how much longer than predicted their legs take.

The ETA engine multiplies every predicted drive by the vehicle's ``pace``. The live
service learns it from the legs the driver has completed: the drive the engine predicted
against the time the driver actually took.

The estimate is built to move on evidence and not on a single odd leg:

- Each leg gives a ratio ``actual / predicted``, taken in logarithms (pace is a factor,
  so 0.5 and 2.0 are equally far from 1.0).
- Legs predicted under :data:`MIN_LEG_S` are skipped: a one-minute hop around the block
  says more about parking than about driving.
- The ratios are combined by their median weighted by predicted duration: a long leg
  tells more than a short one, and one leg that contains an unreported lunch break moves
  the median little.
- With few legs the estimate is shrunk toward the prior, as if :data:`PRIOR_LEGS` legs
  at the prior pace had been seen: one slow leg moves a 1.0 prior only part of the way.
- The result is clamped to [:data:`MIN_PACE`, :data:`MAX_PACE`].
"""

from __future__ import annotations

import math
from collections.abc import Iterable

MIN_PACE = 0.7
MAX_PACE = 1.8
MIN_LEG_S = 120.0
"""Legs predicted shorter than this (seconds) are not used."""
PRIOR_LEGS = 3.0
"""Weight of the prior, in legs."""


def learn_pace(
    legs: Iterable[tuple[float, float]],
    prior: float = 1.0,
    *,
    prior_legs: float = PRIOR_LEGS,
) -> float:
    """Estimate how much longer than predicted a driver takes for a leg.

    Parameters
    ----------
    legs
        Completed legs as ``(predicted_s, actual_s)``: the drive time the engine
        predicted (without pace) and the time actually taken. Both should measure the
        same thing; when the caller measures arrival to arrival, it should remove the
        service time at the origin and any wait for a window from the actual time.
        Legs with a non-positive or non-finite value are ignored.
    prior
        The pace believed before these legs (1.0: as predicted; e.g. the driver's
        pace on earlier days).
    prior_legs
        How many legs' worth of weight the prior carries.

    Returns
    -------
    float
        The pace, in [0.7, 1.8]: the weighted median of ``actual / predicted`` in
        logarithms, shrunk toward ``prior`` by ``n / (n + prior_legs)`` for ``n`` usable
        legs.

    Raises
    ------
    ValueError
        If ``prior`` is not a positive finite number or ``prior_legs`` is negative.
    """
    if not (math.isfinite(prior) and prior > 0):
        raise ValueError(f"prior must be a positive number, got {prior}")
    if not (math.isfinite(prior_legs) and prior_legs >= 0):
        raise ValueError(f"prior_legs must not be negative, got {prior_legs}")
    samples = [
        (math.log(actual / predicted), predicted)
        for predicted, actual in legs
        if math.isfinite(predicted)
        and math.isfinite(actual)
        and predicted >= MIN_LEG_S
        and actual >= 1.0  # under a second is a clock glitch, not a drive
    ]
    log_prior = math.log(prior)
    if not samples:
        return _clamp(prior)
    observed = _weighted_median(samples)
    n = len(samples)
    shrunk = (n * observed + prior_legs * log_prior) / (n + prior_legs)
    return _clamp(math.exp(shrunk))


def _weighted_median(samples: list[tuple[float, float]]) -> float:
    """The value at which half the total weight lies on each side (midpoint on a tie)."""
    ordered = sorted(samples)
    half = sum(weight for _, weight in ordered) / 2.0
    running = 0.0
    for i, (value, weight) in enumerate(ordered):
        running += weight
        if running > half:
            return value
        if running == half:
            return (value + ordered[i + 1][0]) / 2.0
    return ordered[-1][0]


def _clamp(pace: float) -> float:
    return min(MAX_PACE, max(MIN_PACE, pace))
