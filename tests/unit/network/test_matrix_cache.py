"""The matrix cache: same answers as the provider, computed once, bounded, thread-safe."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from fleetline.domain.model import Location
from fleetline.network.base import Snap, TravelMatrix
from fleetline.network.cache import CachedTravelTimes
from fleetline.network.crowflies import CrowFliesTravelTimes
from fleetline.network.factory import travel_times_for
from fleetline.network.region import RegionError

STOPS = [Location(lat=47.10 + i / 100, lon=9.50 + i / 200) for i in range(6)]
MORNING = datetime(2026, 3, 2, 8, 5, tzinfo=UTC)


class CountingProvider:
    """A crow-flies provider that counts the matrices it is asked for."""

    name = "counting"

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.inner = CrowFliesTravelTimes()
        self.calls: list[int] = []
        self.gate = gate
        self._lock = threading.Lock()

    def matrix(
        self, locations: Sequence[Location], departure: datetime | None = None
    ) -> TravelMatrix:
        with self._lock:
            self.calls.append(len(locations))
        if self.gate is not None:
            self.gate.wait(timeout=5)
        return self.inner.matrix(locations, departure)

    def snap(self, locations: Sequence[Location]) -> list[Snap]:
        return self.inner.snap(locations)


def test_a_repeated_request_returns_the_same_values_without_recomputing() -> None:
    """The second dispatcher asking for the same stops gets the cached matrix."""
    provider = CountingProvider()
    cache = CachedTravelTimes(provider)
    first = cache.matrix(STOPS, MORNING)
    second = cache.matrix(list(STOPS), MORNING + timedelta(minutes=20))
    assert provider.calls == [6]
    assert np.array_equal(first.durations, provider.inner.matrix(STOPS, MORNING).durations)
    assert np.array_equal(second.distances, first.distances)
    assert cache.stats.hits == 1


def test_another_hour_is_computed_again() -> None:
    """Rush-hour and midday matrices are different answers and are kept apart."""
    provider = CountingProvider()
    cache = CachedTravelTimes(provider)
    rush = cache.matrix(STOPS, MORNING)
    noon = cache.matrix(STOPS, MORNING.replace(hour=12))
    assert len(provider.calls) == 2
    assert rush.durations[0, 5] > noon.durations[0, 5]


def test_a_subset_in_any_order_is_sliced_from_a_cached_matrix() -> None:
    """Re-planning three stops of a cached day needs no new computation."""
    provider = CountingProvider()
    cache = CachedTravelTimes(provider)
    cache.matrix(STOPS, MORNING)
    subset = [STOPS[4], STOPS[1], STOPS[2]]
    sliced = cache.matrix(subset, MORNING)
    assert provider.calls == [6]
    expected = provider.inner.matrix(subset, MORNING)
    assert np.array_equal(sliced.durations, expected.durations)
    assert np.array_equal(sliced.distances, expected.distances)
    assert cache.stats.submatrix_hits == 1


def test_the_least_recently_used_matrix_is_evicted_when_full() -> None:
    """With room for two 3×3 matrices, a third pushes out the one not used lately."""
    provider = CountingProvider()
    cache = CachedTravelTimes(provider, max_cells=18)
    a, b, c = STOPS[0:3], STOPS[3:6], [STOPS[0], STOPS[3], STOPS[5]]
    cache.matrix(a)
    cache.matrix(b)
    cache.matrix(a)  # a is now the most recently used
    cache.matrix(c)  # evicts b
    assert cache.stats.cells <= 18
    cache.matrix(a)
    assert len(provider.calls) == 3
    cache.matrix(b)
    assert len(provider.calls) == 4


def test_a_matrix_larger_than_the_bound_is_returned_but_not_kept() -> None:
    """An oversized request still gets its answer; the cache stays within its bound."""
    provider = CountingProvider()
    cache = CachedTravelTimes(provider, max_cells=10)
    assert cache.matrix(STOPS).size == 6
    assert cache.stats.cells == 0


def test_concurrent_requests_for_the_same_stops_compute_once() -> None:
    """Eight workers asking at once share one computation and one answer."""
    gate = threading.Event()
    provider = CountingProvider(gate)
    cache = CachedTravelTimes(provider)
    results: list[TravelMatrix] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.matrix(STOPS, MORNING)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(timeout=10)
    assert len(results) == 8
    assert provider.calls == [6]
    assert all(np.array_equal(r.durations, results[0].durations) for r in results)


def test_cached_arrays_cannot_be_changed_by_a_caller() -> None:
    """One caller editing its matrix must not corrupt another caller's."""
    cache = CachedTravelTimes(CountingProvider())
    m = cache.matrix(STOPS)
    with pytest.raises(ValueError, match="read-only"):
        m.durations[0, 1] = 0


