"""The region's streets for display: what the consoles' maps draw when no tile server is set.

At ``fleetline region import`` the ways that cars use are read from the same
OpenStreetMap extract as the routing graph, simplified (Douglas–Peucker, a few metres;
see :mod:`fleetline.network.road_extract`) and written as ``roads.json`` beside the OSRM
files. The file holds, per road class,
the ways as flat ``[lat, lon, lat, lon, ...]`` lists rounded to 5 decimals (about a
metre). A :class:`RoadLayer` reads it once, on first use, and hands out the roads of a
box within a budget of points, leaving out the least important classes first, so that a
small map (the client's tracking page) stays light.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

ROADS_FILE = "roads.json"
FORMAT = "fleetline-roads/1"
ROAD_CLASSES: tuple[str, ...] = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
    "service",
)
"""The ``highway`` values drawn, most important first (links count as their road)."""
EARTH_RADIUS_M = 6_371_008.8

BBox = tuple[float, float, float, float]
"""``(min_lon, min_lat, max_lon, max_lat)``, as in ``region.json``."""
Polyline = list[list[float]]
"""``[[lat, lon], ...]``, as Leaflet takes it."""


class RoadLayerError(Exception):
    """A road layer cannot be written or read; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class RoadLines:
    """Roads to draw.

    Attributes
    ----------
    classes
        Polylines ``[[lat, lon], ...]`` by road class, most important class first.
    bbox
        ``(min_lon, min_lat, max_lon, max_lat)`` of what is drawn, ``None`` when empty.
    left_out
        Classes left out to keep within a budget of points (least important ones).
    """

    classes: dict[str, list[Polyline]]
    bbox: BBox | None = None
    left_out: tuple[str, ...] = field(default=())

    @property
    def points(self) -> int:
        """Number of points over all polylines."""
        return sum(len(line) for lines in self.classes.values() for line in lines)

    @property
    def segments(self) -> int:
        """Number of straight segments over all polylines."""
        return sum(len(line) - 1 for lines in self.classes.values() for line in lines)


def extent(groups: Iterable[Iterable[Polyline]]) -> BBox | None:
    """The box around every point of ``groups`` of polylines; ``None`` when empty."""
    lats = [p[0] for lines in groups for line in lines for p in line]
    if not lats:
        return None
    lons = [p[1] for lines in groups for line in lines for p in line]
    return (min(lons), min(lats), max(lons), max(lats))


def write_roads(lines: RoadLines, path: Path | str) -> int:
    """Write ``lines`` as a road layer file and return its size in bytes.

    Parameters
    ----------
    lines
        What :func:`~fleetline.network.road_extract.extract_roads` read.
    path
        The file to write (``roads.json`` in a region directory).

    Returns
    -------
    int
        Bytes written.
    """
    document = {
        "format": FORMAT,
        "bbox": list(lines.bbox) if lines.bbox else None,
        "classes": {
            name: [[v for point in line for v in point] for line in polylines]
            for name, polylines in lines.classes.items()
            if polylines
        },
    }
    text = json.dumps(document, separators=(",", ":"))
    Path(path).write_text(text)
    return len(text.encode())


@dataclass(frozen=True, slots=True)
class _Way:
    bbox: BBox
    flat: list[float]


class RoadLayer:
    """The road layer file of a region, read once on first use.

    Parameters
    ----------
    path
        The ``roads.json`` written at import.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._ways: dict[str, list[_Way]] | None = None
        self._bbox: BBox | None = None
        self._lock = threading.Lock()

    @property
    def bbox(self) -> BBox | None:
        """The extent of the region's roads."""
        self._load()
        return self._bbox

    def lines(
        self,
        bbox: BBox | None = None,
        *,
        max_points: int | None = None,
        classes: Collection[str] | None = None,
    ) -> RoadLines:
        """The roads inside ``bbox`` (all of them without one), within ``max_points``.

        Parameters
        ----------
        bbox
            ``(min_lon, min_lat, max_lon, max_lat)``; a way crossing it is cut to the
            segments that touch it.
        max_points
            Budget of points: classes are added most important first, and a class that
            would go over is left out with every class after it.
        classes
            Only these road classes (all of :data:`ROAD_CLASSES` when ``None``).

        Returns
        -------
        RoadLines
            The roads, and the classes left out.

        Raises
        ------
        RoadLayerError
            If the file is unreadable.
        """
        ways = self._load()
        chosen: dict[str, list[Polyline]] = {}
        left_out: list[str] = []
        total = 0
        for name in ROAD_CLASSES:
            if classes is not None and name not in classes:
                continue
            if left_out:
                left_out.append(name)
                continue
            polylines: list[Polyline] = []
            for way in ways.get(name, ()):
                if bbox is None:
                    polylines.append(_pairs(way.flat))
                elif _overlaps(way.bbox, bbox):
                    polylines.extend(_clip(way.flat, bbox))
            points = sum(len(line) for line in polylines)
            if max_points is not None and total + points > max_points:
                left_out.append(name)
                continue
            total += points
            if polylines:
                chosen[name] = polylines
        return RoadLines(chosen, extent(chosen.values()), tuple(left_out))

    def _load(self) -> dict[str, list[_Way]]:
        with self._lock:
            if self._ways is None:
                self._ways, self._bbox = _read(self.path)
            return self._ways


