"""Road travel times from OSRM, through osrm-bindings. The only module that imports ``osrm``.

The binding returns JSON-like ``osrm.Object``/``osrm.Array`` values that index by integer
only; everything is converted to numpy or plain Python at this module's edge.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import osrm

from fleetline.domain.model import Location
from fleetline.network.base import (
    UNREACHABLE,
    IntArray,
    IntMatrix,
    RoadPath,
    Snap,
    TravelMatrix,
)
from fleetline.network.region import Algorithm, RegionError, read_region

DEFAULT_SNAP_THRESHOLD_M = 500.0
DEFAULT_MAX_TABLE_CELLS = 4_000_000


class RoutingError(RuntimeError):
    """OSRM could not answer a query (no route, or the engine rejected it)."""


def table_to_int64(rows: Iterable[Iterable[float | None]], shape: tuple[int, int]) -> IntMatrix:
    """Convert a table of floats with ``None`` for "no route" into rounded ``int64``.

    Parameters
    ----------
    rows
        Row-major values, e.g. an ``osrm.Array`` of arrays or a list of lists.
    shape
        ``(rows, columns)`` expected.

    Returns
    -------
    numpy.ndarray
        Values rounded to the nearest integer; ``None`` (and anything at or beyond the
        sentinel) becomes :data:`~fleetline.network.base.UNREACHABLE`.
    """
    count = shape[0] * shape[1]
    try:
        flat = np.fromiter((v for row in rows for v in row), dtype=np.float64, count=count)
    except TypeError:  # a None somewhere: take the slower, explicit path
        flat = np.fromiter(
            (math.nan if v is None else v for row in rows for v in row),
            dtype=np.float64,
            count=count,
        )
    unreachable = ~np.isfinite(flat) | (flat >= UNREACHABLE)
    flat[unreachable] = UNREACHABLE
    return np.rint(flat).astype(np.int64).reshape(shape)


def _coordinate(location: Location) -> tuple[float, float]:
    return (location.lon, location.lat)


class OsrmTravelTimes:
    """Travel times on the road network of a region prepared by :func:`import_region`.

    Durations are OSRM's free-flow car durations from the region's profile (and any
    segment speeds loaded with :func:`~fleetline.network.region.apply_segment_speeds`);
    they do not depend on the departure time. Every location is snapped to its nearest
    road for the table; call :meth:`snap` to learn which ones are too far from a road to
    be trusted.

    Parameters
    ----------
    region_path
        A prepared region's directory or OSRM base path.
    snap_threshold_m
        A location farther than this from the nearest road is reported off-network.
    max_table_cells
        Largest table asked of OSRM in one call; bigger matrices are computed in bands
        of source rows, which bounds the memory of the binding's intermediate result.
    algorithm
        Override the region's recorded algorithm (``"MLD"`` or ``"CH"``).

    Raises
    ------
    RegionError
        If no prepared region is at ``region_path``.
    """

    def __init__(
        self,
        region_path: Path | str,
        *,
        snap_threshold_m: float = DEFAULT_SNAP_THRESHOLD_M,
        max_table_cells: int = DEFAULT_MAX_TABLE_CELLS,
        algorithm: Algorithm | None = None,
    ) -> None:
        if snap_threshold_m < 0:
            raise ValueError("snap_threshold_m must not be negative")
        if max_table_cells < 1:
            raise ValueError("max_table_cells must be positive")
        self.region = read_region(region_path)
        self.algorithm: Algorithm = algorithm or self.region.algorithm
        self.snap_threshold_m = float(snap_threshold_m)
        self.max_table_cells = int(max_table_cells)
        self.name = f"osrm:{self.region.base.name}:{self.region.sha256[:12]}"
        self._lock = threading.Lock()
        self._engine: Any = self._open()

    def _open(self) -> Any:
        try:
            return osrm.OSRM(
                storage_config=str(self.region.base),
                algorithm=self.algorithm,
                use_shared_memory=False,
            )
        except RuntimeError as exc:
            raise RegionError(f"cannot open {self.region.base}: {exc}") from exc

    def reload(self) -> None:
        """Reopen the region, e.g. after new segment speeds were customized into it."""
        engine = self._open()
        with self._lock:
            self._engine = engine

    def _call(self, service: str, params: Any) -> Any:
        try:
            result = getattr(self._engine, service)(params)
        except RuntimeError as exc:
            raise RoutingError(f"OSRM {service.lower()} failed: {exc}") from exc
        if result["code"] != "Ok":
            raise RoutingError(f"OSRM {service.lower()} answered {result['code']}")
        return result

    def matrix(
        self, locations: Sequence[Location], departure: datetime | None = None
    ) -> TravelMatrix:
        """Return road durations (s) and distances (m) between every pair of ``locations``.

        Parameters
        ----------
        locations
            The points, in matrix order.
        departure
            Accepted for the protocol; OSRM's speeds do not vary by time of day.

        Returns
        -------
        TravelMatrix
            ``int64`` seconds and metres; a pair with no route holds
            :data:`~fleetline.network.base.UNREACHABLE` in both.
        """
        n = len(locations)
        durations = np.zeros((n, n), dtype=np.int64)
        distances = np.zeros((n, n), dtype=np.int64)
        if n < 2:
            return TravelMatrix(durations=durations, distances=distances)
        coordinates = [_coordinate(loc) for loc in locations]
        band = max(1, self.max_table_cells // n)
        for start in range(0, n, band):
            stop = min(n, start + band)
            params = osrm.TableParameters(
                coordinates=coordinates,
                sources=list(range(start, stop)) if band < n else [],
                annotations=["duration", "distance"],
                generate_hints=False,
            )
            params.skip_waypoints = True
            result = self._call("Table", params)
            shape = (stop - start, n)
            durations[start:stop] = table_to_int64(result["durations"], shape)
            distances[start:stop] = table_to_int64(result["distances"], shape)
            del result
        np.fill_diagonal(durations, 0)
        np.fill_diagonal(distances, 0)
        return TravelMatrix(durations=durations, distances=distances)

    def leg_durations(
        self, pairs: Sequence[tuple[Location, Location]], departure: datetime | None = None
    ) -> IntArray:
        """Return the road seconds of each trip ``(origin, destination)``, one query each.

        For trucks heading to their next stops this is what an ETA refresh needs: N trips
        cost N one-cell queries instead of the N x N table over their ends.

        Parameters
        ----------
        pairs
            The trips, in order.
        departure
            Accepted for the protocol; OSRM's speeds do not vary by time of day.

        Returns
        -------
        numpy.ndarray
            ``int64`` seconds; :data:`~fleetline.network.base.UNREACHABLE` for no route.
        """
        found = np.zeros(len(pairs), dtype=np.int64)
        for position, (origin, destination) in enumerate(pairs):
            if origin == destination:
                continue
            params = osrm.TableParameters(
                coordinates=[_coordinate(origin), _coordinate(destination)],
                sources=[0],
                destinations=[1],
                annotations=["duration"],
                generate_hints=False,
            )
            params.skip_waypoints = True
            result = self._call("Table", params)
            found[position] = table_to_int64(result["durations"], (1, 1))[0, 0]
        return found

    def snap(self, locations: Sequence[Location]) -> list[Snap]:
        """Report the nearest road point of each location and whether it is close enough.

        Parameters
        ----------
        locations
            The points to check.

        Returns
        -------
        list of Snap
            ``on_network`` is false when the nearest road is farther than
            ``snap_threshold_m`` (or no road was found at all: distance is infinite).
        """
        snaps: list[Snap] = []
        for location in locations:
            params = osrm.NearestParameters(
                coordinates=[_coordinate(location)], generate_hints=False
            )
            params.number_of_results = 1
            try:
                waypoint = self._call("Nearest", params)["waypoints"][0]
            except (RoutingError, IndexError):
                snaps.append(Snap(location, location, math.inf, on_network=False))
                continue
            lon, lat = (float(v) for v in waypoint["location"])
            distance = float(waypoint["distance"])
            snaps.append(
                Snap(
                    location=location,
                    snapped=Location(lat=lat, lon=lon),
                    distance_m=distance,
                    on_network=distance <= self.snap_threshold_m,
                )
            )
        return snaps

    def route(self, locations: Sequence[Location]) -> RoadPath:
        """Return the road path through ``locations`` in order.

        Parameters
        ----------
        locations
            Two or more stops.

        Returns
        -------
        RoadPath
            The full-resolution polyline, the OSM node ids passed (for traffic speed
            files), and the total duration and distance.

        Raises
        ------
        RoutingError
            If there is no route through the stops.
        """
        if len(locations) < 2:
            raise ValueError("a route needs at least two locations")
        params = osrm.RouteParameters(
            coordinates=[_coordinate(loc) for loc in locations],
            annotations=["nodes"],
            geometries="geojson",
            overview="full",
            generate_hints=False,
        )
        best = self._call("Route", params)["routes"][0]
        geometry = tuple(
            Location(lat=float(point[1]), lon=float(point[0]))
            for point in best["geometry"]["coordinates"]
        )
        nodes: list[int] = []
        for leg in best["legs"]:
            _append_without_overlap(nodes, [int(v) for v in leg["annotation"]["nodes"]])
        return RoadPath(
            geometry=geometry,
            osm_node_ids=tuple(nodes),
            duration_s=float(best["duration"]),
            distance_m=float(best["distance"]),
        )

    def route_geometry(self, a: Location, b: Location) -> RoadPath:
        """Return the road path from ``a`` to ``b``; see :meth:`route`."""
        return self.route([a, b])


def _append_without_overlap(nodes: list[int], leg: list[int]) -> None:
    """Extend ``nodes`` with ``leg``, skipping the segment the two legs share at a stop."""
    overlap = min(len(nodes), len(leg))
    while overlap and nodes[-overlap:] != leg[:overlap]:
        overlap -= 1
    nodes.extend(leg[overlap:])
