"""Traffic incidents on an OSRM road network: slower or closed road segments.

How it works, for a region prepared with MLD:

1. **Find the road segments in an area.** Routes are asked of the *original* engine
   between points on a ring around the area (and through its centre), with per-segment
   annotations: every consecutive pair of OSM nodes on a route is a directed road
   segment, with its free-flow speed. The segments whose midpoint is inside the area
   are kept, each in both directions (OSRM ignores a direction the road does not have).
   The result is cached per area. It covers the roads that traffic uses through the
   area; a cul-de-sac that no route through the area takes is not slowed, which does
   not change any travel time through the area.
2. **Write the speeds.** A slowdown by ``factor`` gives each segment its free-flow
   speed divided by the factor; a closure gives ``closure_speed_kmh`` (1 km/h by
   default). A speed of 0 is not used: OSRM then refuses to route to a stop on that
   road at all (osrm-backend issues #4335 and #5957), while a client inside a closed
   area must still be reachable, slowly.
3. **Customize a working copy.** ``osrm-customize`` rewrites four files in place
   (``.cell_metrics``, ``.datasource_names``, ``.geometry``, ``.mldgr``) and keeps
   earlier speeds, so every update starts again from an untouched copy: the region is
   copied once into the working directory, and each generation gets fresh copies of
   those four files (the others are hard links to the copy, or copies across file
   systems). The prepared original is never written.
4. **Swap engines.** A new engine is opened on the new generation and replaces the
   current one; the previous generation's directory is removed (an engine still
   answering a query keeps its memory-mapped files until it is dropped). With no
   incident left, the original engine answers again.
"""

from __future__ import annotations

import csv
import itertools
import math
import os
import shutil
import tempfile
import time
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osrm

from fleetline.domain.live import Area, IncidentKind, TrafficIncident
from fleetline.domain.model import Location
from fleetline.network.osrm_engine import OsrmTravelTimes, RoutingError
from fleetline.network.region import METADATA_FILE, RegionError, apply_segment_speeds
from fleetline.network.traffic_geometry import local_area, points_in_polygon, project

CUSTOMIZE_WRITES = (".cell_metrics", ".datasource_names", ".geometry", ".mldgr")
"""Suffixes of the files ``osrm-customize`` rewrites in place (measured on osrm-bindings 26.10)."""

Segment = tuple[int, int]
Leg = tuple[int, int, float, float, float, float, float]
"""``(from_node, to_node, speed_kmh, lon0, lat0, lon1, lat1)`` of one routed segment."""


@dataclass(frozen=True, slots=True)
class Customization:
    """What one application of incidents to the road network did.

    Attributes
    ----------
    segments
        Directed segments written to the speed file.
    probe_s
        Seconds spent finding segments (zero when every area was cached).
    customize_s
        Seconds spent in ``osrm-customize``.
    total_s
        Seconds from the start of the update to the new engine answering.
    """

    segments: int
    probe_s: float
    customize_s: float
    total_s: float


def _ring(area: Area, count: int, scale: float) -> tuple[Location, list[Location]]:
    """Return the area's centre and ``count`` points on a circle ``scale`` × its radius."""
    frame = local_area(area)
    radius = frame.radius_m * scale
    angles = np.linspace(0.0, 2.0 * math.pi, count, endpoint=False)
    dlat = np.degrees(radius * np.sin(angles) / 6_371_008.8)
    dlon = np.degrees(radius * np.cos(angles) / 6_371_008.8) / math.cos(math.radians(frame.lat0))
    ring = [
        Location(lat=float(np.clip(frame.lat0 + a, -90, 90)), lon=float(frame.lon0 + o))
        for a, o in zip(dlat, dlon, strict=True)
    ]
    return Location(lat=frame.lat0, lon=frame.lon0), ring


