"""Reading the car roads of an OpenStreetMap extract for display, simplified.

Only this module reads PBF files (pyosmium); what it returns is written by
:func:`fleetline.network.road_layer.write_roads`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

from fleetline.network.road_layer import (
    EARTH_RADIUS_M,
    ROAD_CLASSES,
    Polyline,
    RoadLayerError,
    RoadLines,
    extent,
)

LINKS = {f"{name}_link": name for name in ROAD_CLASSES[:5]}
"""``motorway_link`` … ``tertiary_link`` are drawn as their road."""


def road_class(highway: str | None, area: str | None = None) -> str | None:
    """The class a way is drawn as, or ``None`` when cars do not use it.

    Parameters
    ----------
    highway, area
        The way's ``highway`` and ``area`` tags (``None`` when it has none).

    Returns
    -------
    str or None
        One of :data:`ROAD_CLASSES` (a ``*_link`` counts as its road); ``None`` for
        footways, paths, tracks, cycleways, steps, areas and anything else.
    """
    if highway is None or area == "yes":
        return None
    highway = LINKS.get(highway, highway)
    return highway if highway in ROAD_CLASSES else None


def simplify(points: Sequence[tuple[float, float]], tolerance_m: float) -> list[int]:
    """Douglas–Peucker on ``(lat, lon)`` points: the indices of the points kept.

    Distances are measured on a local flat projection (metres), exact enough for
    the few kilometres of one way.

    Parameters
    ----------
    points
        ``(lat, lon)`` in degrees, in order along the line.
    tolerance_m
        A point closer than this to the simplified line is dropped.

    Returns
    -------
    list of int
        Ascending indices, always the first and the last.
    """
    count = len(points)
    if count <= 2:
        return list(range(count))
    scale_x = math.cos(math.radians(points[0][0])) * EARTH_RADIUS_M * math.pi / 180
    scale_y = EARTH_RADIUS_M * math.pi / 180
    xy = [(lon * scale_x, lat * scale_y) for lat, lon in points]
    keep = [False] * count
    keep[0] = keep[-1] = True
    stack = [(0, count - 1)]
    while stack:
        first, last = stack.pop()
        ax, ay = xy[first]
        bx, by = xy[last]
        dx, dy = bx - ax, by - ay
        length_sq = dx * dx + dy * dy
        farthest, index = -1.0, -1
        for i in range(first + 1, last):
            px, py = xy[i]
            if length_sq == 0.0:
                distance = math.hypot(px - ax, py - ay)
            else:
                t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length_sq))
                distance = math.hypot(px - ax - t * dx, py - ay - t * dy)
            if distance > farthest:
                farthest, index = distance, i
        if farthest > tolerance_m:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [i for i, kept in enumerate(keep) if kept]


def extract_roads(
    pbf_path: Path | str, *, tolerance_m: float = 5.0, precision: int = 5
) -> RoadLines:
    """Read the car roads of an OpenStreetMap extract, simplified for display.

    Parameters
    ----------
    pbf_path
        An ``.osm.pbf`` extract.
    tolerance_m
        Douglas–Peucker tolerance in metres.
    precision
        Decimals kept of each coordinate (5: about a metre).

    Returns
    -------
    RoadLines
        Every way of :data:`ROAD_CLASSES`, with its extent. A way whose nodes lie partly
        outside the extract keeps the part inside.

    Raises
    ------
    RoadLayerError
        If the file cannot be read.
    """
    import osmium  # read only here: serving a road layer needs no libosmium
    from osmium.filter import KeyFilter

    classes: dict[str, list[Polyline]] = {name: [] for name in ROAD_CLASSES}
    highways = KeyFilter("highway")
    highways.enable_for(osmium.osm.WAY)  # every node passes: the ways need their locations
    processor = osmium.FileProcessor(str(pbf_path)).with_locations().with_filter(highways)
    try:
        for way in processor:
            if not isinstance(way, osmium.osm.Way):
                continue
            kind = road_class(way.tags.get("highway"), way.tags.get("area"))
            if kind is None:
                continue
            for run in _located_runs(way.nodes):
                kept = simplify(run, tolerance_m)
                classes[kind].append(
                    [[round(run[i][0], precision), round(run[i][1], precision)] for i in kept]
                )
    except RuntimeError as exc:
        raise RoadLayerError(f"cannot read roads from {pbf_path}: {exc}") from exc
    return RoadLines(classes, extent(classes.values()))


def _located_runs(nodes: Iterable[object]) -> list[list[tuple[float, float]]]:
    """Split a way into runs of nodes with a known location (an extract cuts ways)."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for node in nodes:
        location = node.location  # type: ignore[attr-defined]
        if location.valid():
            current.append((location.lat, location.lon))
            continue
        if len(current) >= 2:
            runs.append(current)
        current = []
    if len(current) >= 2:
        runs.append(current)
    return runs
