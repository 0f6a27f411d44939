"""Means and 95 % intervals over seeds, paired differences and relative changes."""

from __future__ import annotations

import math

import pytest

from fleetline.study.stats import paired, relative_change, t_interval, t_quantile


def test_a_t_interval_on_known_numbers() -> None:
    """Values 1..5: mean 3, s = sqrt(2.5), t(4) = 2.776, so 3 ± 1.963; a wrong interval
    would state a certainty the seeds do not give."""
    interval = t_interval([1, 2, 3, 4, 5])
    half = 2.776 * math.sqrt(2.5) / math.sqrt(5)
    assert interval.mean == 3
    assert interval.low == pytest.approx(3 - half)
    assert interval.high == pytest.approx(3 + half)
    assert interval.n == 5
    assert interval.text(2) == f"3.00 [{3 - half:.2f}, {3 + half:.2f}]"


def test_two_seeds_use_the_wide_t_of_one_degree_of_freedom() -> None:
    """Two values 10 and 12: mean 11, s = sqrt(2), half-width 12.706 * sqrt(2) / sqrt(2)."""
    interval = t_interval([10, 12])
    assert interval.low == pytest.approx(11 - 12.706)
    assert interval.high == pytest.approx(11 + 12.706)


def test_one_seed_has_a_mean_and_no_interval() -> None:
    """A single day gives its value and no interval, rather than a made-up one."""
    interval = t_interval([7.5])
    assert (interval.mean, interval.low, interval.high) == (7.5, None, None)
    assert interval.text() == "7.5"
    with pytest.raises(ValueError, match="no values"):
        t_interval([])


def test_critical_values_of_t() -> None:
    """The table's 95 % values, and close to the normal 1.96 for many seeds."""
    assert t_quantile(1) == 12.706
    assert t_quantile(9) == 2.262
    assert t_quantile(30) == 2.042
    assert 1.96 < t_quantile(120) < 1.99
    with pytest.raises(ValueError, match="at least two"):
        t_quantile(0)


def test_differences_are_paired_by_seed() -> None:
    """Siloed 80, 70, 90 against unified 90, 81, 99: the paired differences 10, 11, 9
    have mean 10 and a narrow interval although each side spreads widely."""
    difference = paired([80, 70, 90], [90, 81, 99])
    assert difference.mean == pytest.approx(10)
    assert difference.high - difference.low == pytest.approx(2 * 4.303 * 1 / math.sqrt(3))


def test_a_relative_change_is_the_paired_difference_over_the_siloed_mean() -> None:
    """From 10 and 20 inquiries down to 6 and 12: -40 % of the siloed mean of 15."""
    change = relative_change([10, 20], [6, 12])
    assert change is not None
    assert change.mean == pytest.approx(-6 / 15 * 100)
    assert relative_change([0, 0], [1, 2]) is None
