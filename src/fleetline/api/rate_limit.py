"""A token bucket per client address, for the public tracking pages.

Each address holds up to ``capacity`` tokens and earns ``capacity`` of them back per
``period_s``. A request spends one; a failed lookup (a wrong, expired or guessed tracking
token) spends :data:`FAILED_LOOKUP_COST` in all, so that guessing tokens runs dry ten
times faster than reading a page. An address whose bucket has filled up again is
indistinguishable from a new one and is forgotten, and at most ``max_keys`` addresses are
kept (the least recently seen go first), so memory stays bounded whatever the traffic.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

FAILED_LOOKUP_COST = 10
"""What a failed token lookup costs in all, in requests."""


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets per key (a client address), on an injected clock.

    Parameters
    ----------
    seconds
        Returns the current time in seconds (monotonic, or the injected clock's).
    capacity
        Requests an idle key may make at once, and per ``period_s``.
    period_s
        Seconds in which an empty bucket fills up again.
    max_keys
        Keys remembered at most; the least recently seen are forgotten first.
    """

    def __init__(
        self,
        seconds: Callable[[], float],
        *,
        capacity: int = 60,
        period_s: float = 60.0,
        max_keys: int = 10_000,
    ) -> None:
        if capacity < 1 or period_s <= 0 or max_keys < 1:
            raise ValueError("capacity, period_s and max_keys must be positive")
        self._seconds = seconds
        self.capacity = float(capacity)
        self._rate = capacity / period_s
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many keys are remembered now."""
        return len(self._buckets)

    def admit(self, key: str) -> float | None:
        """Spend one request of ``key``'s bucket.

        Returns
        -------
        float or None
            ``None`` when the request may go on; else the seconds to wait before the
            next one would be admitted (nothing is spent then).
        """
        with self._lock:
            bucket = self._current(key)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return None
            return max(1.0, math.ceil((1 - bucket.tokens) / self._rate))

    def penalize(self, key: str, requests: float = FAILED_LOOKUP_COST - 1) -> None:
        """Spend ``requests`` more of ``key``'s bucket (it may go down to one period's debt)."""
        with self._lock:
            bucket = self._current(key)
            bucket.tokens = max(-self.capacity, bucket.tokens - requests)

    def _current(self, key: str) -> _Bucket:
        """The key's bucket, refilled up to now; forgets full, idle keys on the way."""
        now = self._seconds()
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = _Bucket(self.capacity, now)
        else:
            earned = max(0.0, now - bucket.updated) * self._rate
            bucket.tokens = min(self.capacity, bucket.tokens + earned)
            bucket.updated = max(bucket.updated, now)
        self._buckets[key] = bucket
        self._forget_idle(now)
        return bucket

    def _forget_idle(self, now: float) -> None:
        while len(self._buckets) > 1:
            oldest_key, oldest = next(iter(self._buckets.items()))
            idle_full = oldest.tokens + max(0.0, now - oldest.updated) * self._rate
            if len(self._buckets) <= self._max_keys and idle_full < self.capacity:
                return
            del self._buckets[oldest_key]