def _read(path: Path) -> tuple[dict[str, list[_Way]], BBox | None]:
    try:
        raw = json.loads(path.read_text())
        if raw.get("format") != FORMAT:
            raise RoadLayerError(f"{path} is not a road layer of format {FORMAT}")
        ways: dict[str, list[_Way]] = {}
        for name, flats in raw["classes"].items():
            ways[str(name)] = [_Way(_flat_bbox(flat), [float(v) for v in flat]) for flat in flats]
        bbox = raw.get("bbox")
    except (OSError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RoadLayerError(f"unreadable road layer {path}: {exc}") from exc
    return ways, (tuple(float(v) for v in bbox) if bbox else None)  # type: ignore[return-value]


def _flat_bbox(flat: Sequence[float]) -> BBox:
    lats, lons = flat[0::2], flat[1::2]
    return (min(lons), min(lats), max(lons), max(lats))


def _pairs(flat: Sequence[float]) -> Polyline:
    return [[flat[i], flat[i + 1]] for i in range(0, len(flat), 2)]


def _overlaps(a: BBox, b: BBox) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _clip(flat: Sequence[float], bbox: BBox) -> list[Polyline]:
    """The runs of segments of a way whose own extent touches ``bbox``."""
    runs: list[Polyline] = []
    current: Polyline = []
    for i in range(0, len(flat) - 2, 2):
        lat_a, lon_a, lat_b, lon_b = flat[i], flat[i + 1], flat[i + 2], flat[i + 3]
        segment = (min(lon_a, lon_b), min(lat_a, lat_b), max(lon_a, lon_b), max(lat_a, lat_b))
        if _overlaps(segment, bbox):
            if not current:
                current.append([lat_a, lon_a])
            current.append([lat_b, lon_b])
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def around(points: Iterable[tuple[float, float]], margin_m: float) -> BBox | None:
    """The box around ``(lat, lon)`` points, widened by ``margin_m`` on every side.

    Parameters
    ----------
    points
        ``(lat, lon)`` in degrees.
    margin_m
        Metres added on each side.

    Returns
    -------
    BBox or None
        ``(min_lon, min_lat, max_lon, max_lat)``; ``None`` without points.
    """
    given = list(points)
    if not given:
        return None
    lats = [p[0] for p in given]
    lons = [p[1] for p in given]
    dlat = math.degrees(margin_m / EARTH_RADIUS_M)
    middle = math.radians((min(lats) + max(lats)) / 2)
    dlon = dlat / max(math.cos(middle), 0.01)
    return (min(lons) - dlon, min(lats) - dlat, max(lons) + dlon, max(lats) + dlat)


def road_layer_for(region: Path | str | None) -> RoadLayer | None:
    """The road layer of a prepared region, if it has one.

    A region prepared before road layers existed still opens: it has none, and a log
    line says how to get one.

    Parameters
    ----------
    region
        A prepared region (directory or OSRM base path), or ``None``.

    Returns
    -------
    RoadLayer or None
        ``None`` without a region or without a road layer file.
    """
    if region is None:
        return None
    from fleetline.network.region import RegionError, read_region

    try:
        info = read_region(region)
    except RegionError as exc:
        log.warning("no road layer: %s", exc)
        return None
    if info.roads is None or not info.roads.is_file():
        log.info(
            "region %s has no road layer: the maps show no streets without a tile server; "
            "run `fleetline region import` again to draw them",
            info.base.parent,
        )
        return None
    return RoadLayer(info.roads)