def test_clear_forgets_everything() -> None:
    """After new traffic, clearing forces fresh matrices."""
    provider = CountingProvider()
    cache = CachedTravelTimes(provider)
    cache.matrix(STOPS)
    cache.clear()
    cache.matrix(STOPS)
    assert len(provider.calls) == 2


def test_without_a_region_the_factory_gives_cached_crow_flies() -> None:
    """A company that has not imported a map still gets plausible travel times."""
    provider = travel_times_for(None, circuity=1.5)
    assert isinstance(provider.provider, CrowFliesTravelTimes)
    assert provider.provider.circuity == 1.5
    assert provider.matrix(STOPS[:2]).distances[0, 1] > 0


def test_the_factory_refuses_a_region_that_was_never_prepared(tmp_path: Path) -> None:
    """Pointing at an empty folder is an error, not a silent fall back to straight lines."""
    with pytest.raises(RegionError, match="no prepared region"):
        travel_times_for(tmp_path)


class TripCountingProvider(CountingProvider):
    """A crow-flies provider that also answers single trips, and counts them."""

    def __init__(self) -> None:
        super().__init__()
        self.trips: list[tuple[Location, Location]] = []

    def leg_durations(
        self, pairs: Sequence[tuple[Location, Location]], departure: datetime | None = None
    ) -> np.ndarray:
        self.trips.extend(pairs)
        return np.array(
            [self.inner.matrix([a, b], departure).durations[0, 1] for a, b in pairs],
            dtype=np.int64,
        )


def test_a_truck_that_did_not_move_costs_no_new_trip() -> None:
    """Two refreshes a second apart: only the truck that reported a new position is asked
    again, and every answer equals the provider's own."""
    provider = TripCountingProvider()
    cache = CachedTravelTimes(provider)
    pairs = [(STOPS[0], STOPS[3]), (STOPS[1], STOPS[4]), (STOPS[2], STOPS[5])]
    first = cache.leg_durations(pairs, MORNING)
    moved = [(STOPS[0], STOPS[3]), (Location(47.115, 9.51), STOPS[4]), (STOPS[2], STOPS[5])]
    second = cache.leg_durations(moved, MORNING + timedelta(seconds=1))
    assert len(provider.trips) == 4
    assert provider.trips[-1] == moved[1]
    fresh = TripCountingProvider()
    assert list(first) == list(fresh.leg_durations(pairs, MORNING))
    assert list(second) == list(fresh.leg_durations(moved, MORNING))
    assert cache.stats.trip_hits == 2 and cache.stats.trip_misses == 4


def test_trips_are_asked_again_in_another_hour_and_after_clear() -> None:
    """A trip's time depends on the hour; new traffic (clear) forgets every kept trip."""
    provider = TripCountingProvider()
    cache = CachedTravelTimes(provider)
    pair = [(STOPS[0], STOPS[5])]
    cache.leg_durations(pair, MORNING)
    cache.leg_durations(pair, MORNING + timedelta(hours=1))
    assert len(provider.trips) == 2
    cache.clear()
    cache.leg_durations(pair, MORNING)
    assert len(provider.trips) == 3


def test_the_trips_kept_are_bounded() -> None:
    """Beyond ``max_trips`` the least recently used trip is forgotten, not memory grown."""
    provider = TripCountingProvider()
    cache = CachedTravelTimes(provider, max_trips=2)
    cache.leg_durations([(STOPS[0], STOPS[1]), (STOPS[0], STOPS[2])], MORNING)
    cache.leg_durations([(STOPS[0], STOPS[3])], MORNING)
    assert cache.stats.trips == 2
    cache.leg_durations([(STOPS[0], STOPS[1])], MORNING)
    assert len(provider.trips) == 4
