"""A bounded, thread-safe matrix cache in front of any :class:`TravelTimes` provider."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from fleetline.domain.model import Location
from fleetline.network.base import IntArray, Snap, TravelMatrix, TravelTimes, leg_durations

RoundedPoint = tuple[float, float]
CacheKey = tuple[str, tuple[RoundedPoint, ...], int | None]
TripKey = tuple[str, RoundedPoint, RoundedPoint, int | None]


@dataclass(frozen=True, slots=True)
class CacheStats:
    """Counters of a :class:`CachedTravelTimes` since it was made or cleared."""

    hits: int
    submatrix_hits: int
    misses: int
    entries: int
    cells: int
    trip_hits: int = 0
    trip_misses: int = 0
    trips: int = 0


def _read_only(matrix: TravelMatrix) -> TravelMatrix:
    matrix.durations.flags.writeable = False
    matrix.distances.flags.writeable = False
    return matrix


class CachedTravelTimes:
    """Cache the matrices of another provider, least recently used first out.

    A matrix is keyed by the provider's name, the locations rounded to ``precision``
    decimal degrees (5 ≈ 1 m) in order, and the departure's bucket (whole
    ``bucket_minutes`` of UTC time; no departure is its own bucket). A request whose
    locations all appear in one cached matrix of the same bucket is answered by
    slicing it. Cached arrays are read-only: copy before editing.

    Single trips (:meth:`leg_durations`) are kept too, by their two rounded ends and
    bucket: a truck that has not reported a new position since the last refresh costs
    the provider nothing, so a refresh asks only for the trucks that moved.

    Parameters
    ----------
    provider
        The provider to ask on a miss.
    max_cells
        Bound on the summed ``n × n`` of cached matrices; a matrix larger than the
        bound is returned but not kept.
    max_trips
        Bound on the number of single trips kept.
    precision
        Decimal places of latitude and longitude in the key.
    bucket_minutes
        Width of a departure-time bucket.
    """

    def __init__(
        self,
        provider: TravelTimes,
        *,
        max_cells: int = 50_000_000,
        precision: int = 5,
        bucket_minutes: int = 60,
        max_trips: int = 200_000,
    ) -> None:
        if max_cells < 0:
            raise ValueError("max_cells must not be negative")
        if bucket_minutes < 1:
            raise ValueError("bucket_minutes must be at least 1")
        if max_trips < 0:
            raise ValueError("max_trips must not be negative")
        self.provider = provider
        self.name = f"cached:{provider.name}"
        self.max_cells = max_cells
        self.precision = precision
        self.bucket_seconds = bucket_minutes * 60
        self._lock = threading.Lock()
        self._entries: OrderedDict[CacheKey, TravelMatrix] = OrderedDict()
        self._indexes: dict[CacheKey, dict[RoundedPoint, int]] = {}
        self._pending: dict[CacheKey, Future[TravelMatrix]] = {}
        self._cells = 0
        self._hits = self._submatrix_hits = self._misses = 0
        self.max_trips = max_trips
        self._trips: OrderedDict[TripKey, int] = OrderedDict()
        self._trip_hits = self._trip_misses = 0

    def _bucket(self, departure: datetime | None) -> int | None:
        if departure is None:
            return None
        if departure.tzinfo is None or departure.utcoffset() is None:
            raise ValueError("departure must carry a UTC offset")
        return int(departure.astimezone(UTC).timestamp() // self.bucket_seconds)

    def _key(self, locations: Sequence[Location], departure: datetime | None) -> CacheKey:
        points = tuple(
            (round(loc.lat, self.precision), round(loc.lon, self.precision)) for loc in locations
        )
        return (self.provider.name, points, self._bucket(departure))

    def _lookup(self, key: CacheKey) -> TravelMatrix | None:
        """Find ``key`` whole or inside a larger entry; the lock must be held."""
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            self._hits += 1
            return found
        wanted = key[1]
        if len(set(wanted)) != len(wanted):
            return None  # duplicates: an index map cannot tell them apart
        for other, index in reversed(self._indexes.items()):
            if other[0] != key[0] or other[2] != key[2] or len(index) < len(wanted):
                continue
            rows = [index.get(point) for point in wanted]
            if any(row is None for row in rows):
                continue
            whole = self._entries[other]
            self._entries.move_to_end(other)
            picks = np.ix_(rows, rows)  # type: ignore[arg-type]
            self._submatrix_hits += 1
            return _read_only(
                TravelMatrix(durations=whole.durations[picks], distances=whole.distances[picks])
            )
        return None

    def _store(self, key: CacheKey, matrix: TravelMatrix) -> None:
        """Keep ``matrix`` and evict the least recently used; the lock must be held."""
        cells = matrix.size * matrix.size
        if cells > self.max_cells or key in self._entries:
            return
        self._entries[key] = matrix
        self._indexes[key] = {point: i for i, point in enumerate(key[1])}
        self._cells += cells
        while self._cells > self.max_cells:
            old_key, old = self._entries.popitem(last=False)
            del self._indexes[old_key]
            self._cells -= old.size * old.size

    def matrix(
        self, locations: Sequence[Location], departure: datetime | None = None
    ) -> TravelMatrix:
        """Return the provider's matrix for ``locations``, from the cache when possible.

        Parameters
        ----------
        locations
            The points, in matrix order.
        departure
            When the trips start.

        Returns
        -------
        TravelMatrix
            Read-only arrays. Concurrent requests for the same key compute it once.
        """
        key = self._key(locations, departure)
        with self._lock:
            found = self._lookup(key)
            if found is not None:
                return found
            pending = self._pending.get(key)
            owner = pending is None
            if pending is None:
                pending = Future()
                self._pending[key] = pending
                self._misses += 1
        if not owner:
            return pending.result()
        try:
            result = _read_only(self.provider.matrix(locations, departure))
        except BaseException as exc:
            with self._lock:
                del self._pending[key]
            pending.set_exception(exc)
            raise
        with self._lock:
            self._store(key, result)
            del self._pending[key]
        pending.set_result(result)
        return result

    def _point(self, location: Location) -> RoundedPoint:
        return (round(location.lat, self.precision), round(location.lon, self.precision))

    def leg_durations(
        self, pairs: Sequence[tuple[Location, Location]], departure: datetime | None = None
    ) -> IntArray:
        """Return the seconds of each trip, asking the provider only for trips not kept.

        Parameters
        ----------
        pairs
            The trips, as (origin, destination).
        departure
            When the trips start (trips are kept per bucket, like matrices).

        Returns
        -------
        numpy.ndarray
            ``int64`` seconds, one per trip, as the provider answers them.
        """
        bucket = self._bucket(departure)
        name = self.provider.name
        keys = [(name, self._point(a), self._point(b), bucket) for a, b in pairs]
        found = np.zeros(len(pairs), dtype=np.int64)
        missing: list[int] = []
        with self._lock:
            for i, key in enumerate(keys):
                seconds = self._trips.get(key)
                if seconds is None:
                    missing.append(i)
                else:
                    self._trips.move_to_end(key)
                    found[i] = seconds
            self._trip_hits += len(pairs) - len(missing)
            self._trip_misses += len(missing)
        if not missing:
            return found
        asked = leg_durations(self.provider, [pairs[i] for i in missing], departure)
        with self._lock:
            for i, seconds in zip(missing, asked, strict=True):
                found[i] = int(seconds)
                self._trips[keys[i]] = int(seconds)
                self._trips.move_to_end(keys[i])
            while len(self._trips) > self.max_trips:
                self._trips.popitem(last=False)
        return found

    def snap(self, locations: Sequence[Location]) -> list[Snap]:
        """Ask the provider where ``locations`` meet the road network (not cached)."""
        return self.provider.snap(locations)

    def clear(self) -> None:
        """Forget every cached matrix and trip and reset the counters (e.g. after new traffic)."""
        with self._lock:
            self._entries.clear()
            self._indexes.clear()
            self._trips.clear()
            self._cells = 0
            self._hits = self._submatrix_hits = self._misses = 0
            self._trip_hits = self._trip_misses = 0

    @property
    def stats(self) -> CacheStats:
        """Hits, sub-matrix hits, misses, and the current size of the cache."""
        with self._lock:
            return CacheStats(
                hits=self._hits,
                submatrix_hits=self._submatrix_hits,
                misses=self._misses,
                entries=len(self._entries),
                cells=self._cells,
                trip_hits=self._trip_hits,
                trip_misses=self._trip_misses,
                trips=len(self._trips),
            )
