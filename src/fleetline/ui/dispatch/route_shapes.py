"""The lines a truck's remaining route is drawn with: on the roads when the network can.

With a road network (OSRM) the line follows the roads; with crow-flies estimates it is
a straight line from stop to stop. Road paths are cached: the part from the next stop
on changes only when the stops do, the part from the truck to its next stop is asked
again only once the truck has moved about 100 m.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from fleetline.domain.model import Location
from fleetline.network.base import RoadPath, TravelTimes

log = logging.getLogger(__name__)

Point = tuple[float, float]
Router = Callable[[Sequence[Location]], RoadPath]
"""Returns the road path through given locations in order (OSRM's ``route``)."""

SPACING_M = 25.0
"""Points of a road path closer than this to the last kept point are left out."""
METRES_PER_DEGREE = 111_320.0


def road_router(travel_times: TravelTimes) -> Router | None:
    """Return the road router behind ``travel_times``, or ``None`` (crow-flies)."""
    provider = getattr(travel_times, "provider", travel_times)
    route = getattr(provider, "route", None)
    return route if callable(route) else None


def thin(points: Sequence[Point], spacing_m: float = SPACING_M) -> list[Point]:
    """Keep the first and last point and those at least ``spacing_m`` from the last kept."""
    if len(points) <= 2:
        return list(points)
    kept = [points[0]]
    limit = (spacing_m / METRES_PER_DEGREE) ** 2
    for point in points[1:-1]:
        last = kept[-1]
        if (point[0] - last[0]) ** 2 + (point[1] - last[1]) ** 2 >= limit:
            kept.append(point)
    kept.append(points[-1])
    return kept


class RouteShapes:
    """Draws routes, caching road paths (thread-safe; shared by every browser).

    Parameters
    ----------
    router
        The road router, or ``None`` for straight lines.
    capacity
        Road paths kept.
    """

    def __init__(self, router: Router | None, capacity: int = 4096) -> None:
        self._router = router
        self._capacity = capacity
        self._paths: OrderedDict[tuple[Location, ...], tuple[Point, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def shape(self, position: Location, stops: Sequence[Location]) -> list[Point]:
        """The line from ``position`` through ``stops`` in order (empty without stops)."""
        if not stops:
            return []
        if self._router is None:
            return [(p.lat, p.lon) for p in (position, *stops)]
        start = Location(round(position.lat, 3), round(position.lon, 3))
        first_leg = self._path((start, stops[0]))
        rest = self._path(tuple(stops)) if len(stops) >= 2 else ()
        head = [(position.lat, position.lon), *first_leg[1:]]
        return head + list(rest[1:])

    def _path(self, locations: tuple[Location, ...]) -> tuple[Point, ...]:
        with self._lock:
            known = self._paths.get(locations)
            if known is not None:
                self._paths.move_to_end(locations)
                return known
        assert self._router is not None
        try:
            geometry = self._router(list(locations)).geometry
            points = tuple(thin([(p.lat, p.lon) for p in geometry]))
        except Exception:  # no road between them: draw it straight
            log.debug("no road path through %d stops; drawing it straight", len(locations))
            points = tuple((p.lat, p.lon) for p in locations)
        with self._lock:
            self._paths[locations] = points
            while len(self._paths) > self._capacity:
                self._paths.popitem(last=False)
        return points