def _annotated_legs(engine: OsrmTravelTimes, a: Location, b: Location) -> Iterator[Leg]:
    """Yield every segment of the fastest route from ``a`` to ``b`` as a :data:`Leg`."""
    params = osrm.RouteParameters(
        coordinates=[(a.lon, a.lat), (b.lon, b.lat)],
        annotations=["nodes", "speed"],
        geometries="geojson",
        overview="full",
        generate_hints=False,
    )
    try:
        route = engine._call("Route", params)["routes"][0]
    except (RoutingError, IndexError):
        return
    coords = [(float(p[0]), float(p[1])) for p in route["geometry"]["coordinates"]]
    notes = route["legs"][0]["annotation"]
    nodes = [int(v) for v in notes["nodes"]]
    speeds = [float(v) for v in notes["speed"]]
    if not (len(nodes) == len(coords) == len(speeds) + 1):
        return  # unexpected layout: skip this probe rather than guess
    for k, speed in enumerate(speeds):
        if nodes[k] != nodes[k + 1] and speed > 0:
            yield (nodes[k], nodes[k + 1], speed * 3.6, *coords[k], *coords[k + 1])


def find_segments(engine: OsrmTravelTimes, area: Area, probes: int = 16) -> dict[Segment, float]:
    """Return the directed road segments inside ``area`` with their free-flow speed (km/h).

    Parameters
    ----------
    engine
        An engine on the unmodified region (its speeds are the free-flow ones).
    area
        The incident's area.
    probes
        Points on the ring around the area; about ``probes × 7`` routes are asked.

    Returns
    -------
    dict
        ``(from_osm_node, to_osm_node) -> speed_kmh``, both directions of every road
        found inside the area.
    """
    centre, ring = _ring(area, probes, 1.3)
    pairs: list[tuple[Location, Location]] = []
    for i, start in enumerate(ring):
        for step in {probes // 2 - 1, probes // 2, probes // 2 + 1, probes // 4, 3 * probes // 4}:
            pairs.append((start, ring[(i + step) % probes]))
        pairs += [(start, centre), (centre, start)]
    frame = local_area(area)
    found: dict[Segment, float] = {}
    for a, b in pairs:
        legs = list(_annotated_legs(engine, a, b))
        if not legs:
            continue
        table = np.array([leg[3:] for leg in legs], dtype=np.float64)
        mid_lon = (table[:, 0] + table[:, 2]) / 2
        mid_lat = (table[:, 1] + table[:, 3]) / 2
        xy = project(mid_lat, mid_lon, frame.lat0, frame.lon0)
        if frame.polygon is not None:
            inside = points_in_polygon(xy, frame.polygon)
        else:
            inside = (xy**2).sum(axis=1) <= frame.radius_m**2
        for leg, keep in zip(legs, inside, strict=True):
            if keep:
                found[(leg[0], leg[1])] = max(found.get((leg[0], leg[1]), 0.0), leg[2])
    for (u, v), speed in list(found.items()):
        found.setdefault((v, u), speed)
    return found


def segment_speeds(
    incidents: Sequence[TrafficIncident],
    segments_of: dict[Area, dict[Segment, float]],
    closure_speed_kmh: float,
) -> dict[Segment, float]:
    """Return the speed (km/h) to write for every segment touched by ``incidents``.

    Where incidents overlap, the slowest speed wins; no speed goes below
    ``closure_speed_kmh``.
    """
    speeds: dict[Segment, float] = {}
    for incident in incidents:
        for segment, free in segments_of[incident.area].items():
            if incident.kind is IncidentKind.CLOSURE or incident.factor is None:
                speed = closure_speed_kmh
            else:
                speed = max(closure_speed_kmh, free / incident.factor)
            speeds[segment] = min(speeds.get(segment, math.inf), speed)
    return speeds


class OsrmTraffic:
    """Applies traffic incidents to an MLD region through a working copy; see the module.

    Parameters
    ----------
    base
        An engine on the prepared region; it is never modified and keeps answering
        while there is no incident.
    closure_speed_kmh
        Speed written for a closed road (positive: the road stays reachable).
    work_dir
        Where the working copy and its generations live (a new temporary directory by
        default, removed when this object is closed or dropped).
    probes
        Ring points per area for :func:`find_segments`.

    Raises
    ------
    RegionError
        If the region is not MLD (CH needs a full re-contraction for new speeds).
    """

    def __init__(
        self,
        base: OsrmTravelTimes,
        *,
        closure_speed_kmh: float = 1.0,
        work_dir: Path | str | None = None,
        probes: int = 16,
    ) -> None:
        if base.algorithm != "MLD":
            raise RegionError("traffic on OSRM needs an MLD region; this one is CH")
        if not closure_speed_kmh > 0:
            raise ValueError("closure_speed_kmh must be positive")
        self.base = base
        self.current = base
        self.closure_speed_kmh = float(closure_speed_kmh)
        self.probes = int(probes)
        self.root = (
            Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="fleetline-traffic-"))
        )
        self.root.mkdir(parents=True, exist_ok=True)
        self._pristine: Path | None = None
        self._generation = 0
        self._live_dir: Path | None = None
        self._segments: dict[Area, dict[Segment, float]] = {}
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.root, True)

    def _copy_once(self) -> Path:
        """Copy the prepared region into the working directory, the first time only."""
        if self._pristine is None:
            source = self.base.region.base.parent
            target = self.root / "region"
            if target.exists():
                shutil.rmtree(target)
            target.mkdir()
            for path in _region_files(source, self.base.region.base.name):
                shutil.copy2(path, target / path.name)
            self._pristine = target
        return self._pristine

    def _new_generation(self) -> Path:
        pristine = self._copy_once()
        self._generation += 1
        target = self.root / f"gen-{self._generation}"
        target.mkdir()
        for path in _region_files(pristine, self.base.region.base.name):
            if path.name.endswith(CUSTOMIZE_WRITES) or path.name == METADATA_FILE:
                shutil.copy2(path, target / path.name)
                continue
            try:
                os.link(path, target / path.name)
            except OSError:
                shutil.copy2(path, target / path.name)
        return target

    def segments(self, area: Area) -> dict[Segment, float]:
        """Return the segments inside ``area`` (found once per area, then cached)."""
        found = self._segments.get(area)
        if found is None:
            found = find_segments(self.base, area, self.probes)
            self._segments[area] = found
        return found

    def apply(self, incidents: Sequence[TrafficIncident]) -> Customization:
        """Make :attr:`current` answer with ``incidents`` (and only them) in force.

        Parameters
        ----------
        incidents
            The active incidents; an empty sequence restores the original network.

        Returns
        -------
        Customization
            What was written and how long each step took.
        """
        started = time.perf_counter()
        for incident in incidents:
            self.segments(incident.area)
        probed = time.perf_counter() - started
        speeds = segment_speeds(incidents, self._segments, self.closure_speed_kmh)
        previous = self._live_dir
        customize_s = 0.0
        if not speeds:
            self.current, self._live_dir = self.base, None
        else:
            target = self._new_generation()
            speed_file = target / "traffic-speeds.csv"
            with speed_file.open("w", newline="") as handle:
                writer = csv.writer(handle)
                for (u, v), kmh in sorted(speeds.items()):
                    writer.writerow((u, v, f"{kmh:.1f}"))
            customize_s = apply_segment_speeds(target, speed_file)
            self.current = OsrmTravelTimes(
                target,
                snap_threshold_m=self.base.snap_threshold_m,
                max_table_cells=self.base.max_table_cells,
                algorithm="MLD",
            )
            self._live_dir = target
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
        return Customization(
            segments=len(speeds),
            probe_s=probed,
            customize_s=customize_s,
            total_s=time.perf_counter() - started,
        )

    def close(self) -> None:
        """Return to the original engine and remove the working directory."""
        self.current, self._live_dir = self.base, None
        self._finalizer()


def _region_files(directory: Path, base_name: str) -> list[Path]:
    files = [p for p in directory.iterdir() if p.name.startswith(base_name + ".")]
    return sorted(itertools.chain(files, [directory / METADATA_FILE]))
