"""How a simulated truck moves: legs along a road path or a straight line, in simulated time.

The simulator's world is its own: its travel times are the road network's (or crow-flies
estimates) times the driver's pace and any traffic it has caused, and the system learns of
them only through the positions and reports the trucks send.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from fleetline.domain.model import Location
from fleetline.network.base import RoadPath, TravelTimes

EARTH_RADIUS_M = 6_371_000.0
CLOSURE_DETOUR = 2.5
"""How much longer a leg through a closed area takes (the way around)."""


def metres(a: Location, b: Location) -> float:
    """Great-circle distance between two points, in metres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def point_along(path: Sequence[Location], fraction: float) -> Location:
    """The point a given fraction of the way along a polyline (by distance).

    Parameters
    ----------
    path
        One or more points.
    fraction
        0 is the first point, 1 the last; values outside are clamped.
    """
    if len(path) == 1:
        return path[0]
    fraction = min(1.0, max(0.0, fraction))
    pieces = [metres(a, b) for a, b in itertools.pairwise(path)]
    total = sum(pieces)
    if total <= 0:
        return path[-1]
    wanted = fraction * total
    for (a, b), piece in zip(itertools.pairwise(path), pieces, strict=True):
        if wanted <= piece and piece > 0:
            share = wanted / piece
            return Location(
                round(a.lat + (b.lat - a.lat) * share, 6), round(a.lon + (b.lon - a.lon) * share, 6)
            )
        wanted -= piece
    return path[-1]


@dataclass(frozen=True, slots=True)
class Leg:
    """One drive: from where the truck is to a stop (or home), with its times and path."""

    target_order: str | None
    depart: datetime
    arrive: datetime
    path: tuple[Location, ...]
    distance_m: float

    @property
    def target(self) -> Location:
        """Where the leg ends."""
        return self.path[-1]

    def position_at(self, moment: datetime) -> Location:
        """Where the truck is at ``moment`` (the start before, the end after)."""
        span = (self.arrive - self.depart).total_seconds()
        if span <= 0:
            return self.target
        return point_along(self.path, (moment - self.depart).total_seconds() / span)


@dataclass(frozen=True, slots=True)
class SimIncident:
    """A traffic incident as the simulated world feels it: a circle, a factor, a time span."""

    center: Location
    radius_m: float
    factor: float
    starts_at: datetime
    ends_at: datetime

    def slows(self, path: Sequence[Location], moment: datetime) -> bool:
        """Whether a leg along ``path`` leaving at ``moment`` passes through the incident."""
        if not self.starts_at <= moment < self.ends_at:
            return False
        step = max(1, len(path) // 20)
        return any(metres(p, self.center) <= self.radius_m for p in (*path[::step], path[-1]))


def traffic_factor(
    path: Sequence[Location], moment: datetime, incidents: Sequence[SimIncident]
) -> float:
    """The largest slowdown of the incidents a leg passes through (1: none)."""
    return max((i.factor for i in incidents if i.slows(path, moment)), default=1.0)


Router = Callable[[Location, Location], RoadPath]
"""Returns the road path between two points (OSRM's ``route_geometry``)."""


class Roads:
    """The simulated world's roads: free-flow legs, on a road network or as the crow flies.

    Parameters
    ----------
    travel_times
        Durations and distances between two points (used when there is no ``router``).
    router
        The road path between two points, with its geometry; trucks then follow the roads.
    """

    def __init__(self, travel_times: TravelTimes | None = None, router: Router | None = None):
        if travel_times is None and router is None:
            raise ValueError("roads need travel times or a router")
        self._travel_times = travel_times
        self._router = router
        self._paths: dict[tuple[Location, Location], tuple[tuple[Location, ...], float, float]] = {}

    def _free_flow(
        self, a: Location, b: Location, depart: datetime
    ) -> tuple[tuple[Location, ...], float, float]:
        if a == b:
            return (a, b), 0.0, 0.0
        if self._router is not None:
            known = self._paths.get((a, b))
            if known is None:
                road = self._router(a, b)
                geometry = road.geometry if len(road.geometry) >= 2 else (a, b)
                known = ((a, *geometry, b), road.duration_s, road.distance_m)
                self._paths[(a, b)] = known
            return known
        assert self._travel_times is not None
        matrix = self._travel_times.matrix([a, b], depart)
        return (a, b), float(matrix.durations[0, 1]), float(matrix.distances[0, 1])

    def leg(
        self,
        a: Location,
        b: Location,
        depart: datetime,
        *,
        pace: float = 1.0,
        incidents: Sequence[SimIncident] = (),
        target_order: str | None = None,
    ) -> Leg:
        """The drive from ``a`` to ``b`` leaving at ``depart``, at the driver's pace.

        Parameters
        ----------
        a, b
            From and to.
        depart
            When the truck leaves (selects hourly speeds and active incidents).
        pace
            The driver's factor on free-flow durations.
        incidents
            Traffic in the simulated world; a closure counts as a detour.
        target_order
            The order at ``b`` (``None`` for the drive home).
        """
        path, duration_s, distance_m = self._free_flow(a, b, depart)
        factor = pace * traffic_factor(path, depart, incidents)
        seconds = max(0, round(duration_s * factor))
        return Leg(target_order, depart, depart + timedelta(seconds=seconds), path, distance_m)
