"""The tracking pages' rate limit: a bucket per address, failed lookups cost more."""

from __future__ import annotations

import pytest

from fleetline.api.rate_limit import RateLimiter


class Seconds:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_address_gets_its_minute_then_waits() -> None:
    """Sixty requests pass at once; the next is told to wait one second, and passes after."""
    clock = Seconds()
    limiter = RateLimiter(clock, capacity=60, period_s=60)
    assert all(limiter.admit("a") is None for _ in range(60))
    assert limiter.admit("a") == 1
    clock.now += 1
    assert limiter.admit("a") is None


def test_failed_lookups_cost_ten_requests_and_another_address_is_not_affected() -> None:
    """Six failed lookups spend the minute of one address; another address still passes,
    and the guesser is told how long to wait."""
    clock = Seconds()
    limiter = RateLimiter(clock, capacity=60, period_s=60)
    for _ in range(6):
        assert limiter.admit("guesser") is None
        limiter.penalize("guesser")
    wait = limiter.admit("guesser")
    assert wait is not None and wait >= 1
    assert limiter.admit("client") is None
    clock.now += wait
    assert limiter.admit("guesser") is None


def test_memory_stays_bounded() -> None:
    """Ten thousand addresses seen once keep at most ``max_keys`` buckets, and buckets that
    filled up again are forgotten."""
    clock = Seconds()
    limiter = RateLimiter(clock, capacity=10, period_s=10, max_keys=100)
    for n in range(10_000):
        limiter.admit(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter) <= 100
    clock.now += 11
    limiter.admit("late-comer")
    assert len(limiter) == 1


def test_a_clock_going_back_earns_nothing() -> None:
    """A clock set back does not refill a bucket."""
    clock = Seconds()
    limiter = RateLimiter(clock, capacity=1, period_s=60)
    assert limiter.admit("a") is None
    clock.now -= 3600
    assert limiter.admit("a") is not None


def test_nonsense_limits_are_refused() -> None:
    """A limiter needs a positive capacity, period and key count."""
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(Seconds(), capacity=0)
