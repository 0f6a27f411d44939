"""Means and 95 % confidence intervals over seeds (Student's t), and paired differences."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
"""The 97.5 % quantile of Student's t for 1 to 30 degrees of freedom."""


def t_quantile(df: int) -> float:
    """The two-sided 95 % critical value of Student's t with ``df`` degrees of freedom.

    Beyond 30 degrees of freedom, the normal quantile with a first-order correction.
    """
    if df < 1:
        raise ValueError("a t-interval needs at least two values")
    if df <= len(T_975):
        return T_975[df - 1]
    return 1.959964 + 2.4 / df


@dataclass(frozen=True, slots=True)
class Interval:
    """A mean with its 95 % confidence interval; no interval from a single value."""

    mean: float
    low: float | None
    high: float | None
    n: int

    @property
    def half_width(self) -> float | None:
        """Half the interval's width."""
        return None if self.high is None else self.high - self.mean

    def clip(self, low: float | None = None, high: float | None = None) -> Interval:
        """The interval kept within what is possible, from ``low`` to ``high``.

        A rate stays within 0 to 100 %, a reduction at most 100 %; ``None`` leaves that
        side open.
        """

        def kept(value: float) -> float:
            if low is not None:
                value = max(low, value)
            return value if high is None else min(high, value)

        return Interval(
            kept(self.mean),
            None if self.low is None else kept(self.low),
            None if self.high is None else kept(self.high),
            self.n,
        )

    @property
    def has_interval(self) -> bool:
        """Whether there is an interval at all (two seeds or more)."""
        return self.low is not None and self.high is not None

    def text(self, digits: int = 1) -> str:
        """``12.3 [10.1, 14.5]``, or the mean alone when there is no interval."""
        if self.low is None or self.high is None:
            return number(self.mean, digits)
        low, high = number(self.low, digits), number(self.high, digits)
        return f"{number(self.mean, digits)} [{low}, {high}]"


def number(value: float, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals, never ``-0.0``."""
    rounded = round(value, digits)
    return f"{rounded if rounded != 0 else 0.0:.{digits}f}"


def t_interval(values: Sequence[float]) -> Interval:
    """The mean of ``values`` and its 95 % t-interval (``mean ± t * s / sqrt(n)``).

    Raises
    ------
    ValueError
        When ``values`` is empty.
    """
    if not values:
        raise ValueError("no values")
    mean = statistics.fmean(values)
    n = len(values)
    if n == 1:
        return Interval(mean, None, None, 1)
    half = t_quantile(n - 1) * statistics.stdev(values) / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, n)


def paired(a: Sequence[float], b: Sequence[float]) -> Interval:
    """The mean difference ``b - a`` over pairs, with its 95 % t-interval."""
    if len(a) != len(b):
        raise ValueError("paired values need the same number on each side")
    return t_interval([y - x for x, y in zip(a, b, strict=True)])


def relative_change(before: Sequence[float], after: Sequence[float]) -> Interval | None:
    """The change from ``before`` to ``after`` in % of ``before``'s mean, with a t-interval.

    The interval is that of the paired differences, divided by the mean of ``before``
    (its own spread is left out: a stated simplification). ``None`` when ``before``'s
    mean is zero.
    """
    base = statistics.fmean(before) if before else 0.0
    if base == 0:
        return None
    difference = paired(before, after)
    scale = 100 / base
    return Interval(
        difference.mean * scale,
        None if difference.low is None else difference.low * scale,
        None if difference.high is None else difference.high * scale,
        difference.n,
    )


def seeds(count: int) -> str:
    """``1 seed``, ``3 seeds``."""
    return f"{count} seed" if count == 1 else f"{count} seeds"
