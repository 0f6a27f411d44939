"""Travel times that follow traffic incidents: slowdowns and closures, as they come and go.

:class:`TrafficAwareTravelTimes` wraps any provider and takes the incident feed through
:meth:`~TrafficAwareTravelTimes.update`. Two ways of applying incidents exist:

Road network (OSRM, MLD region)
    Incidents become segment speeds customized into a working copy of the region; OSRM
    then routes around a closure or through a slowdown, whichever is faster. See
    :mod:`fleetline.network.traffic_osrm`.
Any other provider (crow-flies, or a CH region, which cannot take new speeds quickly)
    A leg's straight line is checked against each area
    (:mod:`fleetline.network.traffic_legs`) and only the part of the leg inside the
    area is made slower: ``duration × (1 + (factor - 1) × share_inside)``. Nothing can be
    rerouted, so a closure is a detour: its part inside the area takes
    ``closure_factor`` times as long *and* is that many times as long. A stop inside a
    closed area stays reachable, slowly. Overlapping incidents add their extra time.

Callers learn about changes from :attr:`~TrafficAwareTravelTimes.version`, which grows by
one each time travel times change, from ``update``'s return value, or from listeners
added with :meth:`~TrafficAwareTravelTimes.subscribe`. The optional matrix cache inside
keys every matrix by that version and is emptied when it changes, so it never serves a
matrix from before an update. Which incidents are in force, and when a change of them takes
effect, is kept by :class:`~fleetline.network.traffic_changes.TrafficChanges`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from fleetline.domain.live import TrafficIncident
from fleetline.domain.model import Location
from fleetline.network.base import (
    IntArray,
    Snap,
    TravelMatrix,
    TravelTimes,
    leg_durations,
    legs_from_matrix,
)
from fleetline.network.cache import CachedTravelTimes, CacheStats
from fleetline.network.traffic_changes import TrafficChanges
from fleetline.network.traffic_legs import slow_legs

if TYPE_CHECKING:
    from fleetline.network.traffic_osrm import Customization, OsrmTraffic

DEFAULT_CLOSURE_FACTOR = 3.0
DEFAULT_MIN_INTERVAL_S = 15.0


class NowSource(Protocol):
    """Anything that tells the current time (``fleetline.clock.Clock`` fits)."""

    def now(self) -> datetime:
        """Return the current, timezone-aware time."""
        ...


class _VersionedView:
    """What the inner cache asks: its name carries the traffic version."""

    def __init__(self, owner: TrafficAwareTravelTimes) -> None:
        self._owner = owner
        self.name = owner.name  # the owner renames it at every version

    def matrix(
        self, locations: Sequence[Location], departure: datetime | None = None
    ) -> TravelMatrix:
        return self._owner._compute(locations, departure)

    def leg_durations(
        self, pairs: Sequence[tuple[Location, Location]], departure: datetime | None = None
    ) -> IntArray:
        return self._owner._legs(pairs, departure)

    def snap(self, locations: Sequence[Location]) -> list[Snap]:
        return self._owner.snap(locations)


class TrafficAwareTravelTimes:
    """A :class:`~fleetline.network.base.TravelTimes` provider that follows traffic incidents.

    Parameters
    ----------
    base
        The provider without traffic. An ``OsrmTravelTimes`` on an MLD region gets
        incidents as road speeds; any other provider gets them per straight leg.
    closure_factor
        Straight-leg mode: how many times longer the part of a leg inside a closed
        area becomes (a detour, in time and distance).
    closure_speed_kmh
        Road mode: the speed of a closed road (kept positive so that stops on it stay
        reachable).
    min_interval_s
        Road mode: customizations are at least this far apart; a change arriving
        sooner is held (see :attr:`pending`) and applied, with the latest state, by the
        first call after the interval (or by a timer when ``background``).
    monotonic
        Seconds for ``min_interval_s`` (inject a fake for deterministic tests).
    clock
        If given, each ``matrix`` call first re-reads the incidents at ``clock.now()``,
        so an incident that ends between two updates stops counting on time.
    work_dir
        Road mode: directory for the working copy of the region (temporary by default).
    background
        Road mode: apply a held change with a timer thread when its interval is over.
    cache_cells, cache_precision, bucket_minutes
        A matrix cache in front (see :class:`~fleetline.network.cache.CachedTravelTimes`);
        ``cache_cells=0`` (default) means none.
    """

    def __init__(
        self,
        base: TravelTimes,
        *,
        closure_factor: float = DEFAULT_CLOSURE_FACTOR,
        closure_speed_kmh: float = 1.0,
        min_interval_s: float = DEFAULT_MIN_INTERVAL_S,
        monotonic: Callable[[], float] = time.monotonic,
        clock: NowSource | None = None,
        work_dir: Path | str | None = None,
        background: bool = False,
        cache_cells: int = 0,
        cache_precision: int = 5,
        bucket_minutes: int = 60,
    ) -> None:
        if not closure_factor >= 1.0:
            raise ValueError("closure_factor must be at least 1")
        if min_interval_s < 0:
            raise ValueError("min_interval_s must not be negative")
        self.provider = base
        self.closure_factor = float(closure_factor)
        self.min_interval_s = float(min_interval_s)
        self.background = background
        self._clock = clock
        self.name = f"{base.name}+traffic@0"
        self.last_customization: Customization | None = None
        self.road: OsrmTraffic | None = None
        if _is_osrm_mld(base):
            from fleetline.network.traffic_osrm import OsrmTraffic

            self.road = OsrmTraffic(
                base,  # type: ignore[arg-type]
                closure_speed_kmh=closure_speed_kmh,
                work_dir=work_dir,
            )
        self._changes = TrafficChanges(
            self._customize if self.road is not None else None,
            self._changed,
            min_interval_s=self.min_interval_s,
            monotonic=monotonic,
            background=background,
        )
        self._view = _VersionedView(self)
        self._cache = (
            CachedTravelTimes(
                self._view,
                max_cells=cache_cells,
                precision=cache_precision,
                bucket_minutes=bucket_minutes,
            )
            if cache_cells > 0
            else None
        )

    # --- the incident feed -------------------------------------------------------------

    @property
    def version(self) -> int:
        """Grows by one each time travel times change."""
        return self._changes.version

    @property
    def pending(self) -> bool:
        """Whether a change of incidents is waiting for its turn to be applied."""
        return self._changes.pending

    @property
    def active(self) -> tuple[TrafficIncident, ...]:
        """The incidents the travel times currently reflect, by id."""
        return tuple(sorted(self._changes.applied, key=lambda i: i.id))

    def update(self, incidents: Sequence[TrafficIncident], now: datetime) -> bool:
        """Take the latest incident list; apply it if it changes what is in force.

        Parameters
        ----------
        incidents
            Every known incident (past, present or future); those active at ``now``
            count. An identical list, or one that differs only in notes, sources or
            incidents not in force, costs a comparison and nothing more.
        now
            The moment to read the incidents at.

        Returns
        -------
        bool
            Whether travel times changed (and :attr:`version` grew). ``False`` also
            when a change is held back by ``min_interval_s``: see :attr:`pending`.
        """
        return self._changes.update(incidents, now)

    def poll(self, now: datetime | None = None) -> bool:
        """Re-read the known incidents at ``now`` and apply a held change if it is due.

        Parameters
        ----------
        now
            The moment to read the incidents at; without it, only a held change is
            applied.

        Returns
        -------
        bool
            Whether travel times changed.
        """
        return self._changes.poll(now)

    def subscribe(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(version)`` after every change of travel times."""
        self._changes.subscribe(listener)

    def _customize(self, incidents: list[TrafficIncident]) -> None:
        """Road mode: give the road network the incidents' speeds."""
        assert self.road is not None
        self.last_customization = self.road.apply(incidents)

    def _changed(self, version: int) -> None:
        """New travel times: a new name for the cache's keys, and an empty cache."""
        self.name = f"{self.provider.name}+traffic@{version}"
        self._view.name = self.name
        if self._cache is not None:
            self._cache.clear()

    def _refresh(self) -> None:
        """Catch up with the clock before answering: incidents that started or ended."""
        self._changes.catch_up(self._clock.now if self._clock is not None else None)

    # --- the TravelTimes protocol --------------------------------------------------------

    @property
    def current(self) -> TravelTimes:
        """The provider answering now (a customized road network while incidents last)."""
        return self.road.current if self.road is not None else self.provider

    def matrix(
        self, locations: Sequence[Location], departure: datetime | None = None
    ) -> TravelMatrix:
        """Return travel durations and distances with the incidents in force.

        Parameters
        ----------
        locations
            The points, in matrix order.
        departure
            When the trips start (passed to the base provider).

        Returns
        -------
        TravelMatrix
            Read-only when cached; unreachable pairs stay
            :data:`~fleetline.network.base.UNREACHABLE`.
        """
        self._refresh()
        if self._cache is not None:
            return self._cache.matrix(locations, departure)
        return self._compute(locations, departure)

    def _compute(self, locations: Sequence[Location], departure: datetime | None) -> TravelMatrix:
        if self.road is not None:
            return self.road.current.matrix(locations, departure)
        incidents = list(self._changes.applied)
        matrix = self.provider.matrix(locations, departure)
        if not incidents or len(locations) < 2:
            return matrix
        return slow_legs(matrix, locations, incidents, self.closure_factor)

    def leg_durations(
        self, pairs: Sequence[tuple[Location, Location]], departure: datetime | None = None
    ) -> IntArray:
        """Return the seconds of single trips with the incidents in force.

        The road network answers trip by trip; a leg slowed per straight line needs the
        matrix over the trips' ends while incidents last.
        """
        self._refresh()
        if self._cache is not None:
            return self._cache.leg_durations(pairs, departure)
        return self._legs(pairs, departure)

    def _legs(
        self, pairs: Sequence[tuple[Location, Location]], departure: datetime | None
    ) -> IntArray:
        if self.road is not None:
            return leg_durations(self.road.current, pairs, departure)
        if not self._changes.applied:
            return leg_durations(self.provider, pairs, departure)
        return legs_from_matrix(self, pairs, departure)

    def snap(self, locations: Sequence[Location]) -> list[Snap]:
        """Report where each location meets the road network (incidents do not move roads)."""
        return self.provider.snap(locations)

    # --- cache and lifetime ----------------------------------------------------------------

    @property
    def stats(self) -> CacheStats:
        """Counters of the matrix cache (all zero without one)."""
        if self._cache is None:
            return CacheStats(hits=0, submatrix_hits=0, misses=0, entries=0, cells=0)
        return self._cache.stats

    def clear(self) -> None:
        """Empty the matrix cache."""
        if self._cache is not None:
            self._cache.clear()

    def close(self) -> None:
        """Stop the timer and remove the road network's working copy."""
        self._changes.close()
        if self.road is not None:
            self.road.close()


def _is_osrm_mld(provider: TravelTimes) -> bool:
    """Whether ``provider`` is an OSRM engine on an MLD region (without importing osrm)."""
    engine_module = sys.modules.get("fleetline.network.osrm_engine")
    if engine_module is None:
        return False
    return isinstance(provider, engine_module.OsrmTravelTimes) and provider.algorithm == "MLD"
