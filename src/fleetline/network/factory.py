"""Choose the travel-time provider for a deployment: OSRM with a region, crow-flies without."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from pathlib import Path

from fleetline.network.base import TravelTimes
from fleetline.network.cache import CachedTravelTimes
from fleetline.network.crowflies import DEFAULT_SPEED_PROFILE_KMH, CrowFliesTravelTimes
from fleetline.network.region import Algorithm
from fleetline.network.traffic import (
    DEFAULT_CLOSURE_FACTOR,
    DEFAULT_MIN_INTERVAL_S,
    NowSource,
    TrafficAwareTravelTimes,
)


def travel_times_for(
    region: Path | None,
    *,
    cache_cells: int = 50_000_000,
    cache_precision: int = 5,
    bucket_minutes: int = 60,
    snap_threshold_m: float = 500.0,
    max_table_cells: int = 4_000_000,
    algorithm: Algorithm | None = None,
    circuity: float = 1.3,
    speed_profile_kmh: Sequence[float] = DEFAULT_SPEED_PROFILE_KMH,
    timezone: tzinfo | None = None,
    traffic: bool = True,
    closure_factor: float = DEFAULT_CLOSURE_FACTOR,
    min_interval_s: float = DEFAULT_MIN_INTERVAL_S,
    clock: NowSource | None = None,
) -> CachedTravelTimes | TrafficAwareTravelTimes:
    """Return the cached travel-time provider for a deployment.

    Parameters
    ----------
    region
        A region prepared by :func:`~fleetline.network.region.import_region` (its
        directory or base path), or ``None`` to estimate from straight lines.
    cache_cells, cache_precision, bucket_minutes
        Passed to :class:`~fleetline.network.cache.CachedTravelTimes` as ``max_cells``,
        ``precision`` and ``bucket_minutes``.
    snap_threshold_m, max_table_cells, algorithm
        Passed to :class:`~fleetline.network.osrm_engine.OsrmTravelTimes` (region given).
    circuity, speed_profile_kmh, timezone
        Passed to :class:`~fleetline.network.crowflies.CrowFliesTravelTimes` (no region).
    traffic
        Follow traffic incidents (fed through ``update``); see
        :class:`~fleetline.network.traffic.TrafficAwareTravelTimes`.
    closure_factor, min_interval_s, clock
        Passed to :class:`~fleetline.network.traffic.TrafficAwareTravelTimes`; with a
        region, a held change is applied by a timer thread once ``min_interval_s`` is over.

    Returns
    -------
    CachedTravelTimes or TrafficAwareTravelTimes
        With ``traffic``, the traffic-aware provider with the matrix cache *in front* of
        its traffic: the cache keys every matrix by the traffic version and is emptied on
        every change, so a matrix from before an incident update is never served.
        Without, the plain provider in a matrix cache. Either way ``.provider`` is the
        provider without traffic or cache, and ``.stats`` the cache's counters.

    Raises
    ------
    RegionError
        If ``region`` is given but holds no prepared region.
    """
    provider: TravelTimes
    if region is not None:
        from fleetline.network.osrm_engine import OsrmTravelTimes  # loads libosrm only here

        provider = OsrmTravelTimes(
            region,
            snap_threshold_m=snap_threshold_m,
            max_table_cells=max_table_cells,
            algorithm=algorithm,
        )
    else:
        provider = CrowFliesTravelTimes(
            circuity=circuity, speed_profile_kmh=speed_profile_kmh, timezone=timezone
        )
    if traffic:
        return TrafficAwareTravelTimes(
            provider,
            closure_factor=closure_factor,
            min_interval_s=min_interval_s,
            clock=clock,
            background=region is not None,
            cache_cells=cache_cells,
            cache_precision=cache_precision,
            bucket_minutes=bucket_minutes,
        )
    return CachedTravelTimes(
        provider,
        max_cells=cache_cells,
        precision=cache_precision,
        bucket_minutes=bucket_minutes,
    )
