"""How good the ETAs were: error of the prediction made some minutes before each arrival.

A client tracking a delivery cares about the ETA shown an hour, half an hour and a
quarter of an hour before the truck came. For each such horizon this module takes, per
order, the prediction made closest to that moment and measures its error against the
actual arrival. Predictions are sampled for storage with :func:`should_record`; sampling
every ``every_s`` seconds leaves a prediction within ``every_s / 2`` of any moment while
the stop was forecast, so ``every_s <= 2 * tolerance`` keeps every horizon covered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_HORIZONS_MIN = (60, 30, 15)
DEFAULT_RECORD_EVERY_S = 300


@dataclass(frozen=True, slots=True)
class AccuracyFigure:
    """ETA error at one horizon.

    Attributes
    ----------
    mae_s
        Mean absolute error in seconds, or ``None`` when no order had a prediction at
        this horizon.
    count
        Orders measured.
    bias_s
        Mean signed error (``eta - actual``) in seconds: negative when the ETAs were
        too early (trucks came later than promised), ``None`` with no orders.
    """

    mae_s: float | None
    count: int
    bias_s: float | None = None


def eta_accuracy(
    predictions: Iterable[tuple[str, datetime, datetime]],
    actual_arrivals: Mapping[str, datetime],
    horizons_min: Sequence[int] = DEFAULT_HORIZONS_MIN,
    tolerance_min: float = 5,
) -> dict[int, AccuracyFigure]:
    """Measure the ETA error at each horizon before the actual arrival.

    Parameters
    ----------
    predictions
        ``(order_id, predicted_at, eta)``: the ETA an order had at ``predicted_at``.
    actual_arrivals
        Order id to when the truck actually arrived.
    horizons_min
        Minutes before the arrival at which to judge the ETA.
    tolerance_min
        How far (minutes) the chosen prediction may be from ``arrival - horizon``.

    Returns
    -------
    dict of int to AccuracyFigure
        Per horizon: for each order, the prediction made closest to ``horizon`` minutes
        before its actual arrival (within the tolerance, never after the arrival; on a
        tie the later one), and the mean of ``|eta - actual|`` over those orders.

    Raises
    ------
    ValueError
        If a horizon or the tolerance is negative.
    """
    if tolerance_min < 0 or any(h < 0 for h in horizons_min):
        raise ValueError("horizons and tolerance must not be negative")
    by_order: dict[str, list[tuple[datetime, datetime]]] = {}
    for order_id, predicted_at, eta in predictions:
        if order_id in actual_arrivals:
            by_order.setdefault(order_id, []).append((predicted_at, eta))
    tolerance = timedelta(minutes=tolerance_min)
    figures: dict[int, AccuracyFigure] = {}
    for horizon in horizons_min:
        errors: list[float] = []
        for order_id, made in by_order.items():
            actual = actual_arrivals[order_id]
            chosen = _closest(made, actual - timedelta(minutes=horizon), tolerance, actual)
            if chosen is not None:
                errors.append((chosen - actual).total_seconds())
        figures[horizon] = AccuracyFigure(
            mae_s=sum(abs(e) for e in errors) / len(errors) if errors else None,
            count=len(errors),
            bias_s=sum(errors) / len(errors) if errors else None,
        )
    return figures


def _closest(
    made: list[tuple[datetime, datetime]],
    target: datetime,
    tolerance: timedelta,
    actual: datetime,
) -> datetime | None:
    """The ETA of the prediction made nearest ``target`` (within tolerance), if any."""
    best: tuple[timedelta, datetime, datetime] | None = None
    for predicted_at, eta in made:
        if predicted_at > actual:
            continue
        distance = abs(predicted_at - target)
        if distance > tolerance:
            continue
        if best is None or (distance, -predicted_at.timestamp()) < (
            best[0],
            -best[1].timestamp(),
        ):
            best = (distance, predicted_at, eta)
    return None if best is None else best[2]


def should_record(
    previous: datetime | None, now: datetime, every_s: float = DEFAULT_RECORD_EVERY_S
) -> bool:
    """Tell whether to store a stop's current ETA, given when one was last stored.

    Parameters
    ----------
    previous
        When this stop's ETA was last recorded, or ``None`` if never.
    now
        The current time.
    every_s
        Minimum seconds between two records of the same stop.

    Returns
    -------
    bool
        True on the first call and once ``every_s`` has passed since ``previous``; False
        in between (and if ``previous`` is after ``now``).
    """
    if previous is None:
        return True
    return (now - previous).total_seconds() >= every_s
